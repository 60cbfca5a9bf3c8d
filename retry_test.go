package adaptive_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
)

// newTestClient returns a client for url with short backoff waits so that
// retry tests run fast.
func newTestClient(t *testing.T, url string, opts ...adaptive.Option) *adaptive.Client {
	t.Helper()
	clearEnv(t)
	base := []adaptive.Option{adaptive.WithBaseURL(url), adaptive.WithAPIKey(secretKey), adaptive.WithRetryWait(time.Millisecond, 5*time.Millisecond)}
	c, err := adaptive.NewClient(append(base, opts...)...)
	require.NoError(t, err)
	return c
}

// scripted answers each request with the next status of the script (200
// with {"ok":true} once the script is used up) and counts the requests.
func scripted(t *testing.T, header http.Header, statuses ...int) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i < len(statuses) {
			for k, v := range header {
				w.Header()[k] = v
			}
			w.Header().Set("X-Request-Id", "req-"+string(rune('a'+i)))
			w.WriteHeader(statuses[i])
			w.Write([]byte(`{"error":"attempt ` + string(rune('a'+i)) + ` failed"}`))
			return
		}
		w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestRetry503HonoursRetryAfterSeconds(t *testing.T) {
	srv, n := scripted(t, http.Header{"Retry-After": {"1"}}, 503)
	c := newTestClient(t, srv.URL)
	start := time.Now()
	var out struct{ OK bool }
	require.NoError(t, c.Do(context.Background(), http.MethodGet, "/api/v1/x", nil, &out))
	elapsed := time.Since(start)
	assert.True(t, out.OK)
	assert.Equal(t, int32(2), n.Load())
	assert.GreaterOrEqual(t, elapsed, 950*time.Millisecond)
	assert.Less(t, elapsed, 3*time.Second)
}

func TestRetry429HonoursRetryAfterMS(t *testing.T) {
	srv, n := scripted(t, http.Header{"Retry-After-Ms": {"150"}}, 429)
	// Long default backoff: only retry-after-ms can make this quick.
	c := newTestClient(t, srv.URL, adaptive.WithRetryWait(5*time.Second, 10*time.Second))
	start := time.Now()
	require.NoError(t, c.Do(context.Background(), http.MethodPost, "/api/v1/x", struct{}{}, nil))
	elapsed := time.Since(start)
	assert.Equal(t, int32(2), n.Load())
	assert.GreaterOrEqual(t, elapsed, 140*time.Millisecond)
	assert.Less(t, elapsed, 2*time.Second)
}

func TestRetryableStatuses(t *testing.T) {
	for _, code := range []int{408, 409, 429, 500, 502, 503, 504} {
		srv, n := scripted(t, nil, code)
		c := newTestClient(t, srv.URL)
		require.NoError(t, c.Do(context.Background(), http.MethodGet, "/api/v1/x", nil, nil), code)
		assert.Equal(t, int32(2), n.Load(), code)
	}
}

func TestNoRetryOnClientErrorsAnd501(t *testing.T) {
	for _, code := range []int{400, 401, 403, 404, 422, 501} {
		srv, n := scripted(t, nil, code)
		c := newTestClient(t, srv.URL)
		err := c.Do(context.Background(), http.MethodGet, "/api/v1/x", nil, nil)
		var apiErr *adaptive.APIError
		require.ErrorAs(t, err, &apiErr, code)
		assert.Equal(t, code, apiErr.StatusCode)
		assert.Equal(t, int32(1), n.Load(), code)
	}
}

func TestRetriesStopAtLimitWithLastAPIError(t *testing.T) {
	srv, n := scripted(t, nil, 503, 502, 500, 503)
	c := newTestClient(t, srv.URL) // default: 2 retries
	err := c.Do(context.Background(), http.MethodGet, "/api/v1/x", nil, nil)
	var apiErr *adaptive.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, int32(3), n.Load())
	assert.Equal(t, 500, apiErr.StatusCode)
	assert.Equal(t, "attempt c failed", apiErr.Message)
	assert.Equal(t, "req-c", apiErr.RequestID)
	assert.Equal(t, http.MethodGet, apiErr.Method)
	assert.Equal(t, srv.URL+"/api/v1/x", apiErr.URL)
	assert.ErrorIs(t, err, adaptive.ErrServer)
	assert.NotContains(t, err.Error(), "giving up")

	// Per-call retries override the client's.
	srv, n = scripted(t, nil, 503, 503, 503, 503, 503)
	c = newTestClient(t, srv.URL)
	require.Error(t, c.Do(context.Background(), http.MethodGet, "/api/v1/x", nil, nil, adaptive.WithMaxRetries(4)))
	assert.Equal(t, int32(5), n.Load())
	srv, n = scripted(t, nil, 503)
	c = newTestClient(t, srv.URL, adaptive.WithMaxRetries(0))
	require.Error(t, c.Do(context.Background(), http.MethodGet, "/api/v1/x", nil, nil))
	assert.Equal(t, int32(1), n.Load())
}

func TestCancelDuringBackoffReturnsPromptly(t *testing.T) {
	srv, n := scripted(t, http.Header{"Retry-After": {"30"}}, 503, 503)
	c := newTestClient(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	err := c.Do(ctx, http.MethodGet, "/api/v1/x", nil, nil)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Equal(t, int32(1), n.Load())
}

func TestNoRetryWhenContextAlreadyCancelled(t *testing.T) {
	srv, n := scripted(t, nil)
	c := newTestClient(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, c.Do(ctx, http.MethodGet, "/api/v1/x", nil, nil), context.Canceled)
	assert.Equal(t, int32(0), n.Load())
}

// dropper closes the connection of the first `drops` requests without an
// answer, after reading them, so the request may have been processed.
func dropper(t *testing.T, drops int32) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if n.Add(1) <= drops {
			conn, _, err := http.NewResponseController(w).Hijack()
			require.NoError(t, err)
			conn.Close()
			return
		}
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestTransportErrorRetriedOnlyForIdempotentCalls(t *testing.T) {
	srv, n := dropper(t, 1)
	c := newTestClient(t, srv.URL)
	// A POST that may have reached the server is not sent twice.
	err := c.Do(context.Background(), http.MethodPost, "/api/v1/interactions", struct{}{}, nil)
	require.Error(t, err)
	assert.Equal(t, int32(1), n.Load())
	assert.NotContains(t, err.Error(), secretKey)

	srv, n = dropper(t, 1)
	c = newTestClient(t, srv.URL)
	require.NoError(t, c.Do(context.Background(), http.MethodGet, "/api/v1/x", nil, nil))
	assert.Equal(t, int32(2), n.Load())
	srv, n = dropper(t, 1)
	c = newTestClient(t, srv.URL)
	require.NoError(t, c.Do(context.Background(), http.MethodDelete, "/api/v1/x", struct{}{}, nil))
	assert.Equal(t, int32(2), n.Load())
}

func TestConnectFailureRetriedEvenForPOST(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens: connection refused

	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newTestClient(t, "http://"+addr, adaptive.WithLogger(logger))
	err = c.Do(context.Background(), http.MethodPost, "/api/v1/comparison", struct{}{}, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "connection refused")
	assert.NotContains(t, err.Error(), secretKey)
	assert.Equal(t, 2, strings.Count(buf.String(), "adaptive: retrying"), buf.String())
	assert.Contains(t, buf.String(), "cause=\"connect failed\"")
	assert.Contains(t, err.Error(), "after 3 attempts")
	assert.NotContains(t, buf.String(), secretKey)
}

func TestRetryLogging(t *testing.T) {
	srv, _ := scripted(t, nil, 503, 429)
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newTestClient(t, srv.URL, adaptive.WithLogger(logger))
	require.NoError(t, c.Do(context.Background(), http.MethodGet, "/api/v1/x", nil, nil))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 3, buf.String())
	assert.Contains(t, lines[0], "level=DEBUG")
	assert.Contains(t, lines[0], `msg="adaptive: retrying" method=GET route=/api/v1/x attempt=1 cause="status 503" wait=`)
	assert.Contains(t, lines[1], `attempt=2 cause="status 429"`)
	assert.Contains(t, lines[2], `msg="adaptive: call" call=Client.Do status=200 attempts=3 duration=`)
	assert.NotContains(t, buf.String(), secretKey)
	assert.NotContains(t, buf.String(), "Bearer")
}

func TestPerAttemptTimeout(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, adaptive.WithTimeout(100*time.Millisecond))
	// Idempotent: the timed-out attempt is retried and the call succeeds.
	start := time.Now()
	require.NoError(t, c.Do(context.Background(), http.MethodGet, "/api/v1/x", nil, nil))
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Equal(t, int32(2), n.Load())

	// A write that may have reached the server is not sent again: the
	// timeout is the error.
	n.Store(0)
	err := c.Do(context.Background(), http.MethodPost, "/api/v1/x", struct{}{}, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "WithTimeout")
	assert.Equal(t, int32(1), n.Load())

	// A per-call timeout overrides the client's.
	n.Store(0)
	require.NoError(t, c.Do(context.Background(), http.MethodPost, "/api/v1/x", struct{}{}, nil, adaptive.WithTimeout(0)))
}

// countingTransport counts CloseIdleConnections calls made on it.
type countingTransport struct {
	http.RoundTripper
	closes atomic.Int32
}

func (c *countingTransport) CloseIdleConnections() { c.closes.Add(1) }

func TestGivingUpKeepsOtherIdleConnections(t *testing.T) {
	srv, _ := scripted(t, nil, 503, 503, 503)
	ct := &countingTransport{RoundTripper: http.DefaultTransport}
	c := newTestClient(t, srv.URL, adaptive.WithHTTPClient(&http.Client{Transport: ct}))
	require.Error(t, c.Do(context.Background(), http.MethodGet, "/api/v1/x", nil, nil))
	assert.Equal(t, int32(0), ct.closes.Load())
}

func TestRedirectToOtherHostIsRefusedForAPICalls(t *testing.T) {
	var reached atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		w.Write([]byte(`{}`))
	}))
	defer other.Close()
	// 127.0.0.1 and localhost are different hosts to the redirect policy.
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherURL+"/landing", http.StatusFound)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL)
	err := c.Do(context.Background(), http.MethodGet, "/api/v1/x", nil, nil)
	require.ErrorIs(t, err, adaptive.ErrRedirectRefused)
	assert.Contains(t, err.Error(), "to another origin, http://localhost:")
	assert.Equal(t, int32(0), reached.Load())
}

func TestTransportErrorWrapsCause(t *testing.T) {
	c := newTestClient(t, "http://127.0.0.1:1", adaptive.WithMaxRetries(0))
	err := c.Do(context.Background(), http.MethodGet, "/api/v1/x", nil, nil)
	require.Error(t, err)
	var opErr *net.OpError
	assert.True(t, errors.As(err, &opErr), "%v", err)
}

package adaptive_test

// Security: the API key reaches no error, log line or formatted value on any
// failure path; error and JSON bodies are read only up to their bounds
// however much a server sends; caller-given identifiers cannot change the
// request path. (A redirect to another host dropping Authorization is in
// retry_test.go; its download variant is here.)

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// debugLoggers returns a text and a JSON logger at debug level, both
// writing to one buffer.
func debugLoggers() (*slog.Logger, *slog.Logger, *syncBuffer) {
	var buf syncBuffer
	opts := &slog.HandlerOptions{Level: slog.LevelDebug, AddSource: true}
	return slog.New(slog.NewTextHandler(&buf, opts)), slog.New(slog.NewJSONHandler(&buf, opts)), &buf
}

// assertNoKey fails when the key shows in err under any verb, including
// every error of its chain.
func assertNoKey(t *testing.T, err error, what string) {
	t.Helper()
	for e := err; e != nil; {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			assert.NotContains(t, fmt.Sprintf(verb, e), relKey, "%s: %s", what, verb)
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			e = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, inner := range u.Unwrap() {
				assertNoKey(t, inner, what)
			}
			e = nil
		default:
			e = nil
		}
	}
}

// TestSecurityKeyInNoErrorOrLog drives every failure path that can be
// reached without a stream (streams: security_stream_test.go) with a debug
// logger on, and looks for the key in the error and in the log.
func TestSecurityKeyInNoErrorOrLog(t *testing.T) {
	text, jsonLog, logs := debugLoggers()
	srv, _, _ := relServer(t)
	srv.AddDataset(srv.Project, "ds", "", relData(9, 64<<10))
	refused := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		require.NoError(t, ln.Close())
		return "http://" + addr
	}()
	sid := uuid.New()
	outcome := adaptive.OutcomeRequest{Metric: "m", Value: adaptive.MetricBool(true), SessionID: sid}
	ctx := context.Background()

	cases := []struct {
		name string
		opts []adaptive.Option
		run  func(c *adaptive.Client) error
	}{
		{"503 until retries run out", nil, func(c *adaptive.Client) error {
			srv.FailNext(adaptivetest.RouteOutcome, 3, adaptivetest.Fault{Status: 503, RetryAfter: "0"})
			_, err := c.Feedback.Outcome(ctx, outcome)
			return err
		}},
		{"429 with retry-after-ms until retries run out", nil, func(c *adaptive.Client) error {
			srv.FailNext(adaptivetest.RouteUploadStatus, 3, adaptivetest.Fault{Status: 429, RetryAfterMS: "2"})
			_, err := c.Uploads.Status(ctx, "s")
			return err
		}},
		{"dropped connections until retries run out", nil, func(c *adaptive.Client) error {
			srv.FailNext(adaptivetest.RouteDatasetDownload, 3, adaptivetest.Fault{Drop: true})
			_, err := c.Datasets.Download(ctx, "", "ds", nil)
			return err
		}},
		{"dropped connection on a call that is not retried", nil, func(c *adaptive.Client) error {
			srv.FailNext(adaptivetest.RouteInteractions, 1, adaptivetest.Fault{Drop: true})
			_, err := c.Interactions.Add(ctx, adaptive.InteractionRequest{Messages: []adaptive.ChatMessage{{Role: "user", Content: "q"}}, Completion: "a"})
			return err
		}},
		{"connection refused", []adaptive.Option{adaptive.WithBaseURL(refused)}, func(c *adaptive.Client) error {
			_, err := c.Feedback.Outcome(ctx, outcome)
			return err
		}},
		{"attempt timeout", []adaptive.Option{adaptive.WithTimeout(20 * time.Millisecond)}, func(c *adaptive.Client) error {
			srv.FailNext(adaptivetest.RouteOutcome, 3, adaptivetest.Fault{Delay: 200 * time.Millisecond})
			_, err := c.Feedback.Outcome(ctx, outcome)
			return err
		}},
		{"cancelled context", nil, func(c *adaptive.Client) error {
			cctx, cancel := context.WithCancel(ctx)
			srv.FailNext(adaptivetest.RouteOutcome, 1, adaptivetest.Fault{Status: 503, RetryAfter: "30"})
			time.AfterFunc(20*time.Millisecond, cancel)
			_, err := c.Feedback.Outcome(cctx, outcome)
			return err
		}},
		{"wrong key", []adaptive.Option{adaptive.WithAPIKey(relKey + "-revoked")}, func(c *adaptive.Client) error {
			_, err := c.Feedback.Outcome(ctx, outcome)
			return err
		}},
		{"not found", nil, func(c *adaptive.Client) error {
			_, err := c.Datasets.Download(ctx, "", "missing", nil)
			return err
		}},
		{"download cut short while saving", nil, func(c *adaptive.Client) error {
			srv.CutDownloadAfter(1000)
			d, err := c.Datasets.Download(ctx, "", "ds", nil)
			if err != nil {
				return err
			}
			_, err = d.SaveFile(filepath.Join(t.TempDir(), "ds.jsonl"))
			return err
		}},
		{"upload part fails for good, abort fails too", nil, func(c *adaptive.Client) error {
			srv.FailPart(1, 100, 500)
			srv.FailNext(adaptivetest.RouteUploadAbort, 3, adaptivetest.Fault{Status: 502})
			_, err := c.Uploads.Upload(ctx, strings.NewReader("{}\n"), nil)
			return err
		}},
		{"validation", nil, func(c *adaptive.Client) error {
			_, err := c.Feedback.Outcome(ctx, adaptive.OutcomeRequest{})
			return err
		}},
		{"escape hatch with a bad path", nil, func(c *adaptive.Client) error {
			return c.Do(ctx, http.MethodGet, "api/v1/x", nil, nil)
		}},
	}
	for _, tc := range cases {
		for i, logger := range []*slog.Logger{text, jsonLog} {
			t.Run(fmt.Sprintf("%s/%d", tc.name, i), func(t *testing.T) {
				hc, tr := relTransport()
				defer tr.CloseIdleConnections()
				opts := append([]adaptive.Option{adaptive.WithHTTPClient(hc), adaptive.WithLogger(logger)}, tc.opts...)
				c := srv.Client(opts...)
				err := tc.run(c)
				srv.ClearFaults()
				require.Error(t, err)
				assertNoKey(t, err, tc.name)
				assert.NotContains(t, fmt.Sprintf("%v %+v %#v", c, *c, c.Uploads), relKey)
			})
		}
	}
	out := logs.String()
	assert.Contains(t, out, "adaptive: retrying", "the retry paths did log")
	assert.NotContains(t, out, relKey)
	assert.NotContains(t, out, "Bearer")
	assert.NotContains(t, out, "Authorization")
	for _, r := range srv.Requests() {
		// The key did travel, where it belongs: in the header only.
		assert.NotContains(t, r.Path+r.Query.Encode()+string(r.Body), relKey)
	}
}

// TestSecurityDownloadRedirectToOtherHostDropsAuthorization: download
// links are the calls most likely to be redirected (to a file store); the
// key must not follow to another host.
func TestSecurityDownloadRedirectToOtherHostDropsAuthorization(t *testing.T) {
	var auth atomic.Value
	store := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization"))
		w.Header().Set("Content-Disposition", `attachment; filename="ds.jsonl"`)
		_, _ = w.Write([]byte("{}\n"))
	}))
	defer store.Close()
	storeURL := strings.Replace(store.URL, "127.0.0.1", "localhost", 1) // another host to the redirect policy
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, storeURL+"/signed/ds", http.StatusTemporaryRedirect)
	}))
	defer api.Close()
	hc, tr := relTransport()
	defer tr.CloseIdleConnections()
	c, err := adaptive.NewClient(adaptive.WithBaseURL(api.URL), adaptive.WithAPIKey(relKey), adaptive.WithProject("p"), adaptive.WithHTTPClient(hc))
	require.NoError(t, err)
	d, err := c.Datasets.Download(context.Background(), "", "ds", nil)
	require.NoError(t, err)
	defer d.Close()
	assert.Equal(t, "ds.jsonl", d.Filename)
	assert.Equal(t, "", auth.Load(), "Authorization was sent to another host")
}

// floodServer answers every request with status and a body of size bytes
// (or until the client goes away), counting the bytes the server managed to
// write across all requests.
func floodServer(t *testing.T, status int, size int64) (*httptest.Server, *atomic.Int64, *atomic.Int32) {
	var written atomic.Int64
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", fmt.Sprint(size))
		w.WriteHeader(status)
		chunk := bytes.Repeat([]byte("x"), 32<<10)
		for left := size; left > 0; {
			n, err := w.Write(chunk[:min(int64(len(chunk)), left)])
			written.Add(int64(n))
			left -= int64(n)
			if err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &written, &requests
}

// TestSecurityHugeErrorBodyIsReadOnlyToTheBound: a server that answers an
// error with 100 MiB gets only a little of it read, on every path that
// builds an *APIError, including each retried attempt.
func TestSecurityHugeErrorBodyIsReadOnlyToTheBound(t *testing.T) {
	const huge = 100 * relMiB
	// The client reads at most 64 KiB of an error; what the server manages
	// to write beyond that sits in the socket buffers (a few MiB on
	// loopback) until the connection is closed.
	const farBelow = 16 * relMiB
	for _, tc := range []struct {
		name     string
		status   int
		attempts int32
		call     func(c *adaptive.Client) error
	}{
		{"POST, not retried", 400, 1, func(c *adaptive.Client) error {
			return c.Do(context.Background(), http.MethodPost, "/api/v1/x", struct{}{}, nil)
		}},
		{"GET, 503 retried twice", 503, 3, func(c *adaptive.Client) error {
			return c.Do(context.Background(), http.MethodGet, "/api/v1/x", nil, nil)
		}},
		{"download", 500, 3, func(c *adaptive.Client) error {
			_, err := c.Datasets.Download(context.Background(), "p", "ds", nil)
			return err
		}},
		{"upload part", 413, 1, func(c *adaptive.Client) error {
			return c.Uploads.UploadPart(context.Background(), "s", 1, []byte("x"), adaptive.WithMaxRetries(0))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, written, requests := floodServer(t, tc.status, huge)
			hc, tr := relTransport()
			defer tr.CloseIdleConnections()
			c, err := adaptive.NewClient(adaptive.WithBaseURL(srv.URL), adaptive.WithAPIKey(relKey), adaptive.WithHTTPClient(hc),
				adaptive.WithRetryWait(time.Millisecond, 2*time.Millisecond))
			require.NoError(t, err)
			err = tc.call(c)
			var apiErr *adaptive.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Len(t, apiErr.Body, 64<<10)
			assert.LessOrEqual(t, len(apiErr.Message), 1100)
			srv.Close() // waits for the handlers, so that written is final
			assert.Equal(t, tc.attempts, requests.Load())
			t.Logf("%d attempt(s): the server wrote %.1f MiB of %d MiB per attempt", tc.attempts, float64(written.Load())/relMiB/float64(tc.attempts), huge/relMiB)
			assert.Less(t, written.Load(), int64(tc.attempts)*farBelow)
		})
	}
}

// hostileID returns a random identifier built from the characters that
// could change a path or a query: separators, dots, percent signs, query
// and fragment marks, spaces, controls and non-ASCII.
func hostileID(r *rand.Rand) string {
	pieces := []string{"/", "\\", ".", "..", "%", "%2F", "%2e%2e", "?", "#", "&", ";", "=", "+", " ", "\t", "\x00", "é", "😀", "a", "b", "1", "-", "_", "~", "@", ":", "'", "\""}
	var b strings.Builder
	for n := 1 + r.IntN(6); n > 0; n-- {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

// pathRecorder is a server that records the escaped path and the query of
// each request and answers 200 with a small body.
type pathRecorder struct {
	mu    sync.Mutex
	paths []string
	query []url.Values
}

func (p *pathRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.paths = append(p.paths, r.URL.EscapedPath())
	p.query = append(p.query, r.URL.Query())
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{}`))
}

func (p *pathRecorder) last() (segments []string, query url.Values) {
	p.mu.Lock()
	defer p.mu.Unlock()
	escaped := p.paths[len(p.paths)-1]
	for _, s := range strings.Split(escaped, "/")[1:] {
		u, err := url.PathUnescape(s)
		if err != nil {
			panic(err)
		}
		segments = append(segments, u)
	}
	return segments, p.query[len(p.query)-1]
}

// TestSecurityPathParametersCannotChangeThePath: hundreds of random hostile
// identifiers, given as project, dataset, recipe and image names and as
// upload session ids, arrive at the server as exactly the values given, each
// in its own path segment (or query parameter), adding no segment and no
// parameter; or they are refused before sending.
func TestSecurityPathParametersCannotChangeThePath(t *testing.T) {
	const seed = 20261126
	r := rand.New(rand.NewPCG(seed, 0))
	rec := &pathRecorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	hc, tr := relTransport()
	defer tr.CloseIdleConnections()
	c, err := adaptive.NewClient(adaptive.WithBaseURL(srv.URL+"/tenant"), adaptive.WithAPIKey(relKey), adaptive.WithHTTPClient(hc))
	require.NoError(t, err)
	ctx := context.Background()
	projectID := uuid.New()
	isDot := func(s string) bool { return s == "." || s == ".." }
	tried, refused := 0, 0
	check := func(err error, refuse bool, want []string, what string) {
		t.Helper()
		tried++
		if refuse {
			var ve *adaptive.ValidationError
			require.ErrorAs(t, err, &ve, "seed %d: %s", seed, what)
			refused++
			return
		}
		require.NoError(t, err, "seed %d: %s", seed, what)
		segs, q := rec.last()
		require.Equal(t, append([]string{"tenant"}, want...), segs, "seed %d: %s", seed, what)
		require.Empty(t, q, "seed %d: %s added a query", seed, what)
	}
	download := func(d *adaptive.Download, err error) error {
		if err == nil {
			err = d.Close()
		}
		return err
	}
	for range 200 {
		project, id, recipe, image := hostileID(r), hostileID(r), hostileID(r), hostileID(r)
		err := download(c.Datasets.Download(ctx, project, id, nil))
		check(err, isDot(project) || isDot(id), []string{"api", "v1", "projects", project, "datasets", id, "download"}, fmt.Sprintf("project %q dataset %q", project, id))
		err = download(c.Recipes.Download(ctx, project, recipe))
		check(err, isDot(project) || isDot(recipe), []string{"api", "v1", "projects", project, "recipes", recipe, "download"}, fmt.Sprintf("project %q recipe %q", project, recipe))
		err = download(c.Images.Get(ctx, projectID, image))
		check(err, isDot(image) || strings.ContainsAny(image, `/\`), []string{"images", projectID.String(), image}, fmt.Sprintf("image %q", image))

		// An upload session id travels in the query: it must arrive whole
		// and add no parameter.
		session := hostileID(r)
		tried++
		require.NoError(t, c.Uploads.UploadPart(ctx, session, 7, []byte("x")), "seed %d: session %q", seed, session)
		segs, q := rec.last()
		require.Equal(t, []string{"tenant", "api", "v1", "upload", "part"}, segs)
		require.Equal(t, url.Values{"session_id": {session}, "part_number": {"7"}}, q, "seed %d: session %q", seed, session)
	}
	t.Logf("seed %d: %d hostile identifiers tried, %d refused before sending (dot segments, separators in image names), every other one arrived intact in its own segment", seed, tried, refused)
}

// countingBody counts the bytes the client reads from a response body.
type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// bodyCounter wraps every response body in a countingBody.
type bodyCounter struct {
	base http.RoundTripper
	n    atomic.Int64
}

func (b *bodyCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := b.base.RoundTrip(r)
	if err == nil {
		resp.Body = countingBody{resp.Body, &b.n}
	}
	return resp, err
}

// TestSecurityStreamEventOverTheLimitIsNotBuffered: a server that sends one
// event of 100 MiB (no line end) to a client whose event limit is 64 KiB
// gets an error, after the client read little more than the limit; the
// client's allocations stay far below the size of the event.
func TestSecurityStreamEventOverTheLimitIsNotBuffered(t *testing.T) {
	const huge = 100 * relMiB
	const limit = 64 << 10
	var written atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, sseContent(0, "ok", ""))
		_, _ = io.WriteString(w, "data: ")
		chunk := bytes.Repeat([]byte("x"), 32<<10)
		for left := huge; left > 0; left -= len(chunk) {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	_, tr := relTransport()
	defer tr.CloseIdleConnections()
	counter := &bodyCounter{base: tr}
	c, err := adaptive.NewClient(adaptive.WithBaseURL(srv.URL), adaptive.WithAPIKey(relKey), adaptive.WithProject("p"),
		adaptive.WithHTTPClient(&http.Client{Transport: counter}), adaptive.WithMaxEventSize(limit))
	require.NoError(t, err)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s, err := c.Chat.Stream(context.Background(), adaptive.ChatRequest{Messages: []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "q"}}})
	require.NoError(t, err)
	var chunks int
	for s.Next() {
		chunks++
	}
	err = s.Err()
	s.Close()
	runtime.ReadMemStats(&after)
	require.Error(t, err)
	assert.ErrorIs(t, err, bufio.ErrTooLong)
	assert.Contains(t, err.Error(), "WithMaxEventSize")
	assert.Equal(t, 1, chunks, "the events before the huge one are delivered")
	assertNoKey(t, err, "event over the limit")
	srv.Close()
	read, alloc := counter.n.Load(), after.TotalAlloc-before.TotalAlloc
	t.Logf("event of %d MiB, limit %d KiB: the client read %d KiB and allocated %.1f MiB; the server wrote %.1f MiB before the client went away",
		huge/relMiB, limit>>10, read>>10, float64(alloc)/relMiB, float64(written.Load())/relMiB)
	assert.Less(t, read, int64(4*limit), "the client read far past the limit")
	assert.Less(t, alloc, uint64(16*relMiB), "the client allocated as if it buffered the event")
	assert.Less(t, written.Load(), int64(16*relMiB))
}

// TestSecurityKeyInNoStreamError drives the failures of a started stream
// (cut, error event, idle timeout, cancellation) and of its opening, with a
// debug logger on.
func TestSecurityKeyInNoStreamError(t *testing.T) {
	text, _, logs := debugLoggers()
	srv, _, _ := relServer(t)
	req := adaptive.ChatRequest{Messages: []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "a b c d e f"}}}
	for _, tc := range []struct {
		name string
		arm  func()
		opts []adaptive.Option
	}{
		{"cut", func() { srv.CutStreamAfter(2) }, nil},
		{"error event", func() { srv.SendStreamError(1, "internal: key rotation failed") }, nil},
		{"idle", func() { srv.StallStream(1) }, []adaptive.Option{adaptive.WithStreamIdleTimeout(30 * time.Millisecond)}},
		{"refused after retries", func() {
			srv.FailNext(adaptivetest.RouteChat, 3, adaptivetest.Fault{Status: 429, RetryAfterMS: "1"})
		}, nil},
		{"wrong key", func() {}, []adaptive.Option{adaptive.WithAPIKey(relKey + "-old")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hc, tr := relTransport()
			defer tr.CloseIdleConnections()
			c := srv.Client(append([]adaptive.Option{adaptive.WithHTTPClient(hc), adaptive.WithLogger(text)}, tc.opts...)...)
			srv.ClearFaults()
			tc.arm()
			s, err := c.Chat.Stream(context.Background(), req)
			if err == nil {
				_, err = s.Accumulate()
				assert.NotContains(t, fmt.Sprintf("%v %+v", s, s), relKey)
			}
			require.Error(t, err)
			assertNoKey(t, err, tc.name)
		})
	}
	assert.Contains(t, logs.String(), "retrying")
	assert.NotContains(t, logs.String(), relKey)
}

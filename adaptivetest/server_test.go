package adaptivetest_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

// outcome is a valid outcome body, sent through the client's escape hatch so
// that these tests exercise only the server base.
func outcome() map[string]any {
	return map[string]any{"value": true, "project_id": "demo", "metric": "thumbs", "session_id": uuid.New()}
}

func TestServerChecksAPIKey(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	err := srv.Client(adaptive.WithAPIKey("wrong")).Do(context.Background(), http.MethodPost, "/api/v1/outcome", outcome(), nil)
	var apiErr *adaptive.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
	assert.Contains(t, apiErr.Message, "invalid API key")
	assert.ErrorIs(t, err, adaptive.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "wrong")

	require.NoError(t, srv.Client().Do(context.Background(), http.MethodPost, "/api/v1/outcome", outcome(), nil))
}

func TestServerRecordsRequests(t *testing.T) {
	srv := adaptivetest.NewServer(adaptivetest.WithAPIKey("k2"), adaptivetest.WithProject("p2"))
	defer srv.Close()
	c := srv.Client()
	assert.Equal(t, "p2", c.Project())
	require.NoError(t, c.Do(context.Background(), http.MethodPost, "/api/v1/outcome?x=1", outcome(), nil))
	reqs := srv.RequestsTo(adaptivetest.RouteOutcome)
	require.Len(t, reqs, 1)
	r := reqs[0]
	assert.Equal(t, adaptivetest.RouteOutcome, r.Route)
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/api/v1/outcome", r.Path)
	assert.Equal(t, "1", r.Query.Get("x"))
	assert.Equal(t, "Bearer k2", r.Header.Get("Authorization"))
	assert.Contains(t, string(r.Body), `"metric":"thumbs"`)
	assert.Equal(t, int64(len(r.Body)), r.BodySize)
	assert.Len(t, srv.Requests(), 1)
	srv.ResetRequests()
	assert.Empty(t, srv.Requests())

	err := c.Do(context.Background(), http.MethodGet, "/api/v1/nowhere", nil, nil)
	assert.ErrorIs(t, err, adaptive.ErrNotFound)
}

func TestServerFailNextWithRetryAfter(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.FailNext(adaptivetest.RouteOutcome, 2, adaptivetest.Fault{Status: 429, RetryAfterMS: "30", Message: "overloaded"})
	start := time.Now()
	require.NoError(t, srv.Client(adaptive.WithRetryWait(time.Second, time.Second)).Do(context.Background(), http.MethodPost, "/api/v1/outcome", outcome(), nil))
	assert.GreaterOrEqual(t, time.Since(start), 60*time.Millisecond)
	assert.Less(t, time.Since(start), 900*time.Millisecond, "retry-after-ms, not the 1 s backoff, sets the wait")
	assert.Len(t, srv.RequestsTo(adaptivetest.RouteOutcome), 3)

	// Faults run out, then are used in order; they stay on their route.
	srv.FailNext(adaptivetest.RouteOutcome, 1, adaptivetest.Fault{Status: 400, Message: "first"})
	srv.FailNext(adaptivetest.RouteOutcome, 1, adaptivetest.Fault{Status: 404, Message: "second"})
	c := srv.Client()
	var apiErr *adaptive.APIError
	require.ErrorAs(t, c.Do(context.Background(), http.MethodPost, "/api/v1/outcome", outcome(), nil), &apiErr)
	assert.Equal(t, "first", apiErr.Message)
	require.ErrorAs(t, c.Do(context.Background(), http.MethodPost, "/api/v1/outcome", outcome(), nil), &apiErr)
	assert.Equal(t, "second", apiErr.Message)
	require.NoError(t, c.Do(context.Background(), http.MethodPost, "/api/v1/outcome", outcome(), nil))

	srv.FailNext(adaptivetest.RouteOutcome, 5, adaptivetest.Fault{Status: 500})
	srv.ClearFaults()
	require.NoError(t, c.Do(context.Background(), http.MethodPost, "/api/v1/outcome", outcome(), nil))
}

func TestServerDropAndLatency(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	srv.FailNext(adaptivetest.RouteOutcome, 1, adaptivetest.Fault{Drop: true})
	err := c.Do(context.Background(), http.MethodPost, "/api/v1/outcome", outcome(), nil)
	require.Error(t, err, "a dropped POST is not retried: it may have been recorded")
	assert.Len(t, srv.RequestsTo(adaptivetest.RouteOutcome), 1)

	srv.SetLatency(adaptivetest.RouteOutcome, 80*time.Millisecond)
	start := time.Now()
	require.NoError(t, c.Do(context.Background(), http.MethodPost, "/api/v1/outcome", outcome(), nil))
	assert.GreaterOrEqual(t, time.Since(start), 80*time.Millisecond)

	// A latency longer than the attempt timeout makes the attempt fail.
	srv.SetLatency(adaptivetest.RouteOutcome, time.Second)
	err = c.Do(context.Background(), http.MethodPost, "/api/v1/outcome", outcome(), nil, adaptive.WithTimeout(50*time.Millisecond))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	srv.SetLatency(adaptivetest.RouteOutcome, 0)
	require.NoError(t, c.Do(context.Background(), http.MethodPost, "/api/v1/outcome", outcome(), nil))
}

func TestServerConcurrentUse(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	// Any call may meet any goroutine's fault: with 16 faults in all, 16
	// retries let every call succeed however they interleave.
	c := srv.Client(adaptive.WithMaxRetries(16))
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			srv.FailNext(adaptivetest.RouteOutcome, 1, adaptivetest.Fault{Status: 429, RetryAfter: "0"})
			assert.NoError(t, c.Do(context.Background(), http.MethodPost, "/api/v1/outcome", outcome(), nil))
			_ = srv.Requests()
		})
	}
	wg.Wait()
}

func TestServerCloseEndsInjectedLatency(t *testing.T) {
	srv := adaptivetest.NewServer()
	srv.SetLatency(adaptivetest.RouteUploadPart, time.Minute)
	c := srv.Client(adaptive.WithMaxRetries(0))
	done := make(chan error, 1)
	go func() { done <- c.Uploads.UploadPart(context.Background(), "s", 1, []byte("x")) }()
	require.Eventually(t, func() bool { return len(srv.RequestsTo(adaptivetest.RouteUploadPart)) == 1 }, 5*time.Second, time.Millisecond)
	start := time.Now()
	srv.Close()
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Error(t, <-done)
}

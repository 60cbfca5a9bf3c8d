package adaptive_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

// tagging is a middleware that records its name on the way in and out.
func tagging(name string, log *[]string, mu *sync.Mutex) adaptive.Middleware {
	return func(req *http.Request, next adaptive.MiddlewareNext) (*http.Response, error) {
		mu.Lock()
		*log = append(*log, name+">")
		mu.Unlock()
		resp, err := next(req)
		mu.Lock()
		*log = append(*log, "<"+name)
		mu.Unlock()
		return resp, err
	}
}

var userHi = adaptive.ChatRequest{Messages: []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "hi"}}}

func TestMiddlewareOrderAndScope(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	var mu sync.Mutex
	var log []string
	c := srv.Client(adaptive.WithMiddleware(tagging("client1", &log, &mu), tagging("client2", &log, &mu)))

	_, err := c.Chat.Create(t.Context(), userHi, adaptive.WithMiddleware(tagging("call", &log, &mu)))
	require.NoError(t, err)
	assert.Equal(t, []string{"client1>", "client2>", "call>", "<call", "<client2", "<client1"}, log, "client-wide outermost, per call inside")

	log = nil
	_, err = c.Chat.Create(t.Context(), userHi)
	require.NoError(t, err)
	assert.Equal(t, []string{"client1>", "client2>", "<client2", "<client1"}, log, "the per-call middleware was for one call")

	// Around each attempt: a retried call runs the chain once per attempt.
	log = nil
	srv.FailNext(adaptivetest.RouteEmbeddings, 2, adaptivetest.Fault{Status: 503, RetryAfterMS: "1"})
	_, err = c.Embeddings.Create(t.Context(), adaptive.EmbeddingsRequest{Input: "x"})
	require.NoError(t, err)
	assert.Equal(t, 3, strings.Count(strings.Join(log, " "), "client1>"))

	// And around a stream's request.
	log = nil
	st, err := c.Chat.Stream(t.Context(), userHi)
	require.NoError(t, err)
	_, err = st.Accumulate()
	require.NoError(t, err)
	assert.Equal(t, []string{"client1>", "client2>", "<client2", "<client1"}, log)
}

func TestMiddlewareNeverSeesTheKey(t *testing.T) {
	srv := adaptivetest.NewServer(adaptivetest.WithAPIKey(secretKey))
	defer srv.Close()
	var dumps bytes.Buffer
	dump := func(req *http.Request, next adaptive.MiddlewareNext) (*http.Response, error) {
		b, err := httputil.DumpRequest(req, true)
		require.NoError(t, err)
		dumps.Write(b)
		resp, err := next(req)
		if resp != nil {
			// Neither does the answer's request.
			b, _ = httputil.DumpRequest(resp.Request, false)
			dumps.Write(b)
		}
		return resp, err
	}
	c := srv.Client(adaptive.WithMiddleware(dump))
	_, err := c.Chat.Create(t.Context(), userHi)
	require.NoError(t, err, "the key still reached the server")
	var resp *http.Response
	_, err = c.Embeddings.Create(t.Context(), adaptive.EmbeddingsRequest{Input: "x"}, adaptive.WithResponseInto(&resp))
	require.NoError(t, err)
	assert.Contains(t, dumps.String(), "POST /api/v1/chat/completions")
	assert.NotContains(t, dumps.String(), secretKey)
	assert.NotContains(t, dumps.String(), "Authorization")
	assert.Empty(t, resp.Request.Header.Get("Authorization"), "WithResponseInto's answer points to the request without credentials")
}

func TestMiddlewareContractBreaches(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	ok := func(req *http.Request, next adaptive.MiddlewareNext) (*http.Response, error) { return next(req) }
	empty := func(*http.Request, adaptive.MiddlewareNext) (*http.Response, error) { return nil, nil }
	panicky := func(*http.Request, adaptive.MiddlewareNext) (*http.Response, error) { panic("boom") }
	c := srv.Client()

	_, err := c.Chat.Create(t.Context(), userHi, adaptive.WithMiddleware(ok, empty))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "middleware 2 of 2 returned neither a response nor an error")
	_, err = c.Chat.Create(t.Context(), userHi, adaptive.WithMiddleware(panicky, ok))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "middleware 1 of 2 panicked: boom")
	assert.Len(t, srv.RequestsTo(adaptivetest.RouteChat), 0, "a broken middleware is not retried")

	// Other calls are unaffected.
	_, err = c.Chat.Create(t.Context(), userHi)
	require.NoError(t, err)

	_, err = c.Chat.Create(t.Context(), userHi, adaptive.WithMiddleware(nil))
	require.EqualError(t, err, "adaptive: WithMiddleware: a middleware is nil")
	_, err = adaptive.NewClient(adaptive.WithMiddleware(ok, nil))
	require.Error(t, err)
}

func TestWithResponseInto(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client(adaptive.WithMaxRetries(1))

	var resp *http.Response
	_, err := c.Chat.Create(t.Context(), userHi, adaptive.WithResponseInto(&resp))
	require.NoError(t, err)
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.NotEmpty(t, resp.Header.Get("X-Request-Id"))

	// On an *APIError, after the retries: the last answer, its body readable.
	resp = nil
	srv.FailNext(adaptivetest.RouteEmbeddings, 2, adaptivetest.Fault{Status: 503, RetryAfterMS: "1", Message: "busy"})
	_, err = c.Embeddings.Create(t.Context(), adaptive.EmbeddingsRequest{Input: "x"}, adaptive.WithResponseInto(&resp))
	var apiErr *adaptive.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 2, apiErr.Attempts)
	assert.Contains(t, apiErr.Error(), "(after 2 attempts)")
	require.NotNil(t, resp)
	assert.Equal(t, 503, resp.StatusCode)
	body, _ := io.ReadAll(resp.Body)
	assert.Contains(t, string(body), "busy")
	d, ok := apiErr.RetryAfter()
	assert.True(t, ok)
	assert.Equal(t, time.Millisecond, d)

	// A stream: as soon as it starts.
	resp = nil
	st, err := c.Chat.Stream(t.Context(), userHi, adaptive.WithResponseInto(&resp))
	require.NoError(t, err)
	require.NotNil(t, resp)
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	st.Close()

	// A download.
	srv.AddDataset(srv.Project, "ds", "", []byte("{}\n"))
	resp = nil
	dl, err := c.Datasets.Download(t.Context(), "", "ds", nil, adaptive.WithResponseInto(&resp))
	require.NoError(t, err)
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	dl.Close()

	_, err = c.Chat.Create(t.Context(), userHi, adaptive.WithResponseInto(nil))
	require.EqualError(t, err, "adaptive: WithResponseInto: the destination is nil")
	_, err = adaptive.NewClient(adaptive.WithResponseInto(&resp))
	require.ErrorContains(t, err, "applies to one call")
}

func TestWithCallInfo(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	var info adaptive.CallInfo
	srv.FailNext(adaptivetest.RouteChat, 1, adaptivetest.Fault{Status: 429, RetryAfterMS: "1"})
	_, err := c.Chat.Create(t.Context(), userHi, adaptive.WithCallInfo(&info))
	require.NoError(t, err)
	assert.Equal(t, 200, info.StatusCode)
	assert.Equal(t, 2, info.Attempts)
	assert.NotEmpty(t, info.RequestID)
	assert.Greater(t, info.Duration, time.Duration(0))
	assert.Greater(t, info.BytesSent, int64(0))
	assert.Greater(t, info.BytesReceived, int64(0))

	// A stream's info is complete once it ends.
	info = adaptive.CallInfo{}
	st, err := c.Chat.Stream(t.Context(), userHi, adaptive.WithCallInfo(&info))
	require.NoError(t, err)
	_, err = st.Accumulate()
	require.NoError(t, err)
	assert.Equal(t, 200, info.StatusCode)
	assert.Greater(t, info.BytesReceived, int64(100))
}

func TestLogRecords(t *testing.T) {
	srv := adaptivetest.NewServer(adaptivetest.WithAPIKey(secretKey))
	defer srv.Close()
	var buf bytes.Buffer
	type ctxKey struct{}
	var ctxSeen []any
	var mu sync.Mutex
	h := &contextHandler{Handler: slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}), seen: func(ctx context.Context) {
		mu.Lock()
		ctxSeen = append(ctxSeen, ctx.Value(ctxKey{}))
		mu.Unlock()
	}}
	c := srv.Client(adaptive.WithLogger(slog.New(h)))
	ctx := context.WithValue(t.Context(), ctxKey{}, "trace-1")
	srv.FailNext(adaptivetest.RouteChat, 1, adaptivetest.Fault{Status: 429, RetryAfterMS: "1"})
	_, err := c.Chat.Create(ctx, userHi)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 2, buf.String())
	assert.Contains(t, lines[0], `msg="adaptive: retrying" method=POST route=/api/v1/chat/completions attempt=1 cause="status 429" wait=1ms`)
	assert.Regexp(t, `msg="adaptive: call" call=Chat.Create status=200 attempts=2 duration=\S+ bytes_sent=\d+ bytes_received=\d+ method=POST route=/api/v1/chat/completions request_id=req_\w+$`, lines[1])
	assert.Equal(t, []any{"trace-1", "trace-1"}, ctxSeen, "records carry the call's context")

	// A download logs its route template, never the key or the path's ids.
	buf.Reset()
	srv.AddDataset(srv.Project, "secret-dataset-id", "", []byte("x\n"))
	d, err := c.Datasets.Download(ctx, "", "secret-dataset-id", nil)
	require.NoError(t, err)
	_, _ = io.ReadAll(d)
	d.Close()
	assert.Contains(t, buf.String(), "route=/api/v1/projects/{project}/datasets/{dataset_id}/download")
	assert.Contains(t, buf.String(), "bytes_received=2")
	assert.NotContains(t, buf.String(), "secret-dataset-id")
	assert.NotContains(t, buf.String(), secretKey)
	assert.Equal(t, 1, strings.Count(buf.String(), "\n"), "one record per call")
}

// contextHandler reports the context of each record.
type contextHandler struct {
	slog.Handler
	seen func(context.Context)
}

func (h *contextHandler) Handle(ctx context.Context, r slog.Record) error {
	h.seen(ctx)
	return h.Handler.Handle(ctx, r)
}

func TestHookSeesTypedOutcomes(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	type spanKey struct{}
	var mu sync.Mutex
	var starts []*adaptive.CallStart
	var ends []*adaptive.CallEnd
	var parents []any
	hook := func(ctx context.Context, s *adaptive.CallStart) (context.Context, func(*adaptive.CallEnd)) {
		mu.Lock()
		starts = append(starts, s)
		parents = append(parents, ctx.Value(spanKey{}))
		mu.Unlock()
		return context.WithValue(ctx, spanKey{}, s.Call), func(e *adaptive.CallEnd) {
			mu.Lock()
			ends = append(ends, e)
			mu.Unlock()
		}
	}
	c := srv.Client(adaptive.WithHook(hook))

	resp, err := c.Chat.Create(t.Context(), userHi)
	require.NoError(t, err)
	require.Len(t, ends, 1)
	assert.Equal(t, "Chat.Create", starts[0].Call)
	assert.Equal(t, "demo", starts[0].Model)
	assert.Equal(t, "/api/v1/chat/completions", starts[0].Route)
	assert.Same(t, resp, ends[0].Response)
	assert.Equal(t, 200, ends[0].Info.StatusCode)

	// A stream ends when it ends, with what its chunks added up to and the
	// server's TTFT.
	st, err := c.Chat.Stream(t.Context(), userHi)
	require.NoError(t, err)
	require.Len(t, ends, 1, "not ended before the stream is read")
	acc, err := st.Accumulate()
	require.NoError(t, err)
	require.Len(t, ends, 2)
	got := ends[1].Response.(*adaptive.ChatResponse)
	assert.Equal(t, acc.Choices[0].Message.Content, got.Choices[0].Message.Content)
	assert.Greater(t, ends[1].TTFT, time.Duration(0))

	// The parts of an upload are calls of their own, inside the upload's.
	starts, ends, parents = nil, nil, nil
	_, err = c.Uploads.Upload(t.Context(), bytes.NewReader(make([]byte, 11<<20)), &adaptive.UploadOptions{Concurrency: 2})
	require.NoError(t, err)
	var parts int
	for i, s := range starts {
		if s.Call == "Uploads.UploadPart" {
			parts++
			assert.Equal(t, "Uploads.Upload", parents[i], "a part's parent is the upload")
			assert.NotZero(t, s.PartNumber)
		}
	}
	assert.Equal(t, 3, parts)
	assert.Equal(t, "Uploads.Upload", starts[0].Call)
	last := ends[len(ends)-1]
	_, isResult := last.Response.(*adaptive.UploadResult)
	assert.True(t, isResult, "the upload ends last, with its result")

	// Errors reach the hook too.
	ends = nil
	srv.FailNext(adaptivetest.RouteOutcome, 1, adaptivetest.Fault{Status: 400, Message: "bad"})
	_, err = c.Feedback.Outcome(t.Context(), outcomeReq())
	require.Error(t, err)
	require.Len(t, ends, 1)
	var apiErr *adaptive.APIError
	assert.True(t, errors.As(ends[0].Err, &apiErr))
	assert.Equal(t, 400, ends[0].Info.StatusCode)
}

func TestParseRateLimit(t *testing.T) {
	cases := []struct {
		h    http.Header
		want adaptive.RateLimit
		ok   bool
	}{
		{http.Header{"Ratelimit-Limit": {"100"}, "Ratelimit-Remaining": {"9"}, "Ratelimit-Reset": {"30"}}, adaptive.RateLimit{Limit: 100, Remaining: 9, Reset: 30 * time.Second}, true},
		{http.Header{"X-Ratelimit-Limit-Requests": {"60"}, "X-Ratelimit-Remaining-Requests": {"59"}, "X-Ratelimit-Reset-Requests": {"1m30s"}}, adaptive.RateLimit{Limit: 60, Remaining: 59, Reset: 90 * time.Second}, true},
		{http.Header{"X-Ratelimit-Remaining": {"0"}}, adaptive.RateLimit{Limit: -1, Remaining: 0, Reset: -1}, true},
		{http.Header{"X-Ratelimit-Reset": {"250ms"}}, adaptive.RateLimit{Limit: -1, Remaining: -1, Reset: 250 * time.Millisecond}, true},
		{http.Header{"Ratelimit": {"limit=10, remaining=2, reset=5"}}, adaptive.RateLimit{Limit: 10, Remaining: 2, Reset: 5 * time.Second}, true},
		{http.Header{"Ratelimit-Limit": {"100, 100;w=60"}}, adaptive.RateLimit{Limit: 100, Remaining: -1, Reset: -1}, true},
		{http.Header{}, adaptive.RateLimit{Limit: -1, Remaining: -1, Reset: -1}, false},
		{nil, adaptive.RateLimit{Limit: -1, Remaining: -1, Reset: -1}, false},
	}
	for _, tc := range cases {
		got, ok := adaptive.ParseRateLimit(tc.h)
		assert.Equal(t, tc.ok, ok, "%v", tc.h)
		assert.Equal(t, tc.want, got, "%v", tc.h)
	}
	// A large reset is a Unix time.
	at := time.Now().Add(2 * time.Minute).Unix()
	got, ok := adaptive.ParseRateLimit(http.Header{"X-Ratelimit-Reset": {strconv.FormatInt(at, 10)}})
	require.True(t, ok)
	assert.InDelta(t, 120, got.Reset.Seconds(), 2)
}

func outcomeReq() adaptive.OutcomeRequest {
	return adaptive.OutcomeRequest{Metric: "m", Value: adaptive.MetricBool(true), SessionID: uuid.New()}
}

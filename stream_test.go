package adaptive_test

import (
	"github.com/google/uuid"

	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/adaptive-go/adaptive"
)

// Events of a realistic chat stream, as the server writes them.
const (
	sseChunk1 = `data: {"id":"c1","created":1764190000.123,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[{"index":0,"delta":{"id":"m1","role":"assistant","content":"Hel"},"completion_id":"cmpl-7f3a"}]}` + "\n\n"
	sseChunk2 = `data: {"id":"c1","created":1764190000.123,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[{"index":0,"delta":{"id":"m1","role":"assistant","content":"lo","x":[]},"completion_id":"cmpl-7f3a","y":2}],"unknown":{"x":1}}` + "\n\n"
	sseTTFT   = `data: {"TTFT":183.4}` + "\n\n"
	sseFinish = `data: {"finish_reason":"stop","index":0,"completion_id":"cmpl-7f3a"}` + "\n\n"
	sseUsage  = `data: {"id":"c1","created":1764190000.123,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}` + "\n\n"
	sseTotal  = `data: {"TotalRequestDuration":5123.7}` + "\n\n"
	sseDone   = "data: [DONE]\n\n"
)

// sseServer is a raw server that answers every request with 200
// text/event-stream and then runs write, which writes exact bytes.
type sseServer struct {
	srv  *httptest.Server
	tr   *http.Transport
	done chan struct{} // receives each time a handler returns

	mu       sync.Mutex
	lastBody []byte
	accept   string
}

// last returns the body and Accept header of the last request.
func (s *sseServer) last() (body []byte, accept string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastBody, s.accept
}

func newSSEServer(t *testing.T, write func(w http.ResponseWriter, r *http.Request)) *sseServer {
	t.Helper()
	s := &sseServer{done: make(chan struct{}, 100), tr: &http.Transport{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { s.done <- struct{}{} }()
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.lastBody, s.accept = body, r.Header.Get("Accept")
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("X-Request-Id", "req-42")
		w.WriteHeader(http.StatusOK)
		_ = http.NewResponseController(w).Flush()
		write(w, r)
	}))
	t.Cleanup(func() {
		s.tr.CloseIdleConnections()
		s.srv.Close()
	})
	return s
}

// writes returns a handler that writes each part in its own flushed write,
// so that an event can arrive split across several reads.
func writes(parts ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for _, p := range parts {
			if _, err := io.WriteString(w, p); err != nil {
				return
			}
			_ = http.NewResponseController(w).Flush()
		}
	}
}

func (s *sseServer) client(t *testing.T, opts ...adaptive.Option) *adaptive.Client {
	t.Helper()
	base := []adaptive.Option{adaptive.WithBaseURL(s.srv.URL), adaptive.WithAPIKey("k"), adaptive.WithProject("p"),
		adaptive.WithMaxRetries(0), adaptive.WithHTTPClient(&http.Client{Transport: s.tr})}
	c, err := adaptive.NewClient(append(base, opts...)...)
	require.NoError(t, err)
	return c
}

// sseContent returns a schema-valid chunk event for choice index with
// content; extra is spliced into the choice (`,"finish_reason":"stop"`).
func sseContent(index int, content, extra string) string {
	text, _ := json.Marshal(content)
	return fmt.Sprintf(`data: {"id":"c","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[{"index":%d,`+
		`"delta":{"id":"m%d","role":"assistant","content":%s},"completion_id":"cmpl-%d"%s}]}`+"\n\n", index, index, text, index, extra)
}

var sseReq = adaptive.ChatRequest{Messages: []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "hi"}}}

// readAll opens a stream and reads it to its end, returning the contents
// of the chunks' first choice (or "-" for a chunk without choices).
func readStream(t *testing.T, c *adaptive.Client, opts ...adaptive.Option) ([]string, *adaptive.ChatStream, error) {
	t.Helper()
	st, err := c.Chat.Stream(t.Context(), sseReq, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	var got []string
	for st.Next() {
		ch := st.Current()
		if len(ch.Choices) == 0 {
			got = append(got, "-")
			continue
		}
		got = append(got, ch.Choices[0].Delta.Content)
	}
	return got, st, st.Err()
}

func TestStreamDecodesWireFormats(t *testing.T) {
	full := sseChunk1 + sseTTFT + sseChunk2 + sseFinish + sseUsage + sseTotal + sseDone
	// bytewise splits the stream into parts of n bytes.
	bytewise := func(s string, n int) []string {
		var out []string
		for len(s) > n {
			out = append(out, s[:n])
			s = s[n:]
		}
		return append(out, s)
	}
	cases := []struct {
		name  string
		parts []string
		want  []string
	}{
		{"LF", []string{full}, []string{"Hel", "lo", "-"}},
		{"CRLF", []string{strings.ReplaceAll(full, "\n", "\r\n")}, []string{"Hel", "lo", "-"}},
		{"CR", []string{strings.ReplaceAll(full, "\n", "\r")}, []string{"Hel", "lo", "-"}},
		{"split across reads", bytewise(strings.ReplaceAll(full, "\n", "\r\n"), 7), []string{"Hel", "lo", "-"}},
		{"comments", []string{": keep-alive\n\n", sseChunk1, ":ping\n", sseChunk2, ": x\n\n", sseDone}, []string{"Hel", "lo"}},
		{"multi-line data", []string{
			"data: {\"id\":\"c1\",\"created\":1,\"session_id\":\"dddddddd-dddd-4ddd-8ddd-dddddddddddd\",\n",
			"data: \"choices\":[{\"index\":0,\"completion_id\":\"x\",\n",
			"data: \"delta\":{\"id\":\"m\",\"role\":\"assistant\",\"content\":\"a\\nb\"}}]}\n\n",
			sseDone}, []string{"a\nb"}},
		{"empty data events", []string{"event: ping\n\n", "id: 7\n\n", "data:\n\n", "data\n\n", sseChunk1, sseDone}, []string{"Hel"}},
		{"no space after colon and BOM", []string{"\ufeffdata:" + strings.TrimPrefix(sseChunk1, "data: "), sseDone}, []string{"Hel"}},
		{"[DONE] ends the stream", []string{sseChunk1, sseDone, sseChunk2}, []string{"Hel"}},
		{"ends after finish_reason without [DONE]", []string{sseChunk1, sseFinish}, []string{"Hel"}},
		{"ends after a finished choice without [DONE]", []string{sseChunk1, sseContent(0, "!", `,"finish_reason":"length"`), "data: [DO"},
			[]string{"Hel", "!"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newSSEServer(t, writes(tc.parts...))
			got, _, err := readStream(t, srv.client(t))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestStreamChunkFields(t *testing.T) {
	srv := newSSEServer(t, writes(sseChunk1, sseUsage, sseDone))
	st, err := srv.client(t).Chat.Stream(t.Context(), sseReq)
	require.NoError(t, err)
	defer st.Close()
	require.True(t, st.Next())
	ch := st.Current()
	assert.Equal(t, "c1", ch.ID)
	assert.Equal(t, int64(1764190000), ch.Created.Time().Unix())
	assert.Equal(t, 123*time.Millisecond, ch.Created.Time().Sub(time.Unix(1764190000, 0)).Round(time.Millisecond))
	assert.Equal(t, "dddddddd-dddd-4ddd-8ddd-dddddddddddd", ch.SessionID.String())
	require.Len(t, ch.Choices, 1)
	assert.Equal(t, adaptive.ChatChunkChoice{Index: 0, Delta: adaptive.ChatChoiceMessage{ID: "m1", Role: "assistant", Content: "Hel"},
		CompletionID: "cmpl-7f3a"}, ch.Choices[0], "a completion id is any string")
	require.True(t, st.Next())
	assert.Equal(t, &adaptive.Usage{PromptTokens: 3, CompletionTokens: 2, TotalTokens: 5}, st.Current().Usage)
	assert.Empty(t, st.Current().Choices)
	assert.False(t, st.Next())
	require.NoError(t, st.Err())
}

func TestStreamMetadataIsKeptNotYielded(t *testing.T) {
	srv := newSSEServer(t, writes(sseChunk1, sseTTFT, sseChunk2, sseFinish, sseTotal, sseDone))
	got, st, err := readStream(t, srv.client(t))
	require.NoError(t, err)
	assert.Equal(t, []string{"Hel", "lo"}, got)
	meta := st.Metadata()
	require.Len(t, meta, 3)
	assert.JSONEq(t, `{"TTFT":183.4}`, string(meta[0]))
	assert.JSONEq(t, `{"finish_reason":"stop","index":0,"completion_id":"cmpl-7f3a"}`, string(meta[1]))
	ttft, ok := st.TTFT()
	assert.True(t, ok)
	assert.Equal(t, 183400*time.Microsecond, ttft)
	total, ok := st.TotalRequestDuration()
	assert.True(t, ok)
	assert.Equal(t, 5123700*time.Microsecond, total)
}

func TestStreamWithoutMetadataHasNoTTFT(t *testing.T) {
	srv := newSSEServer(t, writes(sseChunk1, sseDone))
	_, st, err := readStream(t, srv.client(t))
	require.NoError(t, err)
	_, ok := st.TTFT()
	assert.False(t, ok)
	_, ok = st.TotalRequestDuration()
	assert.False(t, ok)
}

func TestStreamTruncatedIsUnexpectedEOF(t *testing.T) {
	t.Run("clean end before [DONE]", func(t *testing.T) {
		srv := newSSEServer(t, writes(sseChunk1, sseTTFT, sseChunk2))
		got, _, err := readStream(t, srv.client(t))
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.Contains(t, err.Error(), "without [DONE]")
		assert.Equal(t, []string{"Hel", "lo"}, got, "the chunks before the cut are delivered")
	})
	t.Run("end inside an event", func(t *testing.T) {
		srv := newSSEServer(t, writes(sseChunk1, sseChunk2[:40]))
		got, _, err := readStream(t, srv.client(t))
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.Equal(t, []string{"Hel"}, got)
	})
	t.Run("connection dropped", func(t *testing.T) {
		srv := newSSEServer(t, func(w http.ResponseWriter, r *http.Request) {
			writes(sseChunk1)(w, r)
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		})
		got, _, err := readStream(t, srv.client(t))
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.Equal(t, []string{"Hel"}, got)
	})
	t.Run("one of two choices unfinished", func(t *testing.T) {
		c0, c1 := sseContent(0, "a", ""), sseContent(1, "b", "")
		srv := newSSEServer(t, writes(c0, c1, `data: {"finish_reason":"stop","index":0}`+"\n\n"))
		_, _, err := readStream(t, srv.client(t))
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)

		srv = newSSEServer(t, writes(c0, c1, `data: {"finish_reason":"stop","index":0}`+"\n\n", `data: {"finish_reason":"length","index":1}`+"\n\n"))
		_, _, err = readStream(t, srv.client(t))
		require.NoError(t, err, "both finished: complete without [DONE]")
	})
	t.Run("finish_reason key in another case", func(t *testing.T) {
		srv := newSSEServer(t, writes(sseChunk1, `data: {"Finish_Reason":"stop"}`+"\n\n"))
		_, _, err := readStream(t, srv.client(t))
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	})
	t.Run("empty body", func(t *testing.T) {
		srv := newSSEServer(t, writes())
		got, _, err := readStream(t, srv.client(t))
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.Empty(t, got)
	})
}

func TestStreamServerErrorMidStream(t *testing.T) {
	cases := []struct {
		name, event, message string
	}{
		{"error event with JSON", "event: error\ndata: {\"error\":\"model overloaded\"}\n\n", "model overloaded"},
		{"error event with text", "event: error\ndata: upstream failed\n\n", "upstream failed"},
		{"error event without data", "event: error\n\n", ""},
		{"error payload", `data: {"error":{"message":"context too long","type":"invalid_request"}}` + "\n\n", "context too long"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newSSEServer(t, writes(sseChunk1, tc.event, sseChunk2, sseDone))
			got, _, err := readStream(t, srv.client(t))
			assert.Equal(t, []string{"Hel"}, got)
			var apiErr *adaptive.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.message, apiErr.Message)
			assert.Equal(t, http.StatusOK, apiErr.StatusCode)
			assert.Equal(t, "req-42", apiErr.RequestID)
			assert.Equal(t, http.MethodPost, apiErr.Method)
			assert.Contains(t, apiErr.URL, "/api/v1/chat/completions")
		})
	}
}

func TestStreamMalformedJSONNamesPosition(t *testing.T) {
	srv := newSSEServer(t, writes(sseChunk1, ": comment\n\n", sseTTFT, "data: {\"id\":\"c1\",\"choices\":[{\"delta\":\n\n", sseDone))
	got, _, err := readStream(t, srv.client(t))
	require.Error(t, err)
	assert.Equal(t, []string{"Hel"}, got)
	assert.Contains(t, err.Error(), "stream event 3 is malformed")
	assert.Contains(t, err.Error(), `{\"id\":\"c1\"`)
	assert.NotErrorIs(t, err, io.ErrUnexpectedEOF)
}

func TestStreamOversizeEvent(t *testing.T) {
	big := sseContent(0, strings.Repeat("x", 8<<10), "")
	t.Run("over the limit", func(t *testing.T) {
		srv := newSSEServer(t, writes(sseChunk1, big, sseDone))
		got, _, err := readStream(t, srv.client(t, adaptive.WithMaxEventSize(4096)))
		require.ErrorIs(t, err, bufio.ErrTooLong)
		assert.Contains(t, err.Error(), "WithMaxEventSize")
		assert.Contains(t, err.Error(), "4096-byte limit")
		assert.Equal(t, []string{"Hel"}, got)
	})
	t.Run("per call option", func(t *testing.T) {
		srv := newSSEServer(t, writes(big, sseDone))
		_, _, err := readStream(t, srv.client(t), adaptive.WithMaxEventSize(2048))
		require.ErrorIs(t, err, bufio.ErrTooLong)
	})
	t.Run("default limit is well above 64 KiB", func(t *testing.T) {
		huge := sseContent(0, strings.Repeat("y", 256<<10), "")
		srv := newSSEServer(t, writes(huge, sseDone))
		got, _, err := readStream(t, srv.client(t))
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Len(t, got[0], 256<<10)
	})
}

func TestStreamNon2xxIsAPIErrorBeforeAnyChunk(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		_, _ = io.WriteString(w, `{"error":"Failed to deserialize the JSON body"}`)
	}))
	defer srv.Close()
	c, err := adaptive.NewClient(adaptive.WithBaseURL(srv.URL), adaptive.WithAPIKey("k"), adaptive.WithProject("p"))
	require.NoError(t, err)
	st, err := c.Chat.Stream(t.Context(), sseReq)
	assert.Nil(t, st)
	var apiErr *adaptive.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusUnprocessableEntity, apiErr.StatusCode)
	assert.Equal(t, "Failed to deserialize the JSON body", apiErr.Message)
}

// stallingServer sends one chunk and then nothing until the client goes
// away; it reports on the returned channel when its handler has returned.
func stallingServer(t *testing.T) *sseServer {
	return newSSEServer(t, func(w http.ResponseWriter, r *http.Request) {
		writes(sseChunk1)(w, r)
		<-r.Context().Done()
	})
}

// handlerReturns waits for the server's handler to see the client gone.
func handlerReturns(t *testing.T, srv *sseServer) {
	t.Helper()
	select {
	case <-srv.done:
	case <-time.After(2 * time.Second):
		t.Fatal("the server still holds the connection: the stream did not release it")
	}
}

func TestStreamCloseReleasesConnection(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := stallingServer(t)
	defer srv.srv.Close()
	defer srv.tr.CloseIdleConnections()
	st, err := srv.client(t).Chat.Stream(context.Background(), sseReq)
	require.NoError(t, err)
	require.True(t, st.Next())
	require.NoError(t, st.Close())
	handlerReturns(t, srv)
	assert.False(t, st.Next())
	assert.NoError(t, st.Err())
	assert.NoError(t, st.Close(), "Close twice is fine")
}

func TestStreamCloseFromAnotherGoroutineUnblocksNext(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := stallingServer(t)
	defer srv.srv.Close()
	defer srv.tr.CloseIdleConnections()
	st, err := srv.client(t).Chat.Stream(context.Background(), sseReq)
	require.NoError(t, err)
	require.True(t, st.Next())
	// Close from another goroutine while Next waits for the network.
	time.AfterFunc(20*time.Millisecond, func() { _ = st.Close() })
	start := time.Now()
	assert.False(t, st.Next())
	assert.Less(t, time.Since(start), time.Second)
	assert.NoError(t, st.Err())
	handlerReturns(t, srv)
}

func TestStreamContextCancel(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := stallingServer(t)
	defer srv.srv.Close()
	defer srv.tr.CloseIdleConnections()
	ctx, cancel := context.WithCancel(context.Background())
	st, err := srv.client(t).Chat.Stream(ctx, sseReq)
	require.NoError(t, err)
	defer st.Close()
	require.True(t, st.Next())
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	assert.False(t, st.Next())
	assert.Less(t, time.Since(start), time.Second)
	require.ErrorIs(t, st.Err(), context.Canceled)
	handlerReturns(t, srv)
}

func TestStreamIdleTimeout(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := stallingServer(t)
	defer srv.srv.Close()
	defer srv.tr.CloseIdleConnections()
	got, st, err := readStream(t, srv.client(t, adaptive.WithStreamIdleTimeout(50*time.Millisecond)))
	assert.Equal(t, []string{"Hel"}, got)
	require.ErrorIs(t, err, adaptive.ErrStreamIdle)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "no data for 50ms")
	require.NoError(t, st.Close())
	handlerReturns(t, srv)
}

func TestStreamOutlivesAttemptTimeoutAndIdleTimeout(t *testing.T) {
	// Events 40 ms apart for about 300 ms: longer than the per-attempt
	// timeout, but never idle for as long as the idle timeout.
	srv := newSSEServer(t, func(w http.ResponseWriter, r *http.Request) {
		for range 8 {
			writes(sseChunk2)(w, r)
			time.Sleep(40 * time.Millisecond)
		}
		writes(sseDone)(w, r)
	})
	got, _, err := readStream(t, srv.client(t, adaptive.WithTimeout(100*time.Millisecond), adaptive.WithStreamIdleTimeout(time.Second)))
	require.NoError(t, err)
	assert.Len(t, got, 8)
}

func TestStreamIdleTimerCountsSkippedEvents(t *testing.T) {
	// Metadata events 40 ms apart between two chunks: no silence reaches
	// the 100 ms idle timeout, though the two chunks are 200 ms apart.
	srv := newSSEServer(t, func(w http.ResponseWriter, r *http.Request) {
		writes(sseChunk1)(w, r)
		for range 5 {
			time.Sleep(40 * time.Millisecond)
			writes("data: {\"TTFT\": 12.5}\n\n")(w, r)
		}
		writes(sseChunk2, sseDone)(w, r)
	})
	got, st, err := readStream(t, srv.client(t, adaptive.WithStreamIdleTimeout(100*time.Millisecond)))
	require.NoError(t, err)
	assert.Len(t, got, 2)
	assert.Len(t, st.Metadata(), 5)
}

func TestStreamIdleTimerIgnoresSlowConsumer(t *testing.T) {
	srv := newSSEServer(t, writes(sseChunk1, sseChunk2, sseDone))
	st, err := srv.client(t, adaptive.WithStreamIdleTimeout(30*time.Millisecond)).Chat.Stream(t.Context(), sseReq)
	require.NoError(t, err)
	defer st.Close()
	require.True(t, st.Next())
	time.Sleep(80 * time.Millisecond) // the caller works on a chunk for longer than the idle timeout
	require.True(t, st.Next())
	assert.False(t, st.Next())
	assert.NoError(t, st.Err())
}

func TestStreamAll(t *testing.T) {
	t.Run("whole stream", func(t *testing.T) {
		srv := newSSEServer(t, writes(sseChunk1, sseChunk2, sseDone))
		st, err := srv.client(t).Chat.Stream(t.Context(), sseReq)
		require.NoError(t, err)
		var got []string
		for ch, err := range st.All() {
			require.NoError(t, err)
			got = append(got, ch.Choices[0].Delta.Content)
		}
		assert.Equal(t, []string{"Hel", "lo"}, got)
	})
	t.Run("error is the last pair", func(t *testing.T) {
		srv := newSSEServer(t, writes(sseChunk1))
		st, err := srv.client(t).Chat.Stream(t.Context(), sseReq)
		require.NoError(t, err)
		var errs []error
		for _, err := range st.All() {
			errs = append(errs, err)
		}
		require.Len(t, errs, 2)
		assert.NoError(t, errs[0])
		assert.ErrorIs(t, errs[1], io.ErrUnexpectedEOF)
	})
	t.Run("break closes the stream", func(t *testing.T) {
		defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
		srv := stallingServer(t)
		defer srv.srv.Close()
		defer srv.tr.CloseIdleConnections()
		st, err := srv.client(t).Chat.Stream(context.Background(), sseReq)
		require.NoError(t, err)
		for range st.All() {
			break
		}
		handlerReturns(t, srv)
		assert.False(t, st.Next())
	})
}

func TestStreamAccumulate(t *testing.T) {
	srv := newSSEServer(t, writes(sseChunk1, sseTTFT, sseChunk2, sseFinish, sseUsage, sseDone))
	st, err := srv.client(t).Chat.Stream(t.Context(), sseReq)
	require.NoError(t, err)
	resp, err := st.Accumulate()
	require.NoError(t, err)
	assert.Equal(t, "c1", resp.ID)
	require.Len(t, resp.Choices, 1)
	assert.Equal(t, adaptive.ChatChoiceMessage{ID: "m1", Role: "assistant", Content: "Hello"}, resp.Choices[0].Message)
	assert.Equal(t, "cmpl-7f3a", resp.Choices[0].CompletionID)
	assert.Equal(t, adaptive.Usage{PromptTokens: 3, CompletionTokens: 2, TotalTokens: 5}, resp.Usage)
	_, ok := st.TTFT()
	assert.True(t, ok, "metadata stays available after Accumulate")

	t.Run("error", func(t *testing.T) {
		srv := newSSEServer(t, writes(sseChunk1))
		st, err := srv.client(t).Chat.Stream(t.Context(), sseReq)
		require.NoError(t, err)
		resp, err := st.Accumulate()
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.Equal(t, "Hel", resp.Choices[0].Message.Content, "what arrived is kept")
	})
}

func TestStreamErrorsNeverHoldTheKey(t *testing.T) {
	srv := newSSEServer(t, writes(sseChunk1, "data: {bad\n\n"))
	c, err := adaptive.NewClient(adaptive.WithBaseURL(srv.srv.URL), adaptive.WithAPIKey("sk-secret-key"),
		adaptive.WithProject("p"), adaptive.WithHTTPClient(&http.Client{Transport: srv.tr}))
	require.NoError(t, err)
	_, _, err = readStream(t, c)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "sk-secret-key")
	assert.False(t, errors.Is(err, io.ErrUnexpectedEOF))
}

func TestStreamMetadataIsBounded(t *testing.T) {
	parts := []string{sseTTFT}
	for i := range 1100 {
		parts = append(parts, fmt.Sprintf("data: {\"progress\":%d}\n\n", i))
	}
	parts = append(parts, sseChunk1, sseTotal, sseDone)
	srv := newSSEServer(t, writes(strings.Join(parts, "")))
	got, st, err := readStream(t, srv.client(t))
	require.NoError(t, err)
	assert.Equal(t, []string{"Hel"}, got)
	assert.Len(t, st.Metadata(), 1024)
	_, ok := st.TTFT()
	assert.True(t, ok, "the first is kept")
	_, ok = st.TotalRequestDuration()
	assert.True(t, ok, "the latest is kept")
}

func TestStreamRefusesAJSONAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = io.WriteString(w, `{"id":"c","choices":[]}`)
	}))
	defer srv.Close()
	c, err := adaptive.NewClient(adaptive.WithBaseURL(srv.URL), adaptive.WithAPIKey("k"), adaptive.WithProject("p"))
	require.NoError(t, err)
	st, err := c.Chat.Stream(t.Context(), sseReq)
	assert.Nil(t, st)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "expected an event stream, got a JSON answer")
}

func TestStreamKeepAliveCommentsKeepAHealthyStreamAlive(t *testing.T) {
	chunk := func(s string) string {
		return `data: {"id":"c","created":1,"session_id":"` + uuid.Nil.String() + `","choices":[{"index":0,"completion_id":"` + uuid.Nil.String() + `","delta":{"id":"m","role":"assistant","content":"` + s + `"}}]}` + "\n\n"
	}
	srv := newSSEServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, chunk("a"))
		// Comments only, for four idle periods: a healthy server saying it
		// is still working.
		for range 8 {
			time.Sleep(30 * time.Millisecond)
			io.WriteString(w, ": keep-alive\n\n")
			_ = http.NewResponseController(w).Flush()
		}
		io.WriteString(w, chunk("b"))
		io.WriteString(w, `data: {"index":0,"finish_reason":"stop"}`+"\n\ndata: [DONE]\n\n")
	})
	got, _, err := readStream(t, srv.client(t, adaptive.WithIdleTimeout(60*time.Millisecond)))
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, got)
}

func TestStreamThatStallsAfterEveryChoiceFinishedEndsCleanly(t *testing.T) {
	srv := newSSEServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `data: {"id":"c","created":1,"session_id":"`+uuid.Nil.String()+`","choices":[{"index":0,"completion_id":"`+uuid.Nil.String()+`","finish_reason":"stop","delta":{"id":"m","role":"assistant","content":"done"}}]}`+"\n\n")
		_ = http.NewResponseController(w).Flush()
		<-r.Context().Done() // never sends [DONE]
	})
	start := time.Now()
	got, _, err := readStream(t, srv.client(t, adaptive.WithIdleTimeout(80*time.Millisecond)))
	require.NoError(t, err)
	assert.Equal(t, []string{"done"}, got)
	assert.Less(t, time.Since(start), 2*time.Second)
}

func TestStreamKeepsABoundedAmountOfMetadata(t *testing.T) {
	big := `{"TTFT":1,"pad":"` + strings.Repeat("p", 12<<10) + `"}`
	srv := newSSEServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `data: {"TTFT":5}`+"\n\n")
		io.WriteString(w, `data: {"TTFT":2,"pad":"`+strings.Repeat("q", 1<<20)+`"}`+"\n\n") // too large to keep
		for range 200 {
			io.WriteString(w, "data: "+big+"\n\n")
		}
		io.WriteString(w, `data: {"TotalRequestDuration":9}`+"\n\ndata: [DONE]\n\n")
	})
	_, st, err := readStream(t, srv.client(t))
	require.NoError(t, err)
	var total int
	for _, m := range st.Metadata() {
		total += len(m)
	}
	assert.LessOrEqual(t, total, (1<<20)+(16<<10), "at most about 1 MiB kept")
	ttft, ok := st.TTFT()
	require.True(t, ok)
	assert.Equal(t, 1*time.Millisecond, ttft, "the latest TTFT kept")
	d, ok := st.TotalRequestDuration()
	require.True(t, ok, "the last event is kept past the bound")
	assert.Equal(t, 9*time.Millisecond, d)
	assert.JSONEq(t, `{"TTFT":5}`, string(st.Metadata()[0]), "the first event is kept")
}

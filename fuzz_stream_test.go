package adaptive

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// bodyTransport answers every request with 200 and a body read from the
// given bytes, ending with tail (io.EOF for a clean end), without any
// network: the stream decoder meets exactly the fuzzed bytes.
type bodyTransport struct {
	data []byte
	tail error
}

func (b bodyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"text/event-stream"}},
		Body:       io.NopCloser(&tailReader{r: bytes.NewReader(b.data), tail: b.tail}),
		Request:    r,
	}, nil
}

// tailReader reads r, then returns tail instead of io.EOF.
type tailReader struct {
	r    io.Reader
	tail error
}

func (t *tailReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err == io.EOF {
		err = t.tail
	}
	return n, err
}

const fuzzMaxEvent = 4096

// chatStreamSeeds are the bodies FuzzChatStream starts from (besides the
// files of testdata/fuzz/FuzzChatStream); FuzzChunkScan starts from them
// too.
func chatStreamSeeds() []string {
	chunk := `data: {"id":"c1","created":1.5,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[{"index":0,` +
		`"delta":{"id":"m","role":"assistant","content":"Hi"},"completion_id":"cmpl-1"}]}` + "\n\n"
	return []string{
		chunk + "data: [DONE]\n\n",
		chunk + `data: {"finish_reason":"stop","index":0}` + "\n\n",
		chunk + `data: {"id":"c1","finish_reason":"stop","TTFT":3}` + "\n\n",
		chunk + `data: {"id":"c1","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd"}` + "\n\n",
		strings.Replace(chunk, `"role":"assistant",`, "", 1) + "data: [DONE]\n\n",
		chunk,
		chunk[:len(chunk)/2],
		chunk + "data: [DO",
		"event: error\ndata: {\"error\":\"overloaded\"}\n\n",
		`data: {"error":{"message":"mid-stream"}}` + "\n\n",
		`data: {"TTFT":12.5}` + "\n\n" + `data: {"TotalRequestDuration":40}` + "\n\n" + "data: [DONE]\n\n",
		": keep-alive\n\n" + "event: ping\n\n" + "id: 7\n\n" + "data: [DONE]\r\n\r\n",
		"\xef\xbb\xbfdata: [DONE]\r\r",
		"data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\ndata: {\"x\":1}\n\n",
		"data: not json\n\n",
		"data: " + strings.Repeat("x", fuzzMaxEvent) + "\n\n",
		"data: {\"choices\":[],\"usage\":{\"total_tokens\":3}}\n\ndata:[DONE]\n\n",
		"data: null\n\n",
		"data: []\n\n",
		"data: \"[DONE]\"\n\n",
		"\n\n\n",
		"",
	}
}

// FuzzChatStream feeds arbitrary bytes to a real ChatStream as the body of
// a 200 answer, ending cleanly or with a connection error. The stream must
// never panic or loop, must deliver only decoded chunks, must end with an
// error unless the bytes said the answer was complete ([DONE] or a
// finish_reason). Events are bounded by a 4 KiB WithMaxEventSize, so memory
// stays bounded whatever the input (the limit itself is tested in
// security_stream_test.go).
func FuzzChatStream(f *testing.F) {
	for _, s := range chatStreamSeeds() {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, cut bool) {
		var tail error = io.EOF
		if cut {
			tail = io.ErrUnexpectedEOF
		}
		c, err := NewClient(WithBaseURL("http://fuzz.invalid"), WithAPIKey("k"), WithProject("p"),
			WithHTTPClient(&http.Client{Transport: bodyTransport{body, tail}}), WithMaxEventSize(fuzzMaxEvent))
		require.NoError(t, err)
		s, err := c.Chat.Stream(context.Background(), ChatRequest{Messages: []ChatMessage{{Role: RoleUser, Content: "q"}}})
		require.NoError(t, err)
		defer s.Close()
		chunks := 0
		for s.Next() {
			chunks++
			// Every value came from one event: there cannot be more values
			// than "data" fields in the body.
			require.LessOrEqual(t, chunks, bytes.Count(body, []byte("data")), "%q", body)
			require.NotNil(t, s.Current().Choices, "a chunk has a choices array: %q", body)
		}
		err = s.Err()
		require.False(t, s.Next(), "Next after the end")
		if err == nil {
			// A clean end needs a sign that the answer was complete: [DONE],
			// or a finish_reason key (which JSON may spell with escapes,
			// as in "finish\u005freason").
			require.True(t, bytes.Contains(body, []byte("[DONE]")) || bytes.Contains(body, []byte("finish")),
				"clean end without [DONE] or finish_reason: %q", body)
			return
		}
		var apiErr *APIError
		if errors.As(err, &apiErr) {
			require.LessOrEqual(t, len(apiErr.Body), maxErrorBody)
		}
		require.NotContains(t, err.Error(), "Bearer")
	})
}

package benchmarks

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/adaptive-go/adaptive"
)

// recorded returns the recorded stream, generated once per process.
var recorded = sync.OnceValue(func() []byte { return RecordedStream(StreamChunks) })

// intCreatedPrefix is the path prefix under which the loopback servers
// answer the whole-second variant of their body (see IntegerCreated).
const intCreatedPrefix = "/int-created"

// loopbackServer answers every request with body, the same bytes each
// time, or with IntegerCreated(body) under intCreatedPrefix.
func loopbackServer(tb testing.TB, contentType string, body []byte) *httptest.Server {
	exact := ServeBytes(contentType, body)
	whole := ServeBytes(contentType, IntegerCreated(body))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, intCreatedPrefix+"/") {
			whole(w, r)
			return
		}
		exact(w, r)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// streamServer answers every request with the recorded stream.
func streamServer(tb testing.TB) *httptest.Server {
	return loopbackServer(tb, "text/event-stream", recorded())
}

// completionBody is a realistic non-streamed Adaptive chat completion
// (ChatResponse of the OpenAPI document).
const completionBody = `{"id":"chatcmpl-6a1f0c2b9d3e","created":1764190000.123,"session_id":"0b7d9c62-3b4e-4c8e-9a51-6f0d2b1e7a44",` +
	`"choices":[{"index":0,"message":{"id":"msg-2c9e4f1a7b3d","role":"assistant","content":"Adaptive fine-tunes and serves models with reinforcement learning from your own feedback, so every answer here can be graded and used to train the next version of the model."},` +
	`"finish_reason":"stop","completion_id":"5e2c8a10-7f4d-4b6a-8c3e-1d9f0a2b7c55","model":"demo/model"}],` +
	`"usage":{"prompt_tokens":24,"completion_tokens":31,"total_tokens":55}}`

// completionServer answers every request with completionBody.
func completionServer(tb testing.TB) *httptest.Server {
	return loopbackServer(tb, "application/json", []byte(completionBody))
}

// freshHTTPClient is a client with its own transport, as each SDK client
// has, so that no side reuses another's connections.
func freshHTTPClient() *http.Client {
	return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
}

// newSDK returns an SDK client for the loopback server at url, with the
// default retry and timeout settings and its own transport.
func newSDK(tb testing.TB, url string) *adaptive.Client {
	return newSDKWith(tb, url, freshHTTPClient())
}

// newSDKWith is newSDK with the given HTTP client.
func newSDKWith(tb testing.TB, url string, hc *http.Client) *adaptive.Client {
	c, err := adaptive.NewClient(adaptive.WithBaseURL(url), adaptive.WithAPIKey("k"), adaptive.WithProject("demo"),
		adaptive.WithHTTPClient(hc))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// memURL is the base URL of memTransport's answers; nothing listens there.
const memURL = "http://in-memory.invalid"

// memTransport answers every request in memory with body (or its
// whole-second variant under intCreatedPrefix), with no network and no
// server goroutine: what is left to measure is the client's own work.
type memTransport struct {
	contentType   string
	exact, wholeS []byte
}

func newMemClient(contentType string, body []byte) *http.Client {
	return &http.Client{Transport: &memTransport{contentType, body, IntegerCreated(body)}}
}

func (m *memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	body := m.exact
	if strings.HasPrefix(r.URL.Path, intCreatedPrefix+"/") {
		body = m.wholeS
	}
	return &http.Response{
		Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {m.contentType}},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: -1,
		Request:       r,
	}, nil
}

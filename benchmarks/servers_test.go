package benchmarks

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/adaptive-go/adaptive"
)

// recorded returns the recorded stream, generated once per process.
var recorded = sync.OnceValue(func() []byte { return RecordedStream(StreamChunks) })

// streamServer answers every request with the recorded stream, the same
// bytes each time.
func streamServer(tb testing.TB) *httptest.Server {
	srv := httptest.NewServer(ServeBytes("text/event-stream", recorded()))
	tb.Cleanup(srv.Close)
	return srv
}

// completionBody is a realistic non-streamed Adaptive chat completion
// (ChatResponse of the OpenAPI document).
const completionBody = `{"id":"chatcmpl-6a1f0c2b9d3e","created":1764190000.123,"session_id":"0b7d9c62-3b4e-4c8e-9a51-6f0d2b1e7a44",` +
	`"choices":[{"index":0,"message":{"role":"assistant","content":"Adaptive fine-tunes and serves models with reinforcement learning from your own feedback, so every answer here can be graded and used to train the next version of the model."},` +
	`"finish_reason":"stop","completion_id":"5e2c8a10-7f4d-4b6a-8c3e-1d9f0a2b7c55","model":"demo/model"}],` +
	`"usage":{"prompt_tokens":24,"completion_tokens":31,"total_tokens":55}}`

// completionServer answers every request with completionBody.
func completionServer(tb testing.TB) *httptest.Server {
	srv := httptest.NewServer(ServeBytes("application/json", []byte(completionBody)))
	tb.Cleanup(srv.Close)
	return srv
}

// freshHTTPClient is a client with its own transport, as each SDK client
// has, so that no side reuses another's connections.
func freshHTTPClient() *http.Client {
	return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
}

// newSDK returns an SDK client for the loopback server at url, with the
// default retry and timeout settings.
func newSDK(tb testing.TB, url string) *adaptive.Client {
	c, err := adaptive.NewClient(adaptive.WithBaseURL(url), adaptive.WithAPIKey("k"), adaptive.WithProject("demo"))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

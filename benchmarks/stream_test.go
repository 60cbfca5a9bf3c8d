package benchmarks

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/adaptive-go/adaptive"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// streamStats is what a consumer saw: the chunks that carried a choice and
// the total length of their content, so that the consumers can be checked
// against each other.
type streamStats struct {
	Chunks, ContentBytes int
}

func (s *streamStats) add(content string) {
	s.Chunks++
	s.ContentBytes += len(content)
}

// A streamConsumer reads the whole recorded stream from url through hc,
// once per call of the function that setup returns.
type streamConsumer struct {
	name  string
	setup func(tb testing.TB, url string, hc *http.Client) func(context.Context) (streamStats, error)
}

var streamConsumers = []streamConsumer{
	{"sdk", func(tb testing.TB, url string, hc *http.Client) func(context.Context) (streamStats, error) {
		c := newSDKWith(tb, url, hc)
		return func(ctx context.Context) (streamStats, error) { return streamSDK(ctx, c) }
	}},
	{"raw", func(tb testing.TB, url string, hc *http.Client) func(context.Context) (streamStats, error) {
		return func(ctx context.Context) (streamStats, error) { return streamRaw(ctx, hc, url) }
	}},
	{"openai-go", func(tb testing.TB, url string, hc *http.Client) func(context.Context) (streamStats, error) {
		c := newOpenAIGo(url, hc)
		return func(ctx context.Context) (streamStats, error) { return streamOpenAIGo(ctx, c) }
	}},
	{"go-openai", func(tb testing.TB, url string, hc *http.Client) func(context.Context) (streamStats, error) {
		// go-openai cannot decode fractional created timestamps.
		c := newGoOpenAI(url+intCreatedPrefix, hc)
		return func(ctx context.Context) (streamStats, error) { return streamGoOpenAI(ctx, c) }
	}},
}

func sdkChatRequest() adaptive.ChatRequest {
	return adaptive.ChatRequest{
		Model:    "model",
		Messages: []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: prompt}},
	}
}

func streamSDK(ctx context.Context, c *adaptive.Client) (streamStats, error) {
	s, err := c.Chat.Stream(ctx, sdkChatRequest())
	if err != nil {
		return streamStats{}, err
	}
	defer s.Close()
	var st streamStats
	for s.Next() {
		ch := s.Current()
		if len(ch.Choices) > 0 {
			st.add(ch.Choices[0].Delta.Content)
		}
	}
	return st, s.Err()
}

var (
	dataPrefix = []byte("data:")
	doneData   = []byte("[DONE]")
	choicesKey = []byte(`"choices"`)
)

// streamRaw is the baseline: the request by hand, a bufio.Reader line by
// line over the body, and json.Unmarshal of each data line into the
// fields of the SDK's own ChatChunk (as plainChunk: without its
// UnmarshalJSON, which also checks the fields the contract requires), so
// that it differs from the SDK only in the SSE and stream plumbing and in
// those checks, not in the struct being decoded. Comments, blank lines and
// metadata events (objects without "choices") are skipped cheaply.
func streamRaw(ctx context.Context, hc *http.Client, url string) (streamStats, error) {
	body, err := json.Marshal(rawChatRequest{Model: "demo/model", Stream: true,
		Messages: []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: prompt}}})
	if err != nil {
		return streamStats{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/api/v1/chat/completions", bytes.NewReader(body))
	if err != nil {
		return streamStats{}, err
	}
	req.Header.Set("Authorization", "Bearer k")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := hc.Do(req)
	if err != nil {
		return streamStats{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return streamStats{}, fmt.Errorf("status %s", resp.Status)
	}
	br := bufio.NewReaderSize(resp.Body, 64<<10)
	var st streamStats
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, io.EOF) {
			return st, io.ErrUnexpectedEOF
		}
		if err != nil {
			return st, err
		}
		data, ok := bytes.CutPrefix(line, dataPrefix)
		if !ok {
			continue
		}
		data = bytes.TrimSpace(data)
		if bytes.Equal(data, doneData) {
			return st, nil
		}
		if !bytes.Contains(data, choicesKey) {
			continue
		}
		var ch plainChunk
		if err := json.Unmarshal(data, &ch); err != nil {
			return st, err
		}
		if len(ch.Choices) > 0 {
			st.add(ch.Choices[0].Delta.Content)
		}
	}
}

// plainChunk is adaptive.ChatChunk without its methods: plain decoding.
type plainChunk adaptive.ChatChunk

// rawChatRequest is the wire body the raw baselines send.
type rawChatRequest struct {
	Model    string                 `json:"model"`
	Messages []adaptive.ChatMessage `json:"messages"`
	Stream   bool                   `json:"stream,omitempty"`
}

// expectedStream is what every consumer must see in the recorded stream.
func expectedStream() streamStats {
	var st streamStats
	for line := range strings.Lines(string(recorded())) {
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok || !strings.Contains(data, `"delta"`) {
			continue
		}
		var ch struct {
			Choices []struct {
				Delta struct{ Content string }
			}
		}
		if err := json.Unmarshal([]byte(data), &ch); err != nil {
			panic(err)
		}
		st.add(ch.Choices[0].Delta.Content)
	}
	return st
}

func TestRecordedStreamShape(t *testing.T) {
	s := string(recorded())
	assert.Equal(t, StreamChunks, expectedStream().Chunks)
	assert.True(t, strings.HasSuffix(s, "data: [DONE]\n\n"))
	assert.Contains(t, s, `data: {"TTFT":`)
	assert.Contains(t, s, `data: {"finish_reason":"stop"`)
	assert.Contains(t, s, `data: {"TotalRequestDuration":`)
	assert.Contains(t, s, `"usage":{"prompt_tokens":42,"completion_tokens":10000,"total_tokens":10042}`)
	perEvent := len(s) / StreamChunks
	assert.InDelta(t, 270, perEvent, 20, "bytes per event")
	assert.Equal(t, recorded(), RecordedStream(StreamChunks), "the same bytes every time")

	whole := string(IntegerCreated(recorded()))
	assert.NotContains(t, whole, `"created":1764190000.`)
	assert.Equal(t, len(s)-4*(StreamChunks+1), len(whole), "only the fractions of created are cut")
}

func TestEveryConsumerDecodesTheWholeStream(t *testing.T) {
	srv := streamServer(t)
	want := expectedStream()
	for _, c := range streamConsumers {
		t.Run(c.name, func(t *testing.T) {
			hc := freshHTTPClient()
			defer hc.CloseIdleConnections()
			consume := c.setup(t, srv.URL, hc)
			for range 2 { // the second run reuses the connection
				got, err := consume(t.Context())
				require.NoError(t, err)
				assert.Equal(t, want, got)
			}
		})
		t.Run(c.name+"/in-memory", func(t *testing.T) {
			consume := c.setup(t, memURL, newMemClient("text/event-stream", recorded()))
			got, err := consume(t.Context())
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

// BenchmarkStream decodes the recorded stream of 10,000 chunks through the
// SDK, the raw baseline and both peers, from the same loopback handler.
// ns/chunk and allocs/chunk divide by the 10,000 content chunks.
func BenchmarkStream(b *testing.B) {
	srv := streamServer(b)
	for _, c := range streamConsumers {
		b.Run(c.name, func(b *testing.B) {
			hc := freshHTTPClient()
			defer hc.CloseIdleConnections()
			benchStream(b, c.setup(b, srv.URL, hc))
		})
	}
}

// BenchmarkStreamDecode is BenchmarkStream with the body served from
// memory by the HTTP client's transport: no sockets, no server goroutine,
// so the time is the client's own SSE parsing and JSON decoding, and the
// ratios hold up better on a busy machine.
func BenchmarkStreamDecode(b *testing.B) {
	for _, c := range streamConsumers {
		b.Run(c.name, func(b *testing.B) {
			benchStream(b, c.setup(b, memURL, newMemClient("text/event-stream", recorded())))
		})
	}
}

func benchStream(b *testing.B, consume func(context.Context) (streamStats, error)) {
	want := expectedStream()
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(recorded())))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu := CPUTime()
	for b.Loop() {
		got, err := consume(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if got != want {
			b.Fatalf("got %+v, want %+v", got, want)
		}
	}
	runtime.ReadMemStats(&after)
	chunks := float64(b.N) * StreamChunks
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/chunks, "ns/chunk")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/chunks, "allocs/chunk")
	b.ReportMetric(float64(CPUTime()-cpu)/chunks, "cpu-ns/chunk")
}

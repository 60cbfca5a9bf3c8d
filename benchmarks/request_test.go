package benchmarks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/adaptive-go/adaptive"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A requestClient makes one non-streaming chat completion through hc and
// returns the answer's content.
type requestClient struct {
	name  string
	setup func(tb testing.TB, url string, hc *http.Client) func(context.Context) (string, error)
}

var requestClients = []requestClient{
	{"sdk", func(tb testing.TB, url string, hc *http.Client) func(context.Context) (string, error) {
		c := newSDKWith(tb, url, hc)
		return func(ctx context.Context) (string, error) {
			r, err := c.Chat.Create(ctx, sdkChatRequest())
			if err != nil {
				return "", err
			}
			if len(r.Choices) == 0 {
				return "", errors.New("sdk: no choices")
			}
			return r.Choices[0].Message.Content, nil
		}
	}},
	{"raw", func(tb testing.TB, url string, hc *http.Client) func(context.Context) (string, error) {
		return func(ctx context.Context) (string, error) { return createRaw(ctx, hc, url) }
	}},
	{"openai-go", func(tb testing.TB, url string, hc *http.Client) func(context.Context) (string, error) {
		c := newOpenAIGo(url, hc)
		return func(ctx context.Context) (string, error) { return createOpenAIGo(ctx, c) }
	}},
	{"go-openai", func(tb testing.TB, url string, hc *http.Client) func(context.Context) (string, error) {
		// go-openai cannot decode fractional created timestamps.
		c := newGoOpenAI(url+intCreatedPrefix, hc)
		return func(ctx context.Context) (string, error) { return createGoOpenAI(ctx, c) }
	}},
}

// createRaw is the baseline: encoding/json and net/http by hand, decoding
// into the SDK's own ChatResponse.
func createRaw(ctx context.Context, hc *http.Client, url string) (string, error) {
	body, err := json.Marshal(rawChatRequest{Model: "demo/model",
		Messages: []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: prompt}}})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/api/v1/chat/completions", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer k")
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %s", resp.Status)
	}
	var r adaptive.ChatResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return "", err
	}
	// Drain what the decoder left so that the connection is reused.
	_, _ = io.Copy(io.Discard, resp.Body)
	if len(r.Choices) == 0 {
		return "", errors.New("raw: no choices")
	}
	return r.Choices[0].Message.Content, nil
}

func completionContent(tb testing.TB) string {
	var r struct {
		Choices []struct{ Message struct{ Content string } }
	}
	require.NoError(tb, json.Unmarshal([]byte(completionBody), &r))
	return r.Choices[0].Message.Content
}

func TestEveryClientDecodesTheCompletion(t *testing.T) {
	srv := completionServer(t)
	want := completionContent(t)
	for _, c := range requestClients {
		t.Run(c.name, func(t *testing.T) {
			hc := freshHTTPClient()
			defer hc.CloseIdleConnections()
			got, err := c.setup(t, srv.URL, hc)(t.Context())
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
		t.Run(c.name+"/in-memory", func(t *testing.T) {
			got, err := c.setup(t, memURL, newMemClient("application/json", []byte(completionBody)))(t.Context())
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

// BenchmarkRequest is one non-streaming chat completion round trip on
// loopback, the same fixed answer for every client.
func BenchmarkRequest(b *testing.B) {
	srv := completionServer(b)
	for _, c := range requestClients {
		b.Run(c.name, func(b *testing.B) {
			hc := freshHTTPClient()
			defer hc.CloseIdleConnections()
			benchRequest(b, c.setup(b, srv.URL, hc))
		})
	}
}

// BenchmarkRequestOverhead is BenchmarkRequest with the answer served from
// memory by the HTTP client's transport: what is left is each client's own
// work (building, encoding, decoding, its plumbing), without the loopback
// round trip and the server, which are the same for every client.
func BenchmarkRequestOverhead(b *testing.B) {
	for _, c := range requestClients {
		b.Run(c.name, func(b *testing.B) {
			benchRequest(b, c.setup(b, memURL, newMemClient("application/json", []byte(completionBody))))
		})
	}
}

func benchRequest(b *testing.B, create func(context.Context) (string, error)) {
	want := completionContent(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(completionBody)))
	cpu := CPUTime()
	for b.Loop() {
		got, err := create(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if got != want {
			b.Fatalf("content %q", got)
		}
	}
	b.ReportMetric(float64(CPUTime()-cpu)/float64(b.N), CPUUnit)
}

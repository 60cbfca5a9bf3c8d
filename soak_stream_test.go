package adaptive_test

// Stream soaks: streamed chat completions cut at random points, by the fake
// server (after a random number of chunks, with an error event, or with a
// retryable failure before the headers) and byte by byte (a recorded answer
// replayed up to a random byte, ending with a dropped connection or with a
// clean end of body). Each stream must either yield the full answer and end
// cleanly, or end with an error: never a short answer without one.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

// soakPrompt returns a random prompt of a few to a few dozen words.
func soakPrompt(r *rand.Rand) string {
	words := []string{"alpha", "beta", "gamma", "delta", "héllo", "wörld", "€uro", "日本", "quote\"d", "back\\slash", "new\nline", "tab\tbed"}
	var b strings.Builder
	for n := 1 + r.IntN(40); n > 0; n-- {
		b.WriteString(words[r.IntN(len(words))])
		b.WriteByte(' ')
	}
	return b.String()
}

// wantReplies returns the full text of each of the n choices the fake
// server answers to prompt.
func wantReplies(prompt string, n int) []string {
	out := make([]string, n)
	for i := range out {
		text := adaptivetest.ChatReply(prompt)
		if i > 0 {
			text = fmt.Sprintf("[%d] %s", i, text)
		}
		out[i] = strings.Join(strings.Fields(text), " ")
	}
	return out
}

// streamOutcome reads a whole stream and returns the text of each choice
// and the stream's error.
func streamOutcome(s *adaptive.ChatStream) ([]string, error) {
	resp, err := s.Accumulate()
	var texts []string
	for _, c := range resp.Choices {
		texts = append(texts, c.Message.Content)
	}
	return texts, err
}

func TestSoakStreamsCutByTheServer(t *testing.T) {
	seed := soakSeed(t, 777)
	r := rand.New(rand.NewPCG(seed, 3))
	srv := adaptivetest.NewServer(adaptivetest.WithAPIKey(relKey))
	defer srv.Close()
	c, faults := soakClient(t, srv)
	ctx := context.Background()

	streams := 150
	if testing.Short() {
		streams = 50
	}
	var full, cut, errorEvents, failedBefore, chunks int
	for i := range streams {
		prompt := soakPrompt(r)
		n := 1 + r.IntN(2)
		want := wantReplies(prompt, n)
		words := len(strings.Fields(want[0])) * n
		srv.ClearFaults()
		fault := r.IntN(5)
		switch fault {
		case 1:
			srv.CutStreamAfter(r.IntN(words + 1))
		case 2:
			srv.SendStreamError(r.IntN(words+1), "overloaded, try again")
		case 3:
			srv.FailNext(adaptivetest.RouteChat, 1+r.IntN(3), retryFault(r))
		}
		what := fmt.Sprintf("seed %d stream %d (n %d, %d words, fault %d)", seed, i, n, words, fault)
		s, err := c.Chat.Stream(ctx, adaptive.ChatRequest{Messages: []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: prompt}}, N: adaptive.Ptr(n)})
		if err != nil {
			require.Equal(t, 3, fault, "%s: %v", what, err)
			var apiErr *adaptive.APIError
			require.ErrorAs(t, err, &apiErr, what)
			require.True(t, errors.Is(err, adaptive.ErrServer) || errors.Is(err, adaptive.ErrRateLimited), "%s: %v", what, err)
			failedBefore++
			continue
		}
		texts, err := streamOutcome(s)
		chunks += len(strings.Fields(strings.Join(texts, " ")))
		if err == nil {
			require.Equal(t, want, texts, "%s: a clean end with a short answer", what)
			full++
			continue
		}
		var apiErr *adaptive.APIError
		switch {
		case errors.As(err, &apiErr):
			require.Equal(t, 2, fault, "%s: %v", what, err)
			assert.Equal(t, "overloaded, try again", apiErr.Message, what)
			errorEvents++
		default:
			require.Equal(t, 1, fault, "%s: %v", what, err)
			require.ErrorIs(t, err, io.ErrUnexpectedEOF, what)
			cut++
		}
	}
	nf, kinds := faults.total()
	t.Logf("streams cut by the server: %d run, %d complete and exact, %d cut after a random chunk and ended with an error wrapping io.ErrUnexpectedEOF, %d ended by an error event (*APIError), %d refused before the first chunk after retries; %d words received; %d retryable faults seen by the client (%s)",
		streams, full, cut, errorEvents, failedBefore, chunks, nf, kinds)
	assert.Positive(t, full)
	assert.Positive(t, cut)
}

// recordStream returns the raw bytes of a complete streamed answer of the
// fake server to prompt.
func recordStream(t *testing.T, srv *adaptivetest.Server, prompt string, n int, usage bool) []byte {
	t.Helper()
	body, err := json.Marshal(map[string]any{
		"model": srv.Project, "stream": true, "n": n,
		"messages":       []map[string]string{{"role": "user", "content": prompt}},
		"stream_options": map[string]bool{"include_usage": usage},
	})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/chat/completions", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+relKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.True(t, bytes.HasSuffix(raw, []byte("data: [DONE]\n\n")))
	return raw
}

// replayServer serves, for every request, the current body up to cut bytes,
// then either drops the connection or ends the body cleanly (with a
// Content-Length that matches the bytes sent).
type replayServer struct {
	mu   sync.Mutex
	body []byte
	cut  int
	drop bool
}

func (rs *replayServer) set(body []byte, cut int, drop bool) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.body, rs.cut, rs.drop = body, cut, drop
}

func (rs *replayServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	rs.mu.Lock()
	defer rs.mu.Unlock()
	w.Header().Set("Content-Type", "text/event-stream")
	if !rs.drop {
		w.Header().Set("Content-Length", strconv.Itoa(rs.cut))
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(rs.body[:rs.cut])
	if rs.drop {
		_ = http.NewResponseController(w).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}
}

func TestSoakStreamsCutAtRandomBytes(t *testing.T) {
	seed := soakSeed(t, 31337)
	r := rand.New(rand.NewPCG(seed, 4))
	srv := adaptivetest.NewServer(adaptivetest.WithAPIKey(relKey))
	defer srv.Close()
	rs := &replayServer{}
	replay := httptest.NewServer(rs)
	defer replay.Close()
	hc, tr := relTransport()
	defer tr.CloseIdleConnections()
	c, err := adaptive.NewClient(adaptive.WithBaseURL(replay.URL), adaptive.WithAPIKey(relKey), adaptive.WithProject("demo"), adaptive.WithHTTPClient(hc))
	require.NoError(t, err)
	ctx := context.Background()

	streams := 300
	if testing.Short() {
		streams = 100
	}
	var full, fullAfterFinish, refused, dropped, cleanEnds int
	var bytesServed int64
	for i := range streams {
		prompt := soakPrompt(r)
		n := 1 + r.IntN(2)
		want := wantReplies(prompt, n)
		body := recordStream(t, srv, prompt, n, r.IntN(2) == 0)
		// Anywhere in the body; but a third of the cuts fall in the tail,
		// from the first finish_reason on, where a clean end is legitimate
		// once every choice has finished.
		cut := r.IntN(len(body) + 1)
		if finish := bytes.Index(body, []byte("finish_reason")); r.IntN(3) == 0 {
			cut = finish + r.IntN(len(body)-finish+1)
		}
		drop := r.IntN(2) == 0
		rs.set(body, cut, drop)
		if drop {
			dropped++
		} else {
			cleanEnds++
		}
		bytesServed += int64(cut)
		what := fmt.Sprintf("seed %d stream %d: n %d, %d of %d bytes, drop %v", seed, i, n, cut, len(body), drop)
		s, err := c.Chat.Stream(ctx, adaptive.ChatRequest{Messages: []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: prompt}}, N: adaptive.Ptr(n)})
		require.NoError(t, err, what)
		texts, err := streamOutcome(s)
		if err == nil {
			require.Equal(t, want, texts, "%s: a clean end with a short answer", what)
			if !bytes.Contains(body[:cut], []byte("[DONE]")) {
				fullAfterFinish++
			}
			full++
			continue
		}
		require.ErrorIs(t, err, io.ErrUnexpectedEOF, "%s: %v", what, err)
		refused++
	}
	t.Logf("streams replayed up to a random byte: %d run (%d ending in a dropped connection, %d in a clean end of body), %d bytes served; %d yielded the full answer (%d of them cut after the last finish_reason, before [DONE]), %d ended with an error wrapping io.ErrUnexpectedEOF, 0 short answers",
		streams, dropped, cleanEnds, bytesServed, full, fullAfterFinish, refused)
	assert.Positive(t, full)
	assert.Positive(t, refused)
}

// TestStreamSeveralChoicesCutAfterTheFirstFinishes: with n = 2, a server
// may finish one choice while the other is still streaming (OpenAI-style
// servers put finish_reason in each choice's last chunk). A body that ends
// there, cleanly, holds a complete first choice and a short second one: the
// stream must end with an error, not as a clean end.
func TestStreamSeveralChoicesCutAfterTheFirstFinishes(t *testing.T) {
	chunk := func(index int, content, finish string) string {
		fr := ""
		if finish != "" {
			fr = `,"finish_reason":"` + finish + `"`
		}
		return sseContent(index, content, fr)
	}
	body := chunk(0, "Yes.", "") + chunk(1, "Well,", "") + chunk(0, "", "stop") + chunk(1, " it", "")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, body) // and the body ends: choice 1 never finished
	}))
	defer srv.Close()
	hc, tr := relTransport()
	defer tr.CloseIdleConnections()
	c, err := adaptive.NewClient(adaptive.WithBaseURL(srv.URL), adaptive.WithAPIKey(relKey), adaptive.WithProject("p"), adaptive.WithHTTPClient(hc))
	require.NoError(t, err)
	s, err := c.Chat.Stream(context.Background(), adaptive.ChatRequest{Messages: []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "q"}}, N: adaptive.Ptr(2)})
	require.NoError(t, err)
	texts, err := streamOutcome(s)
	assert.Equal(t, []string{"Yes.", "Well, it"}, texts)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF, "choice 1 never finished, yet the stream ended cleanly: a short answer without an error")
}

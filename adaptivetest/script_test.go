package adaptivetest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
	"github.com/adaptive-go/adaptive/internal/schematest"
)

func userSays(text string) []adaptive.ChatMessage {
	return []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: text}}
}

func chatText(t *testing.T, c *adaptive.Client, req adaptive.ChatRequest) string {
	t.Helper()
	resp, err := c.Chat.Create(context.Background(), req)
	require.NoError(t, err)
	return resp.Choices[0].Message.Content
}

func TestRepliesQueueInOrderThenTheNormalAnswer(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	srv.Reply("chat", adaptivetest.Reply{Text: "first"}, adaptivetest.Reply{Text: "second", Times: 2})

	var got []string
	for range 4 {
		got = append(got, chatText(t, c, adaptive.ChatRequest{Messages: userSays("hi")}))
	}
	assert.Equal(t, []string{"first", "second", "second", adaptivetest.ChatReply("hi")}, got)
}

func TestRepliesMatchModelAndText(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	srv.Reply(adaptivetest.RouteChat,
		adaptivetest.Reply{When: adaptivetest.Match{Contains: "weather"}, Always: true, Text: "Sunny."},
		adaptivetest.Reply{When: adaptivetest.Match{Model: "big", Text: " exactly this "}, Text: "exact"},
		adaptivetest.Reply{When: adaptivetest.Match{Model: "other/big"}, Always: true, Text: "by full model"},
	)
	for range 3 {
		assert.Equal(t, "Sunny.", chatText(t, c, adaptive.ChatRequest{Messages: userSays("the weather today?")}))
	}
	// Model matches "demo/big" by its short part; Text ignores white space around it.
	assert.Equal(t, adaptivetest.ChatReply("exactly this"), chatText(t, c, adaptive.ChatRequest{Model: "small", Messages: userSays("exactly this")}))
	assert.Equal(t, "exact", chatText(t, c, adaptive.ChatRequest{Model: "big", Messages: userSays("exactly this")}))
	assert.Equal(t, adaptivetest.ChatReply("exactly this"), chatText(t, c, adaptive.ChatRequest{Model: "big", Messages: userSays("exactly this")}), "used up")
	assert.Equal(t, "by full model", chatText(t, c, adaptive.ChatRequest{Model: "other/big", Messages: userSays("x")}))
	assert.Equal(t, adaptivetest.ChatReply("x"), chatText(t, c, adaptive.ChatRequest{Model: "third/big", Messages: userSays("x")}))

	// Text parts count, image parts do not.
	msg := []adaptive.ChatMessage{{Role: adaptive.RoleUser, Parts: []adaptive.ContentPart{
		adaptive.TextPart("what is the"), adaptive.ImagePart("https://example.com/a.png"), adaptive.TextPart("weather here"),
	}}}
	assert.Equal(t, "Sunny.", chatText(t, c, adaptive.ChatRequest{Messages: msg}))
}

func TestScriptedChunksStreamExactly(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	chunks := []string{"Hel", "lo, ", "", "wor", "ld"}
	srv.Reply("chat", adaptivetest.Reply{Chunks: chunks, FinishReason: "length", Times: 2})

	stream, err := c.Chat.Stream(context.Background(), adaptive.ChatRequest{Messages: userSays("hi"), N: adaptive.Ptr(2)})
	require.NoError(t, err)
	got := map[int][]string{}
	finish := map[int]string{}
	for chunk, err := range stream.All() {
		require.NoError(t, err)
		for _, ch := range chunk.Choices {
			if ch.FinishReason != "" {
				finish[ch.Index] = ch.FinishReason
				continue
			}
			got[ch.Index] = append(got[ch.Index], ch.Delta.Content)
		}
	}
	assert.Equal(t, map[int][]string{0: chunks, 1: chunks}, got)
	assert.Equal(t, map[int]string{0: "length", 1: "length"}, finish)

	resp, err := c.Chat.Create(context.Background(), adaptive.ChatRequest{Messages: userSays("hi")})
	require.NoError(t, err)
	assert.Equal(t, "Hello, world", resp.Choices[0].Message.Content)
	assert.Equal(t, "length", resp.Choices[0].FinishReason)
	assert.Equal(t, 5, resp.Usage.CompletionTokens)
}

func TestScriptedStreamFaults(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	srv.Reply("chat",
		adaptivetest.Reply{Text: "one two three", StreamFault: &adaptivetest.StreamFault{After: 2, Error: "model overloaded"}},
		adaptivetest.Reply{StreamFault: &adaptivetest.StreamFault{After: 1, Cut: true}},
	)
	resp, err := mustStream(t, c).Accumulate()
	var apiErr *adaptive.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, apiErr.Message, "model overloaded")
	assert.Equal(t, "one two", resp.Choices[0].Message.Content)

	_, err = mustStream(t, c).Accumulate()
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)

	resp, err = mustStream(t, c).Accumulate()
	require.NoError(t, err, "the faults are used up")
	assert.Equal(t, adaptivetest.ChatReply("hi"), resp.Choices[0].Message.Content)
}

func mustStream(t *testing.T, c *adaptive.Client) *adaptive.ChatStream {
	t.Helper()
	s, err := c.Chat.Stream(context.Background(), adaptive.ChatRequest{Messages: userSays("hi")})
	require.NoError(t, err)
	return s
}

func TestScriptedEmbeddingsAndErrors(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	srv.Reply("embeddings", adaptivetest.Reply{When: adaptivetest.Match{Text: "cat"}, Always: true, Embedding: []float32{0.6, 0.8}})
	srv.Reply("outcome", adaptivetest.Reply{Times: 2, Error: &adaptivetest.Fault{Status: 503, RetryAfter: "0"}})
	srv.Reply("interactions", adaptivetest.Reply{Error: &adaptivetest.Fault{Status: 422, Message: "messages[0]: bad"}})

	for _, format := range []adaptive.EncodingFormat{adaptive.EncodingFloat, adaptive.EncodingBase64} {
		resp, err := c.Embeddings.Create(context.Background(), adaptive.EmbeddingsRequest{Input: "cat", EncodingFormat: format})
		require.NoError(t, err)
		assert.Equal(t, []float32{0.6, 0.8}, resp.Data[0].Embedding, format)
	}
	resp, err := c.Embeddings.Create(context.Background(), adaptive.EmbeddingsRequest{Input: "dog"})
	require.NoError(t, err)
	assert.Equal(t, adaptivetest.EmbeddingOf("dog", 0), resp.Data[0].Embedding)

	// Two 503s, then the normal answer (the SDK does not retry an outcome
	// after a 5xx: it may have been recorded).
	_, err = c.Feedback.Outcome(context.Background(), adaptive.OutcomeRequest{Metric: "m", Value: adaptive.MetricBool(true), SessionID: uuid.New()})
	require.ErrorIs(t, err, adaptive.ErrServer)
	_, err = c.Feedback.Outcome(context.Background(), adaptive.OutcomeRequest{Metric: "m", Value: adaptive.MetricBool(true), SessionID: uuid.New()})
	require.ErrorIs(t, err, adaptive.ErrServer)
	_, err = c.Feedback.Outcome(context.Background(), adaptive.OutcomeRequest{Metric: "m", Value: adaptive.MetricBool(true), SessionID: uuid.New()})
	require.NoError(t, err)

	_, err = c.Interactions.Add(context.Background(), adaptive.InteractionRequest{Messages: userSays("x"), Completion: "y"})
	var apiErr *adaptive.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 422, apiErr.StatusCode)
	assert.Equal(t, "messages[0]: bad", apiErr.Message)
}

func TestScriptedDelayAndDrop(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client(adaptive.WithMaxRetries(0))
	srv.Reply("embeddings", adaptivetest.Reply{Delay: 80 * time.Millisecond}, adaptivetest.Reply{Error: &adaptivetest.Fault{Drop: true}})
	start := time.Now()
	_, err := c.Embeddings.Create(context.Background(), adaptive.EmbeddingsRequest{Input: "x"})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 80*time.Millisecond)
	_, err = c.Embeddings.Create(context.Background(), adaptive.EmbeddingsRequest{Input: "x"})
	require.Error(t, err)
	var apiErr *adaptive.APIError
	assert.False(t, errors.As(err, &apiErr), "a dropped connection has no answer: %v", err)
}

func TestRawRepliesBreakTheContractOnPurpose(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	srv.Reply("embeddings", adaptivetest.Reply{Raw: []byte(`{"data": "not a list"}`)})
	srv.Reply("chat", adaptivetest.Reply{RawEvents: []string{`{"oops": true}`}})
	_, err := c.Embeddings.Create(context.Background(), adaptive.EmbeddingsRequest{Input: "x"})
	require.Error(t, err)
	_, err = mustStream(t, c).Accumulate()
	require.Error(t, err)
}

func TestScriptedAnswersFollowTheDocument(t *testing.T) {
	doc, err := schematest.Load()
	require.NoError(t, err)
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.Reply("chat", adaptivetest.Reply{Text: "a b"}, adaptivetest.Reply{Chunks: []string{"x", "", "y"}, FinishReason: "length"})
	srv.Reply("embeddings", adaptivetest.Reply{Embedding: []float32{1, 0, 0}})
	const js = "application/json"

	resp, body := answer(t, srv, "POST", "/api/v1/chat/completions", js, `{"model":"demo","messages":[{"role":"user","content":"q"}]}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	require.NoError(t, doc.Validate(schematest.Component("ChatResponse"), body), "%s", body)

	resp, body = answer(t, srv, "POST", "/api/v1/chat/completions", js, `{"model":"demo","stream":true,"messages":[{"role":"user","content":"q"}]}`)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	chunks := 0
	for _, data := range events(t, string(body)) {
		var event map[string]json.RawMessage
		if data == "[DONE]" || json.Unmarshal([]byte(data), &event) != nil || isMetadata(event) {
			continue
		}
		require.NoError(t, doc.Validate(schematest.Component("ChatResponseChunk"), []byte(data)), data)
		chunks++
	}
	assert.Equal(t, 4, chunks, "three content chunks and the finish")

	resp, body = answer(t, srv, "POST", "/api/v1/embeddings", js, `{"model":"demo","input":"q"}`)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	requireDocumented(t, doc, adaptivetest.RouteEmbeddings, resp, body)
}

func TestScriptedRepliesAfterTheContract(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.Reply("chat", adaptivetest.Reply{Text: "scripted"})
	resp, body := answer(t, srv, "POST", "/api/v1/chat/completions", "application/json", `{"model":"demo"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, "%s", body)
	assert.Equal(t, "scripted", chatText(t, srv.Client(), adaptive.ChatRequest{Messages: userSays("q")}), "the refused request used no reply")
}

func TestRepliesAreTakenOnceUnderConcurrency(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	srv.Reply("chat", adaptivetest.Reply{Text: "scripted", Times: 7})
	var mu sync.Mutex
	scripted := 0
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if chatText(t, c, adaptive.ChatRequest{Messages: userSays("q")}) == "scripted" {
				mu.Lock()
				scripted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 7, scripted)
}

func TestParseScript(t *testing.T) {
	sc, err := adaptivetest.ParseScript([]byte(`{"replies": [
		{"route": "chat", "when": {"contains": "France"}, "always": true, "text": "Paris."},
		{"route": "POST /api/v1/embeddings", "embedding": [0.5]},
		{"route": "outcome", "times": 2, "delay": "10ms", "error": {"status": 503, "retry_after": "0", "delay": "5ms"}},
		{"route": "chat", "stream_fault": {"after": 2, "stall": true}},
		{"route": "interactions", "raw": {"a": [1, 2]}}
	]}`))
	require.NoError(t, err)
	require.Len(t, sc.Replies, 5)
	assert.Equal(t, adaptivetest.ScriptedReply{Route: adaptivetest.RouteChat, Reply: adaptivetest.Reply{
		When: adaptivetest.Match{Contains: "France"}, Always: true, Text: "Paris."}}, sc.Replies[0])
	assert.Equal(t, adaptivetest.RouteEmbeddings, sc.Replies[1].Route)
	assert.Equal(t, []float32{0.5}, sc.Replies[1].Embedding)
	assert.Equal(t, adaptivetest.Reply{Times: 2, Delay: 10 * time.Millisecond,
		Error: &adaptivetest.Fault{Status: 503, RetryAfter: "0", Delay: 5 * time.Millisecond}}, sc.Replies[2].Reply)
	assert.Equal(t, &adaptivetest.StreamFault{After: 2, Stall: true}, sc.Replies[3].StreamFault)
	assert.JSONEq(t, `{"a": [1, 2]}`, string(sc.Replies[4].Raw))

	srv := adaptivetest.NewServer(adaptivetest.WithScript(sc))
	defer srv.Close()
	assert.Equal(t, "Paris.", chatText(t, srv.Client(), adaptive.ChatRequest{Messages: userSays("capital of France?")}))

	for _, tc := range []struct{ script, want string }{
		{`[]`, "cannot unmarshal array"},
		{`{}`, `no "replies"`},
		{`{"replies": [], "x": 1}`, `unknown field "x"`},
		{`{"replies": [{"route": "chat", "txt": "a"}]}`, `replies[0]: json: unknown field "txt"`},
		{`{"replies": [{"text": "a"}]}`, `replies[0]: no "route"`},
		{`{"replies": [{"route": "chatt"}]}`, `unknown route "chatt": use one of chat, embeddings`},
		{`{"replies": [{"route": "embeddings", "text": "a"}]}`, "for the chat route"},
		{`{"replies": [{"route": "chat", "embedding": [1]}]}`, "for the embeddings route"},
		{`{"replies": [{"route": "outcome", "when": {"text": "a"}}]}`, "chat and embeddings requests only"},
		{`{"replies": [{"route": "chat", "text": "a", "chunks": ["b"]}]}`, "both Text and Chunks"},
		{`{"replies": [{"route": "chat", "text": "a", "error": {"status": 500}}]}`, "more than one"},
		{`{"replies": [{"route": "chat", "error": {"message": "x"}}]}`, "neither Status nor Drop"},
		{`{"replies": [{"route": "chat", "delay": 5}]}`, "a duration is a string"},
		{`{"replies": [{"route": "chat", "delay": "5 minutes"}]}`, "time: unknown unit"},
		{`{"replies": [{"route": "chat", "times": -1}]}`, "negative Times"},
		{`{"replies": [{"route": "chat", "stream_fault": {"after": 1}}]}`, "exactly one of Cut, Error and Stall"},
		{`{"replies": [{"route": "chat", "stream_fault": {"after": 1, "cut": true, "stall": true}}]}`, "exactly one"},
		{`{"replies": []} {}`, "data after the JSON object"},
	} {
		_, err := adaptivetest.ParseScript([]byte(tc.script))
		require.Error(t, err, tc.script)
		assert.Contains(t, err.Error(), tc.want, tc.script)
		assert.True(t, strings.HasPrefix(err.Error(), "adaptivetest: script: "), err.Error())
	}
}

func TestReplyPanicsOnMistakes(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	assert.PanicsWithValue(t, `adaptivetest: Reply: unknown route "nope": use one of chat, embeddings, comparison, outcome, interactions, upload_init, upload_part, upload_status, upload_abort, dataset_download, recipe_download, artifact_download, image, graphql, or a Route constant`,
		func() { srv.Reply("nope", adaptivetest.Reply{}) })
	assert.Panics(t, func() { srv.Reply("outcome", adaptivetest.Reply{Text: "x"}) })
	srv.Reply("chat", adaptivetest.Reply{Text: "kept"})
	srv.ClearReplies()
	assert.Equal(t, adaptivetest.ChatReply("q"), chatText(t, srv.Client(), adaptive.ChatRequest{Messages: userSays("q")}))
}

func TestWithListener(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := adaptivetest.NewServer(adaptivetest.WithListener(l))
	assert.Equal(t, "http://"+l.Addr().String(), srv.URL)
	assert.Equal(t, adaptivetest.ChatReply("q"), chatText(t, srv.Client(), adaptive.ChatRequest{Messages: userSays("q")}))
	srv.Close()
	_, err = net.Dial("tcp", l.Addr().String())
	assert.Error(t, err, "Close closed the listener")
}

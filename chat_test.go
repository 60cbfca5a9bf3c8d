package adaptive_test

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

const chatAnswer = `{"id":"chatcmpl-1","created":1720712536.25,"choices":[{"index":0,"message":{"id":"msg-1","role":"assistant","content":"Paris.","x":1},` +
	`"finish_reason":"stop","completion_id":"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa","model":"demo/m","logprobs":null}],` +
	`"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4},"extra":[1,2]}`

func TestChatCreateSendsEveryField(t *testing.T) {
	rec := newInfRecorder(t, 200, chatAnswer)
	user, sess := infIDUser, infIDSess
	resp, err := rec.client(t, "proj").Chat.Create(context.Background(), adaptive.ChatRequest{
		Model: "m",
		Messages: []adaptive.ChatMessage{
			{Role: adaptive.RoleSystem, Content: "Be brief."},
			{Role: adaptive.RoleUser, Content: "Capital of France?", Name: "ann"},
			{Role: adaptive.RoleAssistant, Content: "Paris.", CompletionID: infIDA.String(), Metadata: map[string]any{"src": []int{1}}},
			{Role: adaptive.RoleUser, Parts: []adaptive.ContentPart{adaptive.TextPart("And this?"),
				adaptive.ImagePart("https://example.com/a.png"), adaptive.ImageDataPart("image/png", []byte{0x89, 'P', 'N', 'G'})}},
		},
		Stop:             []string{"\n\n"},
		MaxTokens:        adaptive.Ptr(0),
		Temperature:      adaptive.Ptr(0.0),
		TopP:             adaptive.Ptr(0.9),
		MaxTTFTMs:        adaptive.Ptr[int64](500),
		StreamOptions:    &adaptive.StreamOptions{IncludeUsage: true},
		SessionID:        &sess,
		User:             &user,
		ABCampaign:       "camp",
		N:                adaptive.Ptr(2),
		Labels:           map[string]string{"env": "test"},
		Metadata:         map[string]string{"k": "v"},
		SystemPromptArgs: map[string]any{"name": "Ann"},
		Tags:             []string{"t1"},
		UseTools:         adaptive.Ptr(false),
		Tools:            []adaptive.ToolOverride{{ID: "search", Enabled: false}, {ID: "calc", Enabled: true}},
		Store:            adaptive.Ptr(false),
	})
	require.NoError(t, err)
	path, ctype, body := rec.last(t)
	assert.Equal(t, "POST /api/v1/chat/completions", path)
	assert.Equal(t, "application/json", ctype)
	assert.JSONEq(t, `{
		"model":"proj/m",
		"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Capital of France?","name":"ann"},
			{"role":"assistant","content":"Paris.","completion_id":"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa","metadata":{"src":[1]}},
			{"role":"user","content":[{"type":"text","text":"And this?"},{"type":"image_url","image_url":"https://example.com/a.png"},
				{"type":"image_url","image_url":"data:image/png;base64,iVBORw=="}]}],
		"stop":["\n\n"],"max_tokens":0,"temperature":0,"top_p":0.9,"max_ttft_ms":500,
		"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","user":"cccccccc-cccc-4ccc-8ccc-cccccccccccc",
		"ab_campaign":"camp","n":2,"labels":{"env":"test"},"metadata":{"k":"v"},"system_prompt_args":{"name":"Ann"},
		"tags":["t1"],"use_tools":false,"tools":[{"id":"search","enabled":false},{"id":"calc","enabled":true}],"store":false}`, body,
		"Create sends no stream flag and no stream_options")

	assert.Equal(t, "chatcmpl-1", resp.ID)
	assert.Equal(t, time.Unix(1720712536, 250e6), resp.Created.Time())
	assert.Equal(t, infIDSess, resp.SessionID)
	assert.Equal(t, adaptive.Usage{PromptTokens: 3, CompletionTokens: 1, TotalTokens: 4}, resp.Usage)
	require.Len(t, resp.Choices, 1)
	assert.Equal(t, adaptive.ChatChoice{Index: 0, Message: adaptive.ChatChoiceMessage{ID: "msg-1", Role: "assistant", Content: "Paris."},
		FinishReason: "stop", CompletionID: infIDA.String(), Model: "demo/m"}, resp.Choices[0])
}

func TestChatMinimalRequestOmitsOptionals(t *testing.T) {
	rec := newInfRecorder(t, 200, chatAnswer)
	_, err := rec.client(t, "proj").Chat.Create(context.Background(), adaptive.ChatRequest{Messages: infUserMsg})
	require.NoError(t, err)
	_, _, body := rec.last(t)
	assert.JSONEq(t, `{"model":"proj","messages":[{"role":"user","content":"Capital of France?"}]}`, body)
}

func TestChatModelRules(t *testing.T) {
	cases := []struct{ clientProject, project, model, want string }{
		{"proj", "", "", "proj"},
		{"proj", "", "m", "proj/m"},
		{"proj", "other", "m", "other/m"},
		{"", "other", "", "other"},
		{"", "", "x/y", "x/y"},
		{"proj", "other", "x/y", "x/y"},
	}
	for _, tc := range cases {
		rec := newInfRecorder(t, 200, chatAnswer)
		_, err := rec.client(t, tc.clientProject).Chat.Create(context.Background(),
			adaptive.ChatRequest{Project: tc.project, Model: tc.model, Messages: infUserMsg})
		require.NoError(t, err)
		_, _, body := rec.last(t)
		var sent struct{ Model string }
		require.NoError(t, json.Unmarshal([]byte(body), &sent))
		assert.Equal(t, tc.want, sent.Model, "%+v", tc)
	}
}

func TestChatStreamSendsStreamFlagAndOptions(t *testing.T) {
	srv := newSSEServer(t, writes(sseChunk1, sseDone))
	req := sseReq
	req.Model = "m"
	req.StreamOptions = &adaptive.StreamOptions{IncludeUsage: true}
	st, err := srv.client(t).Chat.Stream(t.Context(), req)
	require.NoError(t, err)
	_, err = st.Accumulate()
	require.NoError(t, err)
	body, accept := srv.last()
	assert.Equal(t, "text/event-stream", accept)
	assert.JSONEq(t, `{"model":"p/m","stream":true,"stream_options":{"include_usage":true},
		"messages":[{"role":"user","content":"hi"}]}`, string(body))
}

func TestChatValidation(t *testing.T) {
	msgs := infUserMsg
	overInt32 := int64(math.MaxInt32) + 1 // not a constant: on 32-bit it wraps, and is refused as negative
	cases := []struct {
		name    string
		project string // client default
		req     adaptive.ChatRequest
		field   string
	}{
		{"no project", "", adaptive.ChatRequest{Messages: msgs, Model: "m"}, "ChatRequest.Project"},
		{"negative n", "proj", adaptive.ChatRequest{Messages: msgs, N: adaptive.Ptr(-1)}, "ChatRequest.N"},
		{"n beyond int32", "proj", adaptive.ChatRequest{Messages: msgs, N: adaptive.Ptr(int(overInt32))}, "ChatRequest.N"},
		{"negative max tokens", "proj", adaptive.ChatRequest{Messages: msgs, MaxTokens: adaptive.Ptr(-1)}, "ChatRequest.MaxTokens"},
		{"negative max ttft", "proj", adaptive.ChatRequest{Messages: msgs, MaxTTFTMs: adaptive.Ptr[int64](-1)}, "ChatRequest.MaxTTFTMs"},
		{"NaN temperature", "proj", adaptive.ChatRequest{Messages: msgs, Temperature: adaptive.Ptr(math.NaN())}, "ChatRequest.Temperature"},
		{"infinite top_p", "proj", adaptive.ChatRequest{Messages: msgs, TopP: adaptive.Ptr(math.Inf(1))}, "ChatRequest.TopP"},
		{"float32 overflow", "proj", adaptive.ChatRequest{Messages: msgs, TopP: adaptive.Ptr(1e39)}, "ChatRequest.TopP"},
		{"content and parts", "proj", adaptive.ChatRequest{Messages: []adaptive.ChatMessage{{Role: "user"},
			{Role: "user", Content: "x", Parts: []adaptive.ContentPart{adaptive.TextPart("y")}}}}, "ChatRequest.Messages[1]"},
		{"zero part", "proj", adaptive.ChatRequest{Messages: []adaptive.ChatMessage{
			{Role: "user", Parts: []adaptive.ContentPart{adaptive.TextPart("y"), {}}}}}, "ChatRequest.Messages[0].Parts[1]"},
		{"image without url", "proj", adaptive.ChatRequest{Messages: []adaptive.ChatMessage{
			{Role: "user", Parts: []adaptive.ContentPart{adaptive.ImagePart("")}}}}, "ChatRequest.Messages[0].Parts[0]"},
		{"image data not an image", "proj", adaptive.ChatRequest{Messages: []adaptive.ChatMessage{
			{Role: "user", Parts: []adaptive.ContentPart{adaptive.ImageDataPart("text/plain", []byte("x"))}}}}, "ChatRequest.Messages[0].Parts[0]"},
		{"image data with parameters", "proj", adaptive.ChatRequest{Messages: []adaptive.ChatMessage{
			{Role: "user", Parts: []adaptive.ContentPart{adaptive.ImageDataPart("image/png; q=1", []byte("x"))}}}}, "ChatRequest.Messages[0].Parts[0]"},
		{"image data empty", "proj", adaptive.ChatRequest{Messages: []adaptive.ChatMessage{
			{Role: "user", Parts: []adaptive.ContentPart{adaptive.ImageDataPart("image/png", nil)}}}}, "ChatRequest.Messages[0].Parts[0]"},
		{"completion id not a uuid", "proj", adaptive.ChatRequest{Messages: []adaptive.ChatMessage{
			{Role: "assistant", Content: "x", CompletionID: "cmpl-1"}}}, "ChatRequest.Messages[0].CompletionID"},
		{"system prompt args not JSON", "proj", adaptive.ChatRequest{Messages: msgs, SystemPromptArgs: map[string]any{"x": math.Inf(1)}}, "ChatRequest.SystemPromptArgs"},
		{"metadata not JSON", "proj", adaptive.ChatRequest{Messages: []adaptive.ChatMessage{
			{Role: "user", Metadata: math.NaN()}}}, "ChatRequest.Messages[0].Metadata"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := newInfRecorder(t, 200, chatAnswer)
			c := rec.client(t, tc.project)
			_, err := c.Chat.Create(context.Background(), tc.req)
			requireInfValidation(t, err, tc.field)
			st, err := c.Chat.Stream(context.Background(), tc.req)
			assert.Nil(t, st)
			requireInfValidation(t, err, tc.field)
			assert.Zero(t, rec.count(), "nothing is sent")
		})
	}
}

func TestChatCreateAPIError(t *testing.T) {
	rec := newInfRecorder(t, 404, `{"error":"EntityNotFound: project proj"}`)
	_, err := rec.client(t, "proj").Chat.Create(context.Background(), adaptive.ChatRequest{Messages: infUserMsg})
	require.ErrorIs(t, err, adaptive.ErrNotFound)
	var apiErr *adaptive.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "EntityNotFound: project proj", apiErr.Message)
}

func TestTimestampTime(t *testing.T) {
	assert.True(t, adaptive.Timestamp(0).Time().IsZero())
	assert.Equal(t, time.Unix(1720712536, 0), adaptive.Timestamp(1720712536).Time())
	assert.Equal(t, time.Unix(1720712536, 500e6), adaptive.Timestamp(1720712536.5).Time())
}

func TestChatAccumulator(t *testing.T) {
	idA, idB := "cmpl-a", infIDB.String()
	chunk := func(choices ...adaptive.ChatChunkChoice) adaptive.ChatChunk {
		return adaptive.ChatChunk{ID: "c", Created: 1.5, SessionID: infIDSess, Choices: choices}
	}
	var acc adaptive.ChatAccumulator
	acc.Add(chunk(adaptive.ChatChunkChoice{Index: 1, Delta: adaptive.ChatChoiceMessage{ID: "mB", Role: "assistant", Content: "B1"}, CompletionID: idB}))
	acc.Add(chunk(adaptive.ChatChunkChoice{Index: 0, Delta: adaptive.ChatChoiceMessage{ID: "mA", Role: "assistant", Content: "A1"}, CompletionID: idA}))
	acc.Add(chunk(adaptive.ChatChunkChoice{Index: 0, Delta: adaptive.ChatChoiceMessage{ID: "mA", Content: " A2"}}))
	acc.Add(chunk(adaptive.ChatChunkChoice{Index: 1, Delta: adaptive.ChatChoiceMessage{Content: " B2"}, FinishReason: "length"}))
	acc.Add(adaptive.ChatChunk{ID: "c", Choices: []adaptive.ChatChunkChoice{}, Usage: &adaptive.Usage{PromptTokens: 1, CompletionTokens: 4, TotalTokens: 5}})
	got := acc.Response()
	assert.Equal(t, adaptive.ChatResponse{
		ID: "c", Created: 1.5, SessionID: infIDSess,
		Usage: adaptive.Usage{PromptTokens: 1, CompletionTokens: 4, TotalTokens: 5},
		Choices: []adaptive.ChatChoice{
			{Index: 0, Message: adaptive.ChatChoiceMessage{ID: "mA", Role: "assistant", Content: "A1 A2"}, CompletionID: idA},
			{Index: 1, Message: adaptive.ChatChoiceMessage{ID: "mB", Role: "assistant", Content: "B1 B2"}, CompletionID: idB, FinishReason: "length"},
		},
	}, got)

	// Response can be called mid-way and again later.
	acc.Add(chunk(adaptive.ChatChunkChoice{Index: 0, Delta: adaptive.ChatChoiceMessage{Content: "!"}}))
	assert.Equal(t, "A1 A2!", acc.Response().Choices[0].Message.Content)
	assert.Equal(t, "A1 A2", got.Choices[0].Message.Content, "an earlier Response is not changed")
}

func TestChatAccumulatorEmpty(t *testing.T) {
	var acc adaptive.ChatAccumulator
	r := acc.Response()
	assert.Empty(t, r.Choices)
	assert.Equal(t, uuid.Nil, r.SessionID)
}

func TestChatAccumulatorIsLinear(t *testing.T) {
	// Many small deltas: allocations grow with the log of the content, as
	// with one strings.Builder, not with the number of chunks squared.
	var acc adaptive.ChatAccumulator
	c := adaptive.ChatChunk{Choices: []adaptive.ChatChunkChoice{{Delta: adaptive.ChatChoiceMessage{Content: "word "}}}}
	acc.Add(c)
	allocs := testing.AllocsPerRun(20000, func() { acc.Add(c) })
	assert.Less(t, allocs, 0.01)
	assert.Len(t, acc.Response().Choices[0].Message.Content, 5*20002)
}

// End to end against adaptivetest.

func newChatServer(t *testing.T) (*adaptivetest.Server, *adaptive.Client) {
	t.Helper()
	srv := adaptivetest.NewServer()
	t.Cleanup(srv.Close)
	return srv, srv.Client()
}

func userAsks(prompt string) adaptive.ChatRequest {
	return adaptive.ChatRequest{Messages: []adaptive.ChatMessage{
		{Role: adaptive.RoleSystem, Content: "Be helpful."},
		{Role: adaptive.RoleUser, Content: prompt},
	}}
}

func TestChatEndToEndCreate(t *testing.T) {
	srv, c := newChatServer(t)
	resp, err := c.Chat.Create(t.Context(), userAsks("What is the capital of France?"))
	require.NoError(t, err)
	require.Len(t, resp.Choices, 1)
	ch := resp.Choices[0]
	assert.Equal(t, adaptivetest.ChatReply("What is the capital of France?"), ch.Message.Content)
	assert.Equal(t, adaptive.RoleAssistant, ch.Message.Role)
	assert.Equal(t, "stop", ch.FinishReason)
	assert.NotEmpty(t, ch.CompletionID)
	assert.NotEmpty(t, ch.Message.ID)
	assert.Equal(t, "demo", ch.Model)
	assert.NotEqual(t, uuid.Nil, resp.SessionID)
	assert.WithinDuration(t, time.Now(), resp.Created.Time(), time.Minute)
	assert.Equal(t, adaptive.Usage{PromptTokens: 8, CompletionTokens: 8, TotalTokens: 16}, resp.Usage)
	reqs := srv.RequestsTo(adaptivetest.RouteChat)
	require.Len(t, reqs, 1)
	assert.NotContains(t, string(reqs[0].Body), `"stream"`)
}

func TestChatEndToEndStreamMatchesCreate(t *testing.T) {
	_, c := newChatServer(t)
	req := userAsks("Tell me about streaming in Go, please.")
	req.N = adaptive.Ptr(2)
	plain, err := c.Chat.Create(t.Context(), req)
	require.NoError(t, err)

	req.StreamOptions = &adaptive.StreamOptions{IncludeUsage: true}
	st, err := c.Chat.Stream(t.Context(), req)
	require.NoError(t, err)
	defer st.Close()
	var acc adaptive.ChatAccumulator
	chunks := 0
	for st.Next() {
		acc.Add(st.Current())
		chunks++
	}
	require.NoError(t, st.Err())
	streamed := acc.Response()
	assert.Greater(t, chunks, 10, "one word per chunk")
	require.Len(t, streamed.Choices, 2)
	for i := range plain.Choices {
		// Message ids differ from call to call.
		assert.Equal(t, plain.Choices[i].Message.Role, streamed.Choices[i].Message.Role)
		assert.Equal(t, plain.Choices[i].Message.Content, streamed.Choices[i].Message.Content)
		assert.NotEmpty(t, streamed.Choices[i].Message.ID)
	}
	assert.Equal(t, plain.Usage, streamed.Usage)
	_, ok := st.TTFT()
	assert.True(t, ok)
	_, ok = st.TotalRequestDuration()
	assert.True(t, ok)
	assert.Len(t, st.Metadata(), 4, "TTFT, a finish_reason per choice, TotalRequestDuration")
}

func TestChatEndToEndStreamWithoutUsage(t *testing.T) {
	_, c := newChatServer(t)
	st, err := c.Chat.Stream(t.Context(), userAsks("hello there"))
	require.NoError(t, err)
	resp, err := st.Accumulate()
	require.NoError(t, err)
	assert.Equal(t, adaptivetest.ChatReply("hello there"), resp.Choices[0].Message.Content)
	assert.Zero(t, resp.Usage, "no usage chunk unless asked")
}

func TestChatEndToEndMaxTokens(t *testing.T) {
	_, c := newChatServer(t)
	req := userAsks("one two three four five")
	req.MaxTokens = adaptive.Ptr(3)
	resp, err := c.Chat.Create(t.Context(), req)
	require.NoError(t, err)
	assert.Equal(t, "You said: one", resp.Choices[0].Message.Content)
	assert.Equal(t, "length", resp.Choices[0].FinishReason)
}

func TestChatEndToEndRetriesBeforeHeaders(t *testing.T) {
	srv, c := newChatServer(t)
	srv.FailNext(adaptivetest.RouteChat, 2, adaptivetest.Fault{Status: 503})
	st, err := c.Chat.Stream(t.Context(), userAsks("retry me"))
	require.NoError(t, err)
	resp, err := st.Accumulate()
	require.NoError(t, err)
	assert.Equal(t, adaptivetest.ChatReply("retry me"), resp.Choices[0].Message.Content)
	assert.Len(t, srv.RequestsTo(adaptivetest.RouteChat), 3)
}

func TestChatEndToEndNon2xx(t *testing.T) {
	srv, c := newChatServer(t)
	srv.FailNext(adaptivetest.RouteChat, 1, adaptivetest.Fault{Status: 401, Message: "bad key"})
	st, err := c.Chat.Stream(t.Context(), userAsks("x"))
	assert.Nil(t, st)
	require.ErrorIs(t, err, adaptive.ErrUnauthorized)
}

func TestChatEndToEndCutStream(t *testing.T) {
	srv, c := newChatServer(t)
	srv.CutStreamAfter(3)
	st, err := c.Chat.Stream(t.Context(), userAsks("a long enough prompt to cut"))
	require.NoError(t, err)
	resp, err := st.Accumulate()
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, "You said: a", resp.Choices[0].Message.Content, "three chunks arrived")
	assert.Len(t, srv.RequestsTo(adaptivetest.RouteChat), 1, "no retry once the stream has started")

	// The fault is used once.
	st, err = c.Chat.Stream(t.Context(), userAsks("again"))
	require.NoError(t, err)
	_, err = st.Accumulate()
	require.NoError(t, err)
}

func TestChatEndToEndStreamError(t *testing.T) {
	srv, c := newChatServer(t)
	srv.SendStreamError(2, "model crashed")
	st, err := c.Chat.Stream(t.Context(), userAsks("hello world"))
	require.NoError(t, err)
	resp, err := st.Accumulate()
	var apiErr *adaptive.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "model crashed", apiErr.Message)
	assert.NotEmpty(t, apiErr.RequestID)
	assert.Equal(t, "You said:", resp.Choices[0].Message.Content)
}

func TestChatEndToEndStallWithIdleTimeout(t *testing.T) {
	srv, c := newChatServer(t)
	srv.StallStream(1)
	st, err := c.Chat.Stream(t.Context(), userAsks("hello"), adaptive.WithStreamIdleTimeout(50*time.Millisecond))
	require.NoError(t, err)
	_, err = st.Accumulate()
	require.ErrorIs(t, err, adaptive.ErrStreamIdle)
}

func TestChatEndToEndStallThenCloseLeavesNothing(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := adaptivetest.NewServer()
	tr := &http.Transport{}
	c := srv.Client(adaptive.WithHTTPClient(&http.Client{Transport: tr}))
	srv.StallStream(2)
	st, err := c.Chat.Stream(context.Background(), userAsks("hello there friend"))
	require.NoError(t, err)
	require.True(t, st.Next())
	require.True(t, st.Next())
	time.AfterFunc(20*time.Millisecond, func() { _ = st.Close() })
	assert.False(t, st.Next())
	require.NoError(t, st.Err())
	tr.CloseIdleConnections()
	done := make(chan struct{})
	go func() { srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("the server's stalled handler did not end after Close")
	}
}

func TestChatEndToEndServerValidation(t *testing.T) {
	// The server checks what the SDK cannot (here, a model key with a slash
	// but messages sent raw through Do).
	_, c := newChatServer(t)
	err := c.Do(t.Context(), http.MethodPost, "/api/v1/chat/completions", map[string]any{"model": "demo"}, nil)
	var apiErr *adaptive.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusUnprocessableEntity, apiErr.StatusCode)
	assert.True(t, strings.Contains(apiErr.Message, "messages"), apiErr.Message)
}

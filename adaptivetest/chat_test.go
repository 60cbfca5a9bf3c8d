package adaptivetest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive/adaptivetest"
)

// postChat sends body raw to the chat route and returns the status and
// the whole answer (for a cut stream, what arrived and the read error).
func postChat(t *testing.T, srv *adaptivetest.Server, body string) (int, string, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/api/v1/chat/completions", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.APIKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func TestChatRouteValidatesLikeTheServer(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	cases := []struct {
		body   string
		status int
		msg    string
	}{
		{`{"model":"demo"}`, 422, "missing field `messages`"},
		{`{"messages":[{"role":"user","content":"hi"}]}`, 422, "missing field `model`"},
		{`{"model":"demo","messages":[{"content":"hi"}]}`, 422, "messages[0]: missing field `role`"},
		{`{"model":"demo","messages":[{"role":"user","content":"hi"}],"n":-1}`, 422, "n: invalid value: -1, expected at least 0"},
		{`{"model":"demo","messages":[{"role":"user","content":"hi"}],"n":2.5}`, 422, "n: invalid type: floating point `2.5`, expected an integer"},
		{`{"model":"demo","messages":[{"role":"user","content":"hi"}],"n":129}`, 400, "n: at most 128"},
		{`{"model":"demo","messages":[{"role":"user","content":"hi"}],"stream":"yes"}`, 422, "stream: invalid type: string \"yes\", expected a boolean"},
		{`{"model":"demo","messages":[{"role":"user","content":"hi"}],"stream":null}`, 422, "stream: invalid type: null"},
		{`{"model":"demo","messages":[{"role":"user","content":"hi"}],"session_id":"nope"}`, 422, `session_id: invalid UUID "nope"`},
		{`{"model":"demo","messages":[{"role":"user","content":"hi"}],"stream_options":{"include_usage":1}}`, 422, "stream_options.include_usage: invalid type"},
		{`{"model":"demo","messages":[{"role":"user","content":"hi"}],"temperature":"hot"}`, 422, "temperature: invalid type: string \"hot\", expected a number or null"},
		{`{"model":"demo","messages":[{"role":"user","content":"hi"}],"temperature":1e39}`, 422, "temperature: invalid value: 1e39, expected f32"},
		{`{"model":"demo","messages":[{"role":"user","content":"hi"}],"tools":[1]}`, 422, "tools[0]: invalid type: integer `1`, expected a map"},
		{`{"model":"demo","messages":[{"role":"user","content":"hi"}],"tools":[{"name":"a","enabled":true}]}`, 422, "tools[0]: missing field `id`"},
		{`{"model":"demo","messages":[{"role":"user","content":[{"type":"video"}]}]}`, 422, "messages[0].content[0].type: unknown variant string \"video\", expected `text` or `image_url`"},
		{`{"model":"demo","messages":[{"role":"user","content":[{"type":"image_url"}]}]}`, 422, "messages[0].content[0]: missing field `image_url`"},
		{`{"model":"demo","messages":[{"role":"user","content":7}]}`, 422, "messages[0].content: invalid type: integer `7`, expected a string or a sequence"},
		{`{"model":"demo","messages":[{"role":"user","content":"hi"}],"labels":{"a":1}}`, 422, "labels.a: invalid type: integer `1`, expected a string"},
		{`[]`, 422, "invalid type: sequence, expected a map"},
		{`{"model":"demo"} {}`, 400, "trailing characters"},
		{`{"model":`, 400, "parse"},
	}
	for _, tc := range cases {
		status, body, err := postChat(t, srv, tc.body)
		require.NoError(t, err)
		assert.Equal(t, tc.status, status, tc.body)
		var e struct{ Error string }
		require.NoError(t, json.Unmarshal([]byte(body), &e), body)
		assert.Contains(t, e.Error, tc.msg, tc.body)
	}
}

func TestChatRouteAcceptsWhatTheSchemaAllows(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	for _, tc := range []struct {
		body    string
		choices int
		reply   string
	}{
		{`{"model":"","messages":[]}`, 1, "Hello! How can I help you today?"},
		{`{"model":"demo","messages":[{"role":"user","content":"hi"}],"n":0}`, 1, "You said: hi"},
		{`{"model":"demo","messages":[{"role":"user","content":"hi"}],"n":2.0}`, 2, "You said: hi"},
		{`{"model":"demo","messages":[{"role":"user","content":[{"type":"image_url","image_url":"data:image/png;base64,iVBORw0KGgo="},
			{"type":"text","text":"what is"},{"type":"text","text":"this?"}],"metadata":[1,{"any":"json"}]}],
			"tools":[{"id":"search","enabled":false}],"system_prompt_args":{"user":{"name":"Ann"}},"tags":null,"store":null,
			"temperature":0.5,"top_p":1,"max_ttft_ms":9007199254740991,"ab_campaign":null,"session_id":"urn:uuid:AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA",
			"unknown_field":true}`, 1, "You said: what is this?"},
	} {
		status, body, err := postChat(t, srv, tc.body)
		require.NoError(t, err)
		require.Equal(t, 200, status, "%s: %s", tc.body, body)
		var resp struct {
			Choices []struct{ Message struct{ Content string } }
		}
		require.NoError(t, json.Unmarshal([]byte(body), &resp))
		require.Len(t, resp.Choices, tc.choices, tc.body)
		assert.Equal(t, tc.reply, resp.Choices[0].Message.Content, tc.body)
	}
}

func TestChatRouteAnswersDeterministically(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	status, body, err := postChat(t, srv, `{"model":"demo/m","n":2,"stop":[" of"],
		"messages":[{"role":"user","content":"first"},{"role":"assistant","content":"ok"},{"role":"user","content":"capital  of France"}]}`)
	require.NoError(t, err)
	require.Equal(t, 200, status, body)
	var resp struct {
		ID      string
		Created float64
		Choices []struct {
			Index   int
			Message struct{ Role, Content string }
			Model   string
		}
		Usage struct {
			PromptTokens     int `json:"prompt_tokens"`
			CompletionTokens int `json:"completion_tokens"`
		}
	}
	require.NoError(t, json.Unmarshal([]byte(body), &resp))
	assert.NotEmpty(t, resp.ID)
	assert.InDelta(t, float64(time.Now().Unix()), resp.Created, 60)
	require.Len(t, resp.Choices, 2)
	assert.Equal(t, "You said: capital", resp.Choices[0].Message.Content, "cut at the stop sequence")
	assert.Equal(t, "[1] You said: capital", resp.Choices[1].Message.Content)
	assert.Equal(t, "demo/m", resp.Choices[0].Model)
	assert.Equal(t, 5, resp.Usage.PromptTokens)
	assert.Equal(t, 3+4, resp.Usage.CompletionTokens)
	assert.Equal(t, "You said: a b", adaptivetest.ChatReply("  a\n b "))
	assert.Equal(t, "Hello! How can I help you today?", adaptivetest.ChatReply(" "))
}

// events splits a stream body into its data payloads, checking that every
// event is a "data:" event (comments aside).
func events(t *testing.T, body string) []string {
	t.Helper()
	var out []string
	for block := range strings.SplitSeq(strings.TrimSuffix(body, "\n\n"), "\n\n") {
		if strings.HasPrefix(block, ":") {
			continue
		}
		data, ok := strings.CutPrefix(block, "data: ")
		require.True(t, ok, "event %q", block)
		out = append(out, data)
	}
	return out
}

func TestChatRouteStreams(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	status, body, err := postChat(t, srv, `{"model":"demo","stream":true,"stream_options":{"include_usage":true},
		"messages":[{"role":"user","content":"one two three"}]}`)
	require.NoError(t, err)
	require.Equal(t, 200, status)
	assert.Contains(t, body, ": keep-alive\n\n")
	ev := events(t, body)
	require.Len(t, ev, 5+1+1+1+1+1+1, "5 words, TTFT, the last chunk, finish_reason, usage, TotalRequestDuration, [DONE]")
	var content strings.Builder
	var messageID string
	for i, e := range ev[:7] {
		if i == 1 {
			assert.Contains(t, e, `"TTFT":`)
			continue
		}
		var ch struct {
			Choices []struct {
				Index        int
				Delta        struct{ ID, Role, Content string }
				CompletionID string `json:"completion_id"`
				FinishReason string `json:"finish_reason"`
			}
		}
		require.NoError(t, json.Unmarshal([]byte(e), &ch), e)
		require.Len(t, ch.Choices, 1)
		d := ch.Choices[0]
		content.WriteString(d.Delta.Content)
		assert.Equal(t, "assistant", d.Delta.Role, "every delta has the required role")
		if messageID == "" {
			messageID = d.Delta.ID
		}
		assert.Equal(t, messageID, d.Delta.ID, "one message id per choice")
		assert.NotEmpty(t, d.CompletionID)
		if i == 6 {
			assert.Equal(t, "stop", d.FinishReason)
			assert.Empty(t, d.Delta.Content)
		} else {
			assert.Empty(t, d.FinishReason)
		}
	}
	assert.NotEmpty(t, messageID)
	assert.Equal(t, "You said: one two three", content.String())
	assert.Contains(t, ev[7], `"finish_reason":"stop"`)
	assert.NotContains(t, ev[7], `"choices"`, "a metadata event")
	assert.Contains(t, ev[8], `"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}`)
	assert.Contains(t, ev[8], `"choices":[]`)
	assert.Contains(t, ev[9], `"TotalRequestDuration":`)
	assert.Equal(t, "[DONE]", ev[10])
}

func TestChatRouteStreamFaults(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	req := `{"model":"demo","stream":true,"messages":[{"role":"user","content":"a b c d e"}]}`

	srv.CutStreamAfter(2)
	_, body, err := postChat(t, srv, req)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.NotContains(t, body, "[DONE]")
	assert.NotContains(t, body, "finish_reason")
	assert.Equal(t, 2, strings.Count(body, `"delta"`))

	srv.SendStreamError(3, "boom")
	_, body, err = postChat(t, srv, req)
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(body, "event: error\ndata: {\"error\":\"boom\"}\n\n"), body)
	assert.Equal(t, 3, strings.Count(body, `"delta"`))

	_, body, err = postChat(t, srv, req)
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(body, "data: [DONE]\n\n"), "faults are used once")
}

func TestChatRouteStallEndsWithTheClient(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.StallStream(1)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/api/v1/chat/completions",
		bytes.NewReader([]byte(`{"model":"demo","stream":true,"messages":[{"role":"user","content":"a b"}]}`)))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.APIKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	assert.Equal(t, 1, strings.Count(string(body), `"delta"`))
	// Close returns: the stalled handler saw the client go.
}

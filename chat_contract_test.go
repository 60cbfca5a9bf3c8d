package adaptive_test

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
)

// Answers that the contract (testdata's OpenAPI document) does not allow:
// each misses a required field, and the call must fail naming it rather
// than return zero values the server did not send.
func TestChatCreateFailsOnMissingRequiredFields(t *testing.T) {
	without := func(path ...string) string {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(chatAnswer), &m))
		obj := m
		for _, k := range path[:len(path)-1] {
			if k == "0" {
				obj = obj["choices"].([]any)[0].(map[string]any)
				continue
			}
			obj = obj[k].(map[string]any)
		}
		delete(obj, path[len(path)-1])
		b, err := json.Marshal(m)
		require.NoError(t, err)
		return string(b)
	}
	for _, tc := range []struct{ answer, want string }{
		{`{}`, "required field id"},
		{`null`, "the chat answer is null"},
		{`{"choices":null}`, "required field id"},
		{strings.Replace(chatAnswer, `"choices":[`, `"choices":null,"x":[`, 1), "required field choices "},
		{without("created"), "required field created"},
		{without("session_id"), "required field session_id"},
		{without("usage"), "required field usage "},
		{without("usage", "total_tokens"), "usage.total_tokens"},
		{without("0", "index"), "choices[0].index"},
		{without("0", "completion_id"), "choices[0].completion_id"},
		{without("0", "model"), "choices[0].model"},
		{without("0", "message"), "choices[0].message.id"},
		{without("0", "message", "id"), "choices[0].message.id"},
		{without("0", "message", "role"), "choices[0].message.role"},
		{without("0", "message", "content"), "choices[0].message.content"},
		{strings.Replace(chatAnswer, `"content":"Paris."`, `"content":null`, 1), "choices[0].message.content"},
		{strings.Replace(chatAnswer, `"index":0`, `"index":0.5`, 1), "not a 32-bit integer"},
		{strings.Replace(chatAnswer, `"created":1720712536.25`, `"created":"1720712536"`, 1), "a number is required"},
		{strings.Replace(chatAnswer, `"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd"`, `"session_id":"s1"`, 1), "not a uuid"},
	} {
		rec := newInfRecorder(t, 200, tc.answer)
		resp, err := rec.client(t, "proj").Chat.Create(context.Background(), adaptive.ChatRequest{Messages: infUserMsg})
		assert.Nil(t, resp, tc.answer)
		require.Error(t, err, tc.answer)
		assert.Contains(t, err.Error(), tc.want, tc.answer)
		assert.Contains(t, err.Error(), "decoding the answer of POST", tc.answer)
	}
}

func TestChatCreateDecodesAnyStringAndToleratesUnknownFields(t *testing.T) {
	answer := `{"id":"","created":0,"session_id":"00000000-0000-0000-0000-000000000000","usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0,"extra":1},` +
		`"choices":[{"index":1,"message":{"id":"","role":"assistant","content":"","audio":null},"completion_id":"cmpl-Zx9 not a uuid","model":"",` +
		`"finish_reason":null,"logprobs":{"a":[1]}}],"system_fingerprint":"fp"}`
	rec := newInfRecorder(t, 200, answer)
	resp, err := rec.client(t, "proj").Chat.Create(context.Background(), adaptive.ChatRequest{Messages: infUserMsg})
	require.NoError(t, err, "zero values that are present are schema-valid")
	assert.Equal(t, &adaptive.ChatResponse{Choices: []adaptive.ChatChoice{{Index: 1,
		Message: adaptive.ChatChoiceMessage{Role: "assistant"}, CompletionID: "cmpl-Zx9 not a uuid"}}}, resp)

	rec = newInfRecorder(t, 200, strings.Replace(answer, `"choices":[{`, `"choices":[],"x":[{`, 1))
	resp, err = rec.client(t, "proj").Chat.Create(context.Background(), adaptive.ChatRequest{Messages: infUserMsg})
	require.NoError(t, err)
	assert.Equal(t, []adaptive.ChatChoice{}, resp.Choices, "an empty choices array is present (n = 0)")
}

func TestChatChoiceChatMessageContinuesTheConversation(t *testing.T) {
	uuidID := infIDA.String()
	for _, tc := range []struct{ completionID, wantSent string }{
		{uuidID, `,"completion_id":"` + uuidID + `"`},
		{"cmpl-1", ""}, // not a uuid: a request message cannot carry it
	} {
		choice := adaptive.ChatChoice{Message: adaptive.ChatChoiceMessage{ID: "msg-1", Role: adaptive.RoleAssistant, Content: "Paris."},
			CompletionID: tc.completionID, Model: "m"}
		msgs := append(append([]adaptive.ChatMessage(nil), infUserMsg...), choice.ChatMessage(),
			adaptive.ChatMessage{Role: adaptive.RoleUser, Content: "And Italy?"})
		rec := newInfRecorder(t, 200, chatAnswer)
		_, err := rec.client(t, "proj").Chat.Create(context.Background(), adaptive.ChatRequest{Messages: msgs})
		require.NoError(t, err)
		_, _, body := rec.last(t)
		assert.JSONEq(t, `{"model":"proj","messages":[{"role":"user","content":"Capital of France?"},
			{"role":"assistant","content":"Paris."`+tc.wantSent+`},{"role":"user","content":"And Italy?"}]}`, body)
	}
}

func TestChatSendsWhatTheSchemaAllows(t *testing.T) {
	// n 0, max_tokens 0, no messages, an empty role and an empty text part
	// are allowed by the schema: sent as they are.
	rec := newInfRecorder(t, 200, chatAnswer)
	c := rec.client(t, "proj")
	_, err := c.Chat.Create(context.Background(), adaptive.ChatRequest{N: adaptive.Ptr(0), MaxTokens: adaptive.Ptr(0)})
	require.NoError(t, err)
	_, _, body := rec.last(t)
	assert.JSONEq(t, `{"model":"proj","messages":[],"n":0,"max_tokens":0}`, body)

	_, err = c.Chat.Create(context.Background(), adaptive.ChatRequest{Messages: []adaptive.ChatMessage{{},
		{Role: "user", Parts: []adaptive.ContentPart{adaptive.TextPart("")}}, {Role: "user", Parts: []adaptive.ContentPart{}}}})
	require.NoError(t, err)
	_, _, body = rec.last(t)
	assert.JSONEq(t, `{"model":"proj","messages":[{"role":"","content":""},{"role":"user","content":[{"type":"text","text":""}]},
		{"role":"user","content":""}]}`, body, "an empty Parts is no parts: the message is text")
}

func TestChatMessageJSONRoundTrip(t *testing.T) {
	for _, m := range []adaptive.ChatMessage{
		{Role: "user", Content: "hi", Name: "ann", CompletionID: infIDA.String()},
		{Role: "user", Parts: []adaptive.ContentPart{adaptive.TextPart("look"), adaptive.ImagePart("https://x/y.png"),
			adaptive.ImageDataPart("image/jpeg", []byte{1, 2, 3})}, Metadata: map[string]any{"k": []any{1.0, "v"}}},
	} {
		b, err := json.Marshal(m)
		require.NoError(t, err)
		var back adaptive.ChatMessage
		require.NoError(t, json.Unmarshal(b, &back), "%s", b)
		assert.Equal(t, m, back, "%s", b)
	}
	var m adaptive.ChatMessage
	for _, bad := range []string{`{"role":"user","content":[{"type":"audio","audio":"x"}]}`, `{"role":"user","content":[{"type":"text"}]}`,
		`{"role":"user","content":[{"type":"image_url","text":"x"}]}`, `{"role":"user","content":3}`} {
		assert.Error(t, json.Unmarshal([]byte(bad), &m), bad)
	}
	_, err := json.Marshal(adaptive.ContentPart{})
	assert.Error(t, err, "an unset part is never sent")
}

func TestContentPartAccessors(t *testing.T) {
	text, ok := adaptive.TextPart("t").Text()
	assert.True(t, ok)
	assert.Equal(t, "t", text)
	_, ok = adaptive.TextPart("t").ImageURL()
	assert.False(t, ok)
	url, ok := adaptive.ImageDataPart("IMAGE/PNG", []byte("hi")).ImageURL()
	assert.True(t, ok)
	assert.Equal(t, "data:image/png;base64,aGk=", url, "the media type is normalised")
	assert.True(t, adaptive.ContentPart{}.IsZero())
	assert.False(t, adaptive.ImagePart("").IsZero(), "set, though rejected at validation")
}

// Stream events as exact bytes: what is a chunk, what is metadata.
func TestStreamTellsMetadataFromChunksByKeys(t *testing.T) {
	const chunkHead = `data: {"id":"c","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd",`
	cases := []struct {
		name  string
		parts []string
		want  []string // contents of the chunks' first choice
		meta  []string // the metadata kept
		err   string   // "" for a clean end
	}{
		{"metadata with an id and a bare finish_reason ends the answer",
			[]string{sseChunk1, `data: {"id":"c","finish_reason":"stop","TTFT":3}` + "\n\n"},
			[]string{"Hel"}, []string{`{"id":"c","finish_reason":"stop","TTFT":3}`}, ""},
		{"finish_reason with index finishes that choice",
			[]string{sseContent(0, "a", ""), sseContent(1, "b", ""), `data: {"finish_reason":"stop","index":1}` + "\n\n",
				`data: {"finish_reason":"length","index":0,"completion_id":"cmpl-0"}` + "\n\n"},
			[]string{"a", "b"}, []string{`{"finish_reason":"stop","index":1}`, `{"finish_reason":"length","index":0,"completion_id":"cmpl-0"}`}, ""},
		{"a chunk that also carries metadata keys is a chunk",
			[]string{chunkHead + `"TTFT":5,"choices":[{"index":0,"delta":{"id":"m","role":"assistant","content":"x"},"completion_id":"1","finish_reason":"stop"}]}` + "\n\n"},
			[]string{"x"}, nil, ""},
		{"the usage chunk has an empty choices array",
			[]string{sseChunk1, sseUsage, sseDone}, []string{"Hel", "-"}, nil, ""},
		{"null choices with a metadata key is metadata",
			[]string{sseChunk1, `data: {"choices":null,"TotalRequestDuration":9}` + "\n\n", sseDone},
			[]string{"Hel"}, []string{`{"choices":null,"TotalRequestDuration":9}`}, ""},
		{"an unknown event without chunk keys is kept as metadata",
			[]string{sseChunk1, `data: {"queue_position":2}` + "\n\n", sseDone},
			[]string{"Hel"}, []string{`{"queue_position":2}`}, ""},
		{"metadata keys in another case are not metadata keys",
			[]string{sseChunk1, `data: {"Finish_Reason":"stop","ttft":1}` + "\n\n"},
			[]string{"Hel"}, []string{`{"Finish_Reason":"stop","ttft":1}`}, "without [DONE]"},
		{"a chunk without choices is an error, not metadata",
			[]string{sseChunk1, chunkHead + `"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}` + "\n\n", sseDone},
			[]string{"Hel"}, nil, "stream event 2 is malformed: the answer does not follow the API: required field choices is missing"},
		{"a delta without role",
			[]string{strings.Replace(sseChunk2, `"role":"assistant",`, "", 1), sseDone},
			nil, nil, "required field choices[0].delta.role"},
		{"a delta without id",
			[]string{strings.Replace(sseChunk1, `"id":"m1",`, "", 1), sseDone},
			nil, nil, "required field choices[0].delta.id"},
		{"a choice without completion_id",
			[]string{sseChunk1, strings.Replace(sseChunk2, `,"completion_id":"cmpl-7f3a"`, "", 1), sseDone},
			[]string{"Hel"}, nil, "required field choices[0].completion_id"},
		{"a chunk without session_id",
			[]string{strings.Replace(sseChunk1, `"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd",`, "", 1), sseDone},
			nil, nil, "required field session_id"},
		{"a usage without a count",
			[]string{strings.Replace(sseUsage, `"prompt_tokens":3,`, "", 1), sseDone},
			nil, nil, "required field usage.prompt_tokens"},
		{"a null chunk",
			[]string{"data: null\n\n", sseDone}, nil, []string{"null"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newSSEServer(t, writes(tc.parts...))
			got, st, err := readStream(t, srv.client(t))
			assert.Equal(t, tc.want, got)
			var meta []string
			for _, m := range st.Metadata() {
				meta = append(meta, string(m))
			}
			assert.Equal(t, tc.meta, meta)
			if tc.err == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.err)
			if tc.err != "without [DONE]" {
				assert.NotErrorIs(t, err, io.ErrUnexpectedEOF)
			}
		})
	}
}

func TestChatChunkUnmarshalJSONChecksRequiredFields(t *testing.T) {
	var c adaptive.ChatChunk
	data := strings.TrimSuffix(strings.TrimPrefix(sseChunk2, "data: "), "\n\n")
	require.NoError(t, json.Unmarshal([]byte(data), &c))
	assert.Equal(t, adaptive.ChatChunk{ID: "c1", Created: 1764190000.123, SessionID: infIDSess, Choices: []adaptive.ChatChunkChoice{
		{Delta: adaptive.ChatChoiceMessage{ID: "m1", Role: "assistant", Content: "lo"}, CompletionID: "cmpl-7f3a"}}}, c)
	for _, bad := range []string{`{}`, `null`, `{"id":"c","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd"}`} {
		assert.Error(t, json.Unmarshal([]byte(bad), &c), bad)
	}
}

package adaptiveotel_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
	adaptiveotel "github.com/adaptive-go/adaptive/otel"
)

// conversation has a system message, a named user message with a text, an
// image by URL and an image as data, for the content tests.
var conversation = adaptive.ChatRequest{Messages: []adaptive.ChatMessage{
	{Role: adaptive.RoleSystem, Content: "You answer briefly."},
	{Role: adaptive.RoleUser, Name: "ann", Parts: []adaptive.ContentPart{
		adaptive.TextPart("What are these?"),
		adaptive.ImagePart("https://example.com/cat.png"),
		adaptive.ImageDataPart("image/png", []byte{0x89, 'P', 'N', 'G'}),
	}},
}}

func TestMessageContentIsOptIn(t *testing.T) {
	f := newFixture(t, nil)
	resp, err := f.client.Chat.Create(t.Context(), conversation)
	require.NoError(t, err)
	a := attrs(f.only(t).Attributes())
	assert.NotContains(t, a, "gen_ai.input.messages")
	assert.NotContains(t, a, "gen_ai.output.messages")
	assertNoValue(t, f.ended(), resp.Choices[0].Message.Content)
	assertNoValue(t, f.ended(), "What are these?")
}

func TestMessageContent(t *testing.T) {
	f := newFixture(t, nil, adaptiveotel.WithMessageContent(true))
	resp, err := f.client.Chat.Create(t.Context(), conversation)
	require.NoError(t, err)
	a := attrs(f.only(t).Attributes())
	assert.Equal(t, []any{
		map[string]any{"role": "system", "parts": []any{map[string]any{"type": "text", "content": "You answer briefly."}}},
		map[string]any{"role": "user", "name": "ann", "parts": []any{
			map[string]any{"type": "text", "content": "What are these?"},
			map[string]any{"type": "uri", "modality": "image", "uri": "https://example.com/cat.png"},
			map[string]any{"type": "blob", "modality": "image", "mime_type": "image/png",
				"content": base64.StdEncoding.EncodeToString([]byte{0x89, 'P', 'N', 'G'})},
		}},
	}, a["gen_ai.input.messages"])
	assert.Equal(t, []any{map[string]any{
		"role":          "assistant",
		"parts":         []any{map[string]any{"type": "text", "content": resp.Choices[0].Message.Content}},
		"finish_reason": resp.Choices[0].FinishReason,
	}}, a["gen_ai.output.messages"])

	// A stream's output is what its chunks added up to; a stream cut short
	// leaves its choice unfinished, as an error.
	f.srv.CutStreamAfter(2)
	st, err := f.client.Chat.Stream(t.Context(), userHi)
	require.NoError(t, err)
	partial, err := st.Accumulate()
	require.Error(t, err)
	out := attrs(f.ended()[1].Attributes())["gen_ai.output.messages"].([]any)
	require.Len(t, out, 1)
	msg := out[0].(map[string]any)
	assert.Equal(t, "error", msg["finish_reason"])
	assert.Equal(t, []any{map[string]any{"type": "text", "content": partial.Choices[0].Message.Content}}, msg["parts"])
	assert.NotEmpty(t, partial.Choices[0].Message.Content)

	// Embeddings have no content attribute in the conventions: their input
	// is never recorded.
	_, err = f.client.Embeddings.Create(t.Context(), adaptive.EmbeddingsRequest{Input: "private words"})
	require.NoError(t, err)
	assertNoValue(t, f.ended(), "private words")
}

const secretKey = "sk-otel-3c9e1f-NEVER-IN-A-SPAN"

// TestNoKeyInAnyAttribute runs calls of every kind, with content capture
// on and failures, and looks for the key in every span and metric.
func TestNoKeyInAnyAttribute(t *testing.T) {
	f := newFixture(t, []adaptivetest.Option{adaptivetest.WithAPIKey(secretKey)}, adaptiveotel.WithMessageContent(true))
	_, err := f.client.Chat.Create(t.Context(), conversation)
	require.NoError(t, err)
	st, err := f.client.Chat.Stream(t.Context(), userHi)
	require.NoError(t, err)
	_, err = st.Accumulate()
	require.NoError(t, err)
	_, err = f.client.Embeddings.Create(t.Context(), adaptive.EmbeddingsRequest{Input: "x"})
	require.NoError(t, err)
	f.srv.FailNext(adaptivetest.RouteChat, 2, adaptivetest.Fault{Status: 401})
	_, err = f.client.Chat.Create(t.Context(), userHi)
	require.Error(t, err)
	_, err = f.client.Uploads.Upload(t.Context(), strings.NewReader("a,b\n1,2\n"), nil)
	require.NoError(t, err)
	// A client with a wrong key: the server's refusal must not echo it.
	wrong := f.srv.Client(append(adaptiveotel.ClientOptions(adaptiveotel.WithTracerProvider(f.tp)),
		adaptive.WithAPIKey(secretKey+"-wrong"))...)
	_, err = wrong.Chat.Create(t.Context(), userHi)
	require.Error(t, err)

	spans := f.ended()
	require.Greater(t, len(spans), 6)
	assertNoValue(t, spans, secretKey)
	assertNoValue(t, spans, "Bearer")
	for name, points := range f.metrics(t) {
		for _, p := range points {
			for k, v := range p.attrs {
				assert.NotContains(t, fmt.Sprint(k, "=", v), secretKey, name)
			}
		}
	}
}

// assertNoValue fails when needle appears in any span's name, attributes,
// status or events.
func assertNoValue(t *testing.T, spans []sdktrace.ReadOnlySpan, needle string) {
	t.Helper()
	for _, s := range spans {
		var b strings.Builder
		b.WriteString(s.Name() + " " + s.Status().Description)
		for _, kv := range s.Attributes() {
			b.WriteString(" " + string(kv.Key) + "=" + kv.Value.Emit())
		}
		for _, e := range s.Events() {
			b.WriteString(" " + e.Name)
			for _, kv := range e.Attributes {
				b.WriteString(" " + string(kv.Key) + "=" + kv.Value.Emit())
			}
		}
		assert.NotContains(t, b.String(), needle, "span %s", s.Name())
	}
}

package adaptive_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

// TestImageMessagesEndToEnd sends a message with text, an image URL and
// inline image bytes through chat, a stream, a comparison and an
// interaction to the fake server, which checks every request against the
// contract: each is accepted, and the wire carries the content array.
func TestImageMessagesEndToEnd(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	img := adaptive.ChatMessage{Role: adaptive.RoleUser, Parts: []adaptive.ContentPart{
		adaptive.TextPart("What is in this picture?"),
		adaptive.ImagePart("https://example.com/cat.png"),
		adaptive.ImageDataPart("image/png", []byte("\x89PNG\r\n\x1a\n")),
	}, Metadata: map[string]any{"source": "camera"}}
	msgs := []adaptive.ChatMessage{img}

	resp, err := c.Chat.Create(t.Context(), adaptive.ChatRequest{Messages: msgs})
	require.NoError(t, err)
	require.NotEmpty(t, resp.Choices)
	st, err := c.Chat.Stream(t.Context(), adaptive.ChatRequest{Messages: msgs})
	require.NoError(t, err)
	_, err = st.Accumulate()
	require.NoError(t, err)
	_, err = c.Feedback.Comparison(t.Context(), adaptive.ComparisonRequest{Metric: "m", Messages: msgs,
		PreferredCompletion: adaptive.CompletionText("a cat", "m1"), OtherCompletion: adaptive.CompletionText("a dog", "m2")})
	require.NoError(t, err)
	_, err = c.Interactions.Add(t.Context(), adaptive.InteractionRequest{Messages: msgs, Completion: "a cat"})
	require.NoError(t, err)

	for _, route := range []string{adaptivetest.RouteChat, adaptivetest.RouteComparison, adaptivetest.RouteInteractions} {
		reqs := srv.RequestsTo(route)
		require.NotEmpty(t, reqs, route)
		var body struct {
			Messages []struct {
				Content  []map[string]string `json:"content"`
				Metadata map[string]string   `json:"metadata"`
			} `json:"messages"`
		}
		require.NoError(t, json.Unmarshal(reqs[0].Body, &body), route)
		require.Len(t, body.Messages, 1, route)
		assert.Equal(t, []map[string]string{
			{"type": "text", "text": "What is in this picture?"},
			{"type": "image_url", "image_url": "https://example.com/cat.png"},
			{"type": "image_url", "image_url": "data:image/png;base64,iVBORw0KGgo="},
		}, body.Messages[0].Content, route)
		assert.Equal(t, map[string]string{"source": "camera"}, body.Messages[0].Metadata, route)
	}
}

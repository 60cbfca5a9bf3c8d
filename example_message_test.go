package adaptive_test

import (
	"encoding/json"
	"fmt"
	"log"

	"github.com/adaptive-go/adaptive"
)

// A message with an image is made of parts: its text and the image,
// referred to by URL. Content stays empty; the message is sent as the
// API's array of parts.
func ExampleImagePart() {
	msg := adaptive.ChatMessage{
		Role: adaptive.RoleUser,
		Parts: []adaptive.ContentPart{
			adaptive.TextPart("What is in this picture?"),
			adaptive.ImagePart("https://example.com/cat.png"),
		},
	}
	// client.Chat.Create(ctx, adaptive.ChatRequest{Messages: []adaptive.ChatMessage{msg}})
	b, err := json.Marshal(msg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(b))
	// Output:
	// {"role":"user","content":[{"type":"text","text":"What is in this picture?"},{"type":"image_url","image_url":"https://example.com/cat.png"}]}
}

// ImageDataPart sends the image itself, as a base64 data: URI, for images
// the server cannot fetch (a file read from disk, a screenshot).
func ExampleImageDataPart() {
	png := []byte("\x89PNG\r\n\x1a\n") // os.ReadFile("chart.png") in a real program
	msg := adaptive.ChatMessage{
		Role: adaptive.RoleUser,
		Parts: []adaptive.ContentPart{
			adaptive.TextPart("Describe this chart."),
			adaptive.ImageDataPart("image/png", png),
		},
	}
	url, _ := msg.Parts[1].ImageURL()
	fmt.Println(url)
	// Output:
	// data:image/png;base64,iVBORw0KGgo=
}

// TextPart is the text of a message made of parts. A message with text
// only sets Content instead.
func ExampleTextPart() {
	for _, msg := range []adaptive.ChatMessage{
		{Role: adaptive.RoleUser, Content: "Hello"},
		{Role: adaptive.RoleUser, Parts: []adaptive.ContentPart{adaptive.TextPart("Hello"), adaptive.TextPart("again")}},
	} {
		b, err := json.Marshal(msg)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(string(b))
	}
	// Output:
	// {"role":"user","content":"Hello"}
	// {"role":"user","content":[{"type":"text","text":"Hello"},{"type":"text","text":"again"}]}
}

// The assistant's answer goes back into the conversation with
// ChatChoice.ChatMessage, which keeps its role, content and (when it is a
// uuid) completion id.
func ExampleChatChoice_ChatMessage() {
	// resp, err := client.Chat.Create(ctx, req)
	resp := adaptive.ChatResponse{Choices: []adaptive.ChatChoice{{
		Message:      adaptive.ChatChoiceMessage{ID: "msg-1", Role: adaptive.RoleAssistant, Content: "Paris."},
		CompletionID: "6f1c2f8e-2a5b-4c3d-9e8f-0123456789ab",
	}}}
	req := adaptive.ChatRequest{Messages: []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "Capital of France?"}}}
	req.Messages = append(req.Messages, resp.Choices[0].ChatMessage(),
		adaptive.ChatMessage{Role: adaptive.RoleUser, Content: "And of Italy?"})
	b, err := json.Marshal(req.Messages[1])
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(b))
	// Output:
	// {"role":"assistant","content":"Paris.","completion_id":"6f1c2f8e-2a5b-4c3d-9e8f-0123456789ab"}
}

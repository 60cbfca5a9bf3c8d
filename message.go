package adaptive

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
)

// Roles of a ChatMessage.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// ChatMessage is one message of a conversation, as chat completions,
// comparisons and interactions take it.
//
// A text message sets Content; a message with images sets Parts instead
// (built with TextPart, ImagePart and ImageDataPart). Setting both is a
// *ValidationError. A message with neither is sent with the empty string
// as content, which the API accepts (its content is required, and "" is a
// string).
type ChatMessage struct {
	// Role is RoleSystem, RoleUser or RoleAssistant. The API takes any
	// string; an empty Role is sent as is and names no role.
	Role string
	// Content is the text of a text message.
	Content string
	// Parts is the content of a message made of parts (text and images),
	// sent as the API's array of parts. It is used when it holds at least
	// one part.
	Parts []ContentPart
	// Name optionally names the author of the message.
	Name string
	// CompletionID optionally ties an assistant message to the completion
	// that produced it. The API takes a uuid here: another string is a
	// *ValidationError before anything is sent.
	CompletionID string
	// Metadata is optional free metadata: any value that encodes as JSON
	// (the API takes any JSON value). nil sends none.
	Metadata any
}

// chatMessageJSON is the wire form of a ChatMessage: content is a string
// or an array of parts.
type chatMessageJSON struct {
	Role         string          `json:"role"`
	Content      json.RawMessage `json:"content"`
	Name         string          `json:"name,omitempty"`
	CompletionID string          `json:"completion_id,omitempty"`
	Metadata     any             `json:"metadata,omitempty"`
}

// chatTextMessageJSON is chatMessageJSON with text content.
type chatTextMessageJSON struct {
	Role         string `json:"role"`
	Content      string `json:"content"`
	Name         string `json:"name,omitempty"`
	CompletionID string `json:"completion_id,omitempty"`
	Metadata     any    `json:"metadata,omitempty"`
}

// MarshalJSON encodes m as the API's message: content is Content as a
// string, or Parts as an array of {"type": "text", "text": ...} and
// {"type": "image_url", "image_url": ...} objects when Parts is not empty.
func (m ChatMessage) MarshalJSON() ([]byte, error) {
	if len(m.Parts) == 0 {
		// The common text message, in one pass.
		return json.Marshal(chatTextMessageJSON{Role: m.Role, Content: m.Content, Name: m.Name, CompletionID: m.CompletionID, Metadata: m.Metadata})
	}
	c, err := json.Marshal(m.Parts)
	if err != nil {
		return nil, err
	}
	return json.Marshal(chatMessageJSON{Role: m.Role, Content: c, Name: m.Name, CompletionID: m.CompletionID, Metadata: m.Metadata})
}

// UnmarshalJSON decodes the API's message, with content as a string (into
// Content) or an array of parts (into Parts). Metadata decodes as
// encoding/json decodes into an interface value.
func (m *ChatMessage) UnmarshalJSON(b []byte) error {
	var w chatMessageJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*m = ChatMessage{Role: w.Role, Name: w.Name, CompletionID: w.CompletionID, Metadata: w.Metadata}
	content := bytes.TrimSpace(w.Content)
	switch {
	case len(content) == 0 || string(content) == "null":
	case content[0] == '[':
		return json.Unmarshal(content, &m.Parts)
	default:
		return json.Unmarshal(content, &m.Content)
	}
	return nil
}

// Ptr returns a pointer to v, for the optional fields of requests whose zero
// value is meaningful: Temperature: adaptive.Ptr(0.0).
func Ptr[T any](v T) *T { return &v }

// validateMessages checks what the API would reject in msgs: Content and
// Parts both set, a bad part, a completion id that is not a uuid, metadata
// that JSON cannot carry. field names the request field in the errors, with
// the message index (and part index).
func validateMessages(field string, msgs []ChatMessage) error {
	for i := range msgs {
		m := &msgs[i]
		at := fmt.Sprintf("%s[%d]", field, i)
		if m.Content != "" && len(m.Parts) > 0 {
			return invalid(at, "both Content and Parts are set: a message is either text (Content) or parts (Parts); put the text in an adaptive.TextPart")
		}
		for k, p := range m.Parts {
			if err := p.validate(fmt.Sprintf("%s.Parts[%d]", at, k)); err != nil {
				return err
			}
		}
		if m.CompletionID != "" {
			if err := validateUUID(at+".CompletionID", m.CompletionID); err != nil {
				return err
			}
		}
		if m.Metadata != nil {
			if _, err := json.Marshal(m.Metadata); err != nil {
				return invalid(at+".Metadata", "cannot be encoded as JSON: %v", err)
			}
		}
	}
	return nil
}

// validateUUID returns a *ValidationError naming field unless s is a uuid
// in its standard form, as the API's uuid format requires.
func validateUUID(field, s string) error {
	if !isUUID(s) {
		return invalid(field, "%q is not a uuid (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", s)
	}
	return nil
}

// isUUID reports whether s is a uuid in the standard 36-character form
// (uuid.Parse also takes braces, a urn: prefix and bare hex).
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}

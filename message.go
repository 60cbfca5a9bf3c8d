package adaptive

import "github.com/google/uuid"

// Roles of a ChatMessage.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// ChatMessage is one message of a conversation, as chat completions,
// comparisons and interactions take it.
type ChatMessage struct {
	// Role is RoleSystem, RoleUser or RoleAssistant.
	Role string `json:"role"`
	// Content is the text of the message.
	Content string `json:"content"`
	// Name optionally names the author of the message.
	Name string `json:"name,omitempty"`
	// CompletionID optionally ties an assistant message to the completion
	// that produced it.
	CompletionID *uuid.UUID `json:"completion_id,omitempty"`
}

// Ptr returns a pointer to v, for the optional fields of requests whose zero
// value is meaningful: Temperature: adaptive.Ptr(0.0).
func Ptr[T any](v T) *T { return &v }

// validateMessages checks that there is at least one message and that each
// has a role; field names the request field in the error.
func validateMessages(field string, msgs []ChatMessage) error {
	if len(msgs) == 0 {
		return invalid(field, "no messages: give at least one")
	}
	for i, m := range msgs {
		if m.Role == "" {
			return invalid(field, "message %d has no Role: set adaptive.RoleUser, RoleSystem or RoleAssistant", i)
		}
	}
	return nil
}

package conformance_test

import (
	"github.com/google/uuid"

	"github.com/adaptive-go/adaptive"
)

// The few request fields whose Go types the contract changes (DESIGN.md):
// CompletionID takes a string, upload metadata is a map of strings. They
// are built here only, so that the tests follow the SDK's types in one
// place.

// completionID is the Completion of the completion id s.
func completionID(s string) adaptive.Completion { return adaptive.CompletionID(uuid.MustParse(s)) }

// messageCompletionID is the value of ChatMessage.CompletionID for s.
func messageCompletionID(s string) *uuid.UUID { u := uuid.MustParse(s); return &u }

// uploadMetadata is UploadInitRequest.Metadata with string values.
func uploadMetadata(kv map[string]string) map[string]any {
	out := make(map[string]any, len(kv))
	for k, v := range kv {
		out[k] = v
	}
	return out
}

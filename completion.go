package adaptive

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Completion names the completion a comparison is about: either by the id
// the API gave it (CompletionID) or as raw text with the model that wrote it
// (CompletionText). The zero Completion is unset and is rejected by the
// calls that send it.
//
// On the wire it is a uuid string or an object {"text": ..., "model": ...}.
type Completion struct {
	id    string
	text  string
	model string
	kind  completionKind
}

type completionKind uint8

const (
	completionUnset completionKind = iota
	completionByID
	completionByText
)

// CompletionID returns a Completion given by its id, as an answer gave it:
// a chat choice's CompletionID or an interaction's. The API takes a uuid
// here: an id in another form (or empty) is a *ValidationError when the
// request is sent.
func CompletionID(id string) Completion { return Completion{id: id, kind: completionByID} }

// CompletionText returns a Completion given as raw text, with the id or key
// of the model that produced it. Requests that use raw text completions
// must also carry the messages that prompted them. The API takes any
// strings, empty ones included, though an empty model names none.
func CompletionText(text, model string) Completion {
	return Completion{text: text, model: model, kind: completionByText}
}

// IsZero reports whether c is unset.
func (c Completion) IsZero() bool { return c.kind == completionUnset }

// ID returns the id of a Completion given by id; ok is false otherwise.
func (c Completion) ID() (id string, ok bool) { return c.id, c.kind == completionByID }

// Text returns the text and model of a Completion given as raw text; ok is
// false otherwise.
func (c Completion) Text() (text, model string, ok bool) {
	return c.text, c.model, c.kind == completionByText
}

// String returns the id, or the model and the text, for logs and tests.
func (c Completion) String() string {
	switch c.kind {
	case completionByID:
		return c.id
	case completionByText:
		return fmt.Sprintf("%s: %q", c.model, c.text)
	}
	return "<unset>"
}

// validate returns a *ValidationError naming field when c is unset or an
// id that is not a uuid. A raw text completion takes any text and model
// (the API requires both keys, which are always sent).
func (c Completion) validate(field string) error {
	switch c.kind {
	case completionUnset:
		return invalid(field, "no completion: set it with adaptive.CompletionID or adaptive.CompletionText")
	case completionByID:
		return validateUUID(field, c.id)
	}
	return nil
}

// completionTextJSON is the wire form of a raw text completion.
type completionTextJSON struct {
	Text  string `json:"text"`
	Model string `json:"model"`
}

// MarshalJSON encodes c as its id string or as {"text", "model"}. An unset
// Completion is an error.
func (c Completion) MarshalJSON() ([]byte, error) {
	switch c.kind {
	case completionByID:
		return json.Marshal(c.id)
	case completionByText:
		return json.Marshal(completionTextJSON{Text: c.text, Model: c.model})
	}
	return nil, errors.New("adaptive: Completion is unset: build it with adaptive.CompletionID or adaptive.CompletionText")
}

// UnmarshalJSON decodes an id string or a {"text", "model"} object; null
// leaves c unset.
func (c *Completion) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*c = Completion{}
		return nil
	case len(b) > 0 && b[0] == '"':
		var id string
		if err := json.Unmarshal(b, &id); err != nil {
			return fmt.Errorf("adaptive: decoding a completion id: %w", err)
		}
		*c = CompletionID(id)
		return nil
	case len(b) > 0 && b[0] == '{':
		var t completionTextJSON
		if err := json.Unmarshal(b, &t); err != nil {
			return fmt.Errorf("adaptive: decoding a raw text completion: %w", err)
		}
		*c = CompletionText(t.Text, t.Model)
		return nil
	}
	return fmt.Errorf("adaptive: a completion must be an id string or {\"text\", \"model\"}, not %s", preview(b))
}

package transport

import (
	"bytes"
	"strings"
)

// minRedactLen is the shortest key that is redacted from text: shorter keys
// would match ordinary words and garble messages, and real keys are long.
const minRedactLen = 8

// Secret holds the API key. It keeps the key inside a closure: reflection
// based printers (fmt's %#v, spew behind testify's diffs, go-cmp) print a
// func as an address and cannot reach the variables it captures, so no
// value that holds a Secret ever shows the key.
type Secret struct {
	reveal func() (key string, header []string)
}

// NewSecret returns the Secret of key.
func NewSecret(key string) Secret {
	header := []string{"Bearer " + key}
	return Secret{reveal: func() (string, []string) { return key, header }}
}

// IsZero reports whether s holds no key.
func (s Secret) IsZero() bool { return s.reveal == nil }

// header returns the Authorization header value, shared: net/http only reads it.
func (s Secret) header() []string {
	_, h := s.reveal()
	return h
}

// Redact replaces every occurrence of the key in text with "[REDACTED]", so
// that a server that echoes the key (an error such as "invalid token
// Bearer sk-...") does not put it into an error message.
func (s Secret) Redact(text string) string {
	if s.reveal == nil {
		return text
	}
	key, _ := s.reveal()
	if len(key) < minRedactLen || !strings.Contains(text, key) {
		return text
	}
	return strings.ReplaceAll(text, key, "[REDACTED]")
}

// RedactBytes is Redact for a body kept in an error. It returns b itself
// when the key is not in it.
func (s Secret) RedactBytes(b []byte) []byte {
	if s.reveal == nil {
		return b
	}
	key, _ := s.reveal()
	if len(key) < minRedactLen || !bytes.Contains(b, []byte(key)) {
		return b
	}
	return bytes.ReplaceAll(b, []byte(key), []byte("[REDACTED]"))
}

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

const redacted = "[REDACTED]"

// Redact replaces every occurrence of the key in text with "[REDACTED]", so
// that a server that echoes the key (an error such as "invalid token
// Bearer sk-...") does not put it into an error message. Text that ends in
// the first minRedactLen bytes or more of the key (a body read up to a
// bound that fell inside the key) loses that tail too. Redact before
// cutting text: a cut inside the key would leave a prefix no one finds.
func (s Secret) Redact(text string) string {
	if s.reveal == nil {
		return text
	}
	key, _ := s.reveal()
	if len(key) < minRedactLen {
		return text
	}
	if strings.Contains(text, key) {
		text = strings.ReplaceAll(text, key, redacted)
	}
	if n := keyPrefixAtEnd(text, key); n > 0 {
		text = text[:len(text)-n] + redacted
	}
	return text
}

// RedactBytes is Redact for a body kept in an error. It returns b itself
// when the key is not in it.
func (s Secret) RedactBytes(b []byte) []byte {
	if s.reveal == nil {
		return b
	}
	key, _ := s.reveal()
	if len(key) < minRedactLen {
		return b
	}
	if bytes.Contains(b, []byte(key)) {
		b = bytes.ReplaceAll(b, []byte(key), []byte(redacted))
	}
	if n := keyPrefixAtEnd(string(b), key); n > 0 {
		b = append(b[:len(b)-n:len(b)-n], redacted...)
	}
	return b
}

// keyPrefixAtEnd returns the length of the longest proper prefix of key,
// of at least minRedactLen bytes, that text ends with, or 0.
func keyPrefixAtEnd(text, key string) int {
	for n := min(len(key)-1, len(text)); n >= minRedactLen; n-- {
		if text[len(text)-n:] == key[:n] {
			return n
		}
	}
	return 0
}

// RedactError returns err with the key redacted from its message, still
// unwrapping to err: for errors that quote what a server sent.
func (s Secret) RedactError(err error) error {
	if err == nil {
		return nil
	}
	if msg := err.Error(); s.Redact(msg) != msg {
		return &redactedError{err: err, msg: s.Redact(msg)}
	}
	return err
}

type redactedError struct {
	err error
	msg string
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

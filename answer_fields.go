package adaptive

import (
	"bytes"
	"fmt"
	"math"
	"strconv"

	"github.com/google/uuid"
)

// The wire forms of answers decode their required fields into the types
// below, which remember whether the key was there: encoding/json leaves a
// missing field at its zero value, and a zero value the contract allows
// ("" ids, index 0, created 0) cannot be told from a missing one. Each
// decodes in the pass of the surrounding value (strings as text, numbers
// from their literal), so the check costs no second parse. null counts as
// missing: none of the contract's required fields is nullable.

// wireString is a required JSON string.
type wireString struct {
	v  string
	ok bool
}

func (s *wireString) UnmarshalText(b []byte) error {
	s.v, s.ok = string(b), true
	return nil
}

// wireUUID is a required JSON string in the uuid format.
type wireUUID struct {
	v  uuid.UUID
	ok bool
}

func (u *wireUUID) UnmarshalText(b []byte) error {
	id, err := uuid.ParseBytes(b)
	if err != nil {
		return fmt.Errorf("%q is not a uuid", b)
	}
	u.v, u.ok = id, true
	return nil
}

// wireInt is a required JSON integer of the contract's int32 format (a
// number with no fractional part, as JSON Schema's integer).
type wireInt struct {
	v  int
	ok bool
}

func (n *wireInt) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	v, err := int32Number(b)
	if err != nil {
		return err
	}
	n.v, n.ok = v, true
	return nil
}

// int32Number reads a JSON literal that must be an integer of the int32
// format.
func int32Number(b []byte) (int, error) {
	f, ok, err := jsonNumber(b)
	if err != nil {
		return 0, err
	}
	if !ok || f != math.Trunc(f) || f < math.MinInt32 || f > math.MaxInt32 {
		return 0, fmt.Errorf("%s is not a 32-bit integer", b)
	}
	return int(f), nil
}

// wireNumber is a required JSON number.
type wireNumber struct {
	v  float64
	ok bool
}

func (n *wireNumber) UnmarshalJSON(b []byte) error {
	f, ok, err := jsonNumber(b)
	if err != nil || !ok {
		return err
	}
	n.v, n.ok = f, true
	return nil
}

// jsonNumber reads a JSON literal that must be a number; ok is false for
// null. encoding/json has already checked that b is one valid JSON value.
func jsonNumber(b []byte) (f float64, ok bool, err error) {
	if isNull(b) {
		return 0, false, nil
	}
	if len(b) == 0 || !(b[0] == '-' || (b[0] >= '0' && b[0] <= '9')) {
		return 0, false, fmt.Errorf("a number is required, not %s", preview(b))
	}
	// ParseFloat is exact for every integer of the int32 format; a
	// failed ParseInt first would allocate its error on every "created".
	f, err = strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, false, fmt.Errorf("%s is not a number Go can hold", preview(b))
	}
	return f, true, nil
}

// isNull reports whether b is the JSON null.
func isNull(b []byte) bool { return bytes.Equal(bytes.TrimSpace(b), []byte("null")) }

// missingField is the error of an answer that lacks a field the contract
// requires: the call fails rather than hand out a zero value the server
// did not send.
func missingField(path string) error {
	return fmt.Errorf("the answer does not follow the API: required field %s is missing or null", path)
}

// nullAnswer is the error of an answer that is the JSON null where the
// contract requires an object.
func nullAnswer(what string) error {
	return fmt.Errorf("the answer does not follow the API: %s is null, not an object", what)
}

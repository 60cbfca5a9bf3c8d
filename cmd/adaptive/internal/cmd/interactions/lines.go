package interactions

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/adaptive-go/adaptive"
)

// maxLine bounds one line of an import file.
const maxLine = 64 << 20

// parseLine reads one interaction: a JSON object with "messages" and
// "completion", and the other fields of adaptive.InteractionRequest
// ("feedbacks", "session_id", "created_at", ...) by their wire names. An
// unknown field is an error, so that a misspelt one is not dropped.
func parseLine(line []byte) (adaptive.InteractionRequest, error) {
	var req adaptive.InteractionRequest
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(line, &fields); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return req, fmt.Errorf("not valid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
		}
		return req, errors.New("not a JSON object: give one interaction per line, such as {\"messages\": [...], \"completion\": \"...\"}")
	}
	for _, k := range []string{"messages", "completion"} {
		if _, ok := fields[k]; !ok {
			return req, fmt.Errorf("missing %q", k)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var date *time.ParseError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &date):
			return req, fmt.Errorf("%q is not an RFC 3339 date such as 2024-02-21T09:51:03Z", date.Value)
		case errors.As(err, &typ) && typ.Field != "":
			return req, fmt.Errorf("%s: a JSON %s where the API takes %s", typ.Field, typ.Value, typ.Type)
		}
		return req, errors.New(strings.TrimPrefix(err.Error(), "json: "))
	}
	return req, nil
}

// isBlank reports whether a line holds only white space: not an
// interaction, and not counted.
func isBlank(line []byte) bool { return len(bytes.TrimSpace(line)) == 0 }

// newScanner reads lines of up to maxLine bytes.
func newScanner(r io.Reader) *bufio.Scanner {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	return sc
}

// countLines counts the lines of r that are not blank, for the progress
// total.
func countLines(r io.Reader) (int64, error) {
	sc := newScanner(r)
	var n int64
	for sc.Scan() {
		if !isBlank(sc.Bytes()) {
			n++
		}
	}
	return n, sc.Err()
}

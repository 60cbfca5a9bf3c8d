package adaptive

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Sentinel errors matched by *APIError through errors.Is, so that callers
// can branch on the kind of failure without reading status codes:
//
//	if errors.Is(err, adaptive.ErrNotFound) { ... }
var (
	// ErrNotFound matches a 404 answer.
	ErrNotFound = errors.New("adaptive: not found")
	// ErrUnauthorized matches a 401 or 403 answer: a missing, wrong or
	// insufficient API key.
	ErrUnauthorized = errors.New("adaptive: unauthorized")
	// ErrRateLimited matches a 429 answer.
	ErrRateLimited = errors.New("adaptive: rate limited")
	// ErrServer matches any 5xx answer.
	ErrServer = errors.New("adaptive: server error")
)

// maxErrorBody bounds how much of an error answer is read into memory.
const maxErrorBody = 64 << 10

// APIError is an answer from the Adaptive server with a non-2xx status, or
// an error the server reported in the middle of a stream. When retries run
// out, it describes the last attempt.
type APIError struct {
	// StatusCode is the HTTP status of the answer (200 for an error sent
	// inside a stream that had started).
	StatusCode int
	// Message is the server's explanation: the "error", "message" or
	// "detail" field of a JSON body, or the body text.
	Message string
	// RequestID is the server's id of the request, from the x-request-id
	// header or one of its usual variants; empty when the server sent none.
	RequestID string
	// Method and URL identify the request that failed.
	Method string
	URL    string
	// Body is the raw answer, at most 64 KiB of it.
	Body []byte
}

// Error describes the failure in one line: status, message, request and
// request id.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("adaptive: ")
	if e.Method != "" {
		b.WriteString(e.Method)
		b.WriteByte(' ')
		b.WriteString(e.URL)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" (request id ")
		b.WriteString(e.RequestID)
		b.WriteByte(')')
	}
	return b.String()
}

// Is reports whether the error matches one of the sentinel errors
// ErrNotFound, ErrUnauthorized, ErrRateLimited or ErrServer.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrServer:
		return e.StatusCode >= 500 && e.StatusCode <= 599
	}
	return false
}

// ValidationError reports bad input caught before anything was sent.
type ValidationError struct {
	// Field names the offending field or parameter, as written in Go
	// (for example "ChatRequest.Messages" or "datasetID").
	Field string
	// Reason says what is wrong and what to do about it.
	Reason string
}

// Error returns "adaptive: invalid <Field>: <Reason>".
func (e *ValidationError) Error() string {
	return "adaptive: invalid " + e.Field + ": " + e.Reason
}

func invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// requestIDHeaders are the headers servers and proxies use for a request id,
// in order of preference.
var requestIDHeaders = []string{"X-Request-Id", "Request-Id", "X-Amzn-Requestid", "X-Amz-Request-Id", "X-Correlation-Id", "X-Trace-Id"}

func requestID(h http.Header) string {
	for _, k := range requestIDHeaders {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// newAPIError builds the error for a non-2xx response and closes its body.
// At most maxErrorBody bytes are read, however large the body is.
func newAPIError(resp *http.Response) *APIError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	_ = resp.Body.Close()
	e := &APIError{
		StatusCode: resp.StatusCode,
		RequestID:  requestID(resp.Header),
		Body:       body,
		Message:    errorMessage(body),
	}
	if resp.Request != nil {
		e.Method = resp.Request.Method
		e.URL = redactURL(resp.Request.URL)
	}
	return e
}

// errorMessage extracts a message from an error body: {"error": "..."},
// {"error": {"message": "..."}}, {"message": "..."}, {"detail": ...}, or
// else the body text itself.
func errorMessage(body []byte) string {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return ""
	}
	if body[0] == '{' {
		var m map[string]json.RawMessage
		if json.Unmarshal(body, &m) == nil {
			for _, k := range []string{"error", "message", "detail"} {
				if raw, ok := m[k]; ok {
					if s := messageOf(raw); s != "" {
						return clip(s)
					}
				}
			}
		}
	}
	return clip(string(body))
}

// clip makes a message printable in one error line: valid UTF-8, at most
// about 1 KiB.
func clip(s string) string {
	const maxText = 1024
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) > maxText {
		s = strings.ToValidUTF8(s[:maxText], "") + "…"
	}
	return s
}

// messageOf turns one JSON value into a message: a string as is, an object
// by its "message" (or "error"/"detail") field, anything else as compact JSON.
func messageOf(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil {
		for _, k := range []string{"message", "error", "detail", "msg"} {
			if v, ok := obj[k]; ok {
				if s := messageOf(v); s != "" {
					return s
				}
			}
		}
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) == nil && buf.Len() > 0 && buf.String() != "null" {
		return buf.String()
	}
	return ""
}

// redactURL drops any user info from u so that credentials embedded in a
// base URL never reach an error message.
func redactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	if u.User == nil {
		return u.String()
	}
	c := *u
	c.User = nil
	return c.String()
}

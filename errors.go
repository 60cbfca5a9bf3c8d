package adaptive

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/adaptive-go/adaptive/internal/transport"
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
	// ErrRedirectRefused is the cause of a call stopped at a redirect the
	// SDK does not follow: from https to http, or, for API calls (all but
	// downloads), to another origin (scheme, host and port). The error says
	// which. Downloads follow redirects to other origins (but never from
	// https to http), sending them neither the API key nor the WithHeader
	// headers.
	ErrRedirectRefused = transport.ErrRedirectRefused
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
	// Body is the raw answer, at most 64 KiB of it, with the API key
	// redacted should the server echo it.
	Body []byte
	// Header holds the answer's headers (nil for an error sent inside a
	// stream): see RetryAfter and RateLimit for the usual ones.
	Header http.Header
	// Attempts is the number of attempts made; when it is more than one,
	// the error describes the last.
	Attempts int
	// Duration is the time the call took until this answer.
	Duration time.Duration
}

// RetryAfter returns how long the server asked to wait before another
// attempt (Retry-After in seconds or as a date, or retry-after-ms), capped
// at one minute, and whether it asked.
func (e *APIError) RetryAfter() (time.Duration, bool) {
	if e.Header == nil {
		return 0, false
	}
	return transport.RetryAfter(e.Header, time.Now())
}

// RateLimit returns the rate-limit state the answer reported, if any.
func (e *APIError) RateLimit() (RateLimit, bool) { return ParseRateLimit(e.Header) }

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
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
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

// newAPIError builds the error for a non-2xx answer and closes its body.
// At most maxErrorBody bytes are read, however large the body is; the key
// is redacted from what is kept. The answer's body is left readable again
// (the bytes kept), for WithResponseInto.
func newAPIError(cfg *config, resp *transport.Response, took time.Duration) *APIError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	_ = resp.Body.Close()
	body = cfg.key.RedactBytes(body)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	e := &APIError{
		StatusCode: resp.StatusCode,
		RequestID:  requestID(resp.Header),
		Body:       body,
		Message:    errorMessage(body), // body is redacted already: redact, then cut
		Header:     resp.Header,
		Attempts:   resp.Attempts,
		Duration:   took,
	}
	if resp.Request != nil {
		e.Method = resp.Request.Method
		e.URL = cfg.transport.ErrorURL(resp.Request.URL)
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

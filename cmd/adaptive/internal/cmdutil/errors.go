package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/adaptive-go/adaptive"
)

// Exit codes of the adaptive command.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// UsageError is a mistake in the command line: a bad flag or argument. The
// command exits with ExitUsage.
type UsageError struct{ Err error }

// Error returns the message of the mistake.
func (e *UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the mistake.
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a *UsageError with a formatted message.
func Usagef(format string, args ...any) error {
	return &UsageError{fmt.Errorf(format, args...)}
}

// ErrReported is returned by a command that has already told the user
// what failed: the command exits with ExitFailure and prints nothing more.
var ErrReported = errors.New("failure already reported")

// ExitCode returns the exit code for the error a command returned.
func ExitCode(err error) int {
	var usage *UsageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &usage):
		return ExitUsage
	}
	return ExitFailure
}

// Describe returns the one line that tells the user what failed and, when
// it can be known, what to do about it. The API key is never part of it:
// the SDK keeps it out of its errors.
func Describe(err error) string {
	msg := strings.TrimPrefix(err.Error(), "adaptive: ")
	if hint := Hint(err); hint != "" {
		msg += ": " + hint
	}
	return msg
}

// Hint says what to do about an error, or "" when there is nothing to say
// beyond the error itself.
func Hint(err error) string {
	var apiErr *adaptive.APIError
	var valErr *adaptive.ValidationError
	switch {
	case errors.Is(err, context.Canceled):
		if strings.Contains(err.Error(), "interrupt") {
			return "" // the signal's cause says it already
		}
		return "interrupted"
	case errors.As(err, &valErr):
		return ""
	case errors.As(err, &apiErr):
		switch {
		case apiErr.StatusCode == http.StatusUnauthorized:
			return "check the key in " + adaptive.EnvAPIKey
		case apiErr.StatusCode == http.StatusForbidden:
			return "the key in " + adaptive.EnvAPIKey + " may not do this: check its permissions"
		case apiErr.StatusCode == http.StatusNotFound:
			return "check the project (--project or " + adaptive.EnvProject + "), model, key or id"
		case apiErr.StatusCode == http.StatusTooManyRequests:
			return "rate limited: try again later"
		case apiErr.StatusCode >= 500:
			return "the server failed: try again later, giving the request id to support if it goes on"
		}
	}
	return ""
}

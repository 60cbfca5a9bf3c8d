package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MaxRetryAfter caps how long a server's Retry-After may make a call wait.
const MaxRetryAfter = 60 * time.Second

// policy is the retry policy of one call. retryablehttp calls check and
// backoff sequentially, so it needs no locking.
type policy struct {
	idempotent bool
	maxRetries int
	logger     *slog.Logger
	method     string
	path       string
	attempts   int
}

// check decides whether an attempt is retried: never for a cancelled
// context; for 408, 409, 429 and 5xx except 501; for transport failures
// when the request never reached the server, or for idempotent calls.
func (p *policy) check(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	p.attempts++
	var retry bool
	status := 0
	if err != nil {
		retry = retryableError(err, p.idempotent)
	} else {
		status = resp.StatusCode
		retry = RetryableStatus(status)
	}
	if retry && p.attempts <= p.maxRetries && p.logger != nil {
		attrs := []slog.Attr{
			slog.String("method", p.method),
			slog.String("path", p.path),
			slog.Int("attempt", p.attempts),
		}
		if status != 0 {
			attrs = append(attrs, slog.Int("status", status))
		} else {
			attrs = append(attrs, slog.String("error", errorKind(err)))
		}
		p.logger.LogAttrs(ctx, slog.LevelDebug, "adaptive: retrying request", attrs...)
	}
	return retry, nil
}

// RetryableStatus reports whether an answer with this status is worth
// another attempt.
func RetryableStatus(code int) bool {
	switch {
	case code == http.StatusRequestTimeout, code == http.StatusConflict, code == http.StatusTooManyRequests:
		return true
	case code == http.StatusNotImplemented:
		return false
	default:
		return code >= 500 && code <= 599
	}
}

func retryableError(err error, idempotent bool) bool {
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	if errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) {
		return false
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		msg := uerr.Err.Error()
		if strings.Contains(msg, "unsupported protocol scheme") || strings.Contains(msg, "stopped after") ||
			strings.Contains(msg, "invalid header") {
			return false
		}
	}
	return NotSent(err) || idempotent
}

// NotSent reports whether err shows that the request never reached the
// server (the connection could not be made), so that even a non-idempotent
// call can safely be sent again.
func NotSent(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr)
}

// errorKind names a transport failure for the log without its text, which
// may hold a URL.
func errorKind(err error) string {
	switch {
	case errors.Is(err, ErrAttemptTimeout):
		return "attempt timeout"
	case NotSent(err):
		return "connect failed"
	default:
		return "transport error"
	}
}

// backoff honours Retry-After (seconds or HTTP date) and retry-after-ms up
// to MaxRetryAfter, and otherwise waits exponentially from min to max with
// jitter, so that many clients retrying at once spread out.
func (p *policy) backoff(min, max time.Duration, attemptNum int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := RetryAfter(resp.Header, time.Now()); ok {
			return d
		}
	}
	d := min
	for i := 0; i < attemptNum && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	if d <= 0 {
		return 0
	}
	// Wait between 3/4 and all of d.
	return d - rand.N(d/4+1)
}

// RetryAfter reads the server's wish of when to retry from retry-after-ms or
// Retry-After (delay in seconds or an HTTP date), capped at MaxRetryAfter.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	var d time.Duration
	if v := h.Get("Retry-After-Ms"); v != "" {
		ms, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || ms < 0 {
			return 0, false
		}
		d = capped(ms * float64(time.Millisecond))
	} else if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil {
			if secs < 0 {
				return 0, false
			}
			d = capped(secs * float64(time.Second))
		} else if t, err := http.ParseTime(v); err == nil {
			d = max(t.Sub(now), 0)
		} else {
			return 0, false
		}
	} else {
		return 0, false
	}
	return min(d, MaxRetryAfter), true
}

// capped converts nanoseconds to a Duration no longer than MaxRetryAfter,
// without overflowing on absurd values.
func capped(ns float64) time.Duration {
	if ns >= float64(MaxRetryAfter) {
		return MaxRetryAfter
	}
	return time.Duration(ns)
}

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

// checkRetry is retryablehttp's CheckRetry: the policy of the call the
// request belongs to (see check).
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	return callOf(ctx).check(ctx, resp, err)
}

// noBackoff is retryablehttp's Backoff: none, since check has already
// waited. Backoff is not given the request, so the call's wait (its
// Retry-After, its log record) is decided and waited for in check, where
// the call is known.
func noBackoff(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 }

// check decides whether an attempt is retried: never for a cancelled
// context; otherwise per the call's Retry class (see Retry). It logs each
// retry with its cause and wait, frees the connection of the answer it
// retries away from, and waits before it returns; a context that ends
// during the wait ends the call with the context's error.
func (c *call) check(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	retry, cause := c.retryable(resp, err)
	if !retry || c.attempts > c.s.MaxRetries {
		return retry, nil
	}
	wait := c.backoffFor(resp)
	if l := c.s.Logger; l != nil && l.Enabled(ctx, slog.LevelDebug) {
		route := c.r.Route
		if route == "" {
			route = c.r.Path
		}
		l.LogAttrs(ctx, slog.LevelDebug, "adaptive: retrying",
			slog.String("method", c.r.Method),
			slog.String("route", route),
			slog.Int("attempt", c.attempts),
			slog.String("cause", cause),
			slog.Duration("wait", wait))
	}
	if resp != nil && !c.bodyRead {
		DrainAndClose(resp.Body)
	}
	if err := sleep(ctx, wait); err != nil {
		c.canceled = true
		return false, err
	}
	return true, nil
}

// sleep waits for d, or until ctx ends, returning its error then.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryable applies the call's Retry class to the attempt's outcome, and
// names the cause for the log (never an error's text, which may hold a URL).
func (c *call) retryable(resp *http.Response, err error) (bool, string) {
	if err != nil {
		switch {
		case permanent(err):
			return false, ""
		case NotSent(err):
			return true, "connect failed"
		case c.retry != RetryAny:
			return false, ""
		case errors.Is(err, ErrAttemptTimeout):
			return true, "attempt timeout"
		case errors.Is(err, ErrIdleTimeout):
			return true, "idle timeout"
		default:
			var be *BodyError
			if errors.As(err, &be) {
				return true, "answer cut"
			}
			return true, "transport error"
		}
	}
	code := resp.StatusCode
	switch {
	case code == http.StatusTooManyRequests:
		return true, "status 429"
	case c.retry != RetryUnsent && RetryableStatus(code):
		return true, "status " + strconv.Itoa(code)
	}
	return false, ""
}

// RetryableStatus reports whether an answer with this status is worth
// another attempt of a call whose repetition is harmless.
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

// permanent reports failures that another attempt would meet again.
func permanent(err error) bool {
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var tooLarge *TooLargeError
	var mwErr *MiddlewareError
	var stopped *redirectStopped
	if errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) ||
		errors.As(err, &tooLarge) || errors.As(err, &mwErr) || errors.As(err, &stopped) || errors.Is(err, ErrRedirectRefused) {
		return true
	}
	// net/http has no types for these: a URL it cannot send to, a header it
	// cannot write.
	var uerr *url.Error
	if errors.As(err, &uerr) {
		msg := uerr.Err.Error()
		if strings.Contains(msg, "unsupported protocol scheme") || strings.Contains(msg, "invalid header") {
			return true
		}
	}
	return false
}

// NotSent reports whether err shows that the request never reached the
// server (the connection could not be made), so that even a write can
// safely be sent again.
func NotSent(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) && (opErr.Op == "dial" || opErr.Op == "proxyconnect") {
		return true
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr)
}

// backoffFor honours Retry-After (seconds or HTTP date) and retry-after-ms up
// to MaxRetryAfter, and otherwise waits exponentially from RetryWaitMin to
// RetryWaitMax with jitter, so that many clients retrying at once spread out.
func (c *call) backoffFor(resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := RetryAfter(resp.Header, time.Now()); ok {
			return d
		}
	}
	return jittered(c.s.RetryWaitMin, c.s.RetryWaitMax, c.attempts-1)
}

// Backoff is the wait before retry (or poll) number n+1: min doubled n
// times, capped at max, less up to a quarter at random.
func Backoff(min, max time.Duration, n int) time.Duration { return jittered(min, max, n) }

// jittered is the exponential wait before retry number n+1: min doubled n
// times, capped at max, less up to a quarter at random.
func jittered(min, max time.Duration, n int) time.Duration {
	d := min
	for i := 0; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	if d <= 0 {
		return 0
	}
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

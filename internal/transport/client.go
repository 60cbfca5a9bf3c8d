package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// WrapClient returns a copy of hc whose transport applies the per-attempt
// timeout and exposes only RoundTrip. Hiding CloseIdleConnections matters:
// retryablehttp calls it on every give-up path, which would drop the idle
// connections of unrelated calls sharing the transport.
func WrapClient(hc *http.Client) *http.Client {
	if hc == nil {
		hc = &http.Client{}
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	wrapped := *hc
	wrapped.Transport = roundTripper{base}
	return &wrapped
}

type attemptKey struct{}

type attempt struct {
	timeout time.Duration
	stream  bool
}

// ErrAttemptTimeout is the cause of an attempt cut by the per-attempt
// timeout. It wraps context.DeadlineExceeded.
var ErrAttemptTimeout = fmt.Errorf("request attempt exceeded the timeout set by WithTimeout: %w", context.DeadlineExceeded)

type roundTripper struct{ base http.RoundTripper }

func (rt roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	a, _ := req.Context().Value(attemptKey{}).(attempt)
	if a.timeout <= 0 {
		return rt.base.RoundTrip(req)
	}
	ctx, cancel := context.WithCancelCause(req.Context())
	timer := time.AfterFunc(a.timeout, func() { cancel(ErrAttemptTimeout) })
	resp, err := rt.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		timer.Stop()
		if errors.Is(context.Cause(ctx), ErrAttemptTimeout) {
			err = ErrAttemptTimeout
		}
		cancel(nil)
		return nil, err
	}
	if a.stream {
		// A streamed body may legitimately last longer than any attempt
		// timeout; the stream's own idle timeout guards it instead.
		timer.Stop()
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, ctx: ctx, stop: func() { timer.Stop(); cancel(nil) }}
	return resp, nil
}

// cancelBody releases the attempt's context when the body is closed, and
// reports a read cut by the attempt timeout as ErrAttemptTimeout.
type cancelBody struct {
	io.ReadCloser
	ctx  context.Context
	stop func()
}

func (b *cancelBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && errors.Is(context.Cause(b.ctx), ErrAttemptTimeout) {
		err = ErrAttemptTimeout
	}
	return n, err
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.stop()
	return err
}

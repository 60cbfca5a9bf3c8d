package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// ErrAttemptTimeout is the cause of an attempt cut by the per-attempt
// timeout (WithTimeout). It wraps context.DeadlineExceeded.
var ErrAttemptTimeout = fmt.Errorf("request attempt exceeded the timeout set by WithTimeout: %w", context.DeadlineExceeded)

// ErrIdleTimeout is the cause of a transfer cut by the idle timeout
// (WithIdleTimeout): no byte of a streamed answer arrived, or no byte of an
// upload's body was taken by the connection, for that long. It wraps
// context.DeadlineExceeded.
var ErrIdleTimeout = fmt.Errorf("no data moved within the idle timeout set by WithIdleTimeout: %w", context.DeadlineExceeded)

// attemptTransport is the root of the SDK's layers, run for each attempt
// (and each redirect hop) of a call: it bounds the attempt in time, watches
// streamed bodies for silence, runs the middleware, and has the innermost
// layer attach the credentials.
type attemptTransport struct{ base http.RoundTripper }

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := callOf(req.Context())
	if c == nil { // a request not made by Do: only the base transport applies
		return t.base.RoundTrip(req)
	}
	ctx, cancel := context.WithCancelCause(req.Context())
	a := &attemptTimer{cancel: cancel, timeout: c.s.Timeout}
	orig := req
	req = req.WithContext(ctx)
	if c.r.Upload {
		// The body of an upload part may take longer than any fixed bound
		// on a slow link: it is bounded by silence instead, and the attempt
		// timeout starts once the last byte is out.
		if req.Body != nil && req.Body != http.NoBody {
			req.Body = newSendBody(req.Body, c, a)
		}
	} else {
		a.start()
	}
	resp, err := c.roundTrip(t.base, req, orig)
	if err != nil {
		a.stop()
		err = attemptError(ctx, err)
		cancel(nil)
		return nil, err
	}
	if c.r.Stream {
		// A streamed body may legitimately last longer than any attempt
		// timeout; silence bounds it instead.
		a.stop()
		resp.Body = &recvBody{ReadCloser: resp.Body, ctx: ctx, a: a, idle: newIdleTimer(c.s.IdleTimeout, cancel)}
		return resp, nil
	}
	resp.Body = &recvBody{ReadCloser: resp.Body, ctx: ctx, a: a}
	return resp, nil
}

// attemptError names the cause when one of the SDK's timers cut the attempt.
func attemptError(ctx context.Context, err error) error {
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, ErrAttemptTimeout), errors.Is(cause, ErrIdleTimeout):
		return cause
	}
	return err
}

// attemptTimer is the per-attempt timeout, started when the request is sent
// (or, for uploads, when its body has been sent).
type attemptTimer struct {
	cancel  context.CancelCauseFunc
	timeout time.Duration
	once    sync.Once
	mu      sync.Mutex
	t       *timeoutTimer
	stopped bool
}

func (a *attemptTimer) start() {
	if a.timeout <= 0 {
		return
	}
	a.once.Do(func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		if !a.stopped {
			a.t = timeoutTimers.Get().(*timeoutTimer)
			a.t.arm(a.cancel, a.timeout)
		}
	})
}

func (a *attemptTimer) stop() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stopped = true
	if a.t != nil {
		a.t.disarm()
		a.t = nil
	}
}

// timeoutTimers recycles the timers of attempt timeouts. Every attempt
// starts one and nearly every one is stopped before it fires: resetting a
// stopped timer costs a fraction of creating one (no allocation, and no
// stopped timer left in the runtime's heap to clear).
var timeoutTimers = sync.Pool{New: func() any {
	t := new(timeoutTimer)
	t.t = time.AfterFunc(time.Hour, t.fire)
	t.t.Stop()
	return t
}}

// timeoutTimer cancels the attempt it is armed for with ErrAttemptTimeout.
type timeoutTimer struct {
	t      *time.Timer
	mu     sync.Mutex
	cancel context.CancelCauseFunc
}

func (t *timeoutTimer) arm(cancel context.CancelCauseFunc, d time.Duration) {
	t.mu.Lock()
	t.cancel = cancel
	t.mu.Unlock()
	t.t.Reset(d)
}

func (t *timeoutTimer) fire() {
	t.mu.Lock()
	cancel := t.cancel
	t.mu.Unlock()
	cancel(ErrAttemptTimeout)
}

// disarm stops the timer and recycles it, unless it has already fired:
// then its function may still be running for this attempt, and the timer
// is left to the garbage collector rather than armed for another.
func (t *timeoutTimer) disarm() {
	if t.t.Stop() {
		t.mu.Lock()
		t.cancel = nil
		t.mu.Unlock()
		timeoutTimers.Put(t)
	}
}

// idleTimer cancels an attempt when a transfer waits longer than d for data.
// It runs only while a read (or the connection's take of the next bytes) is
// pending, so a caller that is slow to read is never taken for a silent
// server.
type idleTimer struct {
	d time.Duration
	t *time.Timer
}

func newIdleTimer(d time.Duration, cancel context.CancelCauseFunc) *idleTimer {
	if d <= 0 {
		return nil
	}
	t := time.AfterFunc(d, func() { cancel(ErrIdleTimeout) })
	t.Stop()
	return &idleTimer{d: d, t: t}
}

func (i *idleTimer) wait() {
	if i != nil {
		i.t.Reset(i.d)
	}
}

func (i *idleTimer) done() {
	if i != nil {
		i.t.Stop()
	}
}

// recvBody is the answer's body: it reports reads cut by the SDK's timers by
// their cause, watches for silence when idle is set, and releases the
// attempt (its timer and context) when closed.
type recvBody struct {
	io.ReadCloser
	ctx  context.Context
	a    *attemptTimer
	idle *idleTimer
	once sync.Once
}

func (b *recvBody) Read(p []byte) (int, error) {
	b.idle.wait()
	n, err := b.ReadCloser.Read(p)
	b.idle.done()
	if err != nil && err != io.EOF {
		err = attemptError(b.ctx, err)
	}
	return n, err
}

func (b *recvBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(func() {
		b.idle.done()
		b.a.stop()
		b.a.cancel(nil)
	})
	return err
}

// sendBody is the body of an upload request: the connection's reads of it
// show that bytes are moving. It starts the attempt timeout once the last
// byte has been taken, and reports the bytes taken for progress. net/http
// may close it from another goroutine than the one reading it.
type sendBody struct {
	io.ReadCloser
	c    *call
	a    *attemptTimer
	idle *idleTimer
	sent int64
	once sync.Once
}

func newSendBody(body io.ReadCloser, c *call, a *attemptTimer) *sendBody {
	b := &sendBody{ReadCloser: body, c: c, a: a, idle: newIdleTimer(c.s.IdleTimeout, a.cancel)}
	b.idle.wait() // until the connection takes the first bytes
	return b
}

func (b *sendBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 && b.c.r.Sent != nil {
		b.sent += int64(n)
		b.c.r.Sent(b.sent)
	}
	if err != nil {
		b.end()
	} else {
		b.idle.wait()
	}
	return n, err
}

func (b *sendBody) Close() error {
	b.end()
	return b.ReadCloser.Close()
}

func (b *sendBody) end() {
	b.once.Do(func() {
		b.idle.done()
		b.a.start()
	})
}

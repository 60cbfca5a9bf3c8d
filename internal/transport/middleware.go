package transport

import (
	"fmt"
	"net/http"
)

// Next sends a request on to the next layer and returns its answer.
type Next = func(*http.Request) (*http.Response, error)

// Middleware wraps each attempt of a call: it may read or change the request
// (headers, context), call next once or not at all, and read or replace the
// answer. It runs before the credentials are attached.
type Middleware = func(req *http.Request, next Next) (*http.Response, error)

// MiddlewareError reports a middleware that broke its contract: it
// panicked, or returned neither an answer nor an error. The call ends with
// it and is not retried; other calls are unaffected.
type MiddlewareError struct {
	Position int // 1 for the first (outermost) middleware
	Count    int
	Panic    any // the panic's value, or nil
}

func (e *MiddlewareError) Error() string {
	if e.Panic != nil {
		return fmt.Sprintf("middleware %d of %d panicked: %v", e.Position, e.Count, e.Panic)
	}
	return fmt.Sprintf("middleware %d of %d returned neither a response nor an error", e.Position, e.Count)
}

// roundTrip runs the middleware in order around send. req is the attempt's
// own copy of orig, which no one else sees when there is no middleware.
func (c *call) roundTrip(base http.RoundTripper, req, orig *http.Request) (*http.Response, error) {
	mw := c.s.Middleware
	if len(mw) == 0 {
		return c.send(base, req, orig)
	}
	next := func(r *http.Request) (*http.Response, error) { return c.send(base, r, nil) }
	for i := len(mw) - 1; i >= 0; i-- {
		next = guard(i+1, len(mw), mw[i], next)
	}
	return next(req)
}

// guard runs m, turning its panics and empty answers into a
// *MiddlewareError. A panic raised further in (by next) is not m's: it goes
// on as it is.
func guard(pos, count int, m Middleware, next Next) Next {
	return func(req *http.Request) (resp *http.Response, err error) {
		inner := false
		var got *http.Response // the answer of next, closed if m panics after it
		defer func() {
			if inner {
				return
			}
			if p := recover(); p != nil {
				if got != nil {
					DrainAndClose(got.Body)
				}
				resp, err = nil, &MiddlewareError{Position: pos, Count: count, Panic: p}
			}
		}()
		resp, err = m(req, func(r *http.Request) (*http.Response, error) {
			inner = true
			resp, err := next(r)
			inner = false
			got = resp
			return resp, err
		})
		switch {
		case resp == nil && err == nil:
			return nil, &MiddlewareError{Position: pos, Count: count}
		case resp != nil && err != nil:
			DrainAndClose(resp.Body)
			return nil, err
		}
		return resp, err
	}
}

// send is the innermost layer: it attaches the credentials, only when the
// request goes to the base URL's origin (never to a redirect's other host,
// never over a downgraded scheme), on a copy of the request, so that no
// layer above it, middleware included, ever sees them. The answer points
// back to the request as it was before. When req is already a private copy
// of orig, it is the one that gets the credentials, and the answer points to
// orig.
func (c *call) send(base http.RoundTripper, req, orig *http.Request) (*http.Response, error) {
	out := req
	if c.s.sameOrigin(req.URL) {
		if orig == nil {
			out = new(http.Request)
			*out = *req
		}
		h := make(http.Header, len(req.Header)+1)
		for k, v := range req.Header {
			h[k] = v
		}
		h["Authorization"] = c.s.Key.header()
		out.Header = h
	}
	resp, err := base.RoundTrip(out)
	if resp != nil {
		if orig == nil {
			orig = req
		}
		resp.Request = orig
	}
	return resp, err
}

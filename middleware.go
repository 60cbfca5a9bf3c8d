package adaptive

import (
	"errors"
	"net/http"

	"github.com/adaptive-go/adaptive/internal/transport"
)

// MiddlewareNext sends a request on to the next middleware, or to the
// network after the last one, and returns its answer.
type MiddlewareNext func(*http.Request) (*http.Response, error)

// Middleware wraps each attempt of a call: every retry, and every hop of a
// redirect, runs the whole chain again. It may read the request and change
// it (headers, its context; give next a clone rather than mutating req when
// it changes more than headers), call next at most once, or answer without
// calling it, and it may read or replace the answer. It must return an
// answer or an error; a panic or an empty return ends the call with an
// error naming the middleware's position.
//
// Middleware runs before the credentials are attached: the API key is added
// innermost, and only to requests for the base URL's origin, so a
// middleware that dumps requests never sees it. Retries, backoff and the
// decoding of answers stay outside it.
type Middleware func(req *http.Request, next MiddlewareNext) (*http.Response, error)

// WithMiddleware adds middleware around each attempt. Given to NewClient it
// applies to every call; given to a call it applies to that call, inside the
// client's. Several run in the order given, the first outermost. A nil
// middleware is an error.
func WithMiddleware(mw ...Middleware) Option {
	return func(c *config) error {
		wrapped := make([]transport.Middleware, 0, len(c.middleware)+len(mw))
		wrapped = append(wrapped, c.middleware...)
		for _, m := range mw {
			if m == nil {
				return errors.New("adaptive: WithMiddleware: a middleware is nil")
			}
			wrapped = append(wrapped, func(req *http.Request, next transport.Next) (*http.Response, error) {
				return m(req, MiddlewareNext(next))
			})
		}
		c.middleware = wrapped
		return nil
	}
}

// WithResponseInto stores the call's final HTTP answer (status and headers)
// in *dst when the call ends: also when it fails with an *APIError (the
// answer's body then holds the error body again), and, for streams and
// downloads, as soon as their headers arrive. The body of a JSON answer is
// already consumed. *dst is left nil when no answer arrived. It is an
// option of single calls; a nil dst is an error.
func WithResponseInto(dst **http.Response) Option {
	return func(c *config) error {
		if dst == nil {
			return errors.New("adaptive: WithResponseInto: the destination is nil")
		}
		if !c.perCall {
			return errors.New("adaptive: WithResponseInto applies to one call: pass it to the call, not to NewClient")
		}
		c.responseInto = dst
		return nil
	}
}

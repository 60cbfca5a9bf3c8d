package adaptiveotel

import (
	"net/http"
	"strconv"

	"go.opentelemetry.io/otel/propagation"

	"github.com/adaptive-go/adaptive"
)

// middleware is the Middleware: it runs around each attempt, before the
// SDK adds the credentials.
func (in *instrumentation) middleware(req *http.Request, next adaptive.MiddlewareNext) (*http.Response, error) {
	ctx := req.Context()
	// The first request of a call names its server: a redirect's later
	// hops do not replace it.
	if c := callOf(ctx); c != nil && c.server.Load() == nil {
		c.server.CompareAndSwap(nil, serverOf(req))
	}
	in.propagators.Inject(ctx, propagation.HeaderCarrier(req.Header))
	return next(req)
}

// serverOf returns the host and port req goes to: the URL's alone, which
// holds no credentials (the SDK refuses a base URL with user info, and
// adds the key as a header after this layer).
func serverOf(req *http.Request) *serverAddr {
	s := &serverAddr{host: req.URL.Hostname()}
	if p, err := strconv.Atoi(req.URL.Port()); err == nil {
		s.port = p
	} else if req.URL.Scheme == "http" {
		s.port = 80
	} else {
		s.port = 443
	}
	return s
}

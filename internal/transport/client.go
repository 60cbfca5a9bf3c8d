package transport

import (
	"net/http"
	"sync"
	"time"
)

// DefaultMaxIdleConnsPerHost is the idle pool per host of the SDK's default
// transport. net/http keeps 2, while an upload sends 4 parts at once and
// imports run many calls at once: every connection past the pool would be
// closed after use and pay a new TCP and TLS handshake on the next call.
const DefaultMaxIdleConnsPerHost = 32

// defaultTransport is shared by every client built without WithHTTPClient,
// so that they share one connection pool.
var defaultTransport = sync.OnceValue(func() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = DefaultMaxIdleConnsPerHost
	t.IdleConnTimeout = 90 * time.Second
	return t
})

// NewHTTPClient returns a copy of hc (nil means a default client) whose
// transport runs the SDK's layers around hc's own transport, and whose
// redirect policy runs the SDK's before hc's. The transport exposes only
// RoundTrip: retryablehttp calls CloseIdleConnections on every give-up path,
// which would drop the idle connections of unrelated calls sharing it.
func NewHTTPClient(hc *http.Client) *http.Client {
	if hc == nil {
		hc = &http.Client{}
	}
	base := hc.Transport
	if base == nil {
		base = defaultTransport()
	}
	c := *hc
	c.Transport = &attemptTransport{base: base}
	user := hc.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		return checkRedirect(req, via, user)
	}
	return &c
}

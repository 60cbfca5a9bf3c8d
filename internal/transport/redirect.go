package transport

import (
	"errors"
	"fmt"
	"net/http"
)

// ErrRedirectRefused is the cause of a call stopped at a redirect that the
// SDK's policy does not follow: a downgrade from https to http, or, for API
// calls, any redirect to another origin. Downloads follow redirects to
// other origins (storage URLs), with no credentials and no custom headers.
var ErrRedirectRefused = errors.New("redirect refused")

// maxRedirects is net/http's own limit, kept when the caller's client has no
// redirect policy of its own.
const maxRedirects = 10

// checkRedirect applies the SDK's redirect policy, then the caller's own
// (user, from WithHTTPClient) or net/http's default limit. Credentials need
// no handling here: they are attached per hop by the innermost layer, only
// for the base URL's origin.
func checkRedirect(req *http.Request, via []*http.Request, user func(*http.Request, []*http.Request) error) error {
	first := via[0]
	if first.URL.Scheme == "https" && req.URL.Scheme != "https" {
		return fmt.Errorf("%w: from %s to %s would send the request in clear (https to http)", ErrRedirectRefused, Origin(via[len(via)-1].URL), Origin(req.URL))
	}
	if c, ok := req.Context().Value(callKey{}).(*call); ok && Origin(req.URL) != c.s.origin {
		if !c.r.CrossOriginRedirects {
			return fmt.Errorf("%w: to another origin, %s (API calls follow redirects only within %s)", ErrRedirectRefused, Origin(req.URL), c.s.origin)
		}
		// net/http copies every header of the first request to each hop;
		// the caller's extra headers are meant for the API only.
		for k := range c.s.Headers {
			req.Header.Del(k)
		}
	}
	if user != nil {
		err := user(req, via)
		if err == nil || err == http.ErrUseLastResponse { // net/http compares it as is
			return err
		}
		return &redirectStopped{err}
	}
	if len(via) >= maxRedirects {
		return &redirectStopped{fmt.Errorf("stopped after %d redirects", maxRedirects)}
	}
	return nil
}

// redirectStopped is a redirect the caller's policy (or the limit) refused:
// another attempt would be refused again.
type redirectStopped struct{ err error }

func (e *redirectStopped) Error() string { return e.err.Error() }
func (e *redirectStopped) Unwrap() error { return e.err }

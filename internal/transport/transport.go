// Package transport is the one place that knows about HTTP for the SDK: it
// sets auth and identity headers, applies the per-attempt timeout, and retries
// through go-retryablehttp with the SDK's own policy. Services describe
// requests; they never touch http.Client directly.
package transport

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Settings are the resolved per-call settings (client defaults with any
// per-call options applied).
type Settings struct {
	HTTPClient   *http.Client // from WrapClient
	BaseURL      *url.URL     // instance root, no trailing slash
	APIKey       string
	Headers      http.Header // extra headers, applied last
	UserAgent    string
	MaxRetries   int
	Timeout      time.Duration // per attempt; for streams only until the headers arrive
	RetryWaitMin time.Duration
	RetryWaitMax time.Duration
	Logger       *slog.Logger

	once       sync.Once
	authHeader []string
	uaHeader   []string
}

var (
	acceptAny   = []string{"*/*"}
	acceptJSON  = []string{"application/json"}
	contentJSON = []string{"application/json"}
)

// authorization returns the Authorization header value, built once per
// Settings.
func (s *Settings) authorization() []string {
	s.once.Do(s.build)
	return s.authHeader
}

// userAgent returns the User-Agent header value, built once per Settings.
func (s *Settings) userAgent() []string {
	s.once.Do(s.build)
	return s.uaHeader
}

func (s *Settings) build() {
	s.authHeader = []string{"Bearer " + s.APIKey}
	s.uaHeader = []string{s.UserAgent}
}

// Request describes one API call.
type Request struct {
	Method string
	Path   string // already escaped, relative to the instance root, starting with "/"
	Query  url.Values

	// Body is sent as is and replayed from memory on retries.
	Body []byte
	// BodyFunc, when set instead of Body, opens a fresh reader of BodyLen
	// bytes for each attempt (an upload part read from an io.ReaderAt).
	BodyFunc    func() io.Reader
	BodyLen     int64
	ContentType string
	// Accept is the Accept header; default application/json, or */* for
	// streams.
	Accept string

	// Idempotent allows retrying transport failures that happen after the
	// request may have reached the server. GET, HEAD and DELETE are always
	// idempotent.
	Idempotent bool
	// Stream marks a response whose body is consumed incrementally (SSE,
	// downloads): the timeout then covers only the wait for the headers.
	Stream bool
}

// Do sends r, retrying per the policy, and returns the final response
// whatever its status, with its body open: the caller must close it. The
// error is non-nil only when no response could be had (transport failure or
// cancelled context); it never contains the API key.
func Do(ctx context.Context, s *Settings, r *Request) (*http.Response, error) {
	u := *s.BaseURL
	u.RawPath = s.BaseURL.EscapedPath() + r.Path
	p, err := url.PathUnescape(u.RawPath)
	if err != nil {
		return nil, fmt.Errorf("request path %q: %w", r.Path, err)
	}
	u.Path = p
	if len(r.Query) > 0 {
		u.RawQuery = r.Query.Encode()
	}

	var body any
	switch {
	case r.BodyFunc != nil:
		open := r.BodyFunc
		n := r.BodyLen
		body = retryablehttp.ReaderFunc(func() (io.Reader, error) {
			return sizedReader{open(), n}, nil
		})
	case r.Body != nil:
		body = r.Body
	}

	pol := &policy{
		idempotent: r.Idempotent || r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodDelete,
		maxRetries: s.MaxRetries,
		logger:     s.Logger,
		method:     r.Method,
		path:       r.Path,
	}
	ctx = context.WithValue(ctx, attemptKey{}, attempt{timeout: s.Timeout, stream: r.Stream})
	req, err := retryablehttp.NewRequestWithContext(ctx, r.Method, u.String(), body)
	if err != nil {
		return nil, err
	}
	// Canonical keys and shared value slices: net/http only reads them, and
	// this saves an allocation per header on every call.
	h := make(http.Header, 5+len(s.Headers)) // sized once: no growth below
	req.Header = h
	h["Authorization"] = s.authorization()
	h["User-Agent"] = s.userAgent()
	switch {
	case r.Accept != "":
		h["Accept"] = []string{r.Accept}
	case r.Stream:
		h["Accept"] = acceptAny
	default:
		h["Accept"] = acceptJSON
	}
	switch r.ContentType {
	case "":
	case "application/json":
		h["Content-Type"] = contentJSON
	default:
		h["Content-Type"] = []string{r.ContentType}
	}
	for k, vs := range s.Headers {
		h[k] = append([]string(nil), vs...)
	}

	rc := &retryablehttp.Client{
		HTTPClient:   s.HTTPClient,
		RetryWaitMin: s.RetryWaitMin,
		RetryWaitMax: s.RetryWaitMax,
		RetryMax:     s.MaxRetries,
		CheckRetry:   pol.check,
		Backoff:      pol.backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	resp, err := rc.Do(req)
	if err != nil {
		if resp != nil {
			DrainAndClose(resp.Body)
		}
		return nil, err
	}
	return resp, nil
}

// sizedReader gives retryablehttp the part length (it looks for Len) so the
// request carries a Content-Length instead of being chunked.
type sizedReader struct {
	io.Reader
	n int64
}

func (r sizedReader) Len() int { return int(r.n) }

var drainBuffers = sync.Pool{New: func() any { b := make([]byte, 8<<10); return &b }}

// DrainAndClose reads a little of what is left of body so that its
// connection can be reused, then closes it. The bound (64 KiB) keeps a huge
// or endless body from being read.
func DrainAndClose(body io.ReadCloser) {
	bp := drainBuffers.Get().(*[]byte)
	for n := 0; n < 64<<10; {
		m, err := body.Read(*bp)
		n += m
		if err != nil {
			break
		}
	}
	drainBuffers.Put(bp)
	_ = body.Close()
}

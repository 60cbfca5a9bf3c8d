// Package transport is the one place that knows about HTTP for the SDK: it
// retries through go-retryablehttp with the SDK's own policy, bounds each
// attempt in time and each streamed transfer by silence, runs the
// middleware, reads answers within the attempt (so that a cut answer is
// retried like a dropped connection), applies the redirect policy, and
// attaches the credentials innermost, for the base URL's origin only.
// Services describe requests; they never touch http.Client directly.
package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Settings are the resolved settings of a client, or of one call with
// per-call options applied. They are built once and only read afterwards.
type Settings struct {
	HTTPClient      *http.Client // from NewHTTPClient
	BaseURL         *url.URL     // instance root, no trailing slash
	Key             Secret
	Headers         http.Header // extra headers, applied last
	UserAgent       string
	MaxRetries      int
	Timeout         time.Duration // per attempt; see Request.Stream and Request.Upload
	IdleTimeout     time.Duration // longest silence of a streamed transfer; 0 means none
	RetryWaitMin    time.Duration
	RetryWaitMax    time.Duration
	MaxResponseSize int64 // 0 means DefaultMaxResponseSize
	Logger          *slog.Logger
	Middleware      []Middleware // outermost first

	once     sync.Once
	origin   string
	uaHeader []string
	client   *retryablehttp.Client
}

func (s *Settings) init() {
	s.once.Do(func() {
		s.origin = Origin(s.BaseURL)
		s.uaHeader = []string{s.UserAgent}
		if s.MaxResponseSize <= 0 {
			s.MaxResponseSize = DefaultMaxResponseSize
		}
		// One retryablehttp client serves every call of these settings: its
		// policy functions find the call's state in the request's context,
		// and the call waits out its own backoff (see check).
		s.client = &retryablehttp.Client{
			HTTPClient:     s.HTTPClient,
			RetryMax:       s.MaxRetries,
			CheckRetry:     checkRetry,
			Backoff:        noBackoff,
			ErrorHandler:   retryablehttp.PassthroughErrorHandler,
			RequestLogHook: onAttempt,
		}
	})
}

// ErrorURL is u as errors and logs may show it: without user info, and,
// for another origin than the base URL's (a storage URL a download was
// redirected to), without its query, which may hold a signature.
func (s *Settings) ErrorURL(u *url.URL) string {
	if u.RawQuery != "" && !s.sameOrigin(u) {
		c := *u
		c.RawQuery, c.ForceQuery = "", false
		u = &c
	}
	return RedactURL(u)
}

// sameOrigin reports whether u has the base URL's origin, without building
// strings on the path of every request.
func (s *Settings) sameOrigin(u *url.URL) bool {
	b := s.BaseURL
	if !strings.EqualFold(u.Scheme, b.Scheme) || !strings.EqualFold(u.Hostname(), b.Hostname()) {
		return false
	}
	return portOf(u) == portOf(b)
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}

// Retry says which failures of a call may be retried: how safe it is to
// send the request again when the first attempt may have reached the server.
type Retry uint8

const (
	// RetryUnsent is for writes that record something (feedback,
	// interactions) and have no idempotency key: they are sent again only
	// when the server certainly did not act on them, that is when the
	// connection failed before the request was written, or on a 429.
	// Gateways answer 502, 503 and 504 after forwarding a request.
	RetryUnsent Retry = iota
	// RetryStatus adds the retryable statuses (408, 409, 5xx except 501):
	// for calls whose repetition is harmless but not free (a chat
	// generation), or leaves at most an orphan (an upload session).
	RetryStatus
	// RetryAny is for idempotent calls (reads, part uploads, aborts): every
	// retryable status and every transport failure, including an answer cut
	// while its body was read.
	RetryAny
)

// Request describes one API call.
type Request struct {
	Method string
	Path   string // already escaped, relative to the instance root, starting with "/"
	// Route is the path template ("/api/v1/projects/{project}/...") for
	// logs and hooks; empty means Path.
	Route string
	Query url.Values
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
	// Retry says which failures are retried. GET, HEAD, PUT, DELETE and
	// OPTIONS requests are always RetryAny.
	Retry Retry
	// Stream marks an answer whose body is consumed incrementally (SSE,
	// downloads): the attempt timeout covers only the wait for the headers,
	// and the idle timeout bounds the silence of the body. Otherwise the
	// answer of a 2xx status is read whole within the attempt.
	Stream bool
	// Upload marks a bulk request body (an upload part): the idle timeout
	// bounds the silence while it is sent, and the attempt timeout starts
	// once its last byte is out.
	Upload bool
	// Sent, when set, receives the number of bytes of the body the
	// connection has taken so far in the current attempt (from 0 again on a
	// retry).
	Sent func(attemptBytes int64)
	// CrossOriginRedirects lets the call follow redirects to other origins
	// (downloads from storage URLs), without credentials or custom headers.
	CrossOriginRedirects bool
}

// Response is the final answer of a call.
type Response struct {
	*http.Response
	// Data is the whole body of a 2xx answer that was not streamed; the
	// http.Response's own body is then already closed. Release returns it
	// to a pool.
	Data []byte
	// Attempts is the number of attempts made.
	Attempts int

	buf *[]byte
}

// Release recycles the buffer of Data, which the caller must no longer use.
func (r *Response) Release() {
	if r != nil && r.buf != nil {
		putBuffer(r.buf)
		r.buf, r.Data = nil, nil
	}
}

var (
	acceptAny   = []string{"*/*"}
	acceptJSON  = []string{"application/json"}
	contentJSON = []string{"application/json"}
)

// callKey carries the call's state to the SDK's layers of its attempts.
type callKey struct{}

// callOf returns the state of the call that ctx (a request's context)
// belongs to, or nil for a request not made by Do.
func callOf(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

// Do sends r, retrying per its policy, and returns the final answer whatever
// its status. A 2xx answer that is not streamed is read whole into Data
// within the attempt; any other answer has its body open, and the caller
// must close it. The error is non-nil when no answer could be had (transport
// failure, cancelled context, a body cut or over the size bound); the
// Response is then still returned, with the headers when they arrived, and
// with the attempt count. No error contains the API key or URL credentials.
func Do(ctx context.Context, s *Settings, r *Request) (Response, error) {
	s.init()
	c := &call{s: s, r: r, retry: r.Retry}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		c.retry = RetryAny
	}
	req, err := c.request(ctx)
	if err != nil {
		return Response{}, err
	}
	resp, err := s.client.Do(req)
	if c.canceled {
		// The context ended during a backoff: the answer retried away from
		// is gone, as when the context ends during an attempt.
		resp = nil
	}
	out := Response{Response: resp, Attempts: c.attempts}
	if err != nil {
		c.release()
		if resp != nil && !c.bodyRead {
			DrainAndClose(resp.Body)
		}
		return out, c.error(err)
	}
	if c.buf != nil {
		out.Data, out.buf = *c.buf, c.buf
		resp.Body = http.NoBody
	}
	return out, nil
}

// request builds the call's request from its parts: the URL is set as a
// url.URL (no string to parse again), the headers are put in a map sized
// once, with canonical keys and shared value slices (net/http only reads
// them), and the body replays from memory on retries.
func (c *call) request(ctx context.Context) (*retryablehttp.Request, error) {
	s, r := c.s, c.r
	c.url = *s.BaseURL
	u := &c.url
	u.User = nil
	u.RawPath = s.BaseURL.EscapedPath() + r.Path
	p, err := url.PathUnescape(u.RawPath)
	if err != nil {
		return nil, fmt.Errorf("request path %q: %w", r.Path, err)
	}
	u.Path = p
	if len(r.Query) > 0 {
		u.RawQuery = r.Query.Encode()
	}
	if !validMethod(r.Method) {
		return nil, fmt.Errorf("invalid method %q", r.Method)
	}
	h := make(http.Header, 4+len(s.Headers))
	h["User-Agent"] = s.uaHeader
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
	base := http.Request{Method: r.Method, URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h, Host: u.Host}
	req, err := retryablehttp.FromRequest(base.WithContext(context.WithValue(ctx, callKey{}, c)))
	if err != nil {
		return nil, err
	}
	switch {
	case r.BodyFunc != nil:
		open, n := r.BodyFunc, r.BodyLen
		err = req.SetBody(retryablehttp.ReaderFunc(func() (io.Reader, error) { return sizedReader{open(), n}, nil }))
	case r.Body != nil:
		err = req.SetBody(r.Body)
	}
	if err != nil {
		return nil, err
	}
	if !r.Stream {
		req.SetResponseHandler(c.readBody)
	}
	return req, nil
}

// validMethod reports whether method is a token, as net/http requires.
func validMethod(method string) bool {
	return method != "" && strings.IndexFunc(method, func(r rune) bool {
		return r <= ' ' || r >= 0x7f || strings.ContainsRune("()<>@,;:\\\"/[]?={}", r)
	}) < 0
}

// sizedReader gives retryablehttp the part length (it looks for Len) so the
// request carries a Content-Length instead of being chunked.
type sizedReader struct {
	io.Reader
	n int64
}

func (r sizedReader) Len() int { return int(r.n) }

// call is the state of one call across its attempts. retryablehttp runs the
// attempts, checks and backoffs one after the other, so it needs no lock.
type call struct {
	s        *Settings
	r        *Request
	retry    Retry
	attempts int
	buf      *[]byte // the body of a 2xx answer, read within the attempt
	bodyRead bool    // the final answer's body was read (and closed) by readBody
	canceled bool    // the context ended during a backoff
	url      url.URL // the request's URL, allocated with the call
}

// onAttempt is retryablehttp's RequestLogHook: it counts the attempts.
func onAttempt(_ retryablehttp.Logger, req *http.Request, i int) {
	c := callOf(req.Context())
	c.attempts = i + 1
	c.bodyRead = false
}

// readBody reads a 2xx answer within its attempt, so that a body cut or
// stalled past the attempt timeout is a failure of that attempt, retried by
// policy.
func (c *call) readBody(resp *http.Response) error {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil
	}
	c.release()
	c.bodyRead = true
	buf, err := readBounded(resp.Body, resp.ContentLength, c.s.MaxResponseSize)
	_ = resp.Body.Close()
	if err != nil {
		var tooLarge *TooLargeError
		if errors.As(err, &tooLarge) {
			return tooLarge
		}
		return &BodyError{Err: err}
	}
	c.buf = buf
	return nil
}

func (c *call) release() {
	if c.buf != nil {
		putBuffer(c.buf)
		c.buf = nil
	}
}

// error gives a final transport failure its description: no URL
// credentials, and the attempts when there were several.
func (c *call) error(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		if pu, perr := url.Parse(uerr.URL); perr == nil {
			uerr.URL = c.s.ErrorURL(pu)
		}
	}
	if c.attempts > 1 {
		return &AttemptsError{Err: err, Attempts: c.attempts}
	}
	return err
}

// AttemptsError is a failure that persisted over several attempts.
type AttemptsError struct {
	Err      error
	Attempts int
}

func (e *AttemptsError) Error() string {
	return fmt.Sprintf("%v (after %d attempts)", e.Err, e.Attempts)
}
func (e *AttemptsError) Unwrap() error { return e.Err }

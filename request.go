package adaptive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/adaptive-go/adaptive/internal/transport"
)

// callConfig returns the client's config with the per-call options applied.
// Without options it returns the client's own config, which callers must not
// modify.
func (c *Client) callConfig(opts []Option) (*config, error) {
	if len(opts) == 0 {
		return &c.cfg, nil
	}
	cfg := c.cfg
	cfg.perCall = true
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	cfg.transport = cfg.newSettings()
	return &cfg, nil
}

// settings returns the transport's view of cfg, built once per client (or
// per call with options) rather than on every request.
func (cfg *config) settings() *transport.Settings { return cfg.transport }

func (cfg *config) newSettings() *transport.Settings {
	return &transport.Settings{
		HTTPClient:      cfg.httpClient,
		BaseURL:         cfg.baseURL,
		Key:             cfg.key,
		Headers:         cfg.headers,
		UserAgent:       cfg.userAgent,
		MaxRetries:      cfg.maxRetries,
		Timeout:         cfg.timeout,
		IdleTimeout:     cfg.idleTimeout,
		RetryWaitMin:    cfg.retryWaitMin,
		RetryWaitMax:    cfg.retryWaitMax,
		MaxResponseSize: cfg.maxResponseSize,
		Logger:          cfg.logger,
		Middleware:      cfg.middleware,
	}
}

// resolveProject returns project, or the default project when it is empty;
// field names the request field for the error when neither is set.
func (cfg *config) resolveProject(field, project string) (string, error) {
	if project != "" {
		return project, nil
	}
	if cfg.project != "" {
		return cfg.project, nil
	}
	return "", invalid(field, "no project: set it, or give the client a default with adaptive.WithProject or %s", EnvProject)
}

// jsonRequest builds the request of a JSON call: in (when not nil) encoded
// as the body.
func jsonRequest(method, path, route string, retry transport.Retry, in any) (*transport.Request, error) {
	r := &transport.Request{Method: method, Path: path, Route: route, Retry: retry}
	if in != nil {
		body, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("adaptive: encoding the %s %s request: %w", method, path, err)
		}
		r.Body = body
		r.ContentType = "application/json"
	}
	return r, nil
}

// postJSON runs the JSON call POST path, named call for hooks and logs,
// with request the caller's typed request and in its wire form.
func (c *Client) postJSON(ctx context.Context, cfg *config, start CallStart, path string, retry transport.Retry, in, out any) error {
	r, err := jsonRequest(http.MethodPost, path, "", retry, in)
	if err != nil {
		return err
	}
	return c.call(ctx, cfg, start, r, out)
}

// call runs one JSON call from start to end: the hooks and the log record
// around exchange, and the decoding of the answer into out (which may be
// nil).
func (c *Client) call(ctx context.Context, cfg *config, start CallStart, r *transport.Request, out any) error {
	if start.Method == "" {
		start.Method, start.Route = r.Method, routeOf(r)
	}
	ctx, rec := c.begin(ctx, cfg, start)
	resp, err := c.exchange(ctx, cfg, r, rec)
	if err == nil {
		if out != nil {
			err = decodeJSON(cfg, &resp, out)
		}
		resp.Release()
	}
	if err != nil {
		rec.end(nil, err, 0)
		return err
	}
	rec.end(out, nil, 0)
	return nil
}

func routeOf(r *transport.Request) string {
	if r.Route != "" {
		return r.Route
	}
	return r.Path
}

// exchange sends r and returns its 2xx answer: for a streamed request with
// its body open (the caller closes it), otherwise with the body in Data (the
// caller releases it). Any other status is an *APIError; a transport
// failure is returned wrapped with the request's description.
func (c *Client) exchange(ctx context.Context, cfg *config, r *transport.Request, rec *callRecord) (transport.Response, error) {
	start := time.Now()
	resp, err := transport.Do(ctx, cfg.settings(), r)
	rec.answered(&resp, int64(len(r.Body))+r.BodyLen)
	if cfg.responseInto != nil {
		*cfg.responseInto = resp.Response
	}
	if err != nil {
		return transport.Response{}, cfg.transportError(ctx, r, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return transport.Response{}, newAPIError(cfg, &resp, time.Since(start))
	}
	return resp, nil
}

// transportError describes a call that got no usable answer. A write whose
// answer was lost says that it may have been recorded, since it is not sent
// again.
func (cfg *config) transportError(ctx context.Context, r *transport.Request, err error) error {
	what := r.Method + " " + r.Path
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		return fmt.Errorf("adaptive: %s: %w", what, ctxErr)
	}
	var be *transport.BodyError
	if errors.As(err, &be) && r.Retry == transport.RetryUnsent && r.Method == http.MethodPost {
		return fmt.Errorf("adaptive: %s: %w: the server may have recorded the request, so it was not sent again (that could record it twice)", what, err)
	}
	return fmt.Errorf("adaptive: %s: %w", what, err)
}

// bodyDecoder is an answer type whose decoding checks the whole body
// itself (it decodes it with encoding/json into its wire form): decodeJSON
// hands it the body directly, where json.Unmarshal would first scan the
// body twice, to validate it and to find where the value ends, before
// calling its UnmarshalJSON.
type bodyDecoder interface{ decodeBody(b []byte) error }

// decodeJSON decodes the answer held in resp.Data into out.
func decodeJSON(cfg *config, resp *transport.Response, out any) error {
	var err error
	if d, ok := out.(bodyDecoder); ok {
		err = d.decodeBody(resp.Data)
	} else {
		err = json.Unmarshal(resp.Data, out)
	}
	if err != nil {
		// The decoding error may quote the answer too.
		return cfg.key.RedactError(fmt.Errorf("adaptive: decoding the answer of %s %s: %w (body starts %q)", resp.Request.Method, transport.RedactURL(resp.Request.URL), err, cfg.preview(resp.Data)))
	}
	return nil
}

// preview is the start of b for an error message, with the key redacted
// before it is cut.
func (cfg *config) preview(b []byte) string {
	return preview(cfg.key.RedactBytes(b[:min(len(b), 1024)]))
}

func preview(b []byte) string {
	b = bytes.TrimSpace(b[:min(len(b), 512)])
	if len(b) > 120 {
		b = b[:120]
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// Do calls any route of the API with the client's auth, retries and error
// decoding: the escape hatch for routes the SDK does not wrap yet. path is
// relative to the instance root ("/api/v1/...", "/images/..."); in is
// JSON-encoded when not nil; out receives the decoded JSON answer when not
// nil. A non-2xx answer is an *APIError. GET, HEAD, PUT, DELETE and OPTIONS
// calls are retried after any retryable failure; other methods, which may
// record something, only when the request certainly did not reach the
// server (a failed connection) or on a 429.
func (c *Client) Do(ctx context.Context, method, path string, in, out any, opts ...Option) error {
	if method == "" {
		return invalid("method", "empty: give an HTTP method such as %q", http.MethodGet)
	}
	if !strings.HasPrefix(path, "/") {
		return invalid("path", "%q must start with \"/\" (it is relative to the instance root, e.g. /api/v1/embeddings)", path)
	}
	u, err := url.Parse(path)
	if err != nil {
		return invalid("path", "%v", err)
	}
	if u.Host != "" || u.User != nil || u.Fragment != "" {
		// "//host/x" parses as a host: the call would silently go to the
		// base URL's "/x".
		return invalid("path", "%q names a host or a fragment: give only a path (and query) relative to the instance root", path)
	}
	cfg, err := c.callConfig(opts)
	if err != nil {
		return err
	}
	r, err := jsonRequest(method, u.EscapedPath(), "", transport.RetryUnsent, in)
	if err != nil {
		return err
	}
	r.Query = u.Query()
	return c.call(ctx, cfg, CallStart{Call: "Client.Do", Request: in}, r, out)
}

// pathSegment escapes value as exactly one path segment. Empty values and
// the dot segments "." and "..", which escaping leaves as they are and which
// would change the path, are a *ValidationError naming field.
func pathSegment(field, value string) (string, error) {
	switch value {
	case "":
		return "", invalid(field, "empty")
	case ".", "..":
		return "", invalid(field, "%q is not a valid identifier: it would change the request path", value)
	}
	return url.PathEscape(value), nil
}

// wireModel builds the wire "model" of chat and embeddings requests:
// model as given when it already holds a "/", else "project/model", or
// "project" alone (the project's default model) when model is empty. The
// project falls back to the client's default; prefix names the request type
// for the error.
func (cfg *config) wireModel(prefix, project, model string) (string, error) {
	if strings.Contains(model, "/") {
		return model, nil
	}
	p, err := cfg.resolveProject(prefix+".Project", project)
	if err != nil {
		return "", err
	}
	if model == "" {
		return p, nil
	}
	return p + "/" + model, nil
}

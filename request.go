package adaptive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/adaptive-go/adaptive/internal/transport"
)

// maxResponseBody bounds a JSON answer read into memory.
const maxResponseBody = 64 << 20

// callConfig returns the client's config with the per-call options applied.
// Without options it returns the client's own config, which callers must not
// modify.
func (c *Client) callConfig(opts []Option) (*config, error) {
	if len(opts) == 0 {
		return &c.cfg, nil
	}
	cfg := c.cfg
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
		HTTPClient:   cfg.httpClient,
		BaseURL:      cfg.baseURL,
		APIKey:       *cfg.apiKey,
		Headers:      cfg.headers,
		UserAgent:    cfg.userAgent,
		MaxRetries:   cfg.maxRetries,
		Timeout:      cfg.timeout,
		RetryWaitMin: cfg.retryWaitMin,
		RetryWaitMax: cfg.retryWaitMax,
		Logger:       cfg.logger,
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

// send sends r and returns the 2xx response with its body open (the caller
// closes it), an *APIError for any other status, or the transport error.
func (c *Client) send(ctx context.Context, cfg *config, r *transport.Request) (*http.Response, error) {
	resp, err := transport.Do(ctx, cfg.settings(), r)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			return nil, fmt.Errorf("adaptive: %s %s: %w", r.Method, r.Path, ctxErr)
		}
		return nil, fmt.Errorf("adaptive: %s %s: %w", r.Method, r.Path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, newAPIError(resp)
	}
	return resp, nil
}

// doJSON sends a JSON request (in may be nil) and decodes a JSON answer into
// out (which may be nil).
func (c *Client) doJSON(ctx context.Context, cfg *config, method, path string, query url.Values, in, out any, idempotent bool) error {
	r := &transport.Request{Method: method, Path: path, Query: query, Idempotent: idempotent}
	if in != nil {
		body, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("adaptive: encoding the %s %s request: %w", method, path, err)
		}
		r.Body = body
		r.ContentType = "application/json"
	}
	resp, err := c.send(ctx, cfg, r)
	if err != nil {
		return err
	}
	defer transport.DrainAndClose(resp.Body)
	if out == nil {
		return nil
	}
	return decodeJSON(resp, out)
}

// bodyBuffers recycles the buffers JSON answers are read into: decoding
// copies what it keeps, so a buffer is free again once Unmarshal returns.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// decodeJSON decodes a JSON answer of at most maxResponseBody bytes.
func decodeJSON(resp *http.Response, out any) error {
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 { // let rare huge answers go to the GC
			buf.Reset()
			bodyBuffers.Put(buf)
		}
	}()
	buf.Reset()
	if n := resp.ContentLength; n > 0 && n <= maxResponseBody {
		buf.Grow(int(n) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, maxResponseBody+1)); err != nil {
		return fmt.Errorf("adaptive: reading the answer of %s %s: %w", resp.Request.Method, redactURL(resp.Request.URL), err)
	}
	body := buf.Bytes()
	if len(body) > maxResponseBody {
		return fmt.Errorf("adaptive: the answer of %s %s exceeds %d bytes", resp.Request.Method, redactURL(resp.Request.URL), maxResponseBody)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("adaptive: decoding the answer of %s %s: %w (body starts %q)", resp.Request.Method, redactURL(resp.Request.URL), err, preview(body))
	}
	return nil
}

func preview(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 120 {
		b = b[:120]
	}
	return string(b)
}

// Do calls any route of the API with the client's auth, retries and error
// decoding: the escape hatch for routes the SDK does not wrap yet. path is
// relative to the instance root ("/api/v1/...", "/images/..."); in is
// JSON-encoded when not nil; out receives the decoded JSON answer when not
// nil. A non-2xx answer is an *APIError. Only GET, HEAD and DELETE calls are
// retried after a failure that may have reached the server.
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
	cfg, err := c.callConfig(opts)
	if err != nil {
		return err
	}
	return c.doJSON(ctx, cfg, method, u.EscapedPath(), u.Query(), in, out, false)
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

package adaptive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/adaptive-go/adaptive/internal/graphql"
	"github.com/adaptive-go/adaptive/internal/transport"
)

// pathGraphQL is the GraphQL endpoint, at the instance root beside /api/v1
// (the vendor's Rust client joins "graphql" to its ".../api/" base).
const pathGraphQL = "/api/graphql"

// GraphQLRequest is the body of a GraphQL call, as the GraphQL over HTTP
// convention has it. Hooks see it as CallStart.Request of GraphQL calls.
type GraphQLRequest struct {
	// Query is the GraphQL document: a query or a mutation.
	Query string `json:"query"`
	// OperationName selects the operation of a document that holds
	// several; the SDK's own calls always name theirs.
	OperationName string `json:"operationName,omitempty"`
	// Variables are the operation's variables, JSON-encoded (a map or a
	// struct), or nil.
	Variables any `json:"variables,omitempty"`
}

// GraphQLError is a GraphQL answer that reports errors: an "errors" array,
// with or without "data". It is never taken for a success, even when data
// came with it. When the HTTP status was not 2xx, errors.As also finds the
// *APIError (and errors.Is the sentinels such as ErrUnauthorized).
type GraphQLError struct {
	// Operation is the operation's name, when known.
	Operation string
	// Errors holds every error of the answer, in order.
	Errors []GraphQLErrorDetail
	// Data is the answer's "data" as sent beside the errors (partial
	// results), or nil.
	Data json.RawMessage
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// RequestID is the server's id of the request, when it sent one.
	RequestID string

	api *APIError // the non-2xx answer, if any
}

// GraphQLErrorDetail is one entry of a GraphQL answer's "errors".
type GraphQLErrorDetail struct {
	// Message is the server's explanation.
	Message string `json:"message"`
	// Path locates the field that failed: field names (string) and list
	// indexes (int), from the root.
	Path []any `json:"path,omitempty"`
	// Locations are the positions in the document the error is about.
	Locations []GraphQLLocation `json:"locations,omitempty"`
	// Extensions is the server's additional information (an error code,
	// for instance), as sent.
	Extensions map[string]any `json:"extensions,omitempty"`
}

// GraphQLLocation is a position in a GraphQL document, from 1.
type GraphQLLocation struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Error lists every message with its path, in one line.
func (e *GraphQLError) Error() string {
	var b strings.Builder
	b.WriteString("adaptive: GraphQL")
	if e.Operation != "" {
		b.WriteString(" " + e.Operation)
	}
	if e.StatusCode != 0 && (e.StatusCode < 200 || e.StatusCode > 299) {
		fmt.Fprintf(&b, " (%d %s)", e.StatusCode, http.StatusText(e.StatusCode))
	}
	b.WriteString(": ")
	for i, d := range e.Errors {
		if i > 0 {
			b.WriteString("; ")
		}
		if p := d.path(); p != "" {
			b.WriteString(p + ": ")
		}
		b.WriteString(d.Message)
		if code, ok := d.Extensions["code"].(string); ok && code != "" {
			b.WriteString(" (code " + code + ")")
		}
	}
	if e.RequestID != "" {
		b.WriteString(" (request id " + e.RequestID + ")")
	}
	return b.String()
}

// Unwrap returns the *APIError of a non-2xx answer, or nil.
func (e *GraphQLError) Unwrap() error {
	if e.api == nil {
		return nil
	}
	return e.api
}

// path formats the path as GraphQL tools print it: "a.b[0].c".
func (d *GraphQLErrorDetail) path() string {
	var b strings.Builder
	for _, p := range d.Path {
		switch v := p.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", v)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, v)
		}
	}
	return b.String()
}

// UnmarshalJSON decodes an error entry, its path's numbers as int.
func (d *GraphQLErrorDetail) UnmarshalJSON(b []byte) error {
	var w struct {
		Message    json.RawMessage   `json:"message"`
		Path       []json.RawMessage `json:"path"`
		Locations  []GraphQLLocation `json:"locations"`
		Extensions map[string]any    `json:"extensions"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*d = GraphQLErrorDetail{Locations: w.Locations, Extensions: w.Extensions}
	// A message that is not a string is kept as its JSON, not lost.
	if err := json.Unmarshal(w.Message, &d.Message); err != nil {
		d.Message = string(w.Message)
	}
	for _, raw := range w.Path {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			d.Path = append(d.Path, s)
			continue
		}
		if n, err := strconv.Atoi(string(bytes.TrimSpace(raw))); err == nil {
			d.Path = append(d.Path, n)
			continue
		}
		d.Path = append(d.Path, string(raw))
	}
	return nil
}

// GraphQL sends a GraphQL document to the instance, POST /api/graphql, with
// the client's auth, retries and error decoding: the escape hatch for the
// platform's GraphQL-only features (listing, getting and deleting
// datasets, and the rest), as Do is for REST routes. variables (a map or a
// struct, or nil) are JSON-encoded; the answer's "data" is decoded into out
// when it is not nil.
//
// A document whose operations are all queries is retried after any
// retryable failure, like a read; one that holds a mutation (or that the
// SDK cannot parse) is retried only when the server certainly did not act
// on it (a failed connection, a 429), since a mutation sent twice may act
// twice.
//
// An empty query is a *ValidationError. An answer with "errors", with or
// without data, is a *GraphQLError carrying every message and path; an
// answer with neither data nor errors is an error; other non-2xx answers
// are an *APIError.
func (c *Client) GraphQL(ctx context.Context, query string, variables any, out any, opts ...Option) error {
	if strings.TrimSpace(query) == "" {
		return invalid("query", "empty: give a GraphQL document")
	}
	cfg, err := c.callConfig(opts)
	if err != nil {
		return err
	}
	retry, name := transport.RetryUnsent, ""
	if doc, err := graphql.Parse(query); err == nil {
		if !doc.Mutates() {
			retry = transport.RetryAny
		}
		if len(doc.Operations) == 1 {
			name = doc.Operations[0].Name
		}
	}
	req := &GraphQLRequest{Query: query, Variables: variables}
	return c.graphQL(ctx, cfg, gqlCall{call: "Client.GraphQL", name: name, retry: retry, req: req}, out)
}

// gqlCall is one GraphQL call made by the SDK.
type gqlCall struct {
	call  string // the SDK method, for hooks and logs
	name  string // the operation's name, for errors
	retry transport.Retry
	req   *GraphQLRequest
	// body and contentType, when set, are sent instead of req's JSON (the
	// multipart upload of a small dataset).
	body        []byte
	contentType string
	// upload marks a body that is a file (the small dataset): bounded by
	// silence while it is sent, its bytes reported to sent.
	upload bool
	sent   func(int64)
	// request is the typed request for hooks; req when nil.
	request any
}

// graphQL runs one GraphQL call, observed like any other call, and decodes
// the answer's data into out (which may be nil).
func (c *Client) graphQL(ctx context.Context, cfg *config, g gqlCall, out any) error {
	var r *transport.Request
	if g.body != nil {
		r = &transport.Request{Method: http.MethodPost, Path: pathGraphQL, Retry: g.retry, Body: g.body, ContentType: g.contentType, Upload: g.upload, Sent: g.sent}
	} else {
		var err error
		if r, err = jsonRequest(http.MethodPost, pathGraphQL, "", g.retry, g.req); err != nil {
			return err
		}
	}
	request := g.request
	if request == nil {
		request = g.req
	}
	ctx, rec := c.begin(ctx, cfg, CallStart{Call: g.call, Method: r.Method, Route: pathGraphQL, Request: request})
	resp, err := c.exchange(ctx, cfg, r, rec)
	if err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) {
			if gerr := graphQLErrorOf(cfg, g.name, apiErr.Body, apiErr.StatusCode, apiErr.RequestID); gerr != nil {
				gerr.api = apiErr
				err = gerr
			}
		}
		rec.end(nil, err, 0)
		return err
	}
	err = decodeGraphQL(cfg, g.name, &resp, out)
	resp.Release()
	if err != nil {
		rec.end(nil, err, 0)
		return err
	}
	rec.end(out, nil, 0)
	return nil
}

// graphQLAnswer is the envelope of a GraphQL answer.
type graphQLAnswer struct {
	Data   json.RawMessage      `json:"data"`
	Errors []GraphQLErrorDetail `json:"errors"`
}

// graphQLErrorOf returns the *GraphQLError that body holds, or nil when it
// holds no GraphQL errors. Messages are redacted of the key.
func graphQLErrorOf(cfg *config, name string, body []byte, status int, requestID string) *GraphQLError {
	var a graphQLAnswer
	if json.Unmarshal(body, &a) != nil || len(a.Errors) == 0 {
		return nil
	}
	for i := range a.Errors {
		a.Errors[i].Message = clip(cfg.key.Redact(a.Errors[i].Message))
	}
	e := &GraphQLError{Operation: name, Errors: a.Errors, StatusCode: status, RequestID: requestID}
	if !isNull(a.Data) && len(a.Data) > 0 {
		e.Data = cfg.key.RedactBytes(bytes.Clone(a.Data))
	}
	return e
}

// decodeGraphQL decodes a 2xx answer: its errors as a *GraphQLError, else
// its data into out.
func decodeGraphQL(cfg *config, name string, resp *transport.Response, out any) error {
	if gerr := graphQLErrorOf(cfg, name, resp.Data, resp.StatusCode, requestID(resp.Header)); gerr != nil {
		return gerr
	}
	var a graphQLAnswer
	if err := json.Unmarshal(resp.Data, &a); err != nil {
		return fmt.Errorf("adaptive: decoding the GraphQL answer of %s: %w (body starts %q)", operationLabel(name), err, cfg.preview(resp.Data))
	}
	if len(a.Data) == 0 || isNull(a.Data) {
		return fmt.Errorf("adaptive: the GraphQL answer of %s has neither data nor errors (body starts %q)", operationLabel(name), cfg.preview(resp.Data))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(a.Data, out); err != nil {
		return cfg.key.RedactError(fmt.Errorf("adaptive: decoding the data of the GraphQL answer of %s: %w (data starts %q)", operationLabel(name), err, cfg.preview(a.Data)))
	}
	return nil
}

func operationLabel(name string) string {
	if name == "" {
		return "the operation"
	}
	return name
}

package adaptive

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/adaptive-go/adaptive/internal/transport"
)

// CallInfo describes how one call went on the wire.
type CallInfo struct {
	// StatusCode is the status of the final answer; 0 when none arrived.
	StatusCode int
	// RequestID is the server's id of the final request, when it sent one.
	RequestID string
	// Header holds the headers of the final answer (nil when none arrived).
	Header http.Header
	// Attempts is the number of attempts made (1 without retries).
	Attempts int
	// Duration runs from the start of the call to its end: for streams and
	// downloads, until the body ended or was closed.
	Duration time.Duration
	// BytesSent counts the bytes of the request body of the final attempt.
	BytesSent int64
	// BytesReceived counts the bytes of the answer's body read so far.
	BytesReceived int64
}

// RateLimit returns the rate-limit state the final answer reported, if any.
func (i *CallInfo) RateLimit() (RateLimit, bool) { return ParseRateLimit(i.Header) }

// WithCallInfo fills *dst with how the call went (status, request id,
// headers, attempts, duration, bytes) when it ends, whether it succeeded or
// not; for streams and downloads, when their body ends or is closed. It is
// an option of single calls; a nil dst is an error.
func WithCallInfo(dst *CallInfo) Option {
	return func(c *config) error {
		if dst == nil {
			return errors.New("adaptive: WithCallInfo: the destination is nil")
		}
		if !c.perCall {
			return errors.New("adaptive: WithCallInfo applies to one call: pass it to the call, not to NewClient")
		}
		c.callInfo = dst
		return nil
	}
}

// CallStart describes a call that begins, for a Hook.
type CallStart struct {
	// Call names the SDK method: "Chat.Create", "Chat.Stream",
	// "Embeddings.Create", "Uploads.UploadPart", "Client.Do", ...
	Call string
	// Method and Route are the HTTP method and the path template
	// ("/api/v1/projects/{project}/datasets/{dataset_id}/download"); empty
	// for calls made of several requests (Uploads.Upload).
	Method string
	Route  string
	// Request is the typed request as the caller gave it (*ChatRequest,
	// *EmbeddingsRequest, *ComparisonRequest, ...), or nil. Hooks must not
	// change it.
	Request any
	// Model is the model sent on the wire ("project/model"), for chat and
	// embeddings calls.
	Model string
	// PartNumber is the part of an Uploads.UploadPart call, else 0.
	PartNumber int
}

// CallEnd describes a call that ended, for a Hook.
type CallEnd struct {
	// Response is the typed result (*ChatResponse, *EmbeddingsResponse,
	// *UploadResult, ...). For a chat stream it is the *ChatResponse its
	// chunks added up to, so far when it failed. Nil when there is none.
	Response any
	// Err is the call's error, nil on success. A stream closed by its
	// caller before its end has a nil Err.
	Err error
	// Info describes the call on the wire.
	Info CallInfo
	// TTFT is the time to first token the server reported in a stream's
	// metadata, or 0.
	TTFT time.Duration
}

// A Hook observes calls from start to end. It is called when a call begins,
// after its input was validated; the context it returns is the one the call
// runs with (so its requests, their middleware, and nested calls such as
// the parts of an upload see what the hook put there, a span for
// instance; a nil context keeps the one it was given). The function it
// returns, when not nil, is called once when the
// call ends, with the typed outcome. Hooks run on the caller's goroutine
// for plain calls, and on the goroutine that ends a stream or a download;
// the parts of an upload run concurrently, so a hook must be safe for
// concurrent use. With no hook set, calls pay nothing for them.
type Hook func(ctx context.Context, start *CallStart) (context.Context, func(*CallEnd))

// WithHook adds a hook. Given to NewClient it observes every call; given to
// a call, that call only, inside the client's hooks. A nil hook is an error.
func WithHook(h Hook) Option {
	return func(c *config) error {
		if h == nil {
			return errors.New("adaptive: WithHook: the hook is nil")
		}
		c.hooks = append(c.hooks[:len(c.hooks):len(c.hooks)], h)
		return nil
	}
}

// callRecord follows one call for its hooks, its log record and WithCallInfo.
// A nil *callRecord, the case when none of them is set, does nothing.
type callRecord struct {
	cfg   *config
	ctx   context.Context
	start time.Time
	call  string
	info  CallInfo
	ends  []func(*CallEnd)
	route string
	meth  string
	done  bool
}

// begin starts the record of a call, running the hooks' start. It returns
// the context the call must run with.
func (c *Client) begin(ctx context.Context, cfg *config, start CallStart) (context.Context, *callRecord) {
	logs := cfg.logger != nil && cfg.logger.Enabled(ctx, slog.LevelDebug)
	if len(cfg.hooks) == 0 && !logs && cfg.callInfo == nil {
		return ctx, nil
	}
	rec := &callRecord{cfg: cfg, start: time.Now(), call: start.Call, route: start.Route, meth: start.Method}
	if len(cfg.hooks) > 0 {
		ctx = rec.startHooks(ctx, start)
	}
	rec.ctx = ctx
	return ctx, rec
}

// startHooks runs the hooks' start on a copy of start that lives on the
// heap: only calls that have hooks pay for it.
func (r *callRecord) startHooks(ctx context.Context, start CallStart) context.Context {
	s := &start
	for _, h := range r.cfg.hooks {
		hctx, end := h(ctx, s)
		if hctx != nil {
			ctx = hctx
		}
		if end != nil {
			r.ends = append(r.ends, end)
		}
	}
	return ctx
}

// answered notes what the transport got.
func (r *callRecord) answered(resp *transport.Response, sent int64) {
	if r == nil || resp == nil {
		return
	}
	r.info.Attempts = resp.Attempts
	r.info.BytesSent = sent
	if resp.Response != nil {
		r.info.StatusCode = resp.StatusCode
		r.info.Header = resp.Header
		r.info.RequestID = requestID(resp.Header)
		r.info.BytesReceived = int64(len(resp.Data))
	}
}

// received adds n bytes read from a streamed body.
func (r *callRecord) received(n int) {
	if r != nil {
		r.info.BytesReceived += int64(n)
	}
}

// end closes the record once: the hooks' ends (innermost first), the log
// record and WithCallInfo.
func (r *callRecord) end(response any, err error, ttft time.Duration) {
	if r == nil || r.done {
		return
	}
	r.done = true
	r.info.Duration = time.Since(r.start)
	var apiErr *APIError
	if errors.As(err, &apiErr) && r.info.StatusCode == 0 {
		r.info.StatusCode, r.info.Header, r.info.RequestID = apiErr.StatusCode, apiErr.Header, apiErr.RequestID
	}
	if len(r.ends) > 0 {
		e := &CallEnd{Response: response, Err: err, Info: r.info, TTFT: ttft}
		for i := len(r.ends) - 1; i >= 0; i-- {
			r.ends[i](e)
		}
	}
	if l := r.cfg.logger; l != nil && l.Enabled(r.ctx, slog.LevelDebug) {
		attrs := []slog.Attr{
			slog.String("call", r.call),
			slog.Int("status", r.info.StatusCode),
			slog.Int("attempts", r.info.Attempts),
			slog.Duration("duration", r.info.Duration),
			slog.Int64("bytes_sent", r.info.BytesSent),
			slog.Int64("bytes_received", r.info.BytesReceived),
		}
		if r.meth != "" {
			attrs = append(attrs, slog.String("method", r.meth), slog.String("route", r.route))
		}
		if r.info.RequestID != "" {
			attrs = append(attrs, slog.String("request_id", r.info.RequestID))
		}
		if err != nil {
			attrs = append(attrs, slog.String("outcome", outcomeOf(err)))
		}
		l.LogAttrs(r.ctx, slog.LevelDebug, "adaptive: call", attrs...)
	}
	if r.cfg.callInfo != nil {
		*r.cfg.callInfo = r.info
	}
}

// outcomeOf names a failure for the log without its text, which may quote
// the server.
func outcomeOf(err error) string {
	var apiErr *APIError
	var vErr *ValidationError
	switch {
	case errors.As(err, &apiErr):
		return "api error"
	case errors.As(err, &vErr):
		return "invalid input"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	default:
		return "error"
	}
}

package adaptiveotel

import (
	"context"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/semconv/v1.41.0/genaiconv"
	"go.opentelemetry.io/otel/trace"

	"github.com/adaptive-go/adaptive"
)

// provider is the gen_ai.provider.name of every GenAI call.
const provider genaiconv.ProviderNameAttr = "adaptive"

// partNumberKey numbers the part of an Uploads.UploadPart span.
const partNumberKey = attribute.Key("adaptive.upload.part_number")

// call follows one SDK call from its hook's start to its end.
type call struct {
	in    *instrumentation
	ctx   context.Context // the call's, with its span: for the metrics' exemplars
	span  trace.Span
	op    genaiconv.OperationNameAttr // empty for calls that are not GenAI operations
	model string
	// server is set by the middleware on the call's first request. The
	// requests of one call are sequential and end before the call does,
	// but a pointer set once atomically does not depend on it.
	server atomic.Pointer[serverAddr]
}

type serverAddr struct {
	host string
	port int
}

type callKey struct{}

// callOf returns the call that ctx runs, or nil.
func callOf(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

// operations maps the SDK calls that are GenAI operations to their name.
var operations = map[string]genaiconv.OperationNameAttr{
	"Chat.Create":       genaiconv.OperationNameChat,
	"Chat.Stream":       genaiconv.OperationNameChat,
	"Embeddings.Create": genaiconv.OperationNameEmbeddings,
}

// start is the Hook: it starts the call's span, and returns the context
// that carries it and the function that ends it.
func (in *instrumentation) start(ctx context.Context, s *adaptive.CallStart) (context.Context, func(*adaptive.CallEnd)) {
	c := &call{in: in, op: operations[s.Call], model: s.Model}
	name, kind := s.Call, trace.SpanKindClient
	var attrs []attribute.KeyValue
	switch {
	case c.op != "":
		name = string(c.op) + " " + s.Model
		attrs = requestAttributes(c.op, s)
	case s.Method == "":
		// A call made of calls (an upload): its requests are client spans
		// of their own, under this one.
		kind = trace.SpanKindInternal
	default:
		attrs = httpAttributes(s)
	}
	ctx, c.span = in.tracer.Start(ctx, name, trace.WithSpanKind(kind), trace.WithAttributes(attrs...))
	if in.content && c.op == genaiconv.OperationNameChat && c.span.IsRecording() {
		if req, ok := s.Request.(*adaptive.ChatRequest); ok {
			c.span.SetAttributes(inputMessages(req.Messages))
		}
	}
	c.ctx = context.WithValue(ctx, callKey{}, c)
	return c.ctx, c.end
}

// httpAttributes describes a call that is one HTTP request (with its
// retries).
func httpAttributes(s *adaptive.CallStart) []attribute.KeyValue {
	attrs := []attribute.KeyValue{semconv.HTTPRequestMethodKey.String(s.Method)}
	// Client.Do's path is the caller's, ids and all: not a template.
	if s.Route != "" && s.Call != "Client.Do" {
		attrs = append(attrs, semconv.URLTemplate(s.Route))
	}
	if s.PartNumber > 0 {
		attrs = append(attrs, partNumberKey.Int(s.PartNumber))
	}
	return attrs
}

// end is the function the Hook returns: it completes and ends the span,
// and records the metrics of GenAI calls. A span that is not recorded (a
// sampler left it out) gets no attributes.
func (c *call) end(e *adaptive.CallEnd) {
	var errType string
	if e.Err != nil {
		errType = errorType(e.Err)
	}
	var o outcome
	if c.op != "" {
		o = outcomeOf(e)
	}
	if c.span.IsRecording() {
		c.annotate(e, errType, o)
	}
	c.span.End()
	if c.op != "" {
		c.record(e.Info.Duration, errType, o)
	}
}

// annotate sets the status of the span and the attributes of the call's
// outcome, in one SetAttributes.
func (c *call) annotate(e *adaptive.CallEnd, errType string, o outcome) {
	attrs := make([]attribute.KeyValue, 0, 12)
	if e.Err != nil {
		c.span.SetStatus(codes.Error, e.Err.Error())
		attrs = append(attrs, semconv.ErrorTypeKey.String(errType))
	}
	if srv := c.server.Load(); srv != nil {
		attrs = append(attrs, semconv.ServerAddress(srv.host), semconv.ServerPort(srv.port))
	}
	if c.op == "" {
		attrs = httpResult(attrs, e.Info)
	} else {
		attrs = responseAttributes(attrs, e, o)
		if c.in.content && c.op == genaiconv.OperationNameChat {
			if resp, ok := e.Response.(*adaptive.ChatResponse); ok {
				attrs = append(attrs, outputMessages(resp, e.Err != nil))
			}
		}
	}
	c.span.SetAttributes(attrs...)
}

// httpResult appends to attrs the description of the final answer of a
// call that is one HTTP request.
func httpResult(attrs []attribute.KeyValue, info adaptive.CallInfo) []attribute.KeyValue {
	if info.StatusCode != 0 {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(info.StatusCode))
	}
	if info.Attempts > 1 {
		attrs = append(attrs, semconv.HTTPRequestResendCount(info.Attempts-1))
	}
	return attrs
}

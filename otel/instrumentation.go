package adaptiveotel

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/semconv/v1.41.0/genaiconv"
	"go.opentelemetry.io/otel/trace"

	"github.com/adaptive-go/adaptive"
)

// instrumentation holds what one set of options made; it does not change
// after newInstrumentation, so calls share it freely.
type instrumentation struct {
	tracer      trace.Tracer
	propagators propagation.TextMapPropagator
	content     bool
	duration    genaiconv.ClientOperationDuration
	tokens      genaiconv.ClientTokenUsage
}

// The bucket boundaries the GenAI conventions give for their histograms.
var (
	durationBuckets = []float64{0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}
	tokenBuckets    = []float64{1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864}
)

func newInstrumentation(opts []Option) *instrumentation {
	c := newConfig(opts)
	in := &instrumentation{
		tracer: c.tracerProvider.Tracer(ScopeName,
			trace.WithInstrumentationVersion(Version), trace.WithSchemaURL(semconv.SchemaURL)),
		propagators: c.propagators,
		content:     c.content,
	}
	meter := c.meterProvider.Meter(ScopeName,
		metric.WithInstrumentationVersion(Version), metric.WithSchemaURL(semconv.SchemaURL))
	var err error
	// On failure the instruments are no-ops: the error goes to the global
	// handler, as OpenTelemetry instrumentation does, rather than failing
	// the client.
	if in.duration, err = genaiconv.NewClientOperationDuration(meter, metric.WithExplicitBucketBoundaries(durationBuckets...)); err != nil {
		otel.Handle(err)
	}
	if in.tokens, err = genaiconv.NewClientTokenUsage(meter, metric.WithExplicitBucketBoundaries(tokenBuckets...)); err != nil {
		otel.Handle(err)
	}
	return in
}

// Hook returns a call hook that makes one span per call and records the
// GenAI metrics of chat and embeddings calls (see the package doc). Add it
// with adaptive.WithHook, or use ClientOptions, which also adds the
// Middleware that propagates the trace context and records the server's
// address.
func Hook(opts ...Option) adaptive.Hook {
	return newInstrumentation(opts).start
}

// Middleware returns a middleware that injects the trace context of each
// request's context into its headers with the configured propagators, so
// that the server's spans join the caller's trace, and records the
// server's address and port on the span of the call (made by Hook). Add it
// with adaptive.WithMiddleware, or use ClientOptions.
func Middleware(opts ...Option) adaptive.Middleware {
	return newInstrumentation(opts).middleware
}

// ClientOptions returns the options that instrument a client: the Hook and
// the Middleware, sharing one configuration. Give them to NewClient for
// every call of the client,
//
//	adaptive.NewClient(append(adaptiveotel.ClientOptions(), adaptive.WithProject("p"))...)
//
// or to a single call.
func ClientOptions(opts ...Option) []adaptive.Option {
	in := newInstrumentation(opts)
	return []adaptive.Option{adaptive.WithHook(in.start), adaptive.WithMiddleware(in.middleware)}
}

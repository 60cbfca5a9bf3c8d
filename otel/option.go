package adaptiveotel

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// An Option configures the instrumentation made by Hook, Middleware and
// ClientOptions.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config is what the options chose.
type config struct {
	tracerProvider trace.TracerProvider
	meterProvider  metric.MeterProvider
	propagators    propagation.TextMapPropagator
	content        bool
}

// newConfig applies opts over the global providers and propagator. They
// are read here, once: the global ones delegate to whatever is installed
// later, so instrumenting a client before setting them up still works.
func newConfig(opts []Option) *config {
	c := &config{
		tracerProvider: otel.GetTracerProvider(),
		meterProvider:  otel.GetMeterProvider(),
		propagators:    otel.GetTextMapPropagator(),
	}
	for _, o := range opts {
		if o != nil {
			o.apply(c)
		}
	}
	return c
}

// WithTracerProvider makes spans with tp instead of the global tracer
// provider. A nil tp keeps the global one.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(c *config) {
		if tp != nil {
			c.tracerProvider = tp
		}
	})
}

// WithMeterProvider records metrics with mp instead of the global meter
// provider. A nil mp keeps the global one.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) {
		if mp != nil {
			c.meterProvider = mp
		}
	})
}

// WithPropagators injects the trace context into outgoing requests with p
// instead of the global propagator. A nil p keeps the global one.
func WithPropagators(p propagation.TextMapPropagator) Option {
	return optionFunc(func(c *config) {
		if p != nil {
			c.propagators = p
		}
	})
}

// WithMessageContent, given true, records the messages of chat calls on
// their spans: gen_ai.input.messages (the request's messages, images
// included as their URL or data) and gen_ai.output.messages (the answer's
// choices), in the structured form of the GenAI conventions. They are
// likely to hold personal data, so they are left out by default. Bound
// their size with the SDK's span limits (AttributeValueLengthLimit) if
// requests carry large images.
func WithMessageContent(capture bool) Option {
	return optionFunc(func(c *config) { c.content = capture })
}

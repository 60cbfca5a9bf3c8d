package adaptiveotel_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
	adaptiveotel "github.com/adaptive-go/adaptive/otel"
)

// fixture is a fake server and a client instrumented with a span recorder
// and a manual metric reader.
type fixture struct {
	srv    *adaptivetest.Server
	client *adaptive.Client
	spans  *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	reader *sdkmetric.ManualReader
}

// newFixture starts the server (with srvOpts) and instruments a client
// with ClientOptions(opts...) on top of the recorder, the reader and the
// W3C trace context propagator.
func newFixture(t *testing.T, srvOpts []adaptivetest.Option, opts ...adaptiveotel.Option) *fixture {
	t.Helper()
	f := &fixture{srv: adaptivetest.NewServer(srvOpts...), spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	t.Cleanup(f.srv.Close)
	f.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(f.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(f.reader))
	all := append([]adaptiveotel.Option{adaptiveotel.WithTracerProvider(f.tp), adaptiveotel.WithMeterProvider(mp),
		adaptiveotel.WithPropagators(propagation.TraceContext{})}, opts...)
	f.client = f.srv.Client(append(adaptiveotel.ClientOptions(all...), adaptive.WithMaxRetries(1))...)
	return f
}

// ended returns the spans that ended, in the order they ended.
func (f *fixture) ended() []sdktrace.ReadOnlySpan { return f.spans.Ended() }

// only returns the one span that ended, failing the test otherwise.
func (f *fixture) only(t *testing.T) sdktrace.ReadOnlySpan {
	t.Helper()
	spans := f.ended()
	require.Len(t, spans, 1, "one span per call")
	return spans[0]
}

// metrics collects what the reader holds: histogram data points by
// instrument name.
func (f *fixture) metrics(t *testing.T) map[string][]histogramPoint {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, f.reader.Collect(context.Background(), &rm))
	out := map[string][]histogramPoint{}
	for _, sm := range rm.ScopeMetrics {
		require.Equal(t, adaptiveotel.ScopeName, sm.Scope.Name)
		require.Equal(t, adaptiveotel.Version, sm.Scope.Version)
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					out[m.Name] = append(out[m.Name], histogramPoint{attrs(p.Attributes.ToSlice()), p.Count, p.Sum})
				}
			case metricdata.Histogram[int64]:
				for _, p := range d.DataPoints {
					out[m.Name] = append(out[m.Name], histogramPoint{attrs(p.Attributes.ToSlice()), p.Count, float64(p.Sum)})
				}
			}
		}
	}
	return out
}

type histogramPoint struct {
	attrs map[string]any
	count uint64
	sum   float64
}

// attrs turns attributes into plain Go values by key: strings, int64s,
// float64s, bools, slices and, for structured values, []any and
// map[string]any.
func attrs(kvs []attribute.KeyValue) map[string]any {
	m := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		m[string(kv.Key)] = plain(kv.Value)
	}
	return m
}

func plain(v attribute.Value) any {
	switch v.Type() {
	case attribute.SLICE:
		var out []any
		for _, e := range v.AsSlice() {
			out = append(out, plain(e))
		}
		return out
	case attribute.MAP:
		return attrs(v.AsMap())
	}
	return v.AsInterface()
}

var userHi = adaptive.ChatRequest{Messages: []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "hi"}}}

package benchmarks

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/adaptive-go/adaptive"
	adaptiveotel "github.com/adaptive-go/adaptive/otel"
)

// observer is one way of observing the SDK's calls, for BenchmarkObserve.
type observer struct {
	name string
	opts func(tb testing.TB) []adaptive.Option
}

// recorderLimit bounds the spans the tracetest recorder holds: it is reset
// once it has this many, as an exporter hands its batch on.
const recorderLimit = 512

var observers = []observer{
	{"sdk", func(testing.TB) []adaptive.Option { return nil }},
	// A second bare client: sdk/bare is the ratio of two identical
	// clients, the noise floor of the other ratios.
	{"bare", func(testing.TB) []adaptive.Option { return nil }},
	{"middleware", func(testing.TB) []adaptive.Option {
		nop := func(req *http.Request, next adaptive.MiddlewareNext) (*http.Response, error) { return next(req) }
		return []adaptive.Option{adaptive.WithMiddleware(nop)}
	}},
	{"logger", func(testing.TB) []adaptive.Option {
		// At Info level: the SDK's debug records are disabled.
		h := slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})
		return []adaptive.Option{adaptive.WithLogger(slog.New(h))}
	}},
	{"otel", func(tb testing.TB) []adaptive.Option {
		rec := tracetest.NewSpanRecorder()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(&resettingRecorder{SpanRecorder: rec}))
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		tb.Cleanup(func() {
			_ = tp.Shutdown(context.Background())
			_ = mp.Shutdown(context.Background())
		})
		return adaptiveotel.ClientOptions(adaptiveotel.WithTracerProvider(tp), adaptiveotel.WithMeterProvider(mp))
	}},
}

// resettingRecorder is a tracetest recorder that drops what it holds every
// recorderLimit spans, so that a long run does not grow without bound.
type resettingRecorder struct {
	*tracetest.SpanRecorder
	n int
}

func (r *resettingRecorder) OnEnd(s sdktrace.ReadOnlySpan) {
	r.SpanRecorder.OnEnd(s)
	if r.n++; r.n == recorderLimit {
		r.n = 0
		r.Reset()
	}
}

// observedSDK is newSDKWith with the options of an observer.
func observedSDK(tb testing.TB, url string, hc *http.Client, opts []adaptive.Option) *adaptive.Client {
	c, err := adaptive.NewClient(append([]adaptive.Option{adaptive.WithBaseURL(url), adaptive.WithAPIKey("k"),
		adaptive.WithProject("demo"), adaptive.WithHTTPClient(hc)}, opts...)...)
	require.NoError(tb, err)
	return c
}

// BenchmarkObserve is the chat round trip of BenchmarkInterleaved's
// "request" (on loopback) and "request-overhead" (answered from memory),
// with the SDK bare, twice, and observed: one no-op middleware, a logger
// whose level leaves the SDK's debug records out, and the OpenTelemetry
// hook and middleware on a tracetest recorder with a metric reader. It
// reports sdk/<observer>, the median ratio of the bare SDK's time to the
// observed one's: 1 means no cost, 0.9 an observed call about 11% slower,
// and sdk/bare shows how far from 1 two identical clients land.
func BenchmarkObserve(b *testing.B) {
	ctx := context.Background()
	content := completionContent(b)
	sides := func(b *testing.B, url string, client func() *http.Client) []side {
		out := make([]side, 0, len(observers))
		for _, o := range observers {
			c := observedSDK(b, url, client(), o.opts(b))
			out = append(out, side{o.name, func() error {
				r, err := c.Chat.Create(ctx, sdkChatRequest())
				if err == nil && r.Choices[0].Message.Content != content {
					b.Fatalf("%s: content %q", o.name, r.Choices[0].Message.Content)
				}
				return err
			}})
		}
		return out
	}
	b.Run("request", func(b *testing.B) {
		srv := completionServer(b)
		interleave(b, 1, "ns/op", sides(b, srv.URL, func() *http.Client {
			hc := freshHTTPClient()
			b.Cleanup(hc.CloseIdleConnections)
			return hc
		}))
	})
	b.Run("request-overhead", func(b *testing.B) {
		interleave(b, 1, "ns/op", sides(b, memURL, func() *http.Client {
			return newMemClient("application/json", []byte(completionBody))
		}))
	})
}

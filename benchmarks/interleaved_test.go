package benchmarks

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"
)

// A side is one client of an interleaved comparison.
type side struct {
	name string
	op   func() error
}

// interleave runs every side once per iteration, starting with a different
// side each time, and times each call on its own. It reports each side's
// median time divided by per (as "<name>-<unit>") and, for every other
// side, the median over iterations of sdk time / that side's time (as
// "sdk/<name>"). The sides of a pair run back to back, milliseconds apart,
// so a load that comes and goes on a shared machine hits both alike: the
// ratios stay steadier than those of separate sub-benchmarks. sides[0] must
// be the SDK.
func interleave(b *testing.B, per float64, unit string, sides []side) {
	b.ReportAllocs()
	times := make([][]time.Duration, len(sides))
	i := 0
	for b.Loop() {
		for k := range sides {
			s := (i + k) % len(sides)
			start := time.Now()
			if err := sides[s].op(); err != nil {
				b.Fatalf("%s: %v", sides[s].name, err)
			}
			times[s] = append(times[s], time.Since(start))
		}
		i++
	}
	for s := range sides {
		b.ReportMetric(float64(medianDuration(times[s]))/per, sides[s].name+"-"+unit)
	}
	for s := 1; s < len(sides); s++ {
		ratios := make([]float64, len(times[0]))
		for i := range ratios {
			ratios[i] = float64(times[0][i]) / float64(times[s][i])
		}
		b.ReportMetric(median(ratios), sides[0].name+"/"+sides[s].name)
	}
}

func medianDuration(ds []time.Duration) time.Duration {
	fs := make([]float64, len(ds))
	for i, d := range ds {
		fs[i] = float64(d)
	}
	return time.Duration(median(fs))
}

func median(vs []float64) float64 {
	vs = slices.Clone(vs)
	slices.Sort(vs)
	n := len(vs)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return vs[n/2]
	}
	return (vs[n/2-1] + vs[n/2]) / 2
}

// BenchmarkInterleaved repeats the stream, request and download
// comparisons with the sides interleaved call by call (see interleave):
// "stream", "request" and "download" (256 MiB) on loopback,
// "stream-decode" and "request-overhead" with the answer served from
// memory.
func BenchmarkInterleaved(b *testing.B) {
	ctx := context.Background()
	want := expectedStream()
	streamSides := func(b *testing.B, url string, client func() *http.Client) []side {
		sides := make([]side, 0, len(streamConsumers))
		for _, c := range streamConsumers {
			consume := c.setup(b, url, client())
			sides = append(sides, side{c.name, func() error {
				got, err := consume(ctx)
				if err == nil && got != want {
					b.Fatalf("%s: got %+v, want %+v", c.name, got, want)
				}
				return err
			}})
		}
		return sides
	}
	content := completionContent(b)
	requestSides := func(b *testing.B, url string, client func() *http.Client) []side {
		sides := make([]side, 0, len(requestClients))
		for _, c := range requestClients {
			create := c.setup(b, url, client())
			sides = append(sides, side{c.name, func() error {
				got, err := create(ctx)
				if err == nil && got != content {
					b.Fatalf("%s: content %q", c.name, got)
				}
				return err
			}})
		}
		return sides
	}
	loopback := func(b *testing.B) func() *http.Client {
		return func() *http.Client {
			hc := freshHTTPClient()
			b.Cleanup(hc.CloseIdleConnections)
			return hc
		}
	}

	b.Run("stream", func(b *testing.B) {
		srv := streamServer(b)
		interleave(b, StreamChunks, "ns/chunk", streamSides(b, srv.URL, loopback(b)))
	})
	b.Run("stream-decode", func(b *testing.B) {
		mem := func() *http.Client { return newMemClient("text/event-stream", recorded()) }
		interleave(b, StreamChunks, "ns/chunk", streamSides(b, memURL, mem))
	})
	b.Run("request", func(b *testing.B) {
		srv := completionServer(b)
		interleave(b, 1, "ns/op", requestSides(b, srv.URL, loopback(b)))
	})
	b.Run("request-overhead", func(b *testing.B) {
		mem := func() *http.Client { return newMemClient("application/json", []byte(completionBody)) }
		interleave(b, 1, "ns/op", requestSides(b, memURL, mem))
	})
	b.Run("download", func(b *testing.B) {
		srv := downloadServer(b)
		sized := func(name string, op func() int64) side {
			return side{name, func() error {
				if n := op(); n != bigSize {
					return fmt.Errorf("moved %d bytes, want %d", n, bigSize)
				}
				return nil
			}}
		}
		interleave(b, 1, "ns/op", []side{sized("sdk", sdkDownload(b, srv)), sized("get", getDownload(b, srv))})
	})
}

package benchmarks

import (
	"bufio"
	"bytes"
	"iter"
	"testing"

	sse "github.com/tmaxmax/go-sse"
)

// BenchmarkSSEParse isolates the framing part of stream decoding, with no
// JSON: the recorded stream split into data events by a bufio.Reader line
// by line (what the raw baseline does), by go-sse's sse.Read ranged over
// directly, and by sse.Read through iter.Pull2 (how a pull-style Next
// must use it). The differences are the floor of the SDK's overhead over
// the raw baseline in BenchmarkStream while it parses with go-sse.
func BenchmarkSSEParse(b *testing.B) {
	data := recorded()
	count := func(b *testing.B, n int) {
		if n < StreamChunks {
			b.Fatalf("%d data events", n)
		}
	}
	report := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*StreamChunks), "ns/chunk")
	}
	b.Run("bufio", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			br := bufio.NewReaderSize(bytes.NewReader(data), 64<<10)
			n := 0
			for {
				line, err := br.ReadSlice('\n')
				if err != nil {
					break
				}
				if bytes.HasPrefix(line, dataPrefix) {
					n++
				}
			}
			count(b, n)
		}
		report(b)
	})
	cfg := &sse.ReadConfig{MaxEventSize: 4 << 20}
	b.Run("go-sse-range", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			n := 0
			for ev, err := range sse.Read(bytes.NewReader(data), cfg) {
				if err != nil {
					b.Fatal(err)
				}
				if ev.Data != "" {
					n++
				}
			}
			count(b, n)
		}
		report(b)
	})
	b.Run("go-sse-pull", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			next, stop := iter.Pull2(sse.Read(bytes.NewReader(data), cfg))
			n := 0
			for {
				ev, err, ok := next()
				if !ok {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				if ev.Data != "" {
					n++
				}
			}
			stop()
			count(b, n)
		}
		report(b)
	})
}

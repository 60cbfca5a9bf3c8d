package benchmarks

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/adaptive-go/adaptive/adaptivetest"
)

// BenchmarkDownload fetches 256 MiB from adaptivetest through
// Download.WriteTo(io.Discard) (sdk) and through a plain http.Get + io.Copy
// of the same route (get), so the server side is the same for both. Peak
// heap is the highest heap of one download above the level before it.
func BenchmarkDownload(b *testing.B) {
	srv := downloadServer(b)
	b.Run("sdk", func(b *testing.B) { measure(b, bigSize, sdkDownload(b, srv)) })
	b.Run("get", func(b *testing.B) { measure(b, bigSize, getDownload(b, srv)) })
}

// downloadServer is adaptivetest serving the 256 MiB dataset "big".
func downloadServer(tb testing.TB) *adaptivetest.Server {
	srv := adaptivetest.NewServer()
	tb.Cleanup(srv.Close)
	srv.AddDatasetReader(srv.Project, "big", "", patternReaderAt{bigSize}, bigSize)
	return srv
}

// sdkDownload returns a function that downloads "big" through the SDK and
// returns the bytes it moved.
func sdkDownload(tb testing.TB, srv *adaptivetest.Server) func() int64 {
	client := srv.Client()
	ctx := context.Background()
	return func() int64 {
		d, err := client.Datasets.Download(ctx, "", "big", nil)
		if err != nil {
			tb.Fatal(err)
		}
		defer d.Close()
		n, err := d.WriteTo(io.Discard)
		if err != nil {
			tb.Fatal(err)
		}
		return n
	}
}

// getDownload is sdkDownload with http.Get and io.Copy, on a transport of
// its own.
func getDownload(tb testing.TB, srv *adaptivetest.Server) func() int64 {
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	tb.Cleanup(hc.CloseIdleConnections)
	url := srv.URL + "/api/v1/projects/" + srv.Project + "/datasets/big/download"
	ctx := context.Background()
	return func() int64 {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			tb.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+srv.APIKey)
		resp, err := hc.Do(req)
		if err != nil {
			tb.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			tb.Fatalf("status %s", resp.Status)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		if err != nil {
			tb.Fatal(err)
		}
		return n
	}
}

// measure runs op b.N times, checks that each run moved size bytes, and
// reports allocations, throughput, CPU time per run and the peak heap of
// one run: before each
// run, with the timer stopped, garbage is collected and the sampler started
// afresh, so that a run is not charged for the garbage of the one before.
func measure(b *testing.B, size int64, op func() int64) {
	b.ReportAllocs()
	b.SetBytes(size)
	peak, cpu := 0.0, time.Duration(0)
	for b.Loop() {
		b.StopTimer()
		hp := StartHeapPeak()
		start := CPUTime()
		b.StartTimer()
		n := op()
		b.StopTimer()
		cpu += CPUTime() - start
		peak = max(peak, hp.Stop())
		b.StartTimer()
		if n != size {
			b.Fatalf("moved %d bytes, want %d", n, size)
		}
	}
	b.ReportMetric(peak, PeakHeapUnit)
	b.ReportMetric(float64(cpu)/float64(b.N), CPUUnit)
}

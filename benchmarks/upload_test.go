package benchmarks

import (
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

// uploadPartSize is the part size the SDK chooses for 256 MiB (5 MiB below
// 500 MiB); the ratio tool's heap limits assume it.
const uploadPartSize = 5 << 20

// uploadServer is adaptivetest with stored part bytes discarded, so that
// the heap measured is the client's, not the fake's storage.
func uploadServer(tb testing.TB) *adaptivetest.Server {
	srv := adaptivetest.NewServer(adaptivetest.WithDiscardUploads())
	tb.Cleanup(srv.Close)
	return srv
}

// uploadSource opens the payload as the SDK will see it: "file" is an
// *os.File (an io.ReaderAt with Stat), "reader" a plain io.Reader whose
// size is given in the options (so it is neither seekable nor spooled),
// "spooled" the same reader without its size, which the SDK spools to a
// temporary file first.
func uploadSource(tb testing.TB, kind, path string) (io.Reader, func(), *adaptive.UploadOptions) {
	switch kind {
	case "file":
		f, err := os.Open(path)
		if err != nil {
			tb.Fatal(err)
		}
		return f, func() { _ = f.Close() }, &adaptive.UploadOptions{}
	case "spooled":
		return newPayloadReader(), func() {}, &adaptive.UploadOptions{}
	default:
		return newPayloadReader(), func() {}, &adaptive.UploadOptions{Size: bigSize}
	}
}

// uploadOnce uploads the payload once from the given kind of source with
// the default options, changed by set when it is not nil. PartSize is
// pinned to what the SDK chooses for 256 MiB, so that the ratio tool's
// heap limits hold whatever the defaults become.
func uploadOnce(tb testing.TB, client *adaptive.Client, kind, path string, set func(*adaptive.UploadOptions)) error {
	r, done, opts := uploadSource(tb, kind, path)
	defer done()
	opts.PartSize = uploadPartSize
	if set != nil {
		set(opts)
	}
	res, err := client.Uploads.Upload(context.Background(), r, opts)
	if err == nil && res.Bytes != bigSize {
		err = fmt.Errorf("uploaded %d bytes, want %d", res.Bytes, bigSize)
	}
	return err
}

// concurrency sets UploadOptions.Concurrency.
func concurrency(n int) func(*adaptive.UploadOptions) {
	return func(o *adaptive.UploadOptions) { o.Concurrency = n }
}

func sdkUpload(b *testing.B, client *adaptive.Client, kind, path string, c int) {
	measure(b, bigSize, func() int64 {
		if err := uploadOnce(b, client, kind, path, concurrency(c)); err != nil {
			b.Fatal(err)
		}
		return bigSize
	})
}

// leanSDK is a client of the lean upload server at url built as
// adaptivetest's Client builds its own, on the SDK's default transport, so
// that the -leanserver variants differ from the others only by the server.
// (A transport that keeps 2 idle connections per host, as
// http.DefaultTransport does, closes and opens connections all along at 4
// parts in flight, which costs about a sixth more CPU on loopback.)
func leanSDK(tb testing.TB, url string) *adaptive.Client {
	c, err := adaptive.NewClient(adaptive.WithBaseURL(url), adaptive.WithAPIKey("k"), adaptive.WithProject("demo"))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// discardServer is post's server: a handler that reads the body and
// discards it.
func discardServer(tb testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// postOnce sends the payload as one plain POST to url with hc.
func postOnce(hc *http.Client, url string) error {
	req, err := http.NewRequest(http.MethodPost, url, newPayloadReader())
	if err != nil {
		return err
	}
	req.ContentLength = bigSize
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status)
	}
	return nil
}

// BenchmarkUpload sends 256 MiB on loopback: through Uploads.Upload to
// adaptivetest, from a file and from a plain reader, 4 parts in flight;
// and as one plain http.Post of the same bytes to a handler that discards
// them (post), the loopback limit. The -leanserver variants send the same
// uploads to a minimal upload server that, like post's handler, only
// discards the bytes (adaptivetest also records each request and checks it
// against the contract).
func BenchmarkUpload(b *testing.B) {
	path := payloadFile(b)
	srv := uploadServer(b)
	client := srv.Client()

	b.Run("post", func(b *testing.B) {
		discard := discardServer(b)
		hc := freshHTTPClient()
		defer hc.CloseIdleConnections()
		measure(b, bigSize, func() int64 {
			if err := postOnce(hc, discard.URL); err != nil {
				b.Fatal(err)
			}
			return bigSize
		})
	})
	for _, kind := range []string{"file", "reader"} {
		b.Run("sdk-"+kind+"-c4", func(b *testing.B) { sdkUpload(b, client, kind, path, 4) })
	}
	// The same uploads to a server that does no more per byte than post's.
	lean := leanUploadServer(b, 0)
	leanClient := leanSDK(b, lean.URL)
	for _, kind := range []string{"file", "reader"} {
		b.Run("sdk-"+kind+"-c4-leanserver", func(b *testing.B) { sdkUpload(b, leanClient, kind, path, 4) })
	}
	b.Run("sdk-spooled-c4", func(b *testing.B) { sdkUpload(b, client, "spooled", path, 4) })
	// The sides run call by call, with the smallest client that does the
	// SDK's work on the wire ("parts-c4"), to tell what the work costs
	// from what the SDK adds to it.
	b.Run("interleaved", func(b *testing.B) {
		hc := freshHTTPClient()
		defer hc.CloseIdleConnections()
		discard := discardServer(b)
		parts := freshHTTPClient()
		parts.Transport.(*http.Transport).MaxIdleConnsPerHost = 4 // one per part in flight
		defer parts.CloseIdleConnections()
		sdk := func(c *adaptive.Client, kind string) func() error {
			return func() error { return uploadOnce(b, c, kind, path, nil) }
		}
		interleaveUploads(b, []side{
			{"post", func() error { return postOnce(hc, discard.URL) }},
			{"file-c4", sdk(client, "file")},
			{"reader-c4", sdk(client, "reader")},
			{"spooled-c4", sdk(client, "spooled")},
			{"file-c4-lean", sdk(leanClient, "file")},
			{"reader-c4-lean", sdk(leanClient, "reader")},
			{"parts-c4", func() error { return partsOnce(parts, discard.URL, path, 4) }},
		})
	})
}

// partsOnce is the work of an upload from a file without the SDK: the
// payload's 5 MiB parts, read from the file at path by plain section
// readers that compute each part's CRC-32C on the way (kept, as the SDK
// keeps them), POSTed with hc to url, n at a time.
func partsOnce(hc *http.Client, url, path string, n int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	const count = (bigSize + uploadPartSize - 1) / uploadPartSize
	sums := make([]uint32, count)
	send := func(i int64) error {
		section := io.NewSectionReader(f, i*uploadPartSize, min(uploadPartSize, bigSize-i*uploadPartSize))
		body := &crcReader{r: section}
		req, err := http.NewRequest(http.MethodPost, url, io.NopCloser(body))
		if err != nil {
			return err
		}
		req.ContentLength = section.Size()
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("part %d: status %s", i+1, resp.Status)
		}
		sums[i] = body.crc
		return nil
	}
	var (
		next  atomic.Int64
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for range n {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < count; i = next.Add(1) - 1 {
				if err := send(i); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// crcReader computes the CRC-32C of what is read through it.
type crcReader struct {
	r   io.Reader
	crc uint32
}

func (c *crcReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.crc = crc32.Update(c.crc, castagnoli, p[:n])
	return n, err
}

// interleaveUploads runs every side once per iteration, starting with a
// different side each time, after a garbage collection so that no side is
// charged for another's garbage. It reports each side's median wall time
// and process CPU time in milliseconds ("<name>-ms", "<name>-cpu-ms") and,
// for every side after the first (the baseline), the medians over
// iterations of the baseline's wall time over the side's (its throughput
// relative to the baseline: "<name>/<base>-throughput", higher is better)
// and of the side's CPU time over the baseline's ("<name>/<base>-cpu",
// lower is better), each taken from calls milliseconds apart.
func interleaveUploads(b *testing.B, sides []side) {
	wall := make([][]time.Duration, len(sides))
	cpu := make([][]time.Duration, len(sides))
	i := 0
	for b.Loop() {
		for k := range sides {
			s := (i + k) % len(sides)
			b.StopTimer()
			runtime.GC()
			b.StartTimer()
			start, startCPU := time.Now(), CPUTime()
			if err := sides[s].op(); err != nil {
				b.Fatalf("%s: %v", sides[s].name, err)
			}
			wall[s] = append(wall[s], time.Since(start))
			cpu[s] = append(cpu[s], CPUTime()-startCPU)
		}
		i++
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	for s := range sides {
		b.ReportMetric(ms(medianDuration(wall[s])), sides[s].name+"-ms")
		b.ReportMetric(ms(medianDuration(cpu[s])), sides[s].name+"-cpu-ms")
	}
	base := sides[0].name
	for s := 1; s < len(sides); s++ {
		speed := make([]float64, len(wall[s]))
		cost := make([]float64, len(cpu[s]))
		for i := range speed {
			speed[i] = float64(wall[0][i]) / float64(wall[s][i])
			cost[i] = float64(cpu[s][i]) / float64(cpu[0][i])
		}
		b.ReportMetric(median(speed), sides[s].name+"/"+base+"-throughput")
		b.ReportMetric(median(cost), sides[s].name+"/"+base+"-cpu")
	}
}

// BenchmarkUploadOptions measures what each option costs against the
// default upload of the same source (4 parts in flight, 5 MiB parts, the
// CRC-32C of each part), interleaved call by call: from a file, the whole
// upload's SHA-256, other concurrencies and larger parts; from a sized
// stream, the SHA-256. The server is adaptivetest, as in BenchmarkUpload.
func BenchmarkUploadOptions(b *testing.B) {
	path := payloadFile(b)
	client := uploadServer(b).Client()
	sha := func(o *adaptive.UploadOptions) { o.Checksum = adaptive.ChecksumSHA256 }
	partSize := func(n int64) func(*adaptive.UploadOptions) {
		return func(o *adaptive.UploadOptions) { o.PartSize = n }
	}
	with := func(kind string, set func(*adaptive.UploadOptions)) func() error {
		return func() error { return uploadOnce(b, client, kind, path, set) }
	}
	b.Run("file", func(b *testing.B) {
		interleaveUploads(b, []side{
			{"default", with("file", nil)},
			{"sha256", with("file", sha)},
			{"c1", with("file", concurrency(1))},
			{"c2", with("file", concurrency(2))},
			{"c8", with("file", concurrency(8))},
			{"part-10MiB", with("file", partSize(10<<20))},
			{"part-50MiB", with("file", partSize(50<<20))},
		})
	})
	b.Run("reader", func(b *testing.B) {
		interleaveUploads(b, []side{
			{"default", with("reader", nil)},
			{"sha256", with("reader", sha)},
		})
	})
}

// BenchmarkUploadLatency adds 20 ms to every part request and compares one
// part at a time with four in flight, from a file and from a plain reader,
// and from a file to the lean server (20 ms too).
func BenchmarkUploadLatency(b *testing.B) {
	path := payloadFile(b)
	srv := uploadServer(b)
	srv.SetLatency(adaptivetest.RouteUploadPart, 20*time.Millisecond)
	client := srv.Client()
	for _, kind := range []string{"file", "reader"} {
		for _, c := range []int{1, 4} {
			b.Run("sdk-"+kind+"-c"+strconv.Itoa(c), func(b *testing.B) { sdkUpload(b, client, kind, path, c) })
		}
	}
	// The same from a file to the lean server with the same latency.
	lean := leanUploadServer(b, 20*time.Millisecond)
	leanClient := leanSDK(b, lean.URL)
	for _, c := range []int{1, 4} {
		b.Run("sdk-file-c"+strconv.Itoa(c)+"-leanserver", func(b *testing.B) { sdkUpload(b, leanClient, "file", path, c) })
	}
}

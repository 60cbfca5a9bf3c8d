// Command ratios reads `go test -bench` output (one file per Go version,
// the module's own version first), takes the median of each benchmark over
// its -count runs, and prints Markdown: one table of the SDK against the
// raw baseline and each peer, checked against the targets of the
// performance issues, with a column per Go version, then every median per
// version. It exits 0 even when targets are missed: timings are reported,
// not enforced.
package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
)

// Part sizes and concurrency used by the upload benchmarks (see
// upload_test.go): 256 MiB is sent in 5 MiB parts.
const (
	partMiB       = 5
	fileHeapLimit = 8 // MiB: an io.ReaderAt source needs no part buffers
)

func readerHeapLimit(concurrency int) float64 {
	return float64((concurrency+1)*partMiB + 16)
}

// checks are the targets of issue 17 for streams, requests, downloads,
// connection reuse and uploads, and of issue 8 for upload memory and
// concurrency. They hold on the
// module's own Go version, the first column; AllVersions marks the ones
// that must also hold on the later one.
var checks = []Check{
	{Group: "Stream decoding", Metric: "ns/chunk", SDK: "BenchmarkStream/sdk", Other: "BenchmarkStream/raw", Kind: "ratio", Limit: 1},
	{Group: "Stream decoding", Metric: "ns/chunk", SDK: "BenchmarkStream/sdk", Other: "BenchmarkStream/openai-go", Kind: "ratio", Limit: 0.35},
	{Group: "Stream decoding", Metric: "ns/chunk", SDK: "BenchmarkStream/sdk", Other: "BenchmarkStream/go-openai", Kind: "ratio", Limit: 0.8, AllVersions: true},
	{Group: "Stream decoding", Metric: "allocs/chunk", SDK: "BenchmarkStream/sdk", Other: "BenchmarkStream/raw", Kind: "diff", Limit: 2},
	{Group: "Stream decoding", Metric: "allocs/chunk", SDK: "BenchmarkStream/sdk", Other: "BenchmarkStream/openai-go", Kind: "ratio", Limit: 1},
	{Group: "Stream decoding", Metric: "allocs/chunk", SDK: "BenchmarkStream/sdk", Other: "BenchmarkStream/go-openai", Kind: "ratio", Limit: 1},

	{Group: "Stream decoding, interleaved", Metric: "sdk/raw", SDK: "BenchmarkInterleaved/stream", Kind: "reported", Limit: 1},
	{Group: "Stream decoding, interleaved", Metric: "sdk/openai-go", SDK: "BenchmarkInterleaved/stream", Kind: "reported", Limit: 0.35},
	{Group: "Stream decoding, interleaved", Metric: "sdk/go-openai", SDK: "BenchmarkInterleaved/stream", Kind: "reported", Limit: 0.8, AllVersions: true},
	{Group: "Stream decoding, in memory, interleaved", Metric: "sdk/raw", SDK: "BenchmarkInterleaved/stream-decode", Kind: "reported-info"},
	{Group: "Stream decoding, in memory, interleaved", Metric: "sdk/openai-go", SDK: "BenchmarkInterleaved/stream-decode", Kind: "reported-info"},
	{Group: "Stream decoding, in memory, interleaved", Metric: "sdk/go-openai", SDK: "BenchmarkInterleaved/stream-decode", Kind: "reported-info"},

	{Group: "Request round trip", Metric: "ns/op", SDK: "BenchmarkRequest/sdk", Other: "BenchmarkRequest/raw", Kind: "info"},
	{Group: "Request round trip", Metric: "ns/op", SDK: "BenchmarkRequest/sdk", Other: "BenchmarkRequest/openai-go", Kind: "ratio", Limit: 1},
	{Group: "Request round trip", Metric: "ns/op", SDK: "BenchmarkRequest/sdk", Other: "BenchmarkRequest/go-openai", Kind: "ratio", Limit: 1},

	{Group: "Request round trip, interleaved", Metric: "sdk/raw", SDK: "BenchmarkInterleaved/request", Kind: "reported", Limit: 1.05},
	{Group: "Request round trip, interleaved", Metric: "sdk/openai-go", SDK: "BenchmarkInterleaved/request", Kind: "reported", Limit: 1},
	{Group: "Request round trip, interleaved", Metric: "sdk/go-openai", SDK: "BenchmarkInterleaved/request", Kind: "reported", Limit: 1},
	{Group: "Request overhead, in memory, interleaved", Metric: "sdk/raw", SDK: "BenchmarkInterleaved/request-overhead", Kind: "reported-info"},
	{Group: "Request overhead, in memory, interleaved", Metric: "sdk/openai-go", SDK: "BenchmarkInterleaved/request-overhead", Kind: "reported-info"},
	{Group: "Request overhead, in memory, interleaved", Metric: "sdk/go-openai", SDK: "BenchmarkInterleaved/request-overhead", Kind: "reported-info"},

	{Group: "TLS reuse, 4 calls + 4 parts at once", Metric: "new-conns/op", SDK: "BenchmarkTLSReuse/sdk", Kind: "max", Limit: 0, Note: "default transport"},
	{Group: "TLS reuse, 4 calls + 4 parts at once", Metric: "new-conns/op", SDK: "BenchmarkTLSReuse/nethttp-default", Kind: "value", Note: "net/http's default pool of 2"},
	{Group: "TLS reuse, 4 calls + 4 parts at once", Metric: "new-conns/op", SDK: "BenchmarkTLSReuse/raw-32idle", Kind: "value", Note: "net/http by hand, pool of 32"},

	{Group: "Upload 256 MiB, interleaved", Metric: "file-c4/post-throughput", SDK: "BenchmarkUpload/interleaved", Kind: "reported-min", Limit: 0.8, Note: "from a file, default options"},
	{Group: "Upload 256 MiB, interleaved", Metric: "file-c4/post-cpu", SDK: "BenchmarkUpload/interleaved", Kind: "reported", Limit: 1.3, Note: "CPU time, from a file, default options"},
	{Group: "Upload 256 MiB, interleaved", Metric: "parts-c4/post-throughput", SDK: "BenchmarkUpload/interleaved", Kind: "reported-info", Note: "the same parts by plain net/http, CRC on the way"},
	{Group: "Upload 256 MiB, interleaved", Metric: "parts-c4/post-cpu", SDK: "BenchmarkUpload/interleaved", Kind: "reported-info", Note: "CPU time, the same parts by plain net/http"},
	{Group: "Upload 256 MiB, interleaved", Metric: "reader-c4/post-throughput", SDK: "BenchmarkUpload/interleaved", Kind: "reported-info", Note: "a stream of known size"},
	{Group: "Upload 256 MiB, interleaved", Metric: "spooled-c4/post-throughput", SDK: "BenchmarkUpload/interleaved", Kind: "reported-info", Note: "a stream of unknown size, spooled"},
	{Group: "Upload 256 MiB", Metric: "ns/op", SDK: "BenchmarkUpload/sdk-file-c4", Other: "BenchmarkUpload/post", Kind: "speedup", Limit: 0.8, Note: "throughput vs loopback, separate runs"},
	{Group: "Upload 256 MiB", Metric: "ns/op", SDK: "BenchmarkUpload/sdk-reader-c4", Other: "BenchmarkUpload/post", Kind: "info", Note: "a stream of known size vs loopback"},
	{Group: "Upload 256 MiB", Metric: "ns/op", SDK: "BenchmarkUpload/sdk-file-c4-leanserver", Other: "BenchmarkUpload/post", Kind: "speedup", Limit: 0.7, Note: "server that only discards, like post's"},
	{Group: "Upload 256 MiB", Metric: "ns/op", SDK: "BenchmarkUpload/sdk-reader-c4-leanserver", Other: "BenchmarkUpload/post", Kind: "speedup", Limit: 0.7, Note: "server that only discards, like post's"},
	{Group: "Upload 256 MiB", Metric: PeakHeapUnit, SDK: "BenchmarkUpload/sdk-file-c4", Kind: "max", Limit: fileHeapLimit},
	{Group: "Upload 256 MiB", Metric: PeakHeapUnit, SDK: "BenchmarkUpload/sdk-reader-c4", Kind: "max", Limit: readerHeapLimit(4)},
	{Group: "Upload, 20 ms/part", Metric: "ns/op", SDK: "BenchmarkUploadLatency/sdk-file-c4", Other: "BenchmarkUploadLatency/sdk-file-c1", Kind: "speedup", Limit: 3, Note: "c4 vs c1"},
	{Group: "Upload, 20 ms/part", Metric: "ns/op", SDK: "BenchmarkUploadLatency/sdk-reader-c4", Other: "BenchmarkUploadLatency/sdk-reader-c1", Kind: "speedup", Limit: 3, Note: "c4 vs c1"},
	{Group: "Upload, 20 ms/part", Metric: "ns/op", SDK: "BenchmarkUploadLatency/sdk-file-c4-leanserver", Other: "BenchmarkUploadLatency/sdk-file-c1-leanserver", Kind: "speedup", Limit: 3, Note: "c4 vs c1, server that only discards"},
	{Group: "Upload, 20 ms/part", Metric: PeakHeapUnit, SDK: "BenchmarkUploadLatency/sdk-file-c1", Kind: "max", Limit: fileHeapLimit},
	{Group: "Upload, 20 ms/part", Metric: PeakHeapUnit, SDK: "BenchmarkUploadLatency/sdk-file-c4", Kind: "max", Limit: fileHeapLimit},
	{Group: "Upload, 20 ms/part", Metric: PeakHeapUnit, SDK: "BenchmarkUploadLatency/sdk-reader-c1", Kind: "max", Limit: readerHeapLimit(1)},
	{Group: "Upload, 20 ms/part", Metric: PeakHeapUnit, SDK: "BenchmarkUploadLatency/sdk-reader-c4", Kind: "max", Limit: readerHeapLimit(4)},

	{Group: "Download 256 MiB", Metric: "ns/op", SDK: "BenchmarkDownload/sdk", Other: "BenchmarkDownload/get", Kind: "speedup", Limit: 0.95, Note: "throughput vs http.Get"},
	{Group: "Download 256 MiB, interleaved", Metric: "sdk/get", SDK: "BenchmarkInterleaved/download", Kind: "reported-speedup", Limit: 0.95, Note: "throughput vs http.Get"},
	{Group: "Download 256 MiB", Metric: PeakHeapUnit, SDK: "BenchmarkDownload/sdk", Kind: "max", Limit: 8},

	// CPU time (process-wide, loopback server included) for the same
	// pairs: the wall-time rows above include waiting for a core.
	// The JSON of a chunk alone, go-json-experiment against encoding/json
	// (no SDK code): the measurement behind not adopting v2 for streams.
	{Group: "Chunk JSON (not the SDK)", Metric: "ns/op", SDK: "BenchmarkChunkJSON/go-json-experiment", Other: "BenchmarkChunkJSON/encoding-json", Kind: "info"},

	{Group: "CPU time", Metric: "cpu-ns/chunk", SDK: "BenchmarkStream/sdk", Other: "BenchmarkStream/raw", Kind: "info"},
	{Group: "CPU time", Metric: "cpu-ns/chunk", SDK: "BenchmarkStream/sdk", Other: "BenchmarkStream/openai-go", Kind: "info"},
	{Group: "CPU time", Metric: "cpu-ns/chunk", SDK: "BenchmarkStream/sdk", Other: "BenchmarkStream/go-openai", Kind: "info"},
	{Group: "CPU time", Metric: "cpu-ns/chunk", SDK: "BenchmarkStreamDecode/sdk", Other: "BenchmarkStreamDecode/raw", Kind: "info"},
	{Group: "CPU time", Metric: "cpu-ns/chunk", SDK: "BenchmarkStreamDecode/sdk", Other: "BenchmarkStreamDecode/go-openai", Kind: "info"},
	{Group: "CPU time", Metric: "cpu-ns/op", SDK: "BenchmarkRequest/sdk", Other: "BenchmarkRequest/raw", Kind: "info"},
	{Group: "CPU time", Metric: "cpu-ns/op", SDK: "BenchmarkRequest/sdk", Other: "BenchmarkRequest/openai-go", Kind: "info"},
	{Group: "CPU time", Metric: "cpu-ns/op", SDK: "BenchmarkRequest/sdk", Other: "BenchmarkRequest/go-openai", Kind: "info"},
	{Group: "CPU time", Metric: "cpu-ns/op", SDK: "BenchmarkRequestOverhead/sdk", Other: "BenchmarkRequestOverhead/raw", Kind: "info"},
	{Group: "CPU time", Metric: "cpu-ns/op", SDK: "BenchmarkTLSReuse/sdk", Other: "BenchmarkTLSReuse/nethttp-default", Kind: "info"},
	{Group: "CPU time", Metric: "cpu-ns/op", SDK: "BenchmarkUpload/sdk-file-c4", Other: "BenchmarkUpload/post", Kind: "info"},
	{Group: "CPU time", Metric: "cpu-ns/op", SDK: "BenchmarkUpload/sdk-file-c4-leanserver", Other: "BenchmarkUpload/post", Kind: "info"},
	{Group: "CPU time", Metric: "cpu-ns/op", SDK: "BenchmarkUpload/sdk-reader-c4-leanserver", Other: "BenchmarkUpload/post", Kind: "info"},
	{Group: "CPU time", Metric: "cpu-ns/op", SDK: "BenchmarkDownload/sdk", Other: "BenchmarkDownload/get", Kind: "info"},
}

// PeakHeapUnit matches benchmarks.PeakHeapUnit (not imported, so that this
// command stays a plain text filter).
const PeakHeapUnit = "peak-heap-MiB"

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: ratios FILE... (go test -bench output, one file per Go version, the module's own first)")
		os.Exit(2)
	}
	var cols []Column
	var all []Results
	for i, path := range os.Args[1:] {
		res, version, err := readFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ratios:", err)
			os.Exit(2)
		}
		if len(res) == 0 {
			fmt.Fprintf(os.Stderr, "ratios: no benchmark lines in %s\n", path)
			os.Exit(2)
		}
		first := i == 0
		cols = append(cols, Column{Go: version, Rows: Evaluate(res, checks), Target: func(c Check) bool { return first || c.AllVersions }})
		all = append(all, res)
	}
	missed := WriteTable(os.Stdout, cols)
	fmt.Println()
	for i, c := range cols {
		targets := 0
		for _, check := range checks {
			if check.hasTarget() && c.Target(check) {
				targets++
			}
		}
		fmt.Printf("Targets missed on %s: %d of %d.\n", c.Go, missed[i], targets)
	}
	for i, c := range cols {
		fmt.Printf("\n### Medians, %s (diagnostics)\n\n", c.Go)
		WriteMedians(os.Stdout, all[i])
	}
}

// readFile parses one file of benchmark output and names its Go version
// from the "run-go:" line that run.sh writes (or "goversion:"), else the
// file name.
func readFile(path string) (Results, string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	res, err := Parse(bytes.NewReader(raw))
	if err != nil {
		return nil, "", err
	}
	version := path
	for line := range strings.Lines(string(raw)) {
		if v, ok := strings.CutPrefix(line, "run-go: "); ok {
			version = strings.Fields(v)[0]
			break
		}
	}
	return res, version, nil
}

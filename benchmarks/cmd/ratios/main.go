// Command ratios reads `go test -bench` output (a file argument or stdin),
// takes the median of each benchmark over its -count runs, and prints
// Markdown tables: the SDK against the raw baseline and each peer, checked
// against the targets of the benchmarks issue, then every median. It exits
// 0 even when targets are missed: timings are reported, not enforced.
package main

import (
	"fmt"
	"io"
	"os"
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

// checks are the targets of issue 8 (and of the chat, upload and download
// issues it measures).
var checks = []Check{
	{Group: "Stream decoding", Metric: "ns/chunk", SDK: "BenchmarkStream/sdk", Other: "BenchmarkStream/raw", Kind: "ratio", Limit: 1.15},
	{Group: "Stream decoding", Metric: "ns/chunk", SDK: "BenchmarkStream/sdk", Other: "BenchmarkStream/openai-go", Kind: "ratio", Limit: 1},
	{Group: "Stream decoding", Metric: "ns/chunk", SDK: "BenchmarkStream/sdk", Other: "BenchmarkStream/go-openai", Kind: "ratio", Limit: 1},
	{Group: "Stream decoding", Metric: "allocs/chunk", SDK: "BenchmarkStream/sdk", Other: "BenchmarkStream/raw", Kind: "diff", Limit: 2},
	{Group: "Stream decoding", Metric: "allocs/chunk", SDK: "BenchmarkStream/sdk", Other: "BenchmarkStream/openai-go", Kind: "ratio", Limit: 1},
	{Group: "Stream decoding", Metric: "allocs/chunk", SDK: "BenchmarkStream/sdk", Other: "BenchmarkStream/go-openai", Kind: "ratio", Limit: 1},

	{Group: "Stream decoding, interleaved", Metric: "sdk/raw", SDK: "BenchmarkInterleaved/stream", Kind: "reported", Limit: 1.15},
	{Group: "Stream decoding, interleaved", Metric: "sdk/openai-go", SDK: "BenchmarkInterleaved/stream", Kind: "reported", Limit: 1},
	{Group: "Stream decoding, interleaved", Metric: "sdk/go-openai", SDK: "BenchmarkInterleaved/stream", Kind: "reported", Limit: 1},
	{Group: "Stream decoding, in memory, interleaved", Metric: "sdk/raw", SDK: "BenchmarkInterleaved/stream-decode", Kind: "reported-info"},
	{Group: "Stream decoding, in memory, interleaved", Metric: "sdk/openai-go", SDK: "BenchmarkInterleaved/stream-decode", Kind: "reported-info"},
	{Group: "Stream decoding, in memory, interleaved", Metric: "sdk/go-openai", SDK: "BenchmarkInterleaved/stream-decode", Kind: "reported-info"},

	{Group: "Request overhead", Metric: "ns/op", SDK: "BenchmarkRequest/sdk", Other: "BenchmarkRequest/raw", Kind: "ratio", Limit: 1.10},
	{Group: "Request overhead", Metric: "ns/op", SDK: "BenchmarkRequest/sdk", Other: "BenchmarkRequest/openai-go", Kind: "ratio", Limit: 1},
	{Group: "Request overhead", Metric: "ns/op", SDK: "BenchmarkRequest/sdk", Other: "BenchmarkRequest/go-openai", Kind: "ratio", Limit: 1},

	{Group: "Request overhead, interleaved", Metric: "sdk/raw", SDK: "BenchmarkInterleaved/request", Kind: "reported", Limit: 1.10},
	{Group: "Request overhead, interleaved", Metric: "sdk/openai-go", SDK: "BenchmarkInterleaved/request", Kind: "reported", Limit: 1},
	{Group: "Request overhead, interleaved", Metric: "sdk/go-openai", SDK: "BenchmarkInterleaved/request", Kind: "reported", Limit: 1},
	{Group: "Request overhead, in memory, interleaved", Metric: "sdk/raw", SDK: "BenchmarkInterleaved/request-overhead", Kind: "reported-info"},
	{Group: "Request overhead, in memory, interleaved", Metric: "sdk/openai-go", SDK: "BenchmarkInterleaved/request-overhead", Kind: "reported-info"},
	{Group: "Request overhead, in memory, interleaved", Metric: "sdk/go-openai", SDK: "BenchmarkInterleaved/request-overhead", Kind: "reported-info"},

	{Group: "Upload 256 MiB", Metric: "ns/op", SDK: "BenchmarkUpload/sdk-file-c4", Other: "BenchmarkUpload/post", Kind: "speedup", Limit: 0.7, Note: "throughput vs loopback"},
	{Group: "Upload 256 MiB", Metric: "ns/op", SDK: "BenchmarkUpload/sdk-reader-c4", Other: "BenchmarkUpload/post", Kind: "speedup", Limit: 0.7, Note: "throughput vs loopback"},
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

	{Group: "Download 256 MiB", Metric: "ns/op", SDK: "BenchmarkDownload/sdk", Other: "BenchmarkDownload/get", Kind: "speedup", Limit: 0.8, Note: "throughput vs http.Get"},
	{Group: "Download 256 MiB", Metric: PeakHeapUnit, SDK: "BenchmarkDownload/sdk", Kind: "max", Limit: 8},

	// CPU time (process-wide, loopback server included) for the same
	// pairs: the wall-time rows above include waiting for a core.
	{Group: "CPU time", Metric: "cpu-ns/chunk", SDK: "BenchmarkStream/sdk", Other: "BenchmarkStream/raw", Kind: "info"},
	{Group: "CPU time", Metric: "cpu-ns/chunk", SDK: "BenchmarkStream/sdk", Other: "BenchmarkStream/openai-go", Kind: "info"},
	{Group: "CPU time", Metric: "cpu-ns/chunk", SDK: "BenchmarkStream/sdk", Other: "BenchmarkStream/go-openai", Kind: "info"},
	{Group: "CPU time", Metric: "cpu-ns/op", SDK: "BenchmarkRequest/sdk", Other: "BenchmarkRequest/raw", Kind: "info"},
	{Group: "CPU time", Metric: "cpu-ns/op", SDK: "BenchmarkRequest/sdk", Other: "BenchmarkRequest/openai-go", Kind: "info"},
	{Group: "CPU time", Metric: "cpu-ns/op", SDK: "BenchmarkRequest/sdk", Other: "BenchmarkRequest/go-openai", Kind: "info"},
	{Group: "CPU time", Metric: "cpu-ns/op", SDK: "BenchmarkUpload/sdk-file-c4", Other: "BenchmarkUpload/post", Kind: "info"},
	{Group: "CPU time", Metric: "cpu-ns/op", SDK: "BenchmarkUpload/sdk-file-c4-leanserver", Other: "BenchmarkUpload/post", Kind: "info"},
	{Group: "CPU time", Metric: "cpu-ns/op", SDK: "BenchmarkUpload/sdk-reader-c4-leanserver", Other: "BenchmarkUpload/post", Kind: "info"},
	{Group: "CPU time", Metric: "cpu-ns/op", SDK: "BenchmarkDownload/sdk", Other: "BenchmarkDownload/get", Kind: "info"},
}

// PeakHeapUnit matches benchmarks.PeakHeapUnit (not imported, so that this
// command stays a plain text filter).
const PeakHeapUnit = "peak-heap-MiB"

func main() {
	var in io.Reader = os.Stdin
	if len(os.Args) > 1 {
		f, err := os.Open(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, "ratios:", err)
			os.Exit(2)
		}
		defer f.Close()
		in = f
	}
	res, err := Parse(in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ratios:", err)
		os.Exit(2)
	}
	if len(res) == 0 {
		fmt.Fprintln(os.Stderr, "ratios: no benchmark lines in the input")
		os.Exit(2)
	}
	missed := WriteTable(os.Stdout, Evaluate(res, checks))
	targets := 0
	for _, c := range checks {
		if c.Kind != "info" && c.Kind != "reported-info" {
			targets++
		}
	}
	fmt.Printf("\nTargets missed: %d of %d.\n\n", missed, targets)
	WriteMedians(os.Stdout, res)
}

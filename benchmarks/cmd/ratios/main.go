// Command ratios reads `go test -bench` output on stdin and prints, as a
// Markdown table, the ratios that the project's performance targets are
// stated in: the SDK against its baseline and against each peer, using the
// median of the repeated runs of each benchmark.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

// comparison is one row of the table: metric of a over metric of b.
type comparison struct {
	what   string
	a, b   string
	metric string
	target string
}

var comparisons = []comparison{
	{"stream decoding: SDK / raw baseline", "Stream/sdk", "Stream/raw", "ns/chunk", "≤ 1.15"},
	{"stream decoding: SDK / openai-go", "Stream/sdk", "Stream/openai-go", "ns/chunk", "≤ 1"},
	{"stream decoding: SDK / go-openai", "Stream/sdk", "Stream/go-openai", "ns/chunk", "≤ 1"},
	{"stream allocs/chunk: SDK − raw", "Stream/sdk", "Stream/raw", "allocs/chunk", "≤ +2 (difference)"},
	{"request round trip: SDK / raw baseline", "Request/sdk", "Request/raw", "ns/op", "≤ 1.10"},
	{"request round trip: SDK / openai-go", "Request/sdk", "Request/openai-go", "ns/op", "≤ 1"},
	{"request round trip: SDK / go-openai", "Request/sdk", "Request/go-openai", "ns/op", "≤ 1"},
	{"upload 256 MiB, file: SDK / http.Post (throughput)", "Upload/sdk-file", "Upload/http-post", "MB/s", "≥ 0.7"},
	{"upload 256 MiB, pipe: SDK / http.Post (throughput)", "Upload/sdk-pipe", "Upload/http-post", "MB/s", "≥ 0.7"},
	{"upload, 20 ms/part: concurrency 4 speed-up over 1", "UploadLatency/c1", "UploadLatency/c4", "ns/op", "≥ 3"},
	{"download 256 MiB: SDK / http.Get+io.Copy (throughput)", "Download/sdk", "Download/http-get", "MB/s", "≥ 0.8"},
}

// absolute lists the peak-heap figures printed as they are (MiB).
var absolute = []struct{ what, name, target string }{
	{"upload from file: peak heap MiB", "Upload/sdk-file", "< 8"},
	{"upload from pipe (C=4, 5 MiB parts): peak heap MiB", "Upload/sdk-pipe", "< 41 (= 5×5+16)"},
	{"download: peak heap MiB, SDK", "Download/sdk", "≤ baseline + 8"},
	{"download: peak heap MiB, http.Get+io.Copy", "Download/http-get", ""},
}

func main() {
	results := parse(os.Stdin)
	fmt.Println("| comparison | metric | ratio | target |")
	fmt.Println("|---|---|---|---|")
	for _, c := range comparisons {
		a, okA := median(results, c.a, c.metric)
		b, okB := median(results, c.b, c.metric)
		if !okA || !okB || b == 0 {
			fmt.Printf("| %s | %s | n/a (not measured) | %s |\n", c.what, c.metric, c.target)
			continue
		}
		if strings.Contains(c.target, "difference") {
			fmt.Printf("| %s | %s | %+.1f (%.1f vs %.1f) | %s |\n", c.what, c.metric, a-b, a, b, c.target)
			continue
		}
		fmt.Printf("| %s | %s | %.2f | %s |\n", c.what, c.metric, a/b, c.target)
	}
	for _, h := range absolute {
		v, ok := median(results, h.name, "peak-heap-MiB")
		if !ok {
			fmt.Printf("| %s | peak-heap-MiB | n/a (not measured) | %s |\n", h.what, h.target)
			continue
		}
		fmt.Printf("| %s | peak-heap-MiB | %.1f | %s |\n", h.what, v, h.target)
	}
}

// parse collects every value of every metric of every benchmark, keyed by
// the benchmark name without its "Benchmark" prefix and -GOMAXPROCS suffix.
func parse(r io.Reader) map[string]map[string][]float64 {
	out := map[string]map[string][]float64{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		if out[name] == nil {
			out[name] = map[string][]float64{}
		}
		// f[1] is the iteration count; then value/unit pairs.
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			out[name][f[i+1]] = append(out[name][f[i+1]], v)
		}
	}
	return out
}

func median(results map[string]map[string][]float64, name, metric string) (float64, bool) {
	vs := append([]float64(nil), results[name][metric]...)
	if len(vs) == 0 {
		return 0, false
	}
	sort.Float64s(vs)
	if len(vs)%2 == 1 {
		return vs[len(vs)/2], true
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2, true
}

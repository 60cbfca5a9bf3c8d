package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
BenchmarkStream/sdk-2         	      10	  70000000 ns/op	  31.4 MB/s	  7000 ns/chunk	  17.0 allocs/chunk
BenchmarkStream/sdk-2         	      10	  60000000 ns/op	  31.4 MB/s	  6000 ns/chunk	  17.0 allocs/chunk
BenchmarkStream/sdk-2         	      10	  65000000 ns/op	  31.4 MB/s	  6500 ns/chunk	  17.0 allocs/chunk
BenchmarkStream/raw-2         	      10	  50000000 ns/op	  31.4 MB/s	  5000 ns/chunk	  15.0 allocs/chunk
BenchmarkUpload/sdk-file      	       1	 900000000 ns/op	 300.0 MB/s	   3.5 peak-heap-MiB
PASS
`

func TestParseAndMedian(t *testing.T) {
	r := parse(strings.NewReader(sample))
	if v, ok := median(r, "Stream/sdk", "ns/chunk"); !ok || v != 6500 {
		t.Fatalf("median ns/chunk of Stream/sdk = %v, %v; want 6500", v, ok)
	}
	if v, ok := median(r, "Stream/raw", "allocs/chunk"); !ok || v != 15 {
		t.Fatalf("allocs/chunk of Stream/raw = %v, %v; want 15", v, ok)
	}
	if v, ok := median(r, "Upload/sdk-file", "peak-heap-MiB"); !ok || v != 3.5 {
		t.Fatalf("peak heap of Upload/sdk-file = %v, %v; want 3.5 (no -GOMAXPROCS suffix)", v, ok)
	}
	if _, ok := median(r, "Stream/openai-go", "ns/chunk"); ok {
		t.Fatal("a benchmark that did not run has no median")
	}
}

func TestMedianEvenCount(t *testing.T) {
	r := map[string]map[string][]float64{"x": {"ns/op": {4, 1, 3, 2}}}
	if v, _ := median(r, "x", "ns/op"); v != 2.5 {
		t.Fatalf("median = %v; want 2.5", v)
	}
}

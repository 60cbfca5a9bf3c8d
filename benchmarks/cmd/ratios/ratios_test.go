package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/adaptive-go/adaptive/benchmarks
cpu: AMD EPYC
BenchmarkStream/sdk-2         	      20	  70000000 ns/op	  34.5 MB/s	      7000 ns/chunk	        17.00 allocs/chunk	 1000 B/op	 170000 allocs/op
BenchmarkStream/sdk-2         	      20	  60000000 ns/op	  40.0 MB/s	      6000 ns/chunk	        17.00 allocs/chunk	 1000 B/op	 170000 allocs/op
BenchmarkStream/sdk-2         	      20	  90000000 ns/op	  30.0 MB/s	      9000 ns/chunk	        17.00 allocs/chunk	 1000 B/op	 170000 allocs/op
BenchmarkStream/raw-2         	      20	  60000000 ns/op	  40.0 MB/s	      6000 ns/chunk	        15.00 allocs/chunk	 1000 B/op	 150000 allocs/op
BenchmarkStream/openai-go-2   	      10	 240000000 ns/op	  10.0 MB/s	     24000 ns/chunk	        59.00 allocs/chunk	 1000 B/op	 590000 allocs/op
BenchmarkUpload/post-2        	       1	 200000000 ns/op	1342.18 MB/s	         3.0 peak-heap-MiB
BenchmarkUpload/sdk-file-c4-2 	       1	 250000000 ns/op	1073.74 MB/s	         2.5 peak-heap-MiB
--- BENCH: BenchmarkStream/sdk-2
    stream_test.go:10: some log line
BenchmarkBroken-2 notanumber 12 ns/op
PASS
ok  	github.com/adaptive-go/adaptive/benchmarks	12.3s
`

func TestParseTakesMediansPerNameAndUnit(t *testing.T) {
	res, err := Parse(strings.NewReader(sample))
	require.NoError(t, err)
	assert.Len(t, res, 5, "GOMAXPROCS suffix stripped, broken and log lines ignored")

	m, ok := res.Median("BenchmarkStream/sdk", "ns/chunk")
	require.True(t, ok)
	assert.Equal(t, 7000.0, m, "median of 7000, 6000, 9000")
	m, ok = res.Median("BenchmarkStream/raw", "ns/op")
	require.True(t, ok)
	assert.Equal(t, 60000000.0, m)
	assert.Len(t, res["BenchmarkStream/sdk"]["allocs/op"], 3)

	_, ok = res.Median("BenchmarkStream/go-openai", "ns/chunk")
	assert.False(t, ok)
}

func TestMedianOfEvenCountIsTheMean(t *testing.T) {
	r := Results{"B": {"ns/op": {4, 1, 3, 10}}}
	m, ok := r.Median("B", "ns/op")
	require.True(t, ok)
	assert.Equal(t, 3.5, m)
}

func TestEvaluateKinds(t *testing.T) {
	res, err := Parse(strings.NewReader(sample))
	require.NoError(t, err)
	rows := Evaluate(res, []Check{
		{SDK: "BenchmarkStream/sdk", Other: "BenchmarkStream/raw", Metric: "ns/chunk", Kind: "ratio", Limit: 1.15},
		{SDK: "BenchmarkStream/sdk", Other: "BenchmarkStream/openai-go", Metric: "ns/chunk", Kind: "ratio", Limit: 1},
		{SDK: "BenchmarkStream/sdk", Other: "BenchmarkStream/raw", Metric: "allocs/chunk", Kind: "diff", Limit: 2},
		{SDK: "BenchmarkUpload/sdk-file-c4", Other: "BenchmarkUpload/post", Metric: "ns/op", Kind: "speedup", Limit: 0.7},
		{SDK: "BenchmarkUpload/sdk-file-c4", Metric: PeakHeapUnit, Kind: "max", Limit: 2},
		{SDK: "BenchmarkStream/sdk", Other: "BenchmarkStream/go-openai", Metric: "ns/chunk", Kind: "ratio", Limit: 1},
	})
	require.Len(t, rows, 6)

	assert.InDelta(t, 7000.0/6000, rows[0].Value, 1e-9)
	assert.False(t, rows[0].OK, "1.17x is over 1.15x")
	assert.InDelta(t, 7000.0/24000, rows[1].Value, 1e-9)
	assert.True(t, rows[1].OK)
	assert.Equal(t, 2.0, rows[2].Value)
	assert.True(t, rows[2].OK, "two allocations more is allowed")
	assert.InDelta(t, 0.8, rows[3].Value, 1e-9)
	assert.True(t, rows[3].OK)
	assert.Equal(t, 2.5, rows[4].Value)
	assert.False(t, rows[4].OK)
	assert.True(t, rows[5].Missing)
	assert.False(t, rows[5].OK)

	out, missed := table(rows)
	assert.Equal(t, 3, missed, "two misses and one missing")
	assert.Contains(t, out, "| Stream/sdk | Stream/raw | ≤ 1.15x | 1.17x | **no** |")
	assert.Contains(t, out, "missing")
}

func TestWriteMediansListsEveryBenchmark(t *testing.T) {
	res, err := Parse(strings.NewReader(sample))
	require.NoError(t, err)
	var buf bytes.Buffer
	WriteMedians(&buf, res)
	out := buf.String()
	assert.Contains(t, out, "| Stream/sdk | 3 |")
	assert.Contains(t, out, "7000 ns/chunk")
	assert.Contains(t, out, "| Upload/sdk-file-c4 | 1 |")
}

func TestInfoRowsHaveNoTarget(t *testing.T) {
	r := Results{"A": {"cpu-ns/op": {30}}, "B": {"cpu-ns/op": {20}}}
	rows := Evaluate(r, []Check{{SDK: "A", Other: "B", Metric: "cpu-ns/op", Kind: "info"}})
	require.Len(t, rows, 1)
	assert.Equal(t, 1.5, rows[0].Value)
	out, missed := table(rows)
	assert.Equal(t, 0, missed, "an info row is never a miss")
	assert.Contains(t, out, "| (no target) | 1.50x | — |")
}

func TestReportedRatiosAreCheckedAsIs(t *testing.T) {
	r := Results{"BenchmarkInterleaved/stream": {"sdk/raw": {1.10, 1.30, 1.12}}}
	rows := Evaluate(r, []Check{{SDK: "BenchmarkInterleaved/stream", Metric: "sdk/raw", Kind: "reported", Limit: 1.15}})
	require.Len(t, rows, 1)
	assert.Equal(t, 1.12, rows[0].Value, "median of the rounds")
	assert.True(t, rows[0].OK)
	out, _ := table(rows)
	assert.Contains(t, out, "| ≤ 1.15x | 1.12x | yes |")
}

func TestNearTheLimitShowsThreeDecimals(t *testing.T) {
	r := Results{"A": {"ns/op": {100}}, "B": {"ns/op": {299.7}}}
	rows := Evaluate(r, []Check{{SDK: "A", Other: "B", Metric: "ns/op", Kind: "speedup", Limit: 3}})
	out, missed := table(rows)
	assert.Equal(t, 1, missed)
	assert.Contains(t, out, "| ≥ 3.00x | 2.997x | **no** |")
}

// table writes rows as the single column of a table where every target
// counts.
func table(rows []Row) (string, int) {
	var buf bytes.Buffer
	missed := WriteTable(&buf, []Column{{Go: "go1.26.8", Rows: rows, Target: func(Check) bool { return true }}})
	return buf.String(), missed[0]
}

func TestLaterVersionsCountOnlyTheirTargets(t *testing.T) {
	checks := []Check{
		{SDK: "A", Other: "B", Metric: "ns/op", Kind: "ratio", Limit: 1, AllVersions: true},
		{SDK: "A", Other: "C", Metric: "ns/op", Kind: "ratio", Limit: 1},
		{SDK: "N", Metric: "new-conns/op", Kind: "value"},
	}
	first := Results{"A": {"ns/op": {10}}, "B": {"ns/op": {20}}, "C": {"ns/op": {20}}, "N": {"new-conns/op": {5.5}}}
	later := Results{"A": {"ns/op": {10}}, "B": {"ns/op": {5}}, "C": {"ns/op": {5}}, "N": {"new-conns/op": {0}}}
	var buf bytes.Buffer
	missed := WriteTable(&buf, []Column{
		{Go: "go1.26.8", Rows: Evaluate(first, checks), Target: func(Check) bool { return true }},
		{Go: "go1.27.3", Rows: Evaluate(later, checks), Target: func(c Check) bool { return c.AllVersions }},
	})
	assert.Equal(t, []int{0, 1}, missed, "on the later version only the first check is a target")
	out := buf.String()
	assert.Contains(t, out, "| Target | go1.26.8 | Met | go1.27.3 | Met |")
	assert.Contains(t, out, "| A | B | ≤ 1.00x | 0.50x | yes | 2.00x | **no** |")
	assert.Contains(t, out, "| A | C | ≤ 1.00x | 0.50x | yes | 2.00x | — |")
	assert.Contains(t, out, "| N | — | (no target) | 5.50 | — | 0.00 | — |")
}

func TestReportedSpeedupIsTheInverseRatio(t *testing.T) {
	r := Results{"BenchmarkInterleaved/download": {"sdk/get": {0.9, 1.1, 1.0}}}
	rows := Evaluate(r, []Check{{SDK: "BenchmarkInterleaved/download", Metric: "sdk/get", Kind: "reported-speedup", Limit: 0.95}})
	require.Len(t, rows, 1)
	assert.Equal(t, 1.0, rows[0].Value, "1 / the median time ratio")
	assert.True(t, rows[0].OK)
	out, _ := table(rows)
	assert.Contains(t, out, "| ≥ 0.95x | 1.00x | yes |")
}

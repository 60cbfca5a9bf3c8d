#!/usr/bin/env bash
# Runs the benchmarks side by side (SDK, raw baseline, peers) on each Go
# version of GO_VERSIONS, prints the table of ratios against the targets of
# the performance issues (a column per version), and writes RESULTS.md. Each
# round runs every benchmark once on every version, and rounds alternate, so
# that drift on a busy machine hits all sides and versions alike; the ratio
# table uses the median of the rounds, and benchstat summarises their spread.
#
#   bash benchmarks/run.sh               # 6 rounds on Go 1.26 (local) and 1.27.3
#   COUNT=10 bash benchmarks/run.sh      # more rounds
#   BENCH='Stream' bash benchmarks/run.sh  # a subset (RESULTS.md is still written)
#   GO_VERSIONS=local bash benchmarks/run.sh  # only the Go on PATH
#   REPORT_ONLY=1 bash benchmarks/run.sh   # render RESULTS.md from bench-output-*.txt
#
# Each version is a GOTOOLCHAIN value: "local" is the go command on PATH (the
# module's own Go, 1.26); go1.27.3 is fetched once through the module proxy.
set -euo pipefail
cd "$(dirname "$0")"
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"

COUNT="${COUNT:-6}"
BENCH="${BENCH:-.}"
# Small benchmarks run for a time; the 256 MiB ones a fixed number of times.
SMALL_TIME="${SMALL_TIME:-1s}"
BIG_TIMES="${BIG_TIMES:-2x}"
# Interleaved comparisons: long enough for several calls of each side.
INTERLEAVED_TIME="${INTERLEAVED_TIME:-3s}"
GO_VERSIONS="${GO_VERSIONS:-local go1.27.3}"

# The raw `go test -bench` output of each Go version is kept next to
# RESULTS.md as bench-output-<version>.txt, with the run's facts as
# "key: value" lines at the top (benchstat reads them as labels), so that
# REPORT_ONLY=1 can render RESULTS.md again without re-running.
raws=()
for v in $GO_VERSIONS; do
  raws+=("bench-output-$(GOTOOLCHAIN="$v" go env GOVERSION).txt")
done

if [ "${REPORT_ONLY:-}" != 1 ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT

  # The SDK is measured as it is in the work tree when the binaries are built.
  sdk_rev="$(git -C .. rev-parse --short HEAD 2>/dev/null || echo unknown)"
  if [ -n "$(git -C .. status --porcelain --untracked-files=no -- . ':!benchmarks' 2>/dev/null)" ]; then
    sdk_rev="$sdk_rev + uncommitted changes"
  fi
  versions=($GO_VERSIONS)
  for k in "${!versions[@]}"; do
    echo "== building the benchmark binary with Go ${versions[$k]}" >&2
    GOTOOLCHAIN="${versions[$k]}" go test -c -o "$work/bench-$k.test" .
  done

  load_before="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
  start=$(date +%s)
  for i in $(seq 1 "$COUNT"); do
    # Alternate which version goes first, so that neither always runs
    # right after the other's 256 MiB transfers.
    order=("${!versions[@]}")
    if [ $((i % 2)) -eq 0 ]; then
      order=($(printf '%s\n' "${order[@]}" | tac))
    fi
    for k in "${order[@]}"; do
      echo "== round $i of $COUNT, Go ${versions[$k]}" >&2
      bin="$work/bench-$k.test" out="$work/bench-$k.txt"
      "$bin" -test.run '^$' -test.bench "^Benchmark(Stream|StreamDecode|Request|RequestOverhead|SSEParse|ChunkJSON|TLSReuse)\$/$BENCH" \
        -test.benchtime "$SMALL_TIME" | tee -a "$out" | grep '^Benchmark' >&2 || true
      "$bin" -test.run '^$' -test.bench "^BenchmarkInterleaved\$/$BENCH" \
        -test.benchtime "$INTERLEAVED_TIME" | tee -a "$out" | grep '^Benchmark' >&2 || true
      "$bin" -test.run '^$' -test.bench "^Benchmark(Upload|UploadLatency|Download)\$/$BENCH" \
        -test.benchtime "$BIG_TIMES" | tee -a "$out" | grep '^Benchmark' >&2 || true
    done
  done
  elapsed=$(( $(date +%s) - start ))
  load_after="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"

  for k in "${!versions[@]}"; do
    out="$work/bench-$k.txt"
    if ! grep -q '^Benchmark' "$out"; then
      echo "run.sh: no benchmark ran with Go ${versions[$k]}" >&2
      cat "$out" >&2
      exit 1
    fi
    {
      echo "run-date: $(date -u '+%Y-%m-%d %H:%M UTC')"
      echo "run-sdk: $sdk_rev"
      echo "run-go: $(GOTOOLCHAIN="${versions[$k]}" go env GOVERSION) $(go env GOOS)/$(go env GOARCH)"
      echo "run-cores: $(nproc 2>/dev/null || echo unknown)"
      echo "run-cpuinfo: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: *//' || true)"
      echo "run-rounds: $COUNT (each benchmark once per round and Go version; small ones for $SMALL_TIME, interleaved ones for $INTERLEAVED_TIME, 256 MiB ones $BIG_TIMES), $elapsed s in all for $GO_VERSIONS"
      echo "run-load: $load_before before, $load_after after"
      cat "$out"
    } > "${raws[$k]}"
  done
fi

raw="${raws[0]}"
fact() { grep -m1 "^run-$1: " "$raw" | sed "s/^run-$1: //"; }
table="$(go run ./cmd/ratios "${raws[@]}")"
stats="$(go tool benchstat "${raws[@]}")"
echo
echo "$table"

gos=""
for f in "${raws[@]}"; do
  gos="$gos${gos:+, }$(grep -m1 '^run-go: ' "$f" | sed 's/^run-go: //')"
done
cpu="$(grep -m1 '^cpu:' "$raw" | sed 's/^cpu: *//; s/ *$//')"
model="$(fact cpuinfo)"
{
  echo "# Benchmark results"
  echo
  echo "Written by \`bash benchmarks/run.sh\` (raw output: ${raws[*]}); do not edit by hand."
  echo
  echo "- Date: $(fact date)"
  echo "- SDK: commit $(fact sdk)"
  echo "- Go: $gos (a column each below; targets hold on the first, and on the later one where marked in cmd/ratios)"
  echo "- Machine: $(fact cores) cores, ${cpu:-unknown CPU}${model:+ (/proc/cpuinfo: $model)}"
  echo "- Rounds: $(fact rounds)"
  echo "- Load average (1, 5, 15 min): $(fact load) (other work on the machine skews absolute numbers; the sides of a pair run back to back)"
  echo
  echo "Values are medians over the rounds. Ratios are SDK / other for time and"
  echo "allocations (lower is better); \"throughput\" rows are other / SDK time,"
  echo "so higher is better; peak heap is MiB above the heap before the loop."
  echo "\"Interleaved\" rows run the sides call by call (median of the per-call"
  echo "ratios), so that load from other work hits every side alike; \"in memory\""
  echo "rows serve the answer from the HTTP client's transport, leaving only each"
  echo "client's own work. A \"—\" under Met is a diagnostic: no target, or a"
  echo "target that holds on the first Go version only. See README.md; what"
  echo "limits the SDK where it misses a target, with profiles, is in ANALYSIS.md."
  echo
  echo "## SDK against the baselines and peers"
  echo
  echo "$table"
  echo
  echo "## benchstat"
  echo
  echo '```'
  echo "$stats"
  echo '```'
} > RESULTS.md
echo >&2
echo "wrote benchmarks/RESULTS.md" >&2

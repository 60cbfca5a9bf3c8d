package benchmarks

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// heapMetric is the bytes of heap objects, live or not yet swept: what
// runtime.MemStats.HeapAlloc reports, read without stopping the world.
const heapMetric = "/memory/classes/heap/objects:bytes"

func heapNow() uint64 {
	s := [1]metrics.Sample{{Name: heapMetric}}
	metrics.Read(s[:])
	return s[0].Value.Uint64()
}

// HeapPeak samples the heap every millisecond in its own goroutine and
// remembers the highest value above the level measured at the start.
// Garbage that the collector has not reclaimed yet counts: it is memory the
// process holds at that moment.
type HeapPeak struct {
	base uint64
	peak atomic.Uint64
	stop chan struct{}
	done sync.WaitGroup
}

// StartHeapPeak collects garbage (so that the starting level is the live
// heap), then starts sampling. Call it with the benchmark timer stopped.
func StartHeapPeak() *HeapPeak {
	runtime.GC()
	h := &HeapPeak{base: heapNow(), stop: make(chan struct{})}
	h.peak.Store(h.base)
	h.done.Add(1)
	go func() {
		defer h.done.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-t.C:
				h.observe()
			}
		}
	}()
	return h
}

func (h *HeapPeak) observe() {
	if v := heapNow(); v > h.peak.Load() {
		h.peak.Store(v)
	}
}

// Stop ends sampling and returns the peak heap above the starting level, in
// MiB (0 if the heap never grew).
func (h *HeapPeak) Stop() float64 {
	close(h.stop)
	h.done.Wait()
	h.observe()
	return float64(h.peak.Load()-h.base) / (1 << 20)
}

// PeakHeapUnit is the unit of the peak heap metric in benchmark output.
const PeakHeapUnit = "peak-heap-MiB"

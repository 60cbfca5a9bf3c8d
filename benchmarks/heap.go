package benchmarks

import (
	"runtime/metrics"
	"sync"
	"time"
)

// HeapPeak samples the live heap every millisecond while it runs and
// reports the highest value above the level at Start. It reads
// runtime/metrics, which does not stop the world.
type HeapPeak struct {
	base uint64
	peak uint64
	stop chan struct{}
	done sync.WaitGroup
}

const heapMetric = "/memory/classes/heap/objects:bytes"

func heapNow() uint64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// StartHeapPeak starts sampling.
func StartHeapPeak() *HeapPeak {
	h := &HeapPeak{base: heapNow(), stop: make(chan struct{})}
	h.peak = h.base
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
				if v := heapNow(); v > h.peak {
					h.peak = v
				}
			}
		}
	}()
	return h
}

// Stop ends sampling and returns the peak heap above the starting level, in
// MiB.
func (h *HeapPeak) Stop() float64 {
	close(h.stop)
	h.done.Wait()
	if v := heapNow(); v > h.peak {
		h.peak = v
	}
	return float64(h.peak-h.base) / (1 << 20)
}

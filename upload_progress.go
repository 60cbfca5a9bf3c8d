package adaptive

import (
	"sync/atomic"
	"time"
)

// UploadProgress is a snapshot of an upload for UploadOptions.Progress.
type UploadProgress struct {
	// Bytes is the number of bytes the server has acknowledged.
	Bytes int64
	// Total is the size of the upload.
	Total int64
	// Parts is the number of parts the server has acknowledged.
	Parts int
	// TotalParts is the number of parts of the upload.
	TotalParts int
}

// progressInterval throttles the progress callback.
const progressInterval = 100 * time.Millisecond

// progressReporter counts acknowledged parts from any goroutine and calls
// the callback from one goroutine of its own: at most every
// progressInterval when something changed, and once more when stopped, so
// the callback never runs concurrently with itself.
type progressReporter struct {
	fn         func(UploadProgress)
	total      int64
	totalParts int
	bytes      atomic.Int64
	parts      atomic.Int64
	stopc      chan struct{}
	done       chan struct{}
}

// startProgress starts reporting to fn, which may be nil (then nothing runs
// and ack only counts). held bytes in heldParts parts are acknowledged
// already (by an earlier upload that Resume continues).
func startProgress(fn func(UploadProgress), total int64, totalParts int, held int64, heldParts int) *progressReporter {
	p := &progressReporter{fn: fn, total: total, totalParts: totalParts}
	p.bytes.Store(held)
	p.parts.Store(int64(heldParts))
	if fn != nil {
		p.stopc, p.done = make(chan struct{}), make(chan struct{})
		go p.loop()
	}
	return p
}

func (p *progressReporter) ack(n int64) {
	p.bytes.Add(n)
	p.parts.Add(1)
}

func (p *progressReporter) snapshot() UploadProgress {
	return UploadProgress{Bytes: p.bytes.Load(), Total: p.total, Parts: int(p.parts.Load()), TotalParts: p.totalParts}
}

func (p *progressReporter) loop() {
	defer close(p.done)
	t := time.NewTicker(progressInterval)
	defer t.Stop()
	var last UploadProgress
	for {
		select {
		case <-t.C:
			if cur := p.snapshot(); cur != last {
				p.fn(cur)
				last = cur
			}
		case <-p.stopc:
			p.fn(p.snapshot())
			return
		}
	}
}

// stop makes the final call and waits for the reporter to end.
func (p *progressReporter) stop() {
	if p.fn != nil {
		close(p.stopc)
		<-p.done
	}
}

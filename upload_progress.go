package adaptive

import (
	"sync"
	"sync/atomic"
	"time"
)

// UploadPhase is the stage an upload is in, for UploadProgress.
type UploadPhase string

// The phases of an upload, in the order they come.
const (
	// UploadPhaseSpooling: a reader of unknown size is being copied to a
	// temporary file (UploadProgress.Read counts the bytes; Total is 0).
	UploadPhaseSpooling UploadPhase = "spooling"
	// UploadPhaseChecking: Resume reads the parts the server holds, to
	// check them against the checkpoint (Read counts the bytes).
	UploadPhaseChecking UploadPhase = "checking"
	// UploadPhaseUploading: parts are being sent.
	UploadPhaseUploading UploadPhase = "uploading"
	// UploadPhaseVerifying: the server is asked whether it holds every
	// part.
	UploadPhaseVerifying UploadPhase = "verifying"
	// UploadPhaseCreating: Datasets.Upload and Datasets.Resume create the
	// dataset from the upload.
	UploadPhaseCreating UploadPhase = "creating"
	// UploadPhaseDone: the final call of an upload that succeeded.
	UploadPhaseDone UploadPhase = "done"
	// UploadPhaseFailed: the final call of an upload that failed.
	UploadPhaseFailed UploadPhase = "failed"
)

// UploadProgress is a snapshot of an upload for UploadOptions.Progress.
type UploadProgress struct {
	// Phase is what the upload is doing.
	Phase UploadPhase
	// Bytes is the number of bytes the server has acknowledged.
	Bytes int64
	// Sent is the number of bytes of the parts in flight that the
	// connection has taken but the server has not acknowledged yet: it
	// moves during a long part on a slow link, and falls back when a part
	// is retried. Bytes+Sent is what has left so far.
	Sent int64
	// Total is the size of the upload; 0 while spooling a reader of
	// unknown size.
	Total int64
	// Parts is the number of parts the server has acknowledged.
	Parts int
	// TotalParts is the number of parts of the upload (0 while spooling).
	TotalParts int
	// Read is the number of bytes read from the source while spooling or
	// checking; 0 in the other phases.
	Read int64
}

// progressInterval throttles the progress callback.
const progressInterval = 100 * time.Millisecond

// progressReporter counts the upload's progress from any goroutine and
// calls the callback from one goroutine of its own: at most every
// progressInterval when something changed, and once more when stopped, so
// that the callback never runs concurrently with itself. It lives from the
// start of an upload to its end, across phases; its callback runs under the
// upload's callback guard.
type progressReporter struct {
	fn    func(UploadProgress)
	guard *callbackGuard

	phase      atomic.Pointer[UploadPhase]
	total      atomic.Int64
	totalParts atomic.Int64
	bytes      atomic.Int64
	parts      atomic.Int64
	sent       atomic.Int64
	read       atomic.Int64

	stopc chan struct{}
	done  chan struct{}
	once  sync.Once
}

// startProgress starts reporting to fn, which may be nil (then nothing runs
// and the reporter only counts).
func startProgress(fn func(UploadProgress), guard *callbackGuard) *progressReporter {
	p := &progressReporter{fn: fn, guard: guard}
	p.setPhase(UploadPhaseUploading)
	if fn != nil {
		p.stopc, p.done = make(chan struct{}), make(chan struct{})
		go p.loop()
	}
	return p
}

func (p *progressReporter) setPhase(ph UploadPhase) {
	if ph != UploadPhaseSpooling && ph != UploadPhaseChecking {
		p.read.Store(0)
	}
	p.phase.Store(&ph)
}

// sized sets the size of the upload, with held bytes in heldParts parts
// already acknowledged (by the upload that Resume continues).
func (p *progressReporter) sized(total int64, parts int, held int64, heldParts int) {
	p.total.Store(total)
	p.totalParts.Store(int64(parts))
	p.bytes.Store(held)
	p.parts.Store(int64(heldParts))
}

func (p *progressReporter) ack(n int64) {
	p.bytes.Add(n)
	p.parts.Add(1)
}

func (p *progressReporter) snapshot() UploadProgress {
	return UploadProgress{
		Phase:      *p.phase.Load(),
		Bytes:      p.bytes.Load(),
		Sent:       p.sent.Load(),
		Total:      p.total.Load(),
		Parts:      int(p.parts.Load()),
		TotalParts: int(p.totalParts.Load()),
		Read:       p.read.Load(),
	}
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
				p.guard.call(func() { p.fn(cur) })
				last = cur
			}
		case <-p.stopc:
			cur := p.snapshot()
			p.guard.call(func() { p.fn(cur) })
			return
		}
	}
}

// stop makes the final call, in phase final, and waits for the reporter to
// end. Calling it again does nothing.
func (p *progressReporter) stop(final UploadPhase) {
	p.once.Do(func() {
		p.sent.Store(0)
		p.setPhase(final)
		if p.fn != nil {
			close(p.stopc)
			<-p.done
		}
	})
}

// partSent follows the bytes of one part in flight for
// UploadProgress.Sent. The transport reports them from the connection's
// goroutine, which may still run after the part's outcome is known.
type partSent struct {
	p    *progressReporter
	mu   sync.Mutex
	cur  int64
	done bool
}

// report is transport.Request.Sent: the bytes taken so far by the current
// attempt.
func (s *partSent) report(n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.done {
		s.p.sent.Add(n - s.cur)
		s.cur = n
	}
}

// finish removes the part from the bytes in flight, once acknowledged or
// failed.
func (s *partSent) finish() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.p.sent.Add(-s.cur)
	s.cur, s.done = 0, true
}

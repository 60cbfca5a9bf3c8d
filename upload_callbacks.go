package adaptive

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// errCallbackPanicked is the cause of an upload stopped by a panic in one
// of the caller's callbacks.
var errCallbackPanicked = errors.New("a callback (OnSession, OnCheckpoint or Progress) panicked")

// callbackGuard runs the caller's callbacks of one upload. A panic in one
// of them, on whichever goroutine it runs, must not leave the session open
// nor crash the process from a goroutine the caller cannot recover on: the
// first panic cancels the upload, later calls are skipped, and once the
// session has been dealt with by the abort rules the goroutine that called
// the upload raises the panic again, with its value (repanic).
type callbackGuard struct {
	cancel context.CancelCauseFunc

	mu       sync.Mutex
	panicked bool
	value    any
}

// call runs fn unless a callback already panicked; it reports whether fn
// ran and returned.
func (g *callbackGuard) call(fn func()) (ok bool) {
	if g.failed() {
		return false
	}
	defer func() {
		if ok {
			return
		}
		v := recover()
		if v == nil { // runtime.Goexit, not a panic: let it go on
			return
		}
		g.mu.Lock()
		first := !g.panicked
		if first {
			g.panicked, g.value = true, v
		}
		g.mu.Unlock()
		if first {
			g.cancel(fmt.Errorf("%w: %v", errCallbackPanicked, v))
		}
	}()
	fn()
	return true
}

func (g *callbackGuard) failed() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.panicked
}

// repanic raises the recorded panic, if any, on the calling goroutine.
func (g *callbackGuard) repanic() {
	g.mu.Lock()
	panicked, v := g.panicked, g.value
	g.mu.Unlock()
	if panicked {
		panic(v)
	}
}

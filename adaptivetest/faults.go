package adaptivetest

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Fault is a failure the server injects instead of the normal answer.
type Fault struct {
	// Status, when not zero, is the status answered, with an
	// {"error": Message} body.
	Status int
	// Message is the error message (default: the status text).
	Message string
	// RetryAfter, when set, is sent as the Retry-After header (seconds or an
	// HTTP date).
	RetryAfter string
	// RetryAfterMS, when set, is sent as the retry-after-ms header.
	RetryAfterMS string
	// Drop closes the connection without any answer.
	Drop bool
	// Delay is waited before the fault (or, with no Status and no Drop,
	// before the normal answer).
	Delay time.Duration
}

type queuedFault struct {
	Fault
	left int
}

// FailNext makes the next n requests on route (one of the Route constants)
// meet fault f. Faults queued on one route are used in order.
func (s *Server) FailNext(route string, n int, f Fault) {
	if n <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[route] = append(s.faults[route], &queuedFault{Fault: f, left: n})
}

// SetLatency delays every request on route by d (0 removes the delay).
func (s *Server) SetLatency(route string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d <= 0 {
		delete(s.latency, route)
		return
	}
	s.latency[route] = d
}

// ClearFaults removes every queued fault and latency.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string][]*queuedFault{}
	s.latency = map[string]time.Duration{}
}

// takeFault returns the delay to apply to a request on route and the fault
// it meets, if any, consuming one use of that fault.
func (s *Server) takeFault(route string) (time.Duration, *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delay := s.latency[route]
	q := s.faults[route]
	if len(q) == 0 {
		return delay, nil
	}
	f := q[0].Fault
	q[0].left--
	if q[0].left == 0 {
		s.faults[route] = q[1:]
	}
	return delay + f.Delay, &f
}

// apply carries out the fault and reports whether it answered the request.
func (f *Fault) apply(w http.ResponseWriter, r *http.Request) bool {
	switch {
	case f.Drop:
		dropConnection(w)
		return true
	case f.Status != 0:
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		if f.RetryAfterMS != "" {
			w.Header().Set("Retry-After-Ms", f.RetryAfterMS)
		}
		msg := f.Message
		if msg == "" {
			msg = http.StatusText(f.Status)
		}
		writeError(w, f.Status, msg)
		return true
	}
	return false
}

func newRequestID() string { return "req_" + strconv.FormatUint(uint64(uuid.New().ID()), 36) }

// newID returns prefix followed by 16 random hex digits.
func newID(prefix string) string { return prefix + strings.ReplaceAll(uuid.NewString(), "-", "")[:16] }

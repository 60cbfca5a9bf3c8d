package adaptive

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	sse "github.com/tmaxmax/go-sse"

	"github.com/adaptive-go/adaptive/internal/transport"
)

// ErrIdleTimeout is the cause of a transfer ended by WithIdleTimeout: a
// stream or a download whose body sent nothing, or an upload part whose
// bytes the connection did not take, for the configured time. It wraps
// context.DeadlineExceeded.
var ErrIdleTimeout = transport.ErrIdleTimeout

// ErrStreamIdle is ErrIdleTimeout.
//
// Deprecated: use ErrIdleTimeout.
var ErrStreamIdle = ErrIdleTimeout

// errStreamClosed cancels the request of a stream closed by its caller, so
// that a read in progress in another goroutine ends without an error.
var errStreamClosed = errors.New("adaptive: stream closed")

// Stream is a stream of server-sent events decoded into values of type T,
// read one at a time:
//
//	defer stream.Close()
//	for stream.Next() {
//		v := stream.Current()
//		...
//	}
//	if err := stream.Err(); err != nil { ... }
//
// or with a range loop over All. The stream ends cleanly at "data: [DONE]",
// or, when the body ends or goes silent without it, once every choice has
// had a finish_reason (in a value or a metadata event). Otherwise it ends
// with an error: a body cut short (wrapping io.ErrUnexpectedEOF), an error
// sent by the server (an *APIError), a malformed event (bad JSON, or a chunk
// without a field the API requires; naming its position), an event larger
// than WithMaxEventSize, a cancelled context, or a silence longer than
// WithIdleTimeout (ErrIdleTimeout).
//
// Metadata events of the Adaptive server (JSON objects with keys such as
// TTFT, finish_reason or TotalRequestDuration instead of a value) are not
// values: they are kept, and exposed by Metadata, TTFT and
// TotalRequestDuration.
//
// Close may be called from any goroutine, also while Next is waiting: it
// releases the connection at once and Next returns false with no error.
// The other methods must be called from the goroutine that reads the
// stream.
type Stream[T any] struct {
	mu sync.Mutex // held by Next and Close: Close waits for a Next to return

	ctx    context.Context
	cancel context.CancelCauseFunc
	resp   *http.Response
	desc   string // "POST <url>", for errors
	next   func() (sse.Event, error, bool)
	stop   func()
	dec    eventDecoder[T]
	rec    *callRecord
	key    transport.Secret // to redact from errors the server sends

	maxEvent int
	idle     time.Duration // for errors; the transport enforces it

	buf    []byte // the data of the current event, reused
	cur    T
	err    error
	done   bool // no more values: the end, an error or Close
	events int  // events read so far, for positions in errors
	meta   []json.RawMessage
	// metaBytes is the size of meta's events.
	metaBytes int
}

// eventKind says what one data event of a stream held.
type eventKind uint8

const (
	eventValue eventKind = iota // a value, stored in dst
	eventMeta                   // a metadata object, kept aside
	eventError                  // an {"error": ...} payload
)

// An eventDecoder decodes the data of one event, storing a value in dst
// (and leaving dst alone otherwise), and says what the event was. It also
// follows whether the events so far make a complete answer, so that a body
// that ends without [DONE] can be told from one cut short.
type eventDecoder[T any] interface {
	decode(data []byte, dst *T) (eventKind, error)
	complete() bool
	// observe asks the decoder to keep what a hook reports at the end,
	// which outcome returns (nil when not asked).
	observe()
	outcome() any
}

// open sends r (a streamed request) and starts reading the answer's events.
// A non-2xx answer is returned as the *APIError of exchange.
func (s *Stream[T]) open(ctx context.Context, c *Client, cfg *config, start CallStart, r *transport.Request, dec eventDecoder[T]) error {
	start.Method, start.Route = r.Method, routeOf(r)
	ctx, rec := c.begin(ctx, cfg, start)
	// The stream's own context lets Close abort a read in progress, which
	// closes the connection at once.
	sctx, cancel := context.WithCancelCause(ctx)
	resp, err := c.exchange(sctx, cfg, r, rec)
	if err != nil {
		cancel(nil)
		rec.end(nil, err, 0)
		return err
	}
	s.ctx, s.cancel, s.resp, s.dec, s.rec, s.key = sctx, cancel, resp.Response, dec, rec, cfg.key
	s.desc = r.Method + " " + r.Path
	if resp.Request != nil {
		s.desc = resp.Request.Method + " " + transport.RedactURL(resp.Request.URL)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "application/json" {
		// A server (or proxy) that ignored the stream flag: say so, rather
		// than report an empty event stream.
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		_ = resp.Body.Close()
		cancel(nil)
		err := fmt.Errorf("adaptive: %s: expected an event stream, got a JSON answer (starts %q)", s.desc, cfg.preview(body))
		rec.end(nil, err, 0)
		return err
	}
	s.maxEvent = cfg.maxEventSize
	if s.maxEvent <= 0 {
		s.maxEvent = DefaultMaxEventSize
	}
	s.idle = cfg.idleTimeout
	var body io.Reader = resp.Body
	if rec != nil {
		dec.observe()
		body = countingReader{resp.Body, rec}
	}
	// iter.Pull2 runs the parser as a coroutine: no goroutine handoff per
	// event, and stop ends it without leaving anything behind.
	s.next, s.stop = iter.Pull2(sse.Read(body, &sse.ReadConfig{MaxEventSize: s.maxEvent}))
	return nil
}

// countingReader counts the bytes of a streamed body for the call's record.
type countingReader struct {
	r   io.Reader
	rec *callRecord
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.rec.received(n)
	return n, err
}

// Next reads the next value and reports whether there is one. It returns
// false at the end of the stream, after an error (see Err), and after
// Close.
func (s *Stream[T]) Next() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done || s.next == nil {
		return false
	}
	for {
		ev, err, ok := s.next()
		if !ok {
			s.finish(s.endError())
			return false
		}
		if err != nil {
			s.finish(s.readError(err))
			return false
		}
		s.events++
		switch {
		case ev.Type == "error":
			s.finish(s.apiError(ev.Data))
			return false
		case ev.Data == "":
			// A block with only "event:" or "id:" lines carries nothing.
			continue
		case isDone(ev.Data):
			s.finish(nil)
			return false
		}
		s.buf = append(s.buf[:0], ev.Data...)
		kind, err := s.dec.decode(s.buf, &s.cur)
		if err != nil {
			s.finish(s.key.RedactError(fmt.Errorf("adaptive: %s: stream event %d is malformed: %w (data starts %q)", s.desc, s.events, err, preview(s.buf))))
			return false
		}
		switch kind {
		case eventError:
			s.finish(s.apiError(ev.Data))
			return false
		case eventMeta:
			s.keepMetadata(ev.Data)
			continue
		}
		return true
	}
}

func isDone(data string) bool {
	return len(data) <= 16 && strings.TrimSpace(data) == "[DONE]"
}

// Current returns the value read by the last successful Next.
func (s *Stream[T]) Current() T { return s.cur }

// Err returns the error that ended the stream, or nil when it ended
// cleanly, was closed, or is still going.
func (s *Stream[T]) Err() error { return s.err }

// Close ends the stream and releases its connection; Next then returns
// false. It may be called more than once and from any goroutine, and it
// always returns nil.
func (s *Stream[T]) Close() error {
	if s.cancel == nil {
		return nil
	}
	// Cancel first: a Next waiting for the network in another goroutine
	// returns at once, and releases the lock.
	s.cancel(errStreamClosed)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.done {
		s.done = true
		s.release()
		s.endRecord(nil)
	}
	return nil
}

// All returns an iterator over the remaining values. An error ends the
// iteration as its last pair, with the zero T. The stream is closed when
// the loop ends, also when it breaks early.
func (s *Stream[T]) All() iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		defer s.Close()
		for s.Next() {
			if !yield(s.cur, nil) {
				return
			}
		}
		if s.err != nil {
			var zero T
			yield(zero, s.err)
		}
	}
}

// Bounds of the metadata events kept by a stream: in number, in bytes in
// all, and in bytes each (an event may be as large as WithMaxEventSize).
const (
	maxMetadata      = 1024
	maxMetadataBytes = 1 << 20
	maxMetadataEvent = 16 << 10
)

// keepMetadata stores a metadata event. Past maxMetadata events or
// maxMetadataBytes, the last slot holds the latest one, so that the first
// (TTFT) and the last (TotalRequestDuration) are both kept however many the
// server sends. An event larger than maxMetadataEvent is not kept (what the
// stream needs of it, a finish_reason, was read already).
func (s *Stream[T]) keepMetadata(data string) {
	if len(data) > maxMetadataEvent {
		return
	}
	if n := len(s.meta); n == maxMetadata || (n > 0 && s.metaBytes+len(data) > maxMetadataBytes) {
		s.metaBytes += len(data) - len(s.meta[n-1])
		s.meta[n-1] = json.RawMessage(data)
		return
	}
	s.metaBytes += len(data)
	s.meta = append(s.meta, json.RawMessage(data))
}

// Metadata returns the metadata events received so far, in order, as the
// JSON objects the server sent: at most 1024, of at most 16 KiB each and 1
// MiB in all (past that, the last element is the latest event).
func (s *Stream[T]) Metadata() []json.RawMessage { return s.meta }

// TTFT returns the time to first token that the server reported in a
// metadata event (its "TTFT" key, in milliseconds), and whether it
// reported one so far.
func (s *Stream[T]) TTFT() (time.Duration, bool) { return s.metaMillis("TTFT") }

// TotalRequestDuration returns the duration of the whole request that the
// server reported in a metadata event (its "TotalRequestDuration" key, in
// milliseconds), and whether it reported one so far.
func (s *Stream[T]) TotalRequestDuration() (time.Duration, bool) {
	return s.metaMillis("TotalRequestDuration")
}

// metaMillis finds the last metadata event with a number under key and
// returns it as a duration in milliseconds.
func (s *Stream[T]) metaMillis(key string) (time.Duration, bool) {
	for i := len(s.meta) - 1; i >= 0; i-- {
		var m map[string]json.RawMessage
		if json.Unmarshal(s.meta[i], &m) != nil {
			continue
		}
		var ms float64
		if raw, ok := m[key]; ok && json.Unmarshal(raw, &ms) == nil {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	return 0, false
}

// finish ends the stream with err (nil for a clean end) and releases it.
func (s *Stream[T]) finish(err error) {
	s.err = err
	s.done = true
	s.release()
	s.endRecord(err)
}

// endRecord ends the call's record with what the stream added up to.
func (s *Stream[T]) endRecord(err error) {
	if s.rec == nil {
		return
	}
	ttft, _ := s.TTFT()
	s.rec.end(s.dec.outcome(), err, ttft)
}

// release stops the parser, closes the body and cancels the request, which
// frees the connection (and the parser's coroutine) at once.
func (s *Stream[T]) release() {
	s.stop()
	_ = s.resp.Body.Close()
	s.cancel(nil)
}

// endError is the error of a body that ended without a reader error: none
// when the events said the answer was complete (a finish_reason for every
// choice), else a truncated answer.
func (s *Stream[T]) endError() error {
	if s.dec.complete() {
		return nil
	}
	return fmt.Errorf("adaptive: %s: the stream ended after %d events without [DONE] or a finish_reason for every choice: %w", s.desc, s.events, io.ErrUnexpectedEOF)
}

// readError describes a failure to read the next event.
func (s *Stream[T]) readError(err error) error {
	if s.ctx.Err() != nil {
		switch cause := context.Cause(s.ctx); {
		case errors.Is(cause, errStreamClosed):
			return nil
		case cause != s.ctx.Err():
			return fmt.Errorf("adaptive: %s: stream after event %d: %w (%w)", s.desc, s.events, s.ctx.Err(), cause)
		default:
			return fmt.Errorf("adaptive: %s: stream after event %d: %w", s.desc, s.events, s.ctx.Err())
		}
	}
	if errors.Is(err, ErrIdleTimeout) {
		if s.dec.complete() {
			// Every choice has finished: the answer is whole, and a server
			// that then keeps the connection open has nothing more to say.
			return nil
		}
		return fmt.Errorf("adaptive: %s: no data for %v after event %d: %w", s.desc, s.idle, s.events, ErrIdleTimeout)
	}
	if errors.Is(err, bufio.ErrTooLong) {
		return fmt.Errorf("adaptive: %s: stream event %d is larger than the %d-byte limit (raise it with adaptive.WithMaxEventSize): %w", s.desc, s.events+1, s.maxEvent, err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("adaptive: %s: the stream was cut after %d events, before [DONE]: %w", s.desc, s.events, err)
	}
	return fmt.Errorf("adaptive: %s: reading stream event %d: %w", s.desc, s.events+1, err)
}

// apiError is the *APIError of an error the server sent inside the
// stream, as an "error" event or an {"error": ...} payload.
func (s *Stream[T]) apiError(data string) *APIError {
	// Redact, then cut: a cut inside the key would leave a prefix.
	body := s.key.RedactBytes([]byte(data))
	if len(body) > maxErrorBody {
		body = s.key.RedactBytes(body[:maxErrorBody])
	}
	e := &APIError{
		StatusCode: s.resp.StatusCode,
		Message:    errorMessage(body),
		RequestID:  requestID(s.resp.Header),
		Body:       body,
	}
	if req := s.resp.Request; req != nil {
		e.Method = req.Method
		e.URL = transport.RedactURL(req.URL)
	}
	return e
}

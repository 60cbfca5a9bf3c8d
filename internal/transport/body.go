package transport

import (
	"fmt"
	"io"
	"sync"
)

// DefaultMaxResponseSize bounds a JSON answer read into memory.
const DefaultMaxResponseSize = 64 << 20

// TooLargeError reports an answer larger than the bound set by
// WithMaxResponseSize. It is not retried: the answer would be as large again.
type TooLargeError struct {
	Limit  int64
	Length int64 // the declared Content-Length, or -1 when the body ran past the limit
}

func (e *TooLargeError) Error() string {
	if e.Length >= 0 {
		return fmt.Sprintf("the answer's Content-Length %d exceeds the %d-byte limit (raise it with adaptive.WithMaxResponseSize)", e.Length, e.Limit)
	}
	return fmt.Sprintf("the answer exceeds the %d-byte limit (raise it with adaptive.WithMaxResponseSize)", e.Limit)
}

// BodyError is a failure to read the answer's body after its headers
// arrived: the request reached the server.
type BodyError struct{ Err error }

func (e *BodyError) Error() string { return "reading the answer: " + e.Err.Error() }
func (e *BodyError) Unwrap() error { return e.Err }

const (
	firstBufferSize = 4 << 10
	// maxPooledBuffer keeps rare huge answers out of the pool.
	maxPooledBuffer = 1 << 20
)

var answerBuffers = sync.Pool{New: func() any { b := make([]byte, 0, firstBufferSize); return &b }}

// readBounded reads all of r, which declares length bytes (-1 when unknown),
// into a pooled buffer. A declared length over limit is refused before any
// byte is read, and the buffer is sized once from it; an undeclared length
// grows the buffer by doubling but never past limit+1 bytes, so that an
// endless body costs at most about 1.5 times the limit.
func readBounded(r io.Reader, length, limit int64) (*[]byte, error) {
	if length > limit {
		return nil, &TooLargeError{Limit: limit, Length: length}
	}
	bp := answerBuffers.Get().(*[]byte)
	b := (*bp)[:0]
	if length >= 0 && int64(cap(b)) < length+1 {
		// One byte more than declared, so that the read that finds io.EOF
		// needs no growth.
		b = make([]byte, 0, length+1)
	}
	for {
		if len(b) == cap(b) {
			if int64(len(b)) > limit {
				putBuffer(bp)
				return nil, &TooLargeError{Limit: limit, Length: -1}
			}
			// One byte past a doubling (capped at the limit), so that the
			// last growth lands on limit+1 and never copies to add a byte.
			grown := make([]byte, len(b), min(int64(2*cap(b)), limit)+1)
			copy(grown, b)
			b = grown
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			if int64(len(b)) > limit {
				putBuffer(bp)
				return nil, &TooLargeError{Limit: limit, Length: -1}
			}
			*bp = b
			return bp, nil
		}
		if err != nil {
			putBuffer(bp)
			return nil, err
		}
	}
}

func putBuffer(bp *[]byte) {
	if cap(*bp) <= maxPooledBuffer {
		*bp = (*bp)[:0]
		answerBuffers.Put(bp)
	}
}

var drainBuffers = sync.Pool{New: func() any { b := make([]byte, 8<<10); return &b }}

// DrainAndClose reads a little of what is left of body so that its
// connection can be reused, then closes it. The bound (64 KiB) keeps a huge
// or endless body from being read.
func DrainAndClose(body io.ReadCloser) {
	if body == nil {
		return
	}
	bp := drainBuffers.Get().(*[]byte)
	for n := 0; n < 64<<10; {
		m, err := body.Read(*bp)
		n += m
		if err != nil {
			break
		}
	}
	drainBuffers.Put(bp)
	_ = body.Close()
}

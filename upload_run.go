package adaptive

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/adaptive-go/adaptive/internal/partsize"
	"github.com/adaptive-go/adaptive/internal/transport"
)

// Defaults of UploadOptions.
const (
	DefaultUploadConcurrency = 4
	DefaultUploadContentType = "application/jsonl"
)

const (
	// hashBufferSize is the read size of the hashing pass over an
	// io.ReaderAt and of spooling.
	hashBufferSize = 256 << 10
	// abortTimeout bounds the abort that follows a failure; it runs on a
	// context that outlives the caller's, which may be the one cancelled.
	abortTimeout = 30 * time.Second
)

// UploadOptions tunes Upload and Resume. The zero value (or nil) uploads
// with the defaults.
type UploadOptions struct {
	// Size is the number of bytes to upload, for a reader whose size cannot
	// be found otherwise; 0 means discover it. A reader that yields fewer or
	// more bytes than Size fails the upload.
	Size int64
	// PartSize is the size of every part but the last, 5 MiB to 100 MiB;
	// 0 chooses it from the total as the vendor does (5 MiB below 500 MiB,
	// 10 MiB below 10 GiB, 50 MiB below 50 GiB, 100 MiB above). Resume must
	// be given the part size of the upload it continues.
	PartSize int64
	// Concurrency is the number of parts in flight; 0 means
	// DefaultUploadConcurrency (4).
	Concurrency int
	// ContentType is the MIME type declared for the file; empty means
	// DefaultUploadContentType (application/jsonl, for datasets).
	ContentType string
	// Metadata is custom metadata attached to the session: string values,
	// as the API takes them.
	Metadata map[string]string
	// Progress, when set, receives the bytes and parts the server has
	// acknowledged: from one goroutine, at most every 100 ms, and once more
	// when the upload ends, whatever the outcome.
	Progress func(UploadProgress)
	// OnSession, when set, receives the session id right after the session
	// is opened, before any part is sent, so that the caller can persist it
	// and Resume the upload even from another process.
	OnSession func(sessionID string)
	// KeepOnError keeps the session open when the upload fails, so that it
	// can be resumed, instead of aborting it.
	KeepOnError bool
}

// UploadResult describes a completed upload.
type UploadResult struct {
	// SessionID is the session holding the upload.
	SessionID string
	// Parts is the number of parts.
	Parts int
	// Bytes is the number of bytes uploaded.
	Bytes int64
	// SHA256 is the SHA-256 of the bytes uploaded, in order.
	SHA256 [sha256.Size]byte
}

// resolve checks o and fills in the defaults.
func (o *UploadOptions) resolve() (UploadOptions, error) {
	var v UploadOptions
	if o != nil {
		v = *o
	}
	if v.Size < 0 {
		return v, invalid("UploadOptions.Size", "negative (%d): give the size in bytes, or 0 to discover it", v.Size)
	}
	if v.Concurrency < 0 {
		return v, invalid("UploadOptions.Concurrency", "%d: give at least 1, or 0 for the default %d", v.Concurrency, DefaultUploadConcurrency)
	}
	if v.Concurrency == 0 {
		v.Concurrency = DefaultUploadConcurrency
	}
	if v.PartSize != 0 {
		if _, _, err := partsize.Plan(1, v.PartSize); err != nil {
			return v, invalid("UploadOptions.PartSize", "%v", err)
		}
	}
	if v.ContentType == "" {
		v.ContentType = DefaultUploadContentType
	}
	return v, nil
}

// plan sizes the parts of size bytes, as a *ValidationError when the rules
// do not allow it.
func plan(size, explicit int64) (int64, int, error) {
	ps, n, err := partsize.Plan(size, explicit)
	switch {
	case errors.Is(err, partsize.ErrTooManyParts) && explicit == 0:
		return 0, 0, invalid("UploadOptions.Size", "%v", err)
	case err != nil:
		return 0, 0, invalid("UploadOptions.PartSize", "%v", err)
	}
	return ps, n, nil
}

// Upload uploads everything r yields as one session and returns once the
// server has confirmed that it holds every part. It calls
// POST /api/v1/upload/init, then POST /api/v1/upload/part for each part,
// Concurrency at a time, then POST /api/v1/upload/status to verify.
//
// The size comes from r when it can be known without reading (see
// UploadOptions.Size); otherwise r is spooled to a temporary file first,
// which is removed before Upload returns. Files, *bytes.Reader and
// *strings.Reader are sent from their current offset straight through
// section readers, with no part buffer, and their offset is left unchanged;
// other readers are read in order into at most Concurrency+1 buffers sized
// to the data. Each part is retried by the transport. A reader that yields
// fewer or more bytes than its size fails the upload.
//
// Bad options, a nil or empty reader and an upload the part rules cannot
// hold are a *ValidationError, returned before anything is sent; a failure
// to open the session is returned as is. Any later failure, including
// cancellation, stops every part, aborts the session unless KeepOnError,
// and is returned as an *UploadError.
func (s *UploadsService) Upload(ctx context.Context, r io.Reader, o *UploadOptions) (res *UploadResult, err error) {
	if r == nil {
		return nil, invalid("r", "nil reader")
	}
	opts, err := o.resolve()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	src, err := openSource(ctx, r, opts.Size)
	if err != nil {
		return nil, err
	}
	defer src.close()
	partSize, parts, err := plan(src.size, opts.PartSize)
	if err != nil {
		return nil, err
	}
	cfg, err := s.client.callConfig(nil)
	if err != nil {
		return nil, err
	}
	ctx, rec := s.client.begin(ctx, cfg, CallStart{Call: "Uploads.Upload", Request: o})
	defer func() { endUpload(rec, res, err) }()
	sess, err := s.init(ctx, cfg, UploadInitRequest{ContentType: opts.ContentType, Metadata: opts.Metadata, TotalPartsCount: parts})
	if err != nil {
		return nil, err
	}
	if opts.OnSession != nil {
		opts.OnSession(sess.SessionID)
	}

	u := &uploadRun{s: s, cfg: cfg, id: sess.SessionID, size: src.size, partSize: partSize, parts: parts, conc: opts.Concurrency}
	u.progress = startProgress(opts.Progress, src.size, parts, 0, 0)
	var sum [sha256.Size]byte
	if src.ra != nil {
		err = u.sendAt(ctx, src.ra, allParts(parts), src.sum == nil, &sum)
		if src.sum != nil {
			sum = *src.sum
		}
	} else {
		err = u.sendStream(ctx, src.r, &sum)
	}
	if err == nil {
		err = u.verify(ctx, src.ra)
	}
	u.progress.stop()
	if err != nil {
		return nil, s.fail(ctx, cfg, u.id, err, opts.KeepOnError)
	}
	return &UploadResult{SessionID: u.id, Parts: parts, Bytes: src.size, SHA256: sum}, nil
}

// Resume completes the upload of session sessionID from r, which must hold
// the same size bytes as the upload that opened the session: it asks the
// server which parts it holds and sends only the others. It calls
// POST /api/v1/upload/status, POST /api/v1/upload/part for each missing
// part, and POST /api/v1/upload/status again to verify. opts.PartSize must be the one of the original upload
// (0 if it was 0); ContentType, Metadata and OnSession are not used. The
// result's SHA256 covers all of r.
//
// Bad input is a *ValidationError and a failing first status call is
// returned as is; a later failure aborts the session unless KeepOnError and
// is returned as an *UploadError.
func (s *UploadsService) Resume(ctx context.Context, sessionID string, r io.ReaderAt, size int64, o *UploadOptions) (res *UploadResult, err error) {
	if sessionID == "" {
		return nil, invalid("sessionID", "empty")
	}
	if r == nil {
		return nil, invalid("r", "nil reader")
	}
	if size <= 0 {
		return nil, invalid("size", "%d: give the size of the upload in bytes", size)
	}
	opts, err := o.resolve()
	if err != nil {
		return nil, err
	}
	if opts.Size != 0 && opts.Size != size {
		return nil, invalid("UploadOptions.Size", "%d differs from size %d", opts.Size, size)
	}
	partSize, parts, err := plan(size, opts.PartSize)
	if err != nil {
		return nil, err
	}
	cfg, err := s.client.callConfig(nil)
	if err != nil {
		return nil, err
	}
	ctx, rec := s.client.begin(ctx, cfg, CallStart{Call: "Uploads.Resume", Request: o})
	defer func() { endUpload(rec, res, err) }()
	st, err := s.status(ctx, cfg, sessionID)
	if err != nil {
		return nil, err
	}
	if st.TotalPartsCount != parts {
		return nil, invalid("UploadOptions.PartSize", "the session expects %d parts but %d bytes in parts of %d bytes make %d: give the part size of the original upload", st.TotalPartsCount, size, partSize, parts)
	}
	u := &uploadRun{s: s, cfg: cfg, id: sessionID, size: size, partSize: partSize, parts: parts, conc: opts.Concurrency}
	todo := st.missing(parts)
	held, heldParts := size, parts
	for _, n := range todo {
		held -= u.partLen(n)
		heldParts--
	}
	u.progress = startProgress(opts.Progress, size, parts, held, heldParts)
	var sum [sha256.Size]byte
	err = u.sendAt(ctx, r, todo, true, &sum)
	if err == nil {
		err = u.verify(ctx, r)
	}
	u.progress.stop()
	if err != nil {
		return nil, s.fail(ctx, cfg, sessionID, err, opts.KeepOnError)
	}
	return &UploadResult{SessionID: sessionID, Parts: parts, Bytes: size, SHA256: sum}, nil
}

// endUpload ends the record of an upload with its result, or its error.
func endUpload(rec *callRecord, res *UploadResult, err error) {
	if err != nil {
		rec.end(nil, err, 0)
		return
	}
	rec.end(res, nil, 0)
}

// fail wraps the cause of a failed upload, aborting the session first unless
// keep. The abort runs on a context that the caller's cancellation does not
// reach, bounded by abortTimeout, and is retried by the transport.
func (s *UploadsService) fail(ctx context.Context, cfg *config, sessionID string, cause error, keep bool) error {
	e := &UploadError{SessionID: sessionID, Err: cause}
	if keep {
		return e
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
	defer cancel()
	err := s.abort(actx, cfg, sessionID)
	switch {
	case err == nil, errors.Is(err, ErrNotFound):
		// Not found: the session is gone, which is what aborting is for
		// (an earlier attempt of this very abort may have deleted it).
		e.Aborted = true
	default:
		e.AbortErr = err
	}
	return e
}

func allParts(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

// uploadRun is one upload of size bytes into session id, in parts parts of
// partSize bytes (the last may be shorter).
type uploadRun struct {
	s        *UploadsService
	cfg      *config
	id       string
	size     int64
	partSize int64
	parts    int
	conc     int
	progress *progressReporter
}

// partLen is the length of part n.
func (u *uploadRun) partLen(n int) int64 {
	return min(u.partSize, u.size-int64(n-1)*u.partSize)
}

// sendAt sends the parts listed in todo straight from ra, u.conc at a time,
// each part's body a fresh section reader per attempt. When hash is set, one
// more goroutine reads ra once in order to compute sum and to check that ra
// holds exactly u.size bytes. The first error cancels the rest; every
// goroutine has ended when sendAt returns.
func (u *uploadRun) sendAt(ctx context.Context, ra io.ReaderAt, todo []int, hash bool, sum *[sha256.Size]byte) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	var next atomic.Int64
	for range min(u.conc, len(todo)) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if i >= int64(len(todo)) {
					return
				}
				n := todo[i]
				off, length := int64(n-1)*u.partSize, u.partLen(n)
				r := &transport.Request{
					BodyFunc: func() io.Reader { return io.NewSectionReader(ra, off, length) },
					BodyLen:  length,
				}
				if err := u.s.sendPart(ctx, u.cfg, n, partRequest(u.id, n, r)); err != nil {
					cancel(fmt.Errorf("part %d: %w", n, err))
					return
				}
				u.progress.ack(length)
			}
		})
	}
	if hash {
		wg.Go(func() {
			if err := hashAt(ctx, ra, u.size, sum); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// hashAt computes the SHA-256 of the first size bytes of ra and checks that
// ra ends there.
func hashAt(ctx context.Context, ra io.ReaderAt, size int64, sum *[sha256.Size]byte) error {
	h := sha256.New()
	buf := make([]byte, min(hashBufferSize, size))
	for off := int64(0); off < size; {
		if err := ctx.Err(); err != nil {
			return err
		}
		chunk := buf[:min(int64(len(buf)), size-off)]
		n, err := ra.ReadAt(chunk, off)
		h.Write(chunk[:n])
		off += int64(n)
		if n < len(chunk) {
			if err == nil || err == io.EOF {
				return fmt.Errorf("the source ended after %d bytes, short of its size %d", off, size)
			}
			return fmt.Errorf("reading the source at byte %d: %w", off, err)
		}
	}
	if n, _ := ra.ReadAt(buf[:1], size); n > 0 {
		return fmt.Errorf("the source holds more than its size %d bytes", size)
	}
	h.Sum(sum[:0])
	return nil
}

// newPartBuffer allocates a part buffer (tests watch it).
var newPartBuffer = func(n int64) []byte { return make([]byte, n) }

// streamPart is a part read into a buffer.
type streamPart struct {
	n    int
	data []byte
}

// sendStream reads r in order, one part at a time, into at most u.conc+1
// buffers (allocated only when every existing one is busy, and sized to
// what remains), hashing on the way, and hands each part to one of u.conc
// senders, which recycle the buffer once the server has acknowledged it.
// After the last part, one more byte is read: a reader longer than u.size
// is an error, never truncated silently. The first error cancels the rest;
// every goroutine has ended when sendStream returns.
func (u *uploadRun) sendStream(ctx context.Context, r io.Reader, sum *[sha256.Size]byte) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	senders := min(u.conc, u.parts)
	jobs := make(chan streamPart)
	free := make(chan []byte, senders+1)
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case p, ok := <-jobs:
					if !ok {
						return
					}
					err := u.s.sendPart(ctx, u.cfg, p.n, partRequest(u.id, p.n, &transport.Request{Body: p.data}))
					free <- p.data
					if err != nil {
						cancel(fmt.Errorf("part %d: %w", p.n, err))
						return
					}
					u.progress.ack(int64(len(p.data)))
				}
			}
		})
	}

	err := u.readParts(ctx, r, jobs, free, senders+1, sum)
	close(jobs)
	if err != nil {
		cancel(err)
	}
	wg.Wait()
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// readParts is the reader of sendStream.
func (u *uploadRun) readParts(ctx context.Context, r io.Reader, jobs chan<- streamPart, free chan []byte, maxBuffers int, sum *[sha256.Size]byte) error {
	h := sha256.New()
	allocated := 0
	var off int64
	for n := 1; n <= u.parts; n++ {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		length := u.partLen(n)
		var buf []byte
		select {
		case buf = <-free:
		default:
			if allocated < maxBuffers {
				buf = newPartBuffer(length)
				allocated++
			} else {
				select {
				case buf = <-free:
				case <-ctx.Done():
					return context.Cause(ctx)
				}
			}
		}
		if int64(cap(buf)) < length { // cannot happen: parts only shrink
			buf = newPartBuffer(length)
		}
		buf = buf[:length]
		if k, err := io.ReadFull(r, buf); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return fmt.Errorf("the reader ended after %d bytes, short of its size %d", off+int64(k), u.size)
			}
			return fmt.Errorf("reading the source at byte %d: %w", off+int64(k), err)
		}
		h.Write(buf)
		off += length
		select {
		case jobs <- streamPart{n, buf}:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	var one [1]byte
	if k, err := io.ReadFull(r, one[:]); k > 0 {
		return fmt.Errorf("the reader holds more than its size %d bytes", u.size)
	} else if err != io.EOF {
		return fmt.Errorf("reading the source at byte %d: %w", off, err)
	}
	h.Sum(sum[:0])
	return nil
}

// verify asks the server whether it holds every part. Missing parts are
// sent again once when ra can replay them; otherwise they fail the upload.
func (u *uploadRun) verify(ctx context.Context, ra io.ReaderAt) error {
	for resent := false; ; resent = true {
		st, err := u.s.status(ctx, u.cfg, u.id)
		if err != nil {
			return fmt.Errorf("checking the session's status: %w", err)
		}
		if st.TotalPartsCount != u.parts {
			return fmt.Errorf("the server expects %d parts, not %d", st.TotalPartsCount, u.parts)
		}
		missing := st.missing(u.parts)
		if len(missing) == 0 {
			return nil
		}
		if ra == nil || resent {
			return fmt.Errorf("the server lacks parts %v of %d", missing, u.parts)
		}
		// The progress already counted these parts once: report them
		// acknowledged only once.
		p := u.progress
		u.progress = &progressReporter{}
		err = u.sendAt(ctx, ra, missing, false, nil)
		u.progress = p
		if err != nil {
			return err
		}
	}
}

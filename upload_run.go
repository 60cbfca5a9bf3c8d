package adaptive

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"sync"
	"sync/atomic"

	"github.com/adaptive-go/adaptive/internal/transport"
)

// Upload uploads everything r yields as one session and returns once the
// server has confirmed that it holds every part. It calls
// POST /api/v1/upload/init, then POST /api/v1/upload/part for each part,
// Concurrency at a time, then POST /api/v1/upload/status to verify.
// callOpts (WithTimeout, WithMaxRetries, WithHeader, ...) apply to each of
// these requests; WithCallInfo describes the whole upload, and
// WithResponseInto is left alone (an upload is many requests).
//
// The size comes from r when it can be known without reading (see
// UploadOptions.Size); otherwise r is spooled to a temporary file first,
// which never outlives the process (see UploadCheckpoint). Files,
// *bytes.Reader and *strings.Reader are sent from their current offset
// straight through section readers, with no part buffer, and their offset
// is left unchanged; other readers are read in order into at most
// Concurrency+1 buffers sized to the data. Every read from r checks ctx
// first, and a reader that keeps returning nothing fails with
// io.ErrNoProgress. Each part is retried by the transport; its body is
// bounded by silence (WithIdleTimeout), not by WithTimeout, which starts
// once its last byte is out. A reader that yields fewer or more bytes than
// its size fails the upload.
//
// Bad options, a nil or empty reader and an upload the part rules cannot
// hold are a *ValidationError, returned before anything is sent; a failure
// to open the session is returned as is. Any later failure, including
// cancellation, stops every part and is returned as an *UploadError, the
// session aborted or kept by the abort rules documented on UploadError.
func (s *UploadsService) Upload(ctx context.Context, r io.Reader, o *UploadOptions, callOpts ...Option) (res *UploadResult, err error) {
	opts, cfg, err := s.client.prepareUpload(ctx, r == nil, o, callOpts)
	if err != nil {
		return nil, err
	}
	op := s.startOp(ctx, cfg, "Uploads.Upload", o, opts)
	defer func() { op.end(res, err) }()
	src, err := openSource(op.ctx, r, opts.Size, 0, op.progress, opts.Checksum == ChecksumSHA256)
	if err != nil {
		return nil, err
	}
	defer src.close()
	u, err := op.send(src)
	if err != nil {
		return nil, err
	}
	return u.result(), nil
}

// Resume completes the upload that cp describes (see UploadCheckpoint) from
// r, which must hold the same bytes as the source of that upload: it asks
// the server which parts it holds, reads those parts of r to check them
// against the checkpoint, and sends only the others. It calls
// POST /api/v1/upload/status, POST /api/v1/upload/part for each missing
// part, and POST /api/v1/upload/status again to verify. The part size is
// the checkpoint's; ContentType, Metadata and OnSession are not used;
// OnCheckpoint receives the checkpoint once the source is checked and
// after each part. The result's PartCRC32C covers every part, and its
// SHA256 (when asked) all of r.
//
// A checkpoint that is damaged, of another instance (the base URL's
// origin), of another part size than UploadOptions.PartSize (when set), or
// of another size than r; a session that declares another part count; and
// a part the server holds whose bytes in r differ from the checkpoint's
// CRC-32C are each a *ValidationError, returned before any part is sent,
// the session left as it was. A parts the server holds but the checkpoint
// does not list (acknowledged after the checkpoint was saved) is sent
// again. A failing first status call is returned as is; a later failure is
// an *UploadError, and a cancelled Resume keeps the session (see the abort
// rules on UploadError).
func (s *UploadsService) Resume(ctx context.Context, cp UploadCheckpoint, r io.ReaderAt, o *UploadOptions, callOpts ...Option) (res *UploadResult, err error) {
	opts, cfg, err := s.client.prepareUpload(ctx, r == nil, o, callOpts)
	if err != nil {
		return nil, err
	}
	if err := checkResumable(cp, cfg, opts, r); err != nil {
		return nil, err
	}
	op := s.startOp(ctx, cfg, "Uploads.Resume", o, opts)
	defer func() { op.end(res, err) }()
	u, err := op.resume(cp, r)
	if err != nil {
		return nil, err
	}
	return u.result(), nil
}

// prepareUpload checks what every upload call takes before it starts: a
// reader (noReader is true when it is nil), valid options, valid per-call
// options and a live context. It returns the resolved options and the
// call's config.
func (c *Client) prepareUpload(ctx context.Context, noReader bool, o *UploadOptions, callOpts []Option) (UploadOptions, *config, error) {
	if noReader {
		return UploadOptions{}, nil, invalid("r", "nil reader")
	}
	opts, err := o.resolve()
	if err != nil {
		return UploadOptions{}, nil, err
	}
	cfg, err := c.callConfig(callOpts)
	if err != nil {
		return UploadOptions{}, nil, err
	}
	if err := ctx.Err(); err != nil {
		return UploadOptions{}, nil, err
	}
	return opts, cfg, nil
}

// checkResumable checks cp against the client, the options and the size of
// r, before anything is sent.
func checkResumable(cp UploadCheckpoint, cfg *config, opts UploadOptions, r io.ReaderAt) error {
	if err := cp.check(cfg.origin()); err != nil {
		return err
	}
	if opts.PartSize != 0 && opts.PartSize != cp.PartSize {
		return invalid("UploadOptions.PartSize", "%d differs from the checkpoint's part size %d: leave it 0 to resume", opts.PartSize, cp.PartSize)
	}
	if opts.Size != 0 && opts.Size != cp.Size {
		return invalid("UploadOptions.Size", "%d differs from the checkpoint's size %d", opts.Size, cp.Size)
	}
	return checkSourceSize(r, cp.Size)
}

// uploadOp is one call of an upload method (Upload or Resume, of Uploads
// or Datasets) from start to end: the config of its requests, its record,
// the context its requests run with, its callbacks' guard and its progress.
type uploadOp struct {
	s   *UploadsService
	cfg *config // for the nested requests: no WithCallInfo or WithResponseInto of their own
	rec *callRecord
	// caller is the caller's context (with the hooks' values); ctx is
	// cancelled with it, and also by a panicking callback.
	caller   context.Context
	ctx      context.Context
	cancel   context.CancelCauseFunc
	guard    *callbackGuard
	progress *progressReporter
	opts     UploadOptions
}

func (s *UploadsService) startOp(ctx context.Context, cfg *config, call string, request any, opts UploadOptions) *uploadOp {
	ctx, rec := s.client.begin(ctx, cfg, CallStart{Call: call, Request: request})
	inner := cfg
	if cfg.callInfo != nil || cfg.responseInto != nil {
		// Those describe the whole call, which its record fills; parts
		// running at once must not write them.
		c := *cfg
		c.callInfo, c.responseInto = nil, nil
		inner = &c
	}
	runCtx, cancel := context.WithCancelCause(ctx)
	g := &callbackGuard{cancel: cancel}
	return &uploadOp{s: s, cfg: inner, rec: rec, caller: ctx, ctx: runCtx, cancel: cancel, guard: g, progress: startProgress(opts.Progress, g), opts: opts}
}

// end closes the call: the final progress report, the record, and a
// callback's panic raised again on the caller's goroutine.
func (op *uploadOp) end(response any, err error) {
	final := UploadPhaseDone
	if err != nil {
		final = UploadPhaseFailed
	}
	op.progress.stop(final)
	if err != nil {
		op.rec.end(nil, err, 0)
	} else {
		op.rec.end(response, nil, 0)
	}
	op.cancel(nil)
	op.guard.repanic()
}

func (op *uploadOp) wantSHA() bool { return op.opts.Checksum == ChecksumSHA256 }

// send uploads src into a new session and verifies it.
func (op *uploadOp) send(src *uploadSource) (*uploadRun, error) {
	partSize, parts, err := plan(src.size, op.opts.PartSize)
	if err != nil {
		return nil, err
	}
	sess, err := op.s.init(op.ctx, op.cfg, UploadInitRequest{ContentType: op.opts.ContentType, Metadata: op.opts.Metadata, TotalPartsCount: parts})
	if err != nil {
		return nil, err
	}
	u := op.newRun(sess.SessionID, src.size, partSize, parts)
	u.sum = src.sum
	op.progress.sized(src.size, parts, 0, 0)
	op.progress.setPhase(UploadPhaseUploading)
	if f := op.opts.OnSession; f != nil {
		op.guard.call(func() { f(u.id) })
	}
	u.ckpt.emit()
	if op.guard.failed() {
		return nil, op.settle(u, context.Cause(op.ctx), settleUpload)
	}
	if src.ra != nil {
		err = u.sendAt(op.ctx, src.ra, allParts(parts), true, op.wantSHA() && src.sum == nil)
	} else {
		err = u.sendStream(op.ctx, src.r)
	}
	if err == nil {
		err = u.verify(op.ctx, src.ra)
	}
	if err != nil {
		return nil, op.settle(u, err, settleUpload)
	}
	return u, nil
}

// resume continues the upload of cp from r (see Resume).
func (op *uploadOp) resume(cp UploadCheckpoint, r io.ReaderAt) (*uploadRun, error) {
	st, err := op.s.status(op.ctx, op.cfg, cp.SessionID)
	if err != nil {
		return nil, err
	}
	if st.TotalPartsCount != cp.Parts {
		return nil, invalid("UploadCheckpoint.SessionID", "session %s declares %d parts and the checkpoint %d: the checkpoint is not of this session", cp.SessionID, st.TotalPartsCount, cp.Parts)
	}
	u := op.newRun(cp.SessionID, cp.Size, cp.PartSize, cp.Parts)
	held := make(map[int]bool, len(st.CompletedParts))
	for _, n := range st.CompletedParts {
		held[n] = true
	}
	var vouched []CheckpointPart
	for _, p := range cp.Acked {
		if held[p.Part] {
			vouched = append(vouched, p)
		}
	}
	op.progress.setPhase(UploadPhaseChecking)
	if err := u.checkHeld(op.ctx, r, vouched); err != nil {
		return nil, err
	}
	ok := make(map[int]bool, len(vouched))
	var heldBytes int64
	for _, p := range vouched {
		ok[p.Part] = true
		heldBytes += u.partLen(p.Part)
	}
	var todo []int
	for n := 1; n <= cp.Parts; n++ {
		if !ok[n] {
			todo = append(todo, n)
		}
	}
	op.progress.sized(cp.Size, cp.Parts, heldBytes, len(vouched))
	op.progress.setPhase(UploadPhaseUploading)
	u.ckpt.emit()
	if op.guard.failed() {
		return nil, op.settle(u, context.Cause(op.ctx), settleResume)
	}
	err = u.sendAt(op.ctx, r, todo, true, op.wantSHA())
	if err == nil {
		err = u.verify(op.ctx, r)
	}
	if err != nil {
		return nil, op.settle(u, err, settleResume)
	}
	return u, nil
}

// settleMode selects the abort rule of a failure (see UploadError).
type settleMode uint8

const (
	settleUpload  settleMode = iota // abort unless KeepOnError, but keep a complete upload
	settleResume                    // as settleUpload, and keep a cancelled Resume
	settleRefused                   // the dataset was refused: KeepOnError alone decides
	settleKeep                      // the dataset may exist: keep
)

// settle applies the abort rules to the session of a run that failed with
// cause, and returns the error for the caller.
func (op *uploadOp) settle(u *uploadRun, cause error, mode settleMode) error {
	keep := op.opts.KeepOnError
	switch {
	case mode == settleKeep:
		keep = true
	case mode == settleRefused:
	case mode == settleResume && op.caller.Err() != nil:
		keep = true
	case u.ckpt.complete():
		keep = true
		cause = fmt.Errorf("every part was acknowledged, so the session is kept: %w", cause)
	}
	return op.s.fail(op.caller, op.cfg, u.id, cause, keep)
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
	op       *uploadOp
	id       string
	size     int64
	partSize int64
	parts    int
	ckpt     *checkpointer
	sum      []byte // the SHA-256, once computed
}

func (op *uploadOp) newRun(id string, size, partSize int64, parts int) *uploadRun {
	base := UploadCheckpoint{Version: CheckpointVersion, SessionID: id, Instance: op.cfg.origin(), Size: size, PartSize: partSize, Parts: parts}
	return &uploadRun{op: op, id: id, size: size, partSize: partSize, parts: parts, ckpt: newCheckpointer(base, op.opts.OnCheckpoint, op.guard)}
}

// partLen is the length of part n.
func (u *uploadRun) partLen(n int) int64 {
	return min(u.partSize, u.size-int64(n-1)*u.partSize)
}

func (u *uploadRun) result() *UploadResult {
	return &UploadResult{SessionID: u.id, Parts: u.parts, Bytes: u.size, PartCRC32C: u.ckpt.sums(), SHA256: u.sum}
}

// sendAt sends the parts listed in todo straight from ra, u.conc at a time,
// each part's body a fresh reader per attempt that computes its CRC-32C.
// Acknowledged parts go to the checkpoint, and to the progress when count
// is set. When hash is set, one more goroutine reads ra once in order to
// compute the SHA-256 and to check that ra holds exactly u.size bytes. The
// first error cancels the rest; every goroutine has ended when sendAt
// returns.
func (u *uploadRun) sendAt(ctx context.Context, ra io.ReaderAt, todo []int, count, hash bool) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	var next atomic.Int64
	for range min(u.op.opts.Concurrency, len(todo)) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if i >= int64(len(todo)) {
					return
				}
				if err := u.sendPartAt(ctx, cancel, ra, todo[i], count); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	if hash {
		wg.Go(func() {
			sum, err := hashAt(ctx, ra, u.size)
			if err != nil {
				cancel(err)
				return
			}
			u.sum = sum
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// sendPartAt sends part n from ra; fail cancels the upload with a failure
// of the source, which its body notices first.
func (u *uploadRun) sendPartAt(ctx context.Context, fail context.CancelCauseFunc, ra io.ReaderAt, n int, count bool) error {
	off, length := int64(n-1)*u.partSize, u.partLen(n)
	// The transport opens the body on this goroutine, before each attempt.
	var last *partBody
	sent := &partSent{p: u.op.progress}
	r := &transport.Request{
		BodyFunc: func() io.Reader {
			last = &partBody{ctx: ctx, ra: ra, off: off, n: length, size: u.size, fail: func(err error) { fail(err) }}
			return last
		},
		BodyLen: length,
		Sent:    sent.report,
	}
	err := u.op.s.sendPart(ctx, u.op.cfg, n, partRequest(u.id, n, r))
	sent.finish()
	if err != nil {
		return fmt.Errorf("part %d: %w", n, err)
	}
	crc, ok := last.sum()
	if !ok {
		// The server answered before the body was read to its end: read
		// the part once more for its checksum.
		if crc, err = crcAt(ctx, ra, off, length, make([]byte, min(hashBufferSize, length)), new(atomic.Int64)); err != nil {
			return err
		}
	}
	u.ckpt.ack(n, crc)
	if count {
		u.op.progress.ack(length)
	}
	return nil
}

// hashAt computes the SHA-256 of the first size bytes of ra and checks that
// ra ends there.
func hashAt(ctx context.Context, ra io.ReaderAt, size int64) ([]byte, error) {
	h := sha256.New()
	buf := make([]byte, min(hashBufferSize, size))
	for off := int64(0); off < size; {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		chunk := buf[:min(int64(len(buf)), size-off)]
		n, err := ra.ReadAt(chunk, off)
		h.Write(chunk[:n])
		off += int64(n)
		if n < len(chunk) {
			if err == nil || err == io.EOF {
				return nil, fmt.Errorf("the source ended after %d bytes, short of its size %d", off, size)
			}
			return nil, fmt.Errorf("reading the source at byte %d: %w", off, err)
		}
	}
	if n, _ := ra.ReadAt(buf[:1], size); n > 0 {
		return nil, fmt.Errorf("the source holds more than its size %d bytes", size)
	}
	return h.Sum(nil), nil
}

// newPartBuffer allocates a part buffer (tests watch it).
var newPartBuffer = func(n int64) []byte { return make([]byte, n) }

// streamPart is a part read into a buffer.
type streamPart struct {
	n    int
	data []byte
	crc  uint32
}

// sendStream reads r in order, one part at a time, into at most u.conc+1
// buffers (allocated only when every existing one is busy, and sized to
// what remains), computing each part's CRC-32C (and the SHA-256 when asked)
// on the way, and hands each part to one of u.conc senders, which recycle
// the buffer once the server has acknowledged it. The first error cancels
// the rest; every goroutine has ended when sendStream returns.
func (u *uploadRun) sendStream(ctx context.Context, r io.Reader) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	senders := min(u.op.opts.Concurrency, u.parts)
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
					sent := &partSent{p: u.op.progress}
					err := u.op.s.sendPart(ctx, u.op.cfg, p.n, partRequest(u.id, p.n, &transport.Request{Body: p.data, Sent: sent.report}))
					sent.finish()
					length := int64(len(p.data))
					free <- p.data
					if err != nil {
						cancel(fmt.Errorf("part %d: %w", p.n, err))
						return
					}
					u.ckpt.ack(p.n, p.crc)
					u.op.progress.ack(length)
				}
			}
		})
	}

	err := u.readParts(ctx, &sourceReader{ctx: ctx, r: r}, jobs, free, senders+1)
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

// readParts is the reader of sendStream. Before the last part leaves, one
// more byte is read: a reader longer than u.size is an error, never
// truncated silently, and found while the session can still be aborted.
func (u *uploadRun) readParts(ctx context.Context, r io.Reader, jobs chan<- streamPart, free chan []byte, maxBuffers int) error {
	var h hash.Hash
	if u.op.wantSHA() {
		h = sha256.New()
	}
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
		crc, k, err := fillPart(r, buf, h)
		if err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return fmt.Errorf("the reader ended after %d bytes, short of its size %d", off+int64(k), u.size)
			}
			return fmt.Errorf("reading the source at byte %d: %w", off+int64(k), err)
		}
		off += length
		if n == u.parts {
			var one [1]byte
			if k, err := io.ReadFull(r, one[:]); k > 0 {
				return fmt.Errorf("the reader holds more than its size %d bytes", u.size)
			} else if err != io.EOF {
				return fmt.Errorf("reading the source at byte %d: %w", off, err)
			}
		}
		select {
		case jobs <- streamPart{n, buf, crc}:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	if h != nil {
		u.sum = h.Sum(nil)
	}
	return nil
}

// fillPart fills buf from r and returns its CRC-32C, adding it to h when h
// is set. It reads in pieces that stay in the CPU's cache while the
// checksums run over them, as a whole part does not: summing a 5 MiB
// buffer after the copy reads it from memory again, which costs more than
// the checksum. On failure it returns the bytes read and io.ReadFull's
// error.
func fillPart(r io.Reader, buf []byte, h hash.Hash) (uint32, int, error) {
	var crc uint32
	for done := 0; done < len(buf); {
		piece := buf[done:min(len(buf), done+hashBufferSize)]
		k, err := io.ReadFull(r, piece)
		crc = crc32.Update(crc, castagnoli, piece[:k])
		if h != nil {
			h.Write(piece[:k])
		}
		done += k
		if err != nil {
			return crc, done, err
		}
	}
	return crc, len(buf), nil
}

// verify asks the server whether it holds every part. Missing parts are
// sent again once when ra can replay them; otherwise they fail the upload.
func (u *uploadRun) verify(ctx context.Context, ra io.ReaderAt) error {
	p := u.op.progress
	for resent := false; ; resent = true {
		p.setPhase(UploadPhaseVerifying)
		st, err := u.op.s.status(ctx, u.op.cfg, u.id)
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
		// The progress already counted these parts once: they are not
		// counted again.
		p.setPhase(UploadPhaseUploading)
		if err := u.sendAt(ctx, ra, missing, false, false); err != nil {
			return err
		}
	}
}

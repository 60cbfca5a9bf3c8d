package adaptive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"sync/atomic"
)

// uploadSource is the data of an upload once its size is known. Parts are
// read at offsets from ra when it is set, with no part buffer, else in order
// from r.
type uploadSource struct {
	size int64
	ra   io.ReaderAt
	r    io.Reader
	// sum is the SHA-256 of the data when it was computed on the way
	// (spooling hashes what it copies when the caller asked for it).
	sum     []byte
	cleanup func()
}

func (src *uploadSource) close() {
	if src.cleanup != nil {
		src.cleanup()
	}
}

// offsetReaderAt reads its ReaderAt from base on, without an upper limit, so
// that reading past the declared size can tell a source that grew.
type offsetReaderAt struct {
	ra   io.ReaderAt
	base int64
}

func (o offsetReaderAt) ReadAt(p []byte, off int64) (int, error) {
	return o.ra.ReadAt(p, o.base+off)
}

// openSource finds the size of what is left to read in r without reading
// it, in this order: the remaining length of a *bytes.Reader or
// *strings.Reader, the distance from the current offset to the end of an
// io.Seeker (files), Len() (bytes.Buffer), Stat() of a regular file, or the
// declared size. A source that is also an io.ReaderAt with a known offset is
// read at offsets from its current offset on, in parallel and without
// buffers; its own offset is left where it was.
//
// A reader whose size cannot be known is read: when it ends within inMemory
// bytes (0: never), it is held in memory; otherwise it is spooled to a
// temporary file, which close removes (the file is unlinked at once where
// the OS allows it, so that it never outlives the process), reporting the
// bytes copied to p and hashing them with SHA-256 when sha is set.
//
// declared, when not zero, must match a size found in r: a mismatch is a
// *ValidationError, as is an empty source.
func openSource(ctx context.Context, r io.Reader, declared, inMemory int64, p *progressReporter, sha bool) (*uploadSource, error) {
	src, err := sizeSource(r, declared)
	if err != nil {
		return nil, err
	}
	if src == nil {
		if src, err = readSource(ctx, r, inMemory, p, sha); err != nil {
			return nil, err
		}
	}
	if src.size == 0 {
		src.close()
		return nil, invalid("r", "empty: there is nothing to upload")
	}
	return src, nil
}

func sizeSource(r io.Reader, declared int64) (*uploadSource, error) {
	var src *uploadSource
	switch v := r.(type) {
	case *bytes.Reader:
		src = &uploadSource{size: int64(v.Len()), ra: offsetReaderAt{v, v.Size() - int64(v.Len())}}
	case *strings.Reader:
		src = &uploadSource{size: int64(v.Len()), ra: offsetReaderAt{v, v.Size() - int64(v.Len())}}
	case io.Seeker:
		if base, size, ok := seekSize(v); ok {
			src = &uploadSource{size: size, r: r}
			if ra, ok := r.(io.ReaderAt); ok {
				src.ra, src.r = offsetReaderAt{ra, base}, nil
			}
		}
	}
	if src == nil {
		switch v := r.(type) {
		case interface{ Len() int }:
			src = &uploadSource{size: int64(v.Len()), r: r}
		case interface{ Stat() (fs.FileInfo, error) }:
			if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
				src = &uploadSource{size: fi.Size(), r: r}
			}
		}
	}
	switch {
	case src != nil && declared != 0 && declared != src.size:
		return nil, invalid("UploadOptions.Size", "%d bytes declared, but the reader holds %d", declared, src.size)
	case src == nil && declared != 0:
		src = &uploadSource{size: declared, r: r}
	}
	return src, nil
}

// seekSize returns the current offset of s and the number of bytes from
// there to the end, leaving the offset where it was. ok is false when s
// cannot seek (a pipe).
func seekSize(s io.Seeker) (base, size int64, ok bool) {
	base, err := s.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, 0, false
	}
	end, err := s.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, 0, false
	}
	if _, err := s.Seek(base, io.SeekStart); err != nil || end < base {
		return 0, 0, false
	}
	return base, end - base, true
}

// readSource reads a reader of unknown size: into memory when it ends
// within inMemory bytes, else into a spool file.
func readSource(ctx context.Context, r io.Reader, inMemory int64, p *progressReporter, sha bool) (*uploadSource, error) {
	sr := &sourceReader{ctx: ctx, r: r}
	var head []byte
	if inMemory > 0 {
		p.setPhase(UploadPhaseSpooling)
		head = make([]byte, inMemory+1)
		n, err := io.ReadFull(sr, head)
		p.read.Add(int64(n))
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			return &uploadSource{size: int64(n), ra: bytes.NewReader(head[:n])}, nil
		case err != nil:
			return nil, fmt.Errorf("adaptive: reading the upload: %w", sourceError(ctx, err))
		}
	}
	return spool(ctx, io.MultiReader(bytes.NewReader(head), sr), p, sha)
}

// spool copies r (the caller's reader behind a sourceReader) to a
// temporary file, hashing it on the way when sha is set, so that a reader
// of unknown size is never held in memory.
func spool(ctx context.Context, r io.Reader, p *progressReporter, sha bool) (*uploadSource, error) {
	p.setPhase(UploadPhaseSpooling)
	p.read.Store(0) // the head read into memory is copied again below
	f, err := os.CreateTemp("", "adaptive-upload-*")
	if err != nil {
		return nil, fmt.Errorf("adaptive: spooling the upload to a temporary file: %w", err)
	}
	// The spool is a whole copy of the caller's data under a name nobody
	// knows: unlinked at once, it cannot outlive the process even when the
	// process is killed. Windows refuses to remove an open file: there it
	// is removed when the upload ends.
	unlinked := os.Remove(f.Name()) == nil
	remove := func() {
		_ = f.Close()
		if !unlinked {
			_ = os.Remove(f.Name())
		}
	}
	var w io.Writer = countingWriter{f, &p.read}
	var h hash.Hash
	if sha {
		h = sha256.New()
		w = io.MultiWriter(w, h)
	}
	buf := make([]byte, hashBufferSize)
	n, err := io.CopyBuffer(w, r, buf)
	if err != nil {
		remove()
		return nil, fmt.Errorf("adaptive: spooling the upload to a temporary file: %w", sourceError(ctx, err))
	}
	src := &uploadSource{size: n, ra: f, cleanup: remove}
	if h != nil {
		src.sum = h.Sum(nil)
	}
	return src, nil
}

// sourceError prefers the context's error to what a reader cut by it
// returned.
func sourceError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		return context.Cause(ctx)
	}
	return err
}

type countingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// maxEmptyReads is how many reads in a row may return nothing and no
// error before a reader is taken for stuck (bufio uses the same bound).
const maxEmptyReads = 100

// sourceReader reads the caller's reader for an upload. It checks the
// context before every read, so that a slow source cannot hold a cancelled
// upload, and fails with io.ErrNoProgress after maxEmptyReads reads in a
// row that return neither bytes nor an error, which io.Reader allows but
// which would otherwise keep the upload busy forever.
type sourceReader struct {
	ctx   context.Context
	r     io.Reader
	empty int
}

func (s *sourceReader) Read(p []byte) (int, error) {
	if err := s.ctx.Err(); err != nil {
		return 0, context.Cause(s.ctx)
	}
	n, err := s.r.Read(p)
	if n > 0 || err != nil || len(p) == 0 {
		s.empty = 0
		return n, err
	}
	if s.empty++; s.empty >= maxEmptyReads {
		return 0, fmt.Errorf("the reader returned nothing %d times in a row: %w", maxEmptyReads, io.ErrNoProgress)
	}
	return 0, nil
}

// partBody is the body of one attempt of a part read from an io.ReaderAt:
// it computes the part's CRC-32C on the way, checks the context between
// reads, and reports a source shorter than its size (or failing) through
// fail as well as to the transport, so that the upload ends with that
// clear cause whichever goroutine notices first. net/http may read it from
// another goroutine than the one that checks its sum.
type partBody struct {
	ctx  context.Context
	ra   io.ReaderAt
	off  int64
	n    int64
	size int64 // of the whole source, for the error
	fail func(error)

	mu    sync.Mutex
	read  int64
	crc   uint32
	empty int
}

func (b *partBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.read == b.n {
		return 0, io.EOF
	}
	if err := b.ctx.Err(); err != nil {
		return 0, context.Cause(b.ctx)
	}
	p = p[:min(int64(len(p)), b.n-b.read)]
	k, err := b.ra.ReadAt(p, b.off+b.read)
	b.crc = crc32.Update(b.crc, castagnoli, p[:k])
	b.read += int64(k)
	switch {
	case b.read == b.n:
		return k, nil
	case k == len(p):
		b.empty = 0
		return k, nil
	case err == nil && k > 0:
		b.empty = 0
		return k, nil
	case err == nil:
		if b.empty++; b.empty < maxEmptyReads {
			return 0, nil
		}
		err = fmt.Errorf("reading the source at byte %d: it returned nothing %d times in a row: %w", b.off+b.read, maxEmptyReads, io.ErrNoProgress)
	case err == io.EOF:
		err = fmt.Errorf("the source ended after %d bytes, short of its size %d", b.off+b.read, b.size)
	default:
		err = fmt.Errorf("reading the source at byte %d: %w", b.off+b.read, err)
	}
	b.fail(err)
	return k, err
}

// sum returns the CRC-32C of the part when the attempt read all of it.
func (b *partBody) sum() (uint32, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.crc, b.read == b.n
}

package adaptive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// uploadSource is the data of an upload once its size is known. Parts are
// read at offsets from ra when it is set, with no part buffer, else in order
// from r.
type uploadSource struct {
	size int64
	ra   io.ReaderAt
	r    io.Reader
	// sum is the SHA-256 of the data when it is already known (spooled
	// sources are hashed on the way to the disk).
	sum     *[sha256.Size]byte
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
// buffers; its own offset is left where it was. A reader whose size cannot
// be known is spooled to a temporary file, which close removes.
//
// declared, when not zero, must match a size found in r: a mismatch is a
// *ValidationError, as is an empty source.
func openSource(ctx context.Context, r io.Reader, declared int64) (*uploadSource, error) {
	src, err := sizeSource(r, declared)
	if err != nil {
		return nil, err
	}
	if src == nil {
		if src, err = spool(ctx, r); err != nil {
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

// spool copies r to a temporary file, hashing it on the way, so that a
// reader of unknown size is never held in memory.
func spool(ctx context.Context, r io.Reader) (*uploadSource, error) {
	f, err := os.CreateTemp("", "adaptive-upload-*")
	if err != nil {
		return nil, fmt.Errorf("adaptive: spooling the upload to a temporary file: %w", err)
	}
	remove := func() {
		_ = f.Close()
		_ = os.Remove(f.Name())
	}
	h := sha256.New()
	buf := make([]byte, hashBufferSize)
	n, err := io.CopyBuffer(io.MultiWriter(f, h), ctxReader{ctx, r}, buf)
	if err != nil {
		remove()
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			err = ctxErr
		}
		return nil, fmt.Errorf("adaptive: spooling the upload to a temporary file: %w", err)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return &uploadSource{size: n, ra: f, sum: &sum, cleanup: remove}, nil
}

// ctxReader stops reading once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

package adaptive

import (
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/adaptive-go/adaptive/internal/partsize"
	"github.com/adaptive-go/adaptive/internal/transport"
)

// CheckpointVersion is the version of the UploadCheckpoint format that this
// SDK writes and that Resume reads.
const CheckpointVersion = 1

// castagnoli is the CRC-32C table; crc32 uses the CPU's instruction for it
// where there is one.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// UploadCheckpoint is the state of an upload from which Resume continues
// it, in this process or another: UploadOptions.OnCheckpoint hands it out
// after the session is opened and after each acknowledged part. It is
// plain data: persist it with encoding/json and read it back. Resume
// checks it against the client (the same instance), the options (the same
// part size) and the source (the same size, and the same bytes in every
// part the server holds), and refuses a mismatch before sending anything.
//
// A source that is not an io.ReaderAt (a pipe, a gzip stream) is spooled to
// a temporary file that does not outlive the process: to resume such an
// upload after the process died, keep your own copy of the data in a file.
type UploadCheckpoint struct {
	// Version is CheckpointVersion.
	Version int `json:"version"`
	// SessionID is the upload session.
	SessionID string `json:"session_id"`
	// Instance is the origin (scheme, host and port) of the base URL the
	// session was opened on.
	Instance string `json:"instance"`
	// Size is the size of the upload in bytes.
	Size int64 `json:"size"`
	// PartSize is the size of every part but the last.
	PartSize int64 `json:"part_size"`
	// Parts is the number of parts.
	Parts int `json:"parts"`
	// Acked lists the parts the server acknowledged, by ascending number,
	// each with the CRC-32C of its bytes.
	Acked []CheckpointPart `json:"acked"`
}

// CheckpointPart is an acknowledged part of an UploadCheckpoint.
type CheckpointPart struct {
	// Part is the part's number, from 1.
	Part int `json:"part"`
	// CRC32C is the CRC-32C (Castagnoli) of the part's bytes.
	CRC32C uint32 `json:"crc32c"`
}

// Acknowledged returns the number of parts the server acknowledged.
func (cp UploadCheckpoint) Acknowledged() int { return len(cp.Acked) }

// AcknowledgedBytes returns the number of bytes of the acknowledged parts.
func (cp UploadCheckpoint) AcknowledgedBytes() int64 {
	var n int64
	for _, p := range cp.Acked {
		n += cp.partLen(p.Part)
	}
	return n
}

// Complete reports whether the server acknowledged every part.
func (cp UploadCheckpoint) Complete() bool { return cp.Parts > 0 && len(cp.Acked) == cp.Parts }

func (cp UploadCheckpoint) partLen(n int) int64 {
	return min(cp.PartSize, cp.Size-int64(n-1)*cp.PartSize)
}

// check reports what makes cp unusable by a client of the given origin,
// as a *ValidationError naming the field.
func (cp UploadCheckpoint) check(origin string) error {
	switch {
	case cp.Version != CheckpointVersion:
		return invalid("UploadCheckpoint.Version", "%d: this SDK reads version %d checkpoints (the zero value is no checkpoint)", cp.Version, CheckpointVersion)
	case cp.SessionID == "":
		return invalid("UploadCheckpoint.SessionID", "empty")
	case cp.Instance != origin:
		return invalid("UploadCheckpoint.Instance", "the checkpoint is of an upload to %s, and this client talks to %s: resume it with a client of that instance", cp.Instance, origin)
	case cp.Size <= 0:
		return invalid("UploadCheckpoint.Size", "%d: an upload holds at least one byte", cp.Size)
	}
	if ps, n, err := partsize.Plan(cp.Size, cp.PartSize); err != nil || ps != cp.PartSize || n != cp.Parts {
		return invalid("UploadCheckpoint.Parts", "%d parts of %d bytes cannot hold %d bytes: the checkpoint is damaged", cp.Parts, cp.PartSize, cp.Size)
	}
	for i, p := range cp.Acked {
		if p.Part < 1 || p.Part > cp.Parts || (i > 0 && p.Part <= cp.Acked[i-1].Part) {
			return invalid("UploadCheckpoint.Acked", "part %d (entry %d) is out of order or outside 1 to %d: the checkpoint is damaged", p.Part, i, cp.Parts)
		}
	}
	return nil
}

// checkpointer keeps the checkpoint of a running upload and hands it to
// OnCheckpoint, one call at a time. It also holds the CRC-32C of every part
// for the result.
type checkpointer struct {
	fn    func(UploadCheckpoint)
	guard *callbackGuard

	mu    sync.Mutex
	base  UploadCheckpoint // Acked unset
	crc   []uint32
	acked []bool
	n     int
}

func newCheckpointer(base UploadCheckpoint, fn func(UploadCheckpoint), guard *callbackGuard) *checkpointer {
	return &checkpointer{fn: fn, guard: guard, base: base, crc: make([]uint32, base.Parts), acked: make([]bool, base.Parts)}
}

// hold records part n, held by the server, without telling OnCheckpoint
// (Resume records the parts it checked, then emits once).
func (c *checkpointer) hold(n int, crc uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.holdLocked(n, crc)
}

func (c *checkpointer) holdLocked(n int, crc uint32) {
	c.crc[n-1] = crc
	if !c.acked[n-1] {
		c.acked[n-1] = true
		c.n++
	}
}

// ack records that the server acknowledged part n and hands the new
// checkpoint to OnCheckpoint.
func (c *checkpointer) ack(n int, crc uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.holdLocked(n, crc)
	c.emitLocked()
}

// emit hands the current checkpoint to OnCheckpoint.
func (c *checkpointer) emit() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.emitLocked()
}

func (c *checkpointer) emitLocked() {
	if c.fn == nil {
		return
	}
	cp := c.base
	cp.Acked = make([]CheckpointPart, 0, c.n)
	for i, ok := range c.acked {
		if ok {
			cp.Acked = append(cp.Acked, CheckpointPart{Part: i + 1, CRC32C: c.crc[i]})
		}
	}
	c.guard.call(func() { c.fn(cp) })
}

// complete reports whether every part was acknowledged.
func (c *checkpointer) complete() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n == len(c.acked)
}

// sums returns a copy of the parts' CRC-32C.
func (c *checkpointer) sums() []uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.crc)
}

// readerAtSize returns the size of r when r can tell it without reading:
// Size() (bytes.Reader, strings.Reader, io.SectionReader) or the Stat of a
// regular file.
func readerAtSize(r io.ReaderAt) (int64, bool) {
	switch v := r.(type) {
	case interface{ Size() int64 }:
		return v.Size(), true
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size(), true
		}
	}
	return 0, false
}

// checkSourceSize refuses a source of another size than the checkpoint's:
// by what it says of itself, and by reading its last byte and the one
// after.
func checkSourceSize(r io.ReaderAt, size int64) error {
	if n, ok := readerAtSize(r); ok && n != size {
		return invalid("r", "the source holds %d bytes and the checkpoint's upload %d: resume with the same data", n, size)
	}
	var b [1]byte
	if n, err := r.ReadAt(b[:], size-1); n != 1 {
		return invalid("r", "the source has no byte at offset %d (%v), short of the checkpoint's %d bytes: resume with the same data", size-1, err, size)
	}
	if n, _ := r.ReadAt(b[:], size); n != 0 {
		return invalid("r", "the source holds more than the checkpoint's %d bytes: resume with the same data", size)
	}
	return nil
}

// checkHeld reads each of the parts the server holds and the checkpoint
// vouches for, u.conc at a time, and refuses a source whose bytes differ
// from what the checkpoint recorded; the parts that match are recorded as
// held. Nothing is sent.
func (u *uploadRun) checkHeld(ctx context.Context, r io.ReaderAt, parts []CheckpointPart) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(u.op.opts.Concurrency, len(parts)) {
		wg.Go(func() {
			buf := make([]byte, min(hashBufferSize, u.partSize))
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if i >= int64(len(parts)) {
					return
				}
				p := parts[i]
				crc, err := crcAt(ctx, r, int64(p.Part-1)*u.partSize, u.partLen(p.Part), buf, &u.op.progress.read)
				switch {
				case err != nil:
					cancel(err)
					return
				case crc != p.CRC32C:
					cancel(invalid("r", "part %d of the source differs from the part the server holds (CRC-32C %08x, the checkpoint's %08x): resume with the data of the original upload", p.Part, crc, p.CRC32C))
					return
				}
				u.ckpt.hold(p.Part, crc)
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// crcAt computes the CRC-32C of the length bytes of r at off through buf,
// adding the bytes read to read.
func crcAt(ctx context.Context, r io.ReaderAt, off, length int64, buf []byte, read *atomic.Int64) (uint32, error) {
	var crc uint32
	for done := int64(0); done < length; {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		chunk := buf[:min(int64(len(buf)), length-done)]
		n, err := r.ReadAt(chunk, off+done)
		crc = crc32.Update(crc, castagnoli, chunk[:n])
		done += int64(n)
		read.Add(int64(n))
		if n < len(chunk) {
			if err == nil || err == io.EOF {
				return 0, fmt.Errorf("the source ended after %d bytes, short of its size", off+done)
			}
			return 0, fmt.Errorf("reading the source at byte %d: %w", off+done, err)
		}
	}
	return crc, nil
}

// origin is the instance a checkpoint belongs to: the base URL's origin.
func (cfg *config) origin() string { return transport.Origin(cfg.baseURL) }

package adaptive

import (
	"errors"
	"time"

	"github.com/adaptive-go/adaptive/internal/partsize"
)

// Defaults of UploadOptions.
const (
	DefaultUploadConcurrency = 4
	DefaultUploadContentType = "application/jsonl"
)

const (
	// hashBufferSize is the read size of the passes over an io.ReaderAt
	// (hashing, checking a resumed source), of spooling, and of the pieces
	// in which a stream's part is read and summed (small enough to stay
	// in a core's cache between the copy and the checksums).
	hashBufferSize = 256 << 10
	// abortTimeout bounds the abort that follows a failure, and the look-up
	// of a dataset whose creation's answer was lost: they run on a context
	// that outlives the caller's, which may be the one cancelled.
	abortTimeout = 30 * time.Second
)

// UploadChecksum chooses the checksums an upload computes beyond the
// CRC-32C of each part, which it always computes (it is what a checkpoint
// holds, and costs little: the standard library's CRC-32C is hardware
// accelerated).
type UploadChecksum uint8

const (
	// ChecksumCRC32C, the default, computes only the CRC-32C (Castagnoli)
	// of each part: UploadResult.PartCRC32C.
	ChecksumCRC32C UploadChecksum = iota
	// ChecksumSHA256 also computes the SHA-256 of the whole upload:
	// UploadResult.SHA256. It costs more CPU than a fast link's transfer
	// itself (about 130 ms per 256 MiB on one core), and the server takes
	// no checksum: ask for it when you compare the bytes with a copy.
	ChecksumSHA256
)

// UploadOptions tunes Upload and Resume (of Uploads and of Datasets). The
// zero value (or nil) uploads with the defaults.
type UploadOptions struct {
	// Size is the number of bytes to upload, for a reader whose size cannot
	// be found otherwise; 0 means discover it. A reader that yields fewer or
	// more bytes than Size fails the upload.
	Size int64
	// PartSize is the size of every part but the last, 5 MiB to 100 MiB;
	// 0 chooses it from the total as the vendor does (5 MiB below 500 MiB,
	// 10 MiB below 10 GiB, 50 MiB below 50 GiB, 100 MiB above). Resume
	// takes the part size from its checkpoint: another one is refused.
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
	// Checksum chooses the checksums beyond the per-part CRC-32C (see
	// UploadChecksum): ChecksumSHA256 adds the whole upload's SHA-256.
	Checksum UploadChecksum
	// Progress, when set, receives snapshots of the upload (see
	// UploadProgress): from one goroutine, at most every 100 ms while
	// something changes (so at least ten times a second while bytes move
	// on a slow link), and once more when the upload ends, whatever the
	// outcome.
	Progress func(UploadProgress)
	// OnSession, when set, receives the session id right after the session
	// is opened, before any part is sent.
	OnSession func(sessionID string)
	// OnCheckpoint, when set, receives the upload's checkpoint right after
	// the session is opened (Resume: once the source was checked) and after
	// each part the server acknowledges, one call at a time; the upload
	// waits for it to return, so a checkpoint persisted there (JSON-marshal
	// it) never lists a part the server has not acknowledged. Resume takes
	// it, even in another process. The value is the callback's own: no
	// later call changes it. A dataset small enough for a single request
	// (see DatasetsService.Upload) opens no session and never calls it.
	OnCheckpoint func(UploadCheckpoint)
	// KeepOnError keeps the session open when the upload fails, so that it
	// can be resumed, instead of aborting it. See UploadError for when a
	// session is aborted.
	KeepOnError bool
}

// UploadResult describes a completed upload. Which checksums it holds
// depends on UploadOptions.Checksum: PartCRC32C always, SHA256 only when
// asked; a checksum that was not computed is nil, never a zero value.
type UploadResult struct {
	// SessionID is the session holding the upload.
	SessionID string
	// Parts is the number of parts.
	Parts int
	// Bytes is the number of bytes uploaded.
	Bytes int64
	// PartCRC32C holds the CRC-32C (Castagnoli) of each part, in part
	// order: part n's is PartCRC32C[n-1].
	PartCRC32C []uint32
	// SHA256 is the SHA-256 of the bytes uploaded, in order, when
	// UploadOptions.Checksum is ChecksumSHA256; nil otherwise.
	SHA256 []byte
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
	switch v.Checksum {
	case ChecksumCRC32C, ChecksumSHA256:
	default:
		return v, invalid("UploadOptions.Checksum", "%d is not ChecksumCRC32C or ChecksumSHA256", v.Checksum)
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

package adaptive

import (
	"fmt"
	"strings"
)

// UploadError is the error of an upload (Uploads.Upload and Resume,
// Datasets.Upload and Resume) that failed after its session existed.
// errors.Is and errors.As see through it to the cause:
// errors.Is(err, context.Canceled) holds for a cancelled upload, and
// errors.As finds a *DatasetError when the dataset could not be created.
//
// # Abort rules
//
// What becomes of the session, in one place:
//
//   - A failed or cancelled Upload is aborted, unless
//     UploadOptions.KeepOnError is set.
//   - A cancelled Resume keeps the session (it must not destroy the upload
//     it was resuming); a Resume that fails otherwise is aborted unless
//     KeepOnError. A Resume that refuses its checkpoint or its source sends
//     nothing and leaves the session as it was.
//   - Once the server has acknowledged every part, no later failure aborts
//     the session, whatever KeepOnError says: a failed status check (which
//     the transport retries first), or a dataset whose creation's answer
//     was lost and cannot be found out. The error says that the session
//     was kept.
//   - A dataset the server refused to create (GraphQL errors, a 4xx) or
//     certainly did not create leaves the session as KeepOnError says, so
//     that Datasets.Resume can create it under another key.
//   - A panic in OnSession, OnCheckpoint or Progress stops the upload,
//     which then follows the rules above, before the panic goes on in the
//     goroutine that called the upload.
//
// An abort runs on a context that outlives the caller's (bounded to 30 s)
// and is retried by the transport; when it fails, AbortErr says why.
type UploadError struct {
	// SessionID is the session of the failed upload.
	SessionID string
	// Aborted reports that the session was aborted: the server no longer
	// holds it.
	Aborted bool
	// AbortErr is why aborting the session failed, when it did.
	AbortErr error
	// Err is the cause of the failure.
	Err error
}

// Error describes the failure and what became of the session.
func (e *UploadError) Error() string {
	var fate string
	switch {
	case e.Aborted:
		fate = "session aborted"
	case e.AbortErr != nil:
		fate = fmt.Sprintf("aborting the session failed: %v", e.AbortErr)
	default:
		fate = "session kept for Resume"
	}
	// The causes are errors of the SDK too: one "adaptive:" is enough.
	return fmt.Sprintf("adaptive: upload %s failed: %s (%s)", e.SessionID, strings.TrimPrefix(fmt.Sprint(e.Err), "adaptive: "), fate)
}

// Unwrap returns the cause of the failure.
func (e *UploadError) Unwrap() error { return e.Err }

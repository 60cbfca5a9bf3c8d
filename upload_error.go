package adaptive

import "fmt"

// UploadError is the error of an Upload or Resume that failed after its
// session existed. The session was aborted (Aborted) unless
// UploadOptions.KeepOnError asked to keep it for Resume, or the abort itself
// failed (AbortErr). errors.Is and errors.As see through it to the cause:
// errors.Is(err, context.Canceled) holds for a cancelled upload.
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
	return fmt.Sprintf("adaptive: upload %s failed: %v (%s)", e.SessionID, e.Err, fate)
}

// Unwrap returns the cause of the failure.
func (e *UploadError) Unwrap() error { return e.Err }

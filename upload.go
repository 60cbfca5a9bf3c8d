package adaptive

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strconv"

	"github.com/adaptive-go/adaptive/internal/transport"
)

// UploadsService uploads large files in parts: one call per route (Init,
// UploadPart, Status, Abort), and Upload and Resume, which run a whole
// upload concurrently with bounded memory, verify it, and abort it on
// failure.
type UploadsService struct{ service }

// Upload routes.
const (
	pathUploadInit   = "/api/v1/upload/init"
	pathUploadPart   = "/api/v1/upload/part"
	pathUploadStatus = "/api/v1/upload/status"
	pathUploadAbort  = "/api/v1/upload/abort"
)

// UploadInitRequest opens an upload session.
type UploadInitRequest struct {
	// ContentType is the MIME type of the file uploaded; empty leaves it
	// unset.
	ContentType string `json:"content_type,omitempty"`
	// Metadata is custom metadata attached to the session: string values,
	// as the API takes them.
	Metadata map[string]string `json:"metadata,omitempty"`
	// TotalPartsCount is the number of parts that will be uploaded, at
	// least 1. Required. (The vendor's clients use at most 10,000; the API
	// sets no maximum below 2^31-1.)
	TotalPartsCount int `json:"total_parts_count"`
}

// UploadSession is an open upload session.
type UploadSession struct {
	// SessionID identifies the session in UploadPart, Status, Abort and
	// Resume.
	SessionID string `json:"session_id"`
}

// UnmarshalJSON decodes the init answer, tolerating unknown fields; an
// answer without session_id (or null) is an error.
func (u *UploadSession) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nullAnswer("the upload init answer")
	}
	var w struct {
		SessionID wireString `json:"session_id"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	if !w.SessionID.ok {
		return missingField("session_id")
	}
	u.SessionID = w.SessionID.v
	return nil
}

// Init opens an upload session for req.TotalPartsCount parts and returns
// its id. It calls POST /api/v1/upload/init.
//
// A part count outside 1 to 2^31-1 is a *ValidationError; a non-2xx
// answer is an *APIError; an answer without a session id is an error.
func (s *UploadsService) Init(ctx context.Context, req UploadInitRequest, opts ...Option) (*UploadSession, error) {
	if req.TotalPartsCount < 1 || req.TotalPartsCount > math.MaxInt32 {
		return nil, invalid("UploadInitRequest.TotalPartsCount", "%d is outside 1 to %d", req.TotalPartsCount, math.MaxInt32)
	}
	cfg, err := s.client.callConfig(opts)
	if err != nil {
		return nil, err
	}
	return s.init(ctx, cfg, req)
}

func (s *UploadsService) init(ctx context.Context, cfg *config, req UploadInitRequest) (*UploadSession, error) {
	var out UploadSession
	// A session opened twice leaves an empty one behind, which the server
	// expires: a retry after a gateway's 5xx is worth that.
	if err := s.client.postJSON(ctx, cfg, CallStart{Call: "Uploads.Init", Request: &req}, pathUploadInit, transport.RetryStatus, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UploadPart uploads data as part partNumber (numbered from 1) of the
// session. It calls POST /api/v1/upload/part. Sending a part again replaces
// it, so the call is retried like an idempotent one: data is replayed from
// memory.
//
// An empty session id, a part number outside 1 to 2^31-1 or empty data is
// a *ValidationError; a non-2xx answer is an *APIError.
func (s *UploadsService) UploadPart(ctx context.Context, sessionID string, partNumber int, data []byte, opts ...Option) error {
	if sessionID == "" {
		return invalid("sessionID", "empty")
	}
	if partNumber < 1 || partNumber > math.MaxInt32 {
		return invalid("partNumber", "%d is outside 1 to %d", partNumber, math.MaxInt32)
	}
	if len(data) == 0 {
		return invalid("data", "empty: a part holds at least one byte")
	}
	cfg, err := s.client.callConfig(opts)
	if err != nil {
		return err
	}
	return s.sendPart(ctx, cfg, partNumber, partRequest(sessionID, partNumber, &transport.Request{Body: data}))
}

// partRequest completes r, which carries the part's body, into the part
// request of the session.
func partRequest(sessionID string, partNumber int, r *transport.Request) *transport.Request {
	r.Method = http.MethodPost
	r.Path = pathUploadPart
	r.Query = url.Values{"session_id": {sessionID}, "part_number": {strconv.Itoa(partNumber)}}
	r.ContentType = "application/octet-stream"
	r.Retry = transport.RetryAny
	r.Upload = true
	return r
}

func (s *UploadsService) sendPart(ctx context.Context, cfg *config, partNumber int, r *transport.Request) error {
	return s.client.call(ctx, cfg, CallStart{Call: "Uploads.UploadPart", PartNumber: partNumber}, r, nil)
}

// sessionBody is the JSON body of Status and Abort.
type sessionBody struct {
	SessionID string `json:"session_id"`
}

// Status reports what the server holds of the session: the parts it
// completed and the number of parts declared (see UploadStatus). It calls
// POST /api/v1/upload/status, retried like an idempotent call since it
// changes nothing.
//
// An empty session id is a *ValidationError; a non-2xx answer is an
// *APIError (errors.Is(err, ErrNotFound) for an unknown session); an
// answer without completed_parts or total_parts_count is an error.
func (s *UploadsService) Status(ctx context.Context, sessionID string, opts ...Option) (*UploadStatus, error) {
	if sessionID == "" {
		return nil, invalid("sessionID", "empty")
	}
	cfg, err := s.client.callConfig(opts)
	if err != nil {
		return nil, err
	}
	return s.status(ctx, cfg, sessionID)
}

func (s *UploadsService) status(ctx context.Context, cfg *config, sessionID string) (*UploadStatus, error) {
	var st UploadStatus
	if err := s.client.postJSON(ctx, cfg, CallStart{Call: "Uploads.Status"}, pathUploadStatus, transport.RetryAny, sessionBody{sessionID}, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// Abort cancels the session and makes the server delete its parts. It calls
// DELETE /api/v1/upload/abort.
//
// An empty session id is a *ValidationError; a non-2xx answer is an
// *APIError (errors.Is(err, ErrNotFound) when the session does not exist).
func (s *UploadsService) Abort(ctx context.Context, sessionID string, opts ...Option) error {
	if sessionID == "" {
		return invalid("sessionID", "empty")
	}
	cfg, err := s.client.callConfig(opts)
	if err != nil {
		return err
	}
	return s.abort(ctx, cfg, sessionID)
}

func (s *UploadsService) abort(ctx context.Context, cfg *config, sessionID string) error {
	r, err := jsonRequest(http.MethodDelete, pathUploadAbort, "", transport.RetryAny, sessionBody{sessionID})
	if err != nil {
		return err
	}
	return s.client.call(ctx, cfg, CallStart{Call: "Uploads.Abort"}, r, nil)
}

package adaptivetest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"

	"github.com/google/uuid"
)

// Limits of the fake upload routes, as the vendor's part rules set them.
const (
	maxUploadParts = 10000
	maxPartSize    = 100 << 20
)

// uploadState is the upload state machine: open sessions with their stored
// parts, and the faults aimed at part numbers.
type uploadState struct {
	mu       sync.Mutex
	sessions map[string]*uploadSession
	discard  bool
	failPart map[int]*partFault // by part number
	dropPart map[int]bool       // by part number, used once
	losePart map[int]bool       // by part number, used once
}

type uploadSession struct {
	contentType string
	metadata    json.RawMessage
	totalParts  int
	parts       map[int]storedPart
}

// storedPart is a received part: its bytes, or with DiscardUploadBytes only
// its size.
type storedPart struct {
	data []byte
	size int64
}

type partFault struct {
	left   int
	status int
}

func (s *Server) uploadRoutes(routes map[string]http.HandlerFunc) {
	s.uploads.sessions = map[string]*uploadSession{}
	s.uploads.failPart = map[int]*partFault{}
	s.uploads.dropPart = map[int]bool{}
	s.uploads.losePart = map[int]bool{}
	routes[RouteUploadInit] = s.uploadInit
	routes[RouteUploadPart] = s.uploadPart
	routes[RouteUploadStatus] = s.uploadStatus
	routes[RouteUploadAbort] = s.uploadAbort
}

func (s *Server) uploadInit(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ContentType *string         `json:"content_type"`
		Metadata    json.RawMessage `json:"metadata"`
		TotalParts  count           `json:"total_parts_count"`
	}
	if !decodeChecked(w, r, &in) {
		return
	}
	// The contract requires at least 1; the vendor's part rules allow at
	// most 10,000.
	if in.TotalParts > maxUploadParts {
		writeError(w, http.StatusBadRequest, "total_parts_count must be between 1 and 10000")
		return
	}
	sess := &uploadSession{totalParts: int(in.TotalParts), metadata: in.Metadata, parts: map[int]storedPart{}}
	if in.ContentType != nil {
		sess.contentType = *in.ContentType
	}
	id := uuid.NewString()
	u := &s.uploads
	u.mu.Lock()
	u.sessions[id] = sess
	u.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"session_id": id})
}

func (s *Server) uploadPart(w http.ResponseWriter, r *http.Request) {
	// The contract has checked both: session_id is given, part_number an
	// int32 of at least 0.
	q := r.URL.Query()
	id, num := q.Get("session_id"), q.Get("part_number")
	n, _ := strconv.Atoi(num)
	u := &s.uploads
	u.mu.Lock()
	sess, ok := u.sessions[id]
	var total, fault int
	var drop bool
	if ok && n >= 1 && n <= sess.totalParts {
		// Faults are used only by requests that would otherwise succeed.
		total, fault, drop = sess.totalParts, u.takePartFault(n), u.dropPart[n]
		delete(u.dropPart, n)
	} else if ok {
		total = sess.totalParts
	}
	u.mu.Unlock()
	switch {
	case !ok:
		writeError(w, http.StatusNotFound, "upload session not found")
		return
	case n < 1 || n > total:
		writeError(w, http.StatusBadRequest, "part_number "+num+" is outside 1 to "+strconv.Itoa(total))
		return
	case r.ContentLength > maxPartSize:
		writeError(w, http.StatusRequestEntityTooLarge, "part larger than 100 MiB")
		return
	case fault != 0:
		writeError(w, fault, http.StatusText(fault))
		return
	case drop:
		// Take half of the part, then vanish, as a crashed proxy would.
		_, _ = io.CopyN(io.Discard, r.Body, max(r.ContentLength, 2)/2)
		dropConnection(w)
		return
	}

	var p storedPart
	if u.discarding() {
		size, err := io.Copy(io.Discard, io.LimitReader(r.Body, maxPartSize+1))
		if err != nil {
			return // the client went away
		}
		p.size = size
	} else {
		var buf bytes.Buffer
		if r.ContentLength > 0 {
			buf.Grow(int(r.ContentLength))
		}
		if _, err := io.Copy(&buf, io.LimitReader(r.Body, maxPartSize+1)); err != nil {
			return // the client went away
		}
		p.data, p.size = buf.Bytes(), int64(buf.Len())
	}
	if p.size == 0 {
		writeError(w, http.StatusBadRequest, "empty part")
		return
	}
	if p.size > maxPartSize {
		writeError(w, http.StatusRequestEntityTooLarge, "part larger than 100 MiB")
		return
	}

	u.mu.Lock()
	sess, ok = u.sessions[id] // it may have been aborted meanwhile
	lose := u.losePart[n]
	delete(u.losePart, n)
	switch {
	case ok && lose:
		delete(sess.parts, n)
	case ok:
		sess.parts[n] = p
	}
	u.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "upload session not found")
		return
	}
	writeEmpty(w)
}

// takePartFault returns the status a request for part n must fail with, or
// 0; u.mu is held.
func (u *uploadState) takePartFault(n int) int {
	f := u.failPart[n]
	if f == nil {
		return 0
	}
	f.left--
	if f.left <= 0 {
		delete(u.failPart, n)
	}
	return f.status
}

func (u *uploadState) discarding() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.discard
}

// sessionRequest reads the {session_id} body of status and abort, answering
// the error itself when it returns false.
func sessionRequest(w http.ResponseWriter, r *http.Request) (string, bool) {
	var in struct {
		SessionID string `json:"session_id"`
	}
	if !decodeChecked(w, r, &in) {
		return "", false
	}
	return in.SessionID, true
}

func (s *Server) uploadStatus(w http.ResponseWriter, r *http.Request) {
	id, ok := sessionRequest(w, r)
	if !ok {
		return
	}
	u := &s.uploads
	u.mu.Lock()
	sess, ok := u.sessions[id]
	var answer map[string]any
	if ok {
		completed := make([]int, 0, len(sess.parts))
		for n := range sess.parts {
			completed = append(completed, n)
		}
		slices.Sort(completed)
		answer = map[string]any{"completed_parts": completed, "total_parts_count": sess.totalParts}
	}
	u.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "upload session not found")
		return
	}
	writeJSON(w, http.StatusOK, answer)
}

func (s *Server) uploadAbort(w http.ResponseWriter, r *http.Request) {
	id, ok := sessionRequest(w, r)
	if !ok {
		return
	}
	u := &s.uploads
	u.mu.Lock()
	_, ok = u.sessions[id]
	delete(u.sessions, id)
	u.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "upload session not found")
		return
	}
	writeEmpty(w)
}

// WithDiscardUploads starts the server in the mode of DiscardUploadBytes:
// it keeps only the size of each part.
func WithDiscardUploads() Option {
	return func(s *Server) { s.uploads.discard = true }
}

// DiscardUploadBytes makes the server keep only the number and size of the
// parts it receives from now on, not their bytes, so that uploading
// hundreds of megabytes in benchmarks measures the client, not the server's
// memory or hashing. Status answers are unchanged; UploadedBytes then
// reports nothing, UploadedSize still works.
func (s *Server) DiscardUploadBytes(discard bool) {
	s.uploads.mu.Lock()
	s.uploads.discard = discard
	s.uploads.mu.Unlock()
}

// UploadedBytes returns the bytes of the session's parts joined in order,
// once it holds every declared part. ok is false for an unknown or
// incomplete session, or when parts were discarded (DiscardUploadBytes).
func (s *Server) UploadedBytes(sessionID string) (data []byte, ok bool) {
	u := &s.uploads
	u.mu.Lock()
	defer u.mu.Unlock()
	sess := u.sessions[sessionID]
	if sess == nil || len(sess.parts) != sess.totalParts {
		return nil, false
	}
	var size int64
	for _, p := range sess.parts {
		if p.data == nil {
			return nil, false
		}
		size += p.size
	}
	out := make([]byte, 0, size)
	for n := 1; n <= sess.totalParts; n++ {
		out = append(out, sess.parts[n].data...)
	}
	return out, true
}

// UploadedSize returns the number of bytes the session holds, over all the
// parts received so far; ok is false for an unknown session.
func (s *Server) UploadedSize(sessionID string) (size int64, ok bool) {
	u := &s.uploads
	u.mu.Lock()
	defer u.mu.Unlock()
	sess := u.sessions[sessionID]
	if sess == nil {
		return 0, false
	}
	for _, p := range sess.parts {
		size += p.size
	}
	return size, true
}

// UploadedParts returns the numbers of the parts the session holds,
// ascending, and the part count it declared; ok is false for an unknown
// session.
func (s *Server) UploadedParts(sessionID string) (parts []int, total int, ok bool) {
	u := &s.uploads
	u.mu.Lock()
	defer u.mu.Unlock()
	sess := u.sessions[sessionID]
	if sess == nil {
		return nil, 0, false
	}
	for n := range sess.parts {
		parts = append(parts, n)
	}
	slices.Sort(parts)
	return parts, sess.totalParts, true
}

// UploadMetadata returns the content type and the raw JSON metadata the
// session was opened with; ok is false for an unknown session.
func (s *Server) UploadMetadata(sessionID string) (contentType string, metadata json.RawMessage, ok bool) {
	u := &s.uploads
	u.mu.Lock()
	defer u.mu.Unlock()
	sess := u.sessions[sessionID]
	if sess == nil {
		return "", nil, false
	}
	return sess.contentType, sess.metadata, true
}

// SessionExists reports whether the upload session is open (created and
// not aborted).
func (s *Server) SessionExists(sessionID string) bool {
	s.uploads.mu.Lock()
	defer s.uploads.mu.Unlock()
	return s.uploads.sessions[sessionID] != nil
}

// UploadSessions returns the ids of the open upload sessions, sorted.
func (s *Server) UploadSessions() []string {
	s.uploads.mu.Lock()
	defer s.uploads.mu.Unlock()
	ids := make([]string, 0, len(s.uploads.sessions))
	for id := range s.uploads.sessions {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// FailPart makes the next times requests for part number k (of any
// session) fail with status, after the route's latency and FailNext faults.
// Parts are otherwise unaffected, so a client that retries gets through
// once the failures are used up. For slow parts, use
// SetLatency(RouteUploadPart, d).
func (s *Server) FailPart(k, times, status int) {
	if times <= 0 {
		return
	}
	s.uploads.mu.Lock()
	defer s.uploads.mu.Unlock()
	s.uploads.failPart[k] = &partFault{left: times, status: status}
}

// DropPartMidway makes the next request for part number k (of any session)
// lose its connection after the server has read half of the part's body.
func (s *Server) DropPartMidway(k int) {
	s.uploads.mu.Lock()
	defer s.uploads.mu.Unlock()
	s.uploads.dropPart[k] = true
}

// LosePart makes the server acknowledge the next upload of part number k
// (of any session) with success but lose it, along with any earlier copy,
// as a faulty store would: the session's status then lists the part as
// missing.
func (s *Server) LosePart(k int) {
	s.uploads.mu.Lock()
	defer s.uploads.mu.Unlock()
	s.uploads.losePart[k] = true
}

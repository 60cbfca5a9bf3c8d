// Package adaptivetest runs an in-process fake Adaptive server on loopback,
// for the SDK's tests, for its users' tests, and for the quickstart.
//
// It implements every route of the Adaptive REST API with realistic
// behaviour, and the GraphQL dataset operations (RouteGraphQL), checks the
// API key, records the requests it sees, and injects faults on demand:
//
//	srv := adaptivetest.NewServer()
//	defer srv.Close()
//	client := srv.Client()
//	srv.FailNext(adaptivetest.RouteChat, 2, adaptivetest.Fault{Status: 503, RetryAfter: "0"})
//
// # The contract
//
// The server checks every request against the vendor's OpenAPI document,
// embedded in the package, as the real server does: path and query
// parameters (400), the body's content type (415: JSON routes require
// application/json; a part with no Content-Type is taken as
// application/octet-stream, as HTTP allows), JSON syntax (400), and the
// body's schema, with its required fields, types, enums, formats (uuid,
// int32, int64, float) and minimums (422). Errors are {"error": message}
// and the message names the field: "tools[0]: missing field `id`". It
// accepts everything the document allows: content as a string or as text
// and image_url parts, message metadata of any JSON, unknown fields, n 0
// (one choice, as when n is absent) and dimensions 0 (the default
// length).
//
// Beyond the schemas, it refuses what the real server refuses for reasons
// the document states in words or that depend on state: raw-text
// comparisons without messages (400), metric values that are not a
// boolean or a number and created_at values that are not RFC 3339 dates
// (422), more than 10,000 upload parts (400), unknown upload sessions and
// unregistered downloads (404), part numbers beyond the session's count
// and dataset formats other than original and recipe (400); and, as a
// fake's limits, more than 128 choices or 4096 embedding dimensions (400).
//
// Its normal answers follow the document: chat messages and deltas carry
// id, role and content, the last chunk of each streamed choice carries
// its finish_reason, upload status is {"completed_parts": [...],
// "total_parts_count": n}, datasets are application/x-ndjson. The
// deliberate exceptions are the injected faults (Fault, CutStreamAfter,
// SendStreamError, StallStream, FailPart, DropPartMidway, LosePart), the
// stream's metadata events (TTFT, a finish_reason per choice,
// TotalRequestDuration), which the vendor's server sends besides the
// chunks, and what a test registers itself (AddImage content that is no
// image, scripted Raw and RawEvents replies: see Reply).
package adaptivetest

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"time"

	"github.com/adaptive-go/adaptive"
)

// Routes of the Adaptive API, as the patterns that FailNext, SetLatency and
// RequestsTo take.
const (
	RouteChat             = "POST /api/v1/chat/completions"
	RouteEmbeddings       = "POST /api/v1/embeddings"
	RouteComparison       = "POST /api/v1/comparison"
	RouteOutcome          = "POST /api/v1/outcome"
	RouteInteractions     = "POST /api/v1/interactions"
	RouteUploadInit       = "POST /api/v1/upload/init"
	RouteUploadPart       = "POST /api/v1/upload/part"
	RouteUploadStatus     = "POST /api/v1/upload/status"
	RouteUploadAbort      = "DELETE /api/v1/upload/abort"
	RouteDatasetDownload  = "GET /api/v1/projects/{project}/datasets/{dataset_id}/download"
	RouteRecipeDownload   = "GET /api/v1/projects/{project}/recipes/{recipe}/download"
	RouteArtifactDownload = "GET /artifacts/{artifact_id}/download"
	RouteImage            = "GET /images/{project_id}/{filename}"
)

// Defaults of a new server.
const (
	DefaultAPIKey  = "adaptivetest-key"
	DefaultProject = "demo"
)

const (
	maxRecordedRequests = 10000
	maxRequestBody      = 16 << 20 // JSON bodies; upload parts are streamed, not recorded
)

// Server is a fake Adaptive server listening on a loopback port. All of its
// methods are safe for concurrent use.
type Server struct {
	// URL is the instance root, for adaptive.WithBaseURL.
	URL string
	// APIKey is the only key the server accepts.
	APIKey string
	// Project is the default project of the clients made by Client.
	Project string

	srv       *httptest.Server
	closing   chan struct{} // closed by Close: injected delays end at once
	closeOnce sync.Once

	mu       sync.Mutex
	requests []Request
	faults   map[string][]*queuedFault
	latency  map[string]time.Duration

	chat     chatState
	uploads  uploadState
	files    fileState
	datasets datasetState

	script   scriptState  // replies given with Reply
	listener net.Listener // from WithListener; nil: a loopback port
}

// Option configures a Server.
type Option func(*Server)

// WithAPIKey sets the key the server accepts (default DefaultAPIKey).
func WithAPIKey(key string) Option { return func(s *Server) { s.APIKey = key } }

// WithProject sets the default project of the clients made by Client
// (default DefaultProject).
func WithProject(project string) Option { return func(s *Server) { s.Project = project } }

// NewServer starts a fake server on a loopback port. Call Close when done.
func NewServer(opts ...Option) *Server {
	s := &Server{
		APIKey:  DefaultAPIKey,
		Project: DefaultProject,
		faults:  map[string][]*queuedFault{},
		latency: map[string]time.Duration{},
		closing: make(chan struct{}),
	}
	for _, o := range opts {
		o(s)
	}
	mux := http.NewServeMux()
	routes := map[string]http.HandlerFunc{}
	s.chatRoutes(routes)
	s.inferenceRoutes(routes)
	s.uploadRoutes(routes)
	s.downloadRoutes(routes)
	s.graphqlRoutes(routes)
	for pattern, h := range routes {
		mux.Handle(pattern, s.middleware(h))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no route for "+r.Method+" "+r.URL.Path)
	})
	s.srv = s.start(mux)
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down, ending injected delays and waiting for the
// requests in flight. Calling it again does nothing.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.srv.CloseClientConnections()
		s.srv.Close()
	})
}

// Client returns a client for this server: its URL, its key, its default
// project, and short retry waits (1 to 20 ms) so that fault tests run fast.
// opts are applied after those and may override them.
func (s *Server) Client(opts ...adaptive.Option) *adaptive.Client {
	base := []adaptive.Option{
		adaptive.WithBaseURL(s.URL),
		adaptive.WithAPIKey(s.APIKey),
		adaptive.WithProject(s.Project),
		adaptive.WithRetryWait(time.Millisecond, 20*time.Millisecond),
	}
	c, err := adaptive.NewClient(append(base, opts...)...)
	if err != nil {
		panic("adaptivetest: Client: " + err.Error())
	}
	return c
}

// Request is one request the server received.
type Request struct {
	// Route is the pattern that matched (one of the Route constants), or ""
	// for an unknown route.
	Route string
	// Method is the HTTP method.
	Method string
	// Path is the request path as sent, still escaped.
	Path string
	// Query holds the query parameters.
	Query url.Values
	// Header holds the request headers as received, Authorization included
	// (the fake's own key).
	Header http.Header
	// Body is the request body, except for upload parts, whose size only
	// is kept in BodySize.
	Body     []byte
	BodySize int64
}

// Requests returns the requests received so far, oldest first (the most
// recent 10,000).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// RequestsTo returns the requests received so far on route.
func (s *Server) RequestsTo(route string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if r.Route == route {
			out = append(out, r)
		}
	}
	return out
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	s.requests = nil
	s.mu.Unlock()
}

// middleware records the request, checks the API key, applies the latency
// and faults set for the route, and checks the request against the
// contract before the route's handler runs.
func (s *Server) middleware(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := Request{
			Route:    r.Pattern,
			Method:   r.Method,
			Path:     r.URL.EscapedPath(),
			Query:    r.URL.Query(),
			Header:   r.Header.Clone(),
			BodySize: r.ContentLength,
		}
		if r.Pattern != RouteUploadPart && r.Body != nil {
			body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
			if err != nil {
				return
			}
			if len(body) > maxRequestBody {
				writeError(w, http.StatusRequestEntityTooLarge, "request body too large")
				return
			}
			rec.Body, rec.BodySize = body, int64(len(body))
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		s.record(rec)

		if r.Header.Get("Authorization") != "Bearer "+s.APIKey {
			writeError(w, http.StatusUnauthorized, "Unauthorized: missing or invalid API key")
			return
		}
		delay, f := s.takeFault(r.Pattern)
		if delay > 0 && !s.sleep(r, delay) {
			// Never let an interrupted delay pass for an empty 200.
			dropConnection(w)
			return
		}
		if f != nil && f.apply(w, r) {
			return
		}
		if rej := loadContract().checkRequest(r, rec.Body); rej != nil {
			writeError(w, rej.status, rej.msg)
			return
		}
		r, answered := s.answerScripted(w, r, rec.Body)
		if answered {
			return
		}
		h(w, r)
	})
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) >= maxRecordedRequests {
		s.requests = append(s.requests[:0], s.requests[1:]...)
	}
	s.requests = append(s.requests, r)
}

// sleep waits d unless the request is cancelled or the server closes
// first (a request whose body is unread may not see its client leave); it
// reports whether the full wait happened.
func (s *Server) sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.closing:
		return false
	}
}

// writeJSON answers v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", newRequestID())
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeEmpty answers 200 with no body, as the routes whose answer the
// document gives no content do.
func writeEmpty(w http.ResponseWriter) {
	w.Header().Set("X-Request-Id", newRequestID())
	w.WriteHeader(http.StatusOK)
}

// writeError answers {"error": msg} with the given status, the way the real
// server reports errors.
func writeError(w http.ResponseWriter, status int, msg string) {
	body, _ := json.Marshal(map[string]string{"error": msg})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", newRequestID())
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// dropConnection closes the client's connection at once, as a crashed proxy
// or server would: with no answer at all, or, when the handler flushed part
// of an answer first, in the middle of it. Unflushed output is discarded.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

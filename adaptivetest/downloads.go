package adaptivetest

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// fileState holds the files registered for the download routes and the
// pending body cut.
type fileState struct {
	// Guarded by Server.mu.
	files    map[fileKey]*file
	cutAfter int64 // bytes of the next download body before the cut; < 0 none
	cutSet   bool
}

type fileKind uint8

const (
	kindDataset fileKind = iota
	kindRecipe
	kindArtifact
	kindImage
)

// fileKey identifies a registered file: a (project, id, format) triple
// for datasets, (project, recipe) for recipes, (id) for artifacts and
// (project id, file name) for images.
type fileKey struct {
	kind   fileKind
	scope  string
	name   string
	format string
}

// file is registered content, served without copying per request.
type file struct {
	filename    string
	contentType string
	r           io.ReaderAt
	size        int64
}

const (
	formatOriginal = "original"
	formatRecipe   = "recipe"
)

// AddDataset registers content as dataset id of project, in format
// "original" (or "") or "recipe"; any other format panics, as a mistake in
// the test. The download answers it as "<id>.jsonl", application/x-ndjson
// (the media type the API documents for datasets). A
// request for the original format (the default) falls back to the recipe
// format when only that is registered, as the real server does. content is
// copied; registering again replaces it.
func (s *Server) AddDataset(project, id, format string, content []byte) {
	s.AddDatasetReader(project, id, format, bytes.NewReader(bytes.Clone(content)), int64(len(content)))
}

// AddDatasetReader is AddDataset for large content: the server serves the
// first size bytes of r on every request (through io.NewSectionReader, so
// concurrent downloads are fine) without copying them first. A negative
// size panics.
func (s *Server) AddDatasetReader(project, id, format string, r io.ReaderAt, size int64) {
	switch format {
	case "":
		format = formatOriginal
	case formatOriginal, formatRecipe:
	default:
		panic("adaptivetest: AddDataset: format " + strconv.Quote(format) + " is not \"original\" or \"recipe\"")
	}
	if size < 0 {
		panic("adaptivetest: AddDatasetReader: negative size")
	}
	s.addFile(fileKey{kindDataset, project, id, format}, &file{id + ".jsonl", "application/x-ndjson", r, size})
}

// AddRecipe registers content as recipe (id or key) of project, answered
// as "<recipe>.zip", application/zip. content is copied.
func (s *Server) AddRecipe(project, recipe string, content []byte) {
	s.addFile(fileKey{kindRecipe, project, recipe, ""}, newFile(recipe+".zip", "application/zip", content))
}

// AddArtifact registers content as artifact id, answered under filename as
// application/octet-stream. content is copied.
func (s *Server) AddArtifact(id uuid.UUID, filename string, content []byte) {
	s.addFile(fileKey{kindArtifact, id.String(), "", ""}, newFile(filename, "application/octet-stream", content))
}

// AddImage registers content as image filename of project projectID,
// answered with an image/* Content-Type chosen by the file name's extension
// or else by the content. Content that is no image by either is answered
// as application/octet-stream, outside the API's image/*: the answer is
// then what the test scripted, not what the server would send. content is
// copied.
func (s *Server) AddImage(projectID uuid.UUID, filename string, content []byte) {
	ct := mime.TypeByExtension(path.Ext(filename))
	if !strings.HasPrefix(ct, "image/") {
		ct = http.DetectContentType(content)
	}
	if !strings.HasPrefix(ct, "image/") {
		ct = "application/octet-stream"
	}
	s.addFile(fileKey{kindImage, projectID.String(), filename, ""}, newFile(filename, ct, content))
}

// CutDownloadAfter makes the next download (on any download route) send
// only its first n bytes, with the full Content-Length, and then drop the
// connection: a body that ends early. A body of at most n bytes is sent
// whole, which still uses up the cut. Use FailNext with a download route
// for failures before the body (statuses, dropped connections).
func (s *Server) CutDownloadAfter(n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files.cutAfter, s.files.cutSet = n, true
}

func newFile(filename, contentType string, content []byte) *file {
	return &file{filename, contentType, bytes.NewReader(bytes.Clone(content)), int64(len(content))}
}

func (s *Server) addFile(k fileKey, f *file) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.files.files == nil {
		s.files.files = map[fileKey]*file{}
	}
	s.files.files[k] = f
}

func (s *Server) lookupFile(k fileKey) *file {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.files.files[k]
}

// takeCut returns the pending cut, consuming it.
func (s *Server) takeCut() (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.files.cutAfter, s.files.cutSet
	s.files.cutSet = false
	return n, ok
}

func (s *Server) downloadRoutes(routes map[string]http.HandlerFunc) {
	routes[RouteDatasetDownload] = s.handleDatasetDownload
	routes[RouteRecipeDownload] = func(w http.ResponseWriter, r *http.Request) {
		project, recipe := r.PathValue("project"), r.PathValue("recipe")
		s.serveFile(w, r, s.lookupFile(fileKey{kindRecipe, project, recipe, ""}), "recipe "+recipe+" of project "+project)
	}
	routes[RouteArtifactDownload] = func(w http.ResponseWriter, r *http.Request) {
		id := uuid.MustParse(r.PathValue("artifact_id")) // a uuid: the contract checked it
		s.serveFile(w, r, s.lookupFile(fileKey{kindArtifact, id.String(), "", ""}), "artifact "+id.String())
	}
	routes[RouteImage] = func(w http.ResponseWriter, r *http.Request) {
		id := uuid.MustParse(r.PathValue("project_id")) // a uuid: the contract checked it
		name := r.PathValue("filename")
		s.serveFile(w, r, s.lookupFile(fileKey{kindImage, id.String(), name, ""}), "image "+name)
	}
}

func (s *Server) handleDatasetDownload(w http.ResponseWriter, r *http.Request) {
	project, id := r.PathValue("project"), r.PathValue("dataset_id")
	format := r.URL.Query().Get("format")
	var f *file
	switch format {
	case "", formatOriginal:
		f = s.lookupFile(fileKey{kindDataset, project, id, formatOriginal})
		if f == nil {
			f = s.lookupFile(fileKey{kindDataset, project, id, formatRecipe})
		}
	case formatRecipe:
		f = s.lookupFile(fileKey{kindDataset, project, id, formatRecipe})
	default:
		writeError(w, http.StatusBadRequest, "invalid format "+strconv.Quote(format)+": expected original or recipe")
		return
	}
	s.serveFile(w, r, f, "dataset "+id+" of project "+project)
}

// serveFile answers f as an attachment, or 404 when f is nil. A pending
// cut sends only part of the body, with the full Content-Length, and then
// drops the connection.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, f *file, what string) {
	if f == nil {
		writeError(w, http.StatusNotFound, "EntityNotFound: "+what+" not found")
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Content-Length", strconv.FormatInt(f.size, 10))
	h.Set("Content-Disposition", contentDisposition(f.filename))
	h.Set("X-Request-Id", newRequestID())
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	if n, cut := s.takeCut(); cut && n < f.size {
		_, _ = io.Copy(w, io.NewSectionReader(f.r, 0, max(n, 0)))
		_ = http.NewResponseController(w).Flush()
		dropConnection(w)
		return
	}
	// The copy fails as soon as the client goes away, so the handler
	// returns promptly.
	_, _ = io.Copy(w, io.NewSectionReader(f.r, 0, f.size))
}

// contentDisposition formats an attachment header: a quoted ASCII filename
// for every client, plus the RFC 5987 filename* form when the name is not
// plain ASCII.
func contentDisposition(name string) string {
	var b strings.Builder
	b.WriteString(`attachment; filename="`)
	ascii := true
	for _, c := range []byte(name) {
		switch {
		case c >= 0x80:
			ascii = false
			// Write one '_' per rune, at its first byte.
			if c >= 0xC0 {
				b.WriteByte('_')
			}
		case c < 0x20 || c == 0x7f:
			ascii = false
			b.WriteByte('_')
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	if !ascii {
		b.WriteString("; filename*=UTF-8''")
		const hex = "0123456789ABCDEF"
		for _, c := range []byte(name) {
			if isAttrChar(c) {
				b.WriteByte(c)
				continue
			}
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// isAttrChar reports whether c may appear unencoded in an RFC 5987 value.
func isAttrChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}

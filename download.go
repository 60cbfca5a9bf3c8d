package adaptive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/adaptive-go/adaptive/internal/transport"
)

// RecipesService downloads recipes.
type RecipesService struct{ service }

// ArtifactsService downloads artifacts.
type ArtifactsService struct{ service }

// ImagesService fetches images.
type ImagesService struct{ service }

// DatasetFormat is the file format of a dataset download.
type DatasetFormat string

// The formats of DatasetDownloadOptions.Format.
const (
	// DatasetFormatOriginal is the file as uploaded. The server falls back
	// to the recipe format when the original is not available.
	DatasetFormatOriginal DatasetFormat = "original"
	// DatasetFormatRecipe is the file converted to the recipe format.
	DatasetFormatRecipe DatasetFormat = "recipe"
)

// DatasetDownloadOptions are the optional settings of Datasets.Download.
type DatasetDownloadOptions struct {
	// Format is DatasetFormatOriginal or DatasetFormatRecipe; empty leaves
	// the choice to the server (original).
	Format DatasetFormat
}

// Download calls GET /api/v1/projects/{project}/datasets/{dataset_id}/download
// and returns the dataset's JSONL file as a streaming *Download, which the
// caller must close (SaveFile closes it too). An empty project means the
// client's default project; opts may be nil.
//
// An empty datasetID, "." or "..", a missing project or an unknown format is
// a *ValidationError, returned before anything is sent. A non-2xx answer is
// an *APIError (errors.Is(err, ErrNotFound) for an unknown dataset).
func (s *DatasetsService) Download(ctx context.Context, project, datasetID string, opts *DatasetDownloadOptions, callOpts ...Option) (*Download, error) {
	cfg, err := s.client.callConfig(callOpts)
	if err != nil {
		return nil, err
	}
	p, err := cfg.projectSegment(project)
	if err != nil {
		return nil, err
	}
	id, err := pathSegment("datasetID", datasetID)
	if err != nil {
		return nil, err
	}
	var query url.Values
	if opts != nil && opts.Format != "" {
		switch opts.Format {
		case DatasetFormatOriginal, DatasetFormatRecipe:
		default:
			return nil, invalid("DatasetDownloadOptions.Format", "%q is not %q or %q", opts.Format, DatasetFormatOriginal, DatasetFormatRecipe)
		}
		query = url.Values{"format": {string(opts.Format)}}
	}
	return s.client.download(ctx, cfg, "Datasets.Download", "/api/v1/projects/"+p+"/datasets/"+id+"/download",
		"/api/v1/projects/{project}/datasets/{dataset_id}/download", query)
}

// Download calls GET /api/v1/projects/{project}/recipes/{recipe}/download and
// returns the recipe's zip file as a streaming *Download, which the caller
// must close (SaveFile closes it too). recipe is the recipe's id or key; an
// empty project means the client's default project.
//
// An empty recipe, "." or "..", or a missing project is a *ValidationError,
// returned before anything is sent. A non-2xx answer is an *APIError.
func (s *RecipesService) Download(ctx context.Context, project, recipe string, opts ...Option) (*Download, error) {
	cfg, err := s.client.callConfig(opts)
	if err != nil {
		return nil, err
	}
	p, err := cfg.projectSegment(project)
	if err != nil {
		return nil, err
	}
	r, err := pathSegment("recipe", recipe)
	if err != nil {
		return nil, err
	}
	return s.client.download(ctx, cfg, "Recipes.Download", "/api/v1/projects/"+p+"/recipes/"+r+"/download",
		"/api/v1/projects/{project}/recipes/{recipe}/download", nil)
}

// Download calls GET /artifacts/{artifact_id}/download and returns the
// artifact as a streaming *Download, which the caller must close (SaveFile
// closes it too).
//
// A zero artifactID (uuid.Nil) is a *ValidationError, returned before
// anything is sent. A non-2xx answer is an *APIError.
func (s *ArtifactsService) Download(ctx context.Context, artifactID uuid.UUID, opts ...Option) (*Download, error) {
	cfg, err := s.client.callConfig(opts)
	if err != nil {
		return nil, err
	}
	if artifactID == uuid.Nil {
		return nil, invalid("artifactID", "the zero uuid")
	}
	return s.client.download(ctx, cfg, "Artifacts.Download", "/artifacts/"+artifactID.String()+"/download",
		"/artifacts/{artifact_id}/download", nil)
}

// Get calls GET /images/{project_id}/{filename} and returns the image as a
// streaming *Download, which the caller must close (SaveFile closes it too).
// filename is the image's stored name ("<hash>.<ext>").
//
// A zero projectID, or a filename that is empty, "." or "..", or contains a
// path separator is a *ValidationError, returned before anything is sent. A
// non-2xx answer is an *APIError.
func (s *ImagesService) Get(ctx context.Context, projectID uuid.UUID, filename string, opts ...Option) (*Download, error) {
	cfg, err := s.client.callConfig(opts)
	if err != nil {
		return nil, err
	}
	if projectID == uuid.Nil {
		return nil, invalid("projectID", "the zero uuid")
	}
	if strings.ContainsAny(filename, `/\`) {
		return nil, invalid("filename", "%q contains a path separator: give the image's bare file name", filename)
	}
	name, err := pathSegment("filename", filename)
	if err != nil {
		return nil, err
	}
	return s.client.download(ctx, cfg, "Images.Get", "/images/"+projectID.String()+"/"+name,
		"/images/{project_id}/{filename}", nil)
}

// download sends a streamed GET: retries happen only until the headers of a
// 2xx answer arrive, the per-attempt timeout does not cut the body, and the
// idle timeout bounds its silences. Downloads follow redirects to other
// origins (storage), which get neither the key nor the custom headers.
func (c *Client) download(ctx context.Context, cfg *config, call, path, route string, query url.Values) (*Download, error) {
	r := &transport.Request{Method: http.MethodGet, Path: path, Route: route, Query: query, Stream: true, CrossOriginRedirects: true}
	ctx, rec := c.begin(ctx, cfg, CallStart{Call: call, Method: r.Method, Route: route})
	resp, err := c.exchange(ctx, cfg, r, rec)
	if err != nil {
		rec.end(nil, err, 0)
		return nil, err
	}
	d := &Download{
		rec:         rec,
		Filename:    filenameFromDisposition(resp.Header.Get("Content-Disposition")),
		ContentType: resp.Header.Get("Content-Type"),
		Size:        resp.ContentLength,
		RequestID:   requestID(resp.Header),
		body:        resp.Body,
		what:        http.MethodGet + " " + path,
	}
	return d, nil
}

// Download is the streaming answer of a download call. Read it (it is an
// io.Reader and an io.WriterTo, so io.Copy uses its fast path), or save it
// with SaveFile; then Close it. Closing it before the end releases the
// connection without reading the rest.
//
// A body that ends before Size bytes is an error wrapping
// io.ErrUnexpectedEOF, never a clean io.EOF. Retries happen only before the
// body starts: a failure in the middle of the body is returned, not retried.
// The context of the call that returned the Download governs the whole body:
// cancelling it ends the next Read with the context's error. A Download is
// not safe for concurrent use.
type Download struct {
	// Filename is the file name the server suggests (Content-Disposition,
	// including the RFC 5987 filename* form), reduced to a bare base name:
	// no directory, no "..", no control characters. It is "" when the
	// server suggests none, or nothing usable.
	Filename string
	// ContentType is the Content-Type of the answer.
	ContentType string
	// Size is the length of the body in bytes (Content-Length), or -1 when
	// the server did not say.
	Size int64
	// RequestID is the server's request id, for support.
	RequestID string

	body   io.ReadCloser
	rec    *callRecord
	what   string // method and path, for errors
	n      int64  // bytes read so far
	err    error  // sticky read error, io.EOF at the end
	closed bool
}

// Read reads the next bytes of the body. It returns io.EOF after exactly Size
// bytes, and an error wrapping io.ErrUnexpectedEOF when the body ends
// before.
func (d *Download) Read(p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	if d.closed {
		return 0, fmt.Errorf("adaptive: %s: %w", d.what, http.ErrBodyReadAfterClose)
	}
	n, err := d.body.Read(p)
	d.n += int64(n)
	d.rec.received(n)
	if err != nil {
		d.err = d.readError(err)
		err = d.err
		if err == io.EOF {
			d.rec.end(nil, nil, 0)
		} else {
			d.rec.end(nil, err, 0)
		}
	}
	return n, err
}

// readError turns the body's read error into the Download's: a short body
// wraps io.ErrUnexpectedEOF with the counts, other failures say what was
// being read.
func (d *Download) readError(err error) error {
	short := d.Size >= 0 && d.n < d.Size
	switch {
	case err == io.EOF && !short:
		return io.EOF
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		// The net/http client reports a body shorter than its
		// Content-Length (or a cut chunked body) as io.ErrUnexpectedEOF
		// itself; a RoundTripper of the caller's may end it with a plain
		// io.EOF. Both are the same failure here.
		if d.Size < 0 {
			return fmt.Errorf("adaptive: %s: body cut off after %d bytes: %w", d.what, d.n, io.ErrUnexpectedEOF)
		}
		return fmt.Errorf("adaptive: %s: body ended after %d of %d bytes: %w", d.what, d.n, d.Size, io.ErrUnexpectedEOF)
	default:
		return fmt.Errorf("adaptive: %s: reading the body after %d bytes: %w", d.what, d.n, err)
	}
}

// copyBufferSize is the size of the buffers WriteTo copies through: large
// enough that a fast connection costs few reads and writes.
const copyBufferSize = 256 << 10

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, copyBufferSize); return &b }}

// WriteTo writes the rest of the body to w through one pooled buffer and
// returns the number of bytes written. It returns nil at the end of a
// complete body, an error wrapping io.ErrUnexpectedEOF when the body ends
// before Size bytes, or the first read or write error.
func (d *Download) WriteTo(w io.Writer) (int64, error) {
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	buf := *bp
	var written int64
	for {
		nr, rerr := d.Read(buf)
		if nr > 0 {
			nw, werr := w.Write(buf[:nr])
			written += int64(nw)
			if werr != nil {
				return written, werr
			}
			if nw != nr {
				return written, io.ErrShortWrite
			}
		}
		if rerr == io.EOF {
			return written, nil
		}
		if rerr != nil {
			return written, rerr
		}
	}
}

// Close closes the body. Closing before the end abandons the rest of the
// body and its connection instead of reading it. Close is idempotent.
func (d *Download) Close() error {
	if d.closed {
		return nil
	}
	d.closed = true
	d.rec.end(nil, nil, 0)
	return d.body.Close()
}

// SaveFile writes the rest of the body to the file at path and closes the
// Download, whatever happens. It writes to a temporary file in the same
// directory (".<name>.*.part"), syncs it, checks the byte count against
// Size, and only then renames it to path, replacing any file there. It
// returns the number of bytes saved.
//
// A new file gets the mode os.Create would give it (0666 less the umask); a
// file it replaces keeps its permission bits (on Windows, its read-only
// attribute).
//
// On any failure (a short body, a read, write or sync error, a cancelled
// context) the temporary file is removed and nothing appears under path: a
// file already there is left as it was. A path that ends in a separator is a
// *ValidationError.
func (d *Download) SaveFile(path string) (n int64, err error) {
	defer d.Close()
	dir, base := filepath.Split(path)
	if base == "" {
		return 0, invalid("path", "%q names a directory, not a file", path)
	}
	if dir == "" {
		dir = "."
	}
	// The OS applies the umask (or a default ACL) only when it creates a
	// file, and no portable call reads the umask without changing it for the
	// whole process: so a new file is created at 0666, as os.Create does.
	// The temporary file of a replacement starts at 0600 and gets the old
	// file's bits once it is complete, so that the data is never more
	// exposed than in either file.
	old, statErr := os.Stat(path)
	replacing := statErr == nil && old.Mode().IsRegular()
	perm := os.FileMode(0o666)
	if replacing {
		perm = 0o600
	}
	f, err := createPart(dir, base, perm)
	if err != nil {
		return 0, fmt.Errorf("adaptive: saving %s: %w", d.what, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close() // may already be closed; the first error is the one that matters
			_ = os.Remove(tmp)
		}
	}()
	n, err = d.WriteTo(f)
	if err != nil {
		return n, fmt.Errorf("adaptive: saving %s to %s: %w", d.what, path, err)
	}
	// WriteTo already fails on a short body; this check keeps the promise
	// even if that ever changes. d.n counts bytes read before SaveFile too.
	if d.Size >= 0 && d.n != d.Size {
		return n, fmt.Errorf("adaptive: saving %s to %s: got %d of %d bytes: %w", d.what, path, d.n, d.Size, io.ErrUnexpectedEOF)
	}
	if err = f.Sync(); err != nil {
		return n, fmt.Errorf("adaptive: saving %s to %s: %w", d.what, path, err)
	}
	if replacing {
		if err = f.Chmod(old.Mode().Perm()); err != nil {
			return n, fmt.Errorf("adaptive: saving %s to %s: keeping the mode of the file it replaces: %w", d.what, path, err)
		}
	}
	if err = f.Close(); err != nil {
		return n, fmt.Errorf("adaptive: saving %s to %s: %w", d.what, path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return n, fmt.Errorf("adaptive: saving %s: %w", d.what, err)
	}
	return n, nil
}

// createPart creates a new file ".<base>.<random>.part" in dir with
// permission bits perm less the umask. It is os.CreateTemp with a mode:
// os.CreateTemp always uses 0600.
func createPart(dir, base string, perm os.FileMode) (*os.File, error) {
	for try := 0; ; try++ {
		name := filepath.Join(dir, "."+base+"."+strconv.FormatUint(rand.Uint64(), 36)+".part")
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) && try < 100 {
			continue
		}
		return f, err
	}
}

// projectSegment resolves project (the client's default when empty) and
// escapes it as one path segment.
func (cfg *config) projectSegment(project string) (string, error) {
	project, err := cfg.resolveProject("project", project)
	if err != nil {
		return "", err
	}
	return pathSegment("project", project)
}

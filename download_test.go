package adaptive_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

var (
	dlArtifactID = uuid.MustParse("0b8f4c7e-2d5a-4c1e-9f3b-7a6d5e4c3b2a")
	dlProjectID  = uuid.MustParse("1c9e5d8f-3e6b-4d2f-8a4c-8b7e6f5d4c3b")
)

// dlWire records the escaped path and query of each request and answers
// "hello" as an attachment.
type dlWire struct {
	mu       sync.Mutex
	paths    []string
	rawQuery []string
	srv      *httptest.Server
}

func newDLWire(t *testing.T) *dlWire {
	t.Helper()
	w := &dlWire{}
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		w.paths = append(w.paths, r.URL.EscapedPath())
		w.rawQuery = append(w.rawQuery, r.URL.RawQuery)
		w.mu.Unlock()
		rw.Header().Set("Content-Disposition", `attachment; filename="f.bin"`)
		rw.Header().Set("Content-Length", "5")
		_, _ = rw.Write([]byte("hello"))
	}))
	t.Cleanup(w.srv.Close)
	return w
}

func (w *dlWire) client(t *testing.T) *adaptive.Client {
	t.Helper()
	c, err := adaptive.NewClient(adaptive.WithBaseURL(w.srv.URL), adaptive.WithAPIKey("k"), adaptive.WithProject("default proj"), adaptive.WithMaxRetries(0))
	require.NoError(t, err)
	return c
}

func (w *dlWire) last(t *testing.T) (path, rawQuery string) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	require.NotEmpty(t, w.paths, "no request reached the server")
	return w.paths[len(w.paths)-1], w.rawQuery[len(w.rawQuery)-1]
}

func (w *dlWire) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.paths)
}

func readAll(t *testing.T, d *adaptive.Download, err error) string {
	t.Helper()
	require.NoError(t, err)
	defer d.Close()
	b, err := io.ReadAll(d)
	require.NoError(t, err)
	return string(b)
}

func TestDownloadWirePathsAndQuery(t *testing.T) {
	w := newDLWire(t)
	c := w.client(t)
	ctx := context.Background()

	for _, tc := range []struct {
		name, wantPath, wantQuery string
		call                      func() (*adaptive.Download, error)
	}{
		{"dataset", "/api/v1/projects/p/datasets/ds/download", "", func() (*adaptive.Download, error) {
			return c.Datasets.Download(ctx, "p", "ds", nil)
		}},
		{"dataset original", "/api/v1/projects/p/datasets/ds/download", "format=original", func() (*adaptive.Download, error) {
			return c.Datasets.Download(ctx, "p", "ds", &adaptive.DatasetDownloadOptions{Format: adaptive.DatasetFormatOriginal})
		}},
		{"dataset recipe", "/api/v1/projects/p/datasets/ds/download", "format=recipe", func() (*adaptive.Download, error) {
			return c.Datasets.Download(ctx, "p", "ds", &adaptive.DatasetDownloadOptions{Format: adaptive.DatasetFormatRecipe})
		}},
		{"dataset default project", "/api/v1/projects/default%20proj/datasets/ds/download", "", func() (*adaptive.Download, error) {
			return c.Datasets.Download(ctx, "", "ds", &adaptive.DatasetDownloadOptions{})
		}},
		{"dataset traversal id", "/api/v1/projects/p/datasets/..%2F..%2Fetc/download", "", func() (*adaptive.Download, error) {
			return c.Datasets.Download(ctx, "p", "../../etc", nil)
		}},
		{"dataset slash id", "/api/v1/projects/p/datasets/a%2Fb/download", "", func() (*adaptive.Download, error) {
			return c.Datasets.Download(ctx, "p", "a/b", nil)
		}},
		{"dataset space and percent", "/api/v1/projects/a%20b/datasets/%252F/download", "", func() (*adaptive.Download, error) {
			return c.Datasets.Download(ctx, "a b", "%2F", nil)
		}},
		{"dataset query chars", "/api/v1/projects/p/datasets/x%3Fformat=recipe%23y/download", "", func() (*adaptive.Download, error) {
			return c.Datasets.Download(ctx, "p", "x?format=recipe#y", nil)
		}},
		{"recipe", "/api/v1/projects/p/recipes/my-recipe/download", "", func() (*adaptive.Download, error) {
			return c.Recipes.Download(ctx, "p", "my-recipe")
		}},
		{"recipe default project escaped", "/api/v1/projects/default%20proj/recipes/..%2Fx/download", "", func() (*adaptive.Download, error) {
			return c.Recipes.Download(ctx, "", "../x")
		}},
		{"artifact", "/artifacts/" + dlArtifactID.String() + "/download", "", func() (*adaptive.Download, error) {
			return c.Artifacts.Download(ctx, dlArtifactID)
		}},
		{"image", "/images/" + dlProjectID.String() + "/abc123.png", "", func() (*adaptive.Download, error) {
			return c.Images.Get(ctx, dlProjectID, "abc123.png")
		}},
		{"image escaped name", "/images/" + dlProjectID.String() + "/a%20b%3F.png", "", func() (*adaptive.Download, error) {
			return c.Images.Get(ctx, dlProjectID, "a b?.png")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := tc.call()
			assert.Equal(t, "hello", readAll(t, d, err))
			path, query := w.last(t)
			assert.Equal(t, tc.wantPath, path)
			assert.Equal(t, tc.wantQuery, query)
		})
	}
}

func TestDownloadBadInputIsNotSent(t *testing.T) {
	w := newDLWire(t)
	c := w.client(t)
	noProject, err := adaptive.NewClient(adaptive.WithBaseURL(w.srv.URL), adaptive.WithAPIKey("k"))
	require.NoError(t, err)
	ctx := context.Background()

	for _, tc := range []struct {
		name, field string
		call        func() (*adaptive.Download, error)
	}{
		{"empty dataset id", "datasetID", func() (*adaptive.Download, error) { return c.Datasets.Download(ctx, "p", "", nil) }},
		{"dot dataset id", "datasetID", func() (*adaptive.Download, error) { return c.Datasets.Download(ctx, "p", ".", nil) }},
		{"dot dot dataset id", "datasetID", func() (*adaptive.Download, error) { return c.Datasets.Download(ctx, "p", "..", nil) }},
		{"dot dot project", "project", func() (*adaptive.Download, error) { return c.Datasets.Download(ctx, "..", "ds", nil) }},
		{"no project", "project", func() (*adaptive.Download, error) { return noProject.Datasets.Download(ctx, "", "ds", nil) }},
		{"bad format", "DatasetDownloadOptions.Format", func() (*adaptive.Download, error) {
			return c.Datasets.Download(ctx, "p", "ds", &adaptive.DatasetDownloadOptions{Format: "csv"})
		}},
		{"empty recipe", "recipe", func() (*adaptive.Download, error) { return c.Recipes.Download(ctx, "p", "") }},
		{"dot dot recipe", "recipe", func() (*adaptive.Download, error) { return c.Recipes.Download(ctx, "p", "..") }},
		{"recipe no project", "project", func() (*adaptive.Download, error) { return noProject.Recipes.Download(ctx, "", "r") }},
		{"nil artifact", "artifactID", func() (*adaptive.Download, error) { return c.Artifacts.Download(ctx, uuid.Nil) }},
		{"nil image project", "projectID", func() (*adaptive.Download, error) { return c.Images.Get(ctx, uuid.Nil, "a.png") }},
		{"empty image name", "filename", func() (*adaptive.Download, error) { return c.Images.Get(ctx, dlProjectID, "") }},
		{"image name with slash", "filename", func() (*adaptive.Download, error) { return c.Images.Get(ctx, dlProjectID, "a/b.png") }},
		{"image name with backslash", "filename", func() (*adaptive.Download, error) { return c.Images.Get(ctx, dlProjectID, `a\b.png`) }},
		{"image name dot dot", "filename", func() (*adaptive.Download, error) { return c.Images.Get(ctx, dlProjectID, "..") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := tc.call()
			assert.Nil(t, d)
			var ve *adaptive.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
		})
	}
	assert.Zero(t, w.count(), "bad input must not reach the server")
}

func TestDownloadMetadata(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "Bearer k", r.Header.Get("Authorization"))
		w.Header().Set("Content-Disposition", `attachment; filename="../../evil.jsonl"; filename*=UTF-8''r%C3%A9sum%C3%A9.jsonl`)
		w.Header().Set("Content-Type", "application/jsonl")
		w.Header().Set("Content-Length", "3")
		w.Header().Set("X-Request-Id", "req_42")
		_, _ = w.Write([]byte("{}\n"))
	}))
	defer srv.Close()
	c, err := adaptive.NewClient(adaptive.WithBaseURL(srv.URL), adaptive.WithAPIKey("k"))
	require.NoError(t, err)

	d, err := c.Datasets.Download(context.Background(), "p", "ds", nil)
	require.NoError(t, err)
	defer d.Close()
	assert.Equal(t, "résumé.jsonl", d.Filename)
	assert.Equal(t, "application/jsonl", d.ContentType)
	assert.Equal(t, int64(3), d.Size)
	assert.Equal(t, "req_42", d.RequestID)
}

func TestDownloadUnknownSize(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("part one, "))
		http.NewResponseController(w).Flush() // forces chunked encoding: no Content-Length
		_, _ = w.Write([]byte("part two"))
	}))
	defer srv.Close()
	c, err := adaptive.NewClient(adaptive.WithBaseURL(srv.URL), adaptive.WithAPIKey("k"))
	require.NoError(t, err)

	d, err := c.Artifacts.Download(context.Background(), dlArtifactID)
	require.NoError(t, err)
	assert.Equal(t, int64(-1), d.Size)
	assert.Equal(t, "", d.Filename)
	var buf bytes.Buffer
	n, err := d.WriteTo(&buf)
	require.NoError(t, err)
	assert.Equal(t, int64(18), n)
	assert.Equal(t, "part one, part two", buf.String())
	require.NoError(t, d.Close())
	require.NoError(t, d.Close(), "Close is idempotent")
}

// shortServer announces size bytes but sends only sent of them before
// closing the connection.
func shortServer(t *testing.T, size, sent int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(size))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(bytes.Repeat([]byte("x"), sent))
		rc := http.NewResponseController(w)
		_ = rc.Flush()
		conn, _, err := rc.Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		_ = conn.Close()
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestDownloadShortBodyRead(t *testing.T) {
	srv := shortServer(t, 100, 10)
	c, err := adaptive.NewClient(adaptive.WithBaseURL(srv.URL), adaptive.WithAPIKey("k"))
	require.NoError(t, err)

	d, err := c.Datasets.Download(context.Background(), "p", "ds", nil)
	require.NoError(t, err)
	defer d.Close()
	b, err := io.ReadAll(d)
	assert.Len(t, b, 10)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Contains(t, err.Error(), "10 of 100 bytes")
	_, again := d.Read(make([]byte, 1))
	assert.ErrorIs(t, again, io.ErrUnexpectedEOF, "the error sticks")
}

func TestDownloadShortBodyWriteTo(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	content := bytes.Repeat([]byte("0123456789"), 100_000)
	srv.AddDataset(srv.Project, "ds", "", content)
	srv.CutDownloadAfter(300_000)

	d, err := srv.Client().Datasets.Download(context.Background(), "", "ds", nil)
	require.NoError(t, err)
	defer d.Close()
	assert.Equal(t, int64(len(content)), d.Size)
	var buf bytes.Buffer
	n, err := d.WriteTo(&buf)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, int64(300_000), n)
	assert.Equal(t, content[:300_000], buf.Bytes())

	// The cut was for one download only.
	d2, err := srv.Client().Datasets.Download(context.Background(), "", "ds", nil)
	assert.Equal(t, string(content), readAll(t, d2, err))
}

func TestSaveFileSuccess(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	content := bytes.Repeat([]byte("abcdefgh"), 200_000) // several copy buffers
	srv.AddDataset(srv.Project, "ds", "", content)

	dir := t.TempDir()
	target := filepath.Join(dir, "out.jsonl")
	require.NoError(t, os.WriteFile(target, []byte("old"), 0o600))

	d, err := srv.Client().Datasets.Download(context.Background(), "", "ds", nil)
	require.NoError(t, err)
	n, err := d.SaveFile(target)
	require.NoError(t, err)
	assert.Equal(t, int64(len(content)), n)
	got, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(content, got), "the file holds exactly the body")
	assertOnlyFiles(t, dir, "out.jsonl")
	_, err = d.Read(make([]byte, 1))
	assert.Error(t, err, "SaveFile closed the download")
}

func TestSaveFileShortBodyLeavesNothing(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.AddDataset(srv.Project, "ds", "", bytes.Repeat([]byte("z"), 1<<20))
	srv.CutDownloadAfter(1000)

	dir := t.TempDir()
	d, err := srv.Client().Datasets.Download(context.Background(), "", "ds", nil)
	require.NoError(t, err)
	n, err := d.SaveFile(filepath.Join(dir, "out.jsonl"))
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, int64(1000), n)
	assertOnlyFiles(t, dir)
}

func TestSaveFileKeepsTheOldFileOnFailure(t *testing.T) {
	srv := shortServer(t, 100, 10)
	c, err := adaptive.NewClient(adaptive.WithBaseURL(srv.URL), adaptive.WithAPIKey("k"))
	require.NoError(t, err)
	dir := t.TempDir()
	target := filepath.Join(dir, "keep.bin")
	require.NoError(t, os.WriteFile(target, []byte("old"), 0o600))

	d, err := c.Artifacts.Download(context.Background(), dlArtifactID)
	require.NoError(t, err)
	_, err = d.SaveFile(target)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	got, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, "old", string(got))
	assertOnlyFiles(t, dir, "keep.bin")
}

func TestSaveFileBadTargets(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.AddRecipe(srv.Project, "r", []byte("PK"))
	dir := t.TempDir()

	// The target is a directory: the rename fails and the temporary file
	// goes away.
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o700))
	d, err := srv.Client().Recipes.Download(context.Background(), "", "r")
	require.NoError(t, err)
	_, err = d.SaveFile(filepath.Join(dir, "sub"))
	require.Error(t, err)
	assertOnlyFiles(t, dir, "sub")

	// The directory does not exist.
	d, err = srv.Client().Recipes.Download(context.Background(), "", "r")
	require.NoError(t, err)
	_, err = d.SaveFile(filepath.Join(dir, "missing", "r.zip"))
	require.ErrorIs(t, err, os.ErrNotExist)
	assertOnlyFiles(t, dir, "sub")

	// A path that names a directory is bad input.
	d, err = srv.Client().Recipes.Download(context.Background(), "", "r")
	require.NoError(t, err)
	_, err = d.SaveFile(dir + string(filepath.Separator))
	var ve *adaptive.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "path", ve.Field)
	assertOnlyFiles(t, dir, "sub")
}

// assertOnlyFiles checks that dir holds exactly names: no temporary
// ".part" file, no half-written target.
func assertOnlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	got := []string{}
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if names == nil {
		names = []string{}
	}
	assert.ElementsMatch(t, names, got)
}

func TestDownloadRetriedBeforeTheBody(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.AddArtifact(dlArtifactID, "model.bin", []byte("weights"))
	srv.FailNext(adaptivetest.RouteArtifactDownload, 2, adaptivetest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: "0"})

	d, err := srv.Client().Artifacts.Download(context.Background(), dlArtifactID)
	assert.Equal(t, "weights", readAll(t, d, err))
	assert.Equal(t, "model.bin", d.Filename)
	assert.Len(t, srv.RequestsTo(adaptivetest.RouteArtifactDownload), 3)
}

func TestDownloadNotFound(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	_, err := c.Datasets.Download(ctx, "", "missing", nil)
	require.ErrorIs(t, err, adaptive.ErrNotFound)
	var apiErr *adaptive.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, apiErr.Message, "EntityNotFound")
	_, err = c.Recipes.Download(ctx, "", "missing")
	assert.ErrorIs(t, err, adaptive.ErrNotFound)
	_, err = c.Artifacts.Download(ctx, dlArtifactID)
	assert.ErrorIs(t, err, adaptive.ErrNotFound)
	_, err = c.Images.Get(ctx, dlProjectID, "missing.png")
	assert.ErrorIs(t, err, adaptive.ErrNotFound)
}

func TestDownloadEarlyCloseReleasesTheConnection(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	handlerDone := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(handlerDone)
		w.Header().Set("Content-Length", strconv.Itoa(1<<30))
		_, _ = w.Write(make([]byte, 64<<10))
		_ = http.NewResponseController(w).Flush()
		<-r.Context().Done() // the rest never comes: only the client's Close ends this
	}))
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c, err := adaptive.NewClient(adaptive.WithBaseURL(srv.URL), adaptive.WithAPIKey("k"), adaptive.WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)

	d, err := c.Artifacts.Download(context.Background(), dlArtifactID)
	require.NoError(t, err)
	_, err = io.ReadFull(d, make([]byte, 1000))
	require.NoError(t, err)
	require.NoError(t, d.Close())
	select {
	case <-handlerDone:
	case <-time.After(5 * time.Second):
		t.Fatal("the server still holds the connection after Close")
	}
}

func TestDownloadCancelledMidBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		_, _ = w.Write(make([]byte, 10))
		_ = http.NewResponseController(w).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	c, err := adaptive.NewClient(adaptive.WithBaseURL(srv.URL), adaptive.WithAPIKey("k"))
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	d, err := c.Datasets.Download(ctx, "p", "ds", nil)
	require.NoError(t, err)
	defer d.Close()
	_, err = io.ReadFull(d, make([]byte, 10))
	require.NoError(t, err)
	cancel()
	_, err = d.WriteTo(io.Discard)
	require.ErrorIs(t, err, context.Canceled)
	assert.False(t, errors.Is(err, io.EOF))
}

func TestDownloadTimeoutDoesNotCutTheBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "4")
		_, _ = w.Write([]byte("ab"))
		_ = http.NewResponseController(w).Flush()
		time.Sleep(150 * time.Millisecond) // a slow body, longer than the attempt timeout
		_, _ = w.Write([]byte("cd"))
	}))
	defer srv.Close()
	c, err := adaptive.NewClient(adaptive.WithBaseURL(srv.URL), adaptive.WithAPIKey("k"), adaptive.WithTimeout(50*time.Millisecond))
	require.NoError(t, err)

	d, err := c.Artifacts.Download(context.Background(), dlArtifactID)
	assert.Equal(t, "abcd", readAll(t, d, err))
}

// roundTripFunc answers requests without a network.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestDownloadShortBodyCleanEOF covers a body that ends with a plain io.EOF
// before Content-Length, as a caller's own RoundTripper may deliver it
// (net/http itself reports io.ErrUnexpectedEOF, covered above): Read,
// WriteTo and SaveFile all fail with io.ErrUnexpectedEOF.
func TestDownloadShortBodyCleanEOF(t *testing.T) {
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{
			StatusCode:    http.StatusOK,
			Header:        http.Header{"Content-Type": {"application/zip"}},
			ContentLength: 100,
			Body:          io.NopCloser(strings.NewReader("only 18 bytes here")),
			Request:       r,
		}, nil
	})}
	c, err := adaptive.NewClient(adaptive.WithBaseURL("http://adaptive.invalid"), adaptive.WithAPIKey("k"), adaptive.WithHTTPClient(hc))
	require.NoError(t, err)
	ctx := context.Background()

	d, err := c.Recipes.Download(ctx, "p", "r")
	require.NoError(t, err)
	b, err := io.ReadAll(d)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, "only 18 bytes here", string(b))
	assert.Contains(t, err.Error(), "18 of 100 bytes")
	require.NoError(t, d.Close())

	d, err = c.Recipes.Download(ctx, "p", "r")
	require.NoError(t, err)
	n, err := d.WriteTo(io.Discard)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, int64(18), n)
	require.NoError(t, d.Close())

	dir := t.TempDir()
	d, err = c.Recipes.Download(ctx, "p", "r")
	require.NoError(t, err)
	_, err = d.SaveFile(filepath.Join(dir, "r.zip"))
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assertOnlyFiles(t, dir)
}

// TestDownloadCutChunkedBody: with no Content-Length (Size -1), a chunked
// body cut before its last chunk is still an error, not a clean end.
func TestDownloadCutChunkedBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("first chunk"))
		rc := http.NewResponseController(w)
		_ = rc.Flush()
		conn, _, err := rc.Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		_ = conn.Close()
	}))
	defer srv.Close()
	c, err := adaptive.NewClient(adaptive.WithBaseURL(srv.URL), adaptive.WithAPIKey("k"))
	require.NoError(t, err)

	d, err := c.Artifacts.Download(context.Background(), dlArtifactID)
	require.NoError(t, err)
	defer d.Close()
	assert.Equal(t, int64(-1), d.Size)
	var buf bytes.Buffer
	n, err := d.WriteTo(&buf)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, int64(11), n)
	assert.Equal(t, "first chunk", buf.String())
	assert.Contains(t, err.Error(), "cut off after 11 bytes")
}

func TestSaveFileEmptyBody(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.AddArtifact(dlArtifactID, "empty.bin", nil)

	d, err := srv.Client().Artifacts.Download(context.Background(), dlArtifactID)
	require.NoError(t, err)
	assert.Equal(t, int64(0), d.Size)
	dir := t.TempDir()
	n, err := d.SaveFile(filepath.Join(dir, d.Filename))
	require.NoError(t, err)
	assert.Zero(t, n)
	got, err := os.ReadFile(filepath.Join(dir, "empty.bin"))
	require.NoError(t, err)
	assert.Empty(t, got)
	assertOnlyFiles(t, dir, "empty.bin")
}

func TestDownloadReadAfterClose(t *testing.T) {
	w := newDLWire(t)
	d, err := w.client(t).Artifacts.Download(context.Background(), dlArtifactID)
	require.NoError(t, err)
	require.NoError(t, d.Close())
	_, err = d.Read(make([]byte, 1))
	require.ErrorIs(t, err, http.ErrBodyReadAfterClose)
	n, err := d.WriteTo(io.Discard)
	require.ErrorIs(t, err, http.ErrBodyReadAfterClose)
	assert.Zero(t, n)
}

func TestDownloadPerCallOptions(t *testing.T) {
	w := newDLWire(t)
	c := w.client(t)
	ctx := context.Background()

	// A per-call default project replaces the client's.
	d, err := c.Recipes.Download(ctx, "", "r", adaptive.WithProject("other"))
	assert.Equal(t, "hello", readAll(t, d, err))
	path, _ := w.last(t)
	assert.Equal(t, "/api/v1/projects/other/recipes/r/download", path)

	d, err = c.Datasets.Download(ctx, "", "ds", nil, adaptive.WithProject("other"))
	assert.Equal(t, "hello", readAll(t, d, err))
	path, _ = w.last(t)
	assert.Equal(t, "/api/v1/projects/other/datasets/ds/download", path)

	// Per-call headers reach the server on every kind of download.
	traces := make(chan string, 1)
	hdr := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		traces <- r.Header.Get("X-Trace")
	}))
	defer hdr.Close()
	d, err = c.Images.Get(ctx, dlProjectID, "a.png", adaptive.WithBaseURL(hdr.URL), adaptive.WithHeader("X-Trace", "t1"))
	assert.Equal(t, "", readAll(t, d, err))
	assert.Equal(t, "t1", <-traces)

	// A bad per-call option is returned before anything is sent.
	before := w.count()
	_, err = c.Artifacts.Download(ctx, dlArtifactID, adaptive.WithBaseURL("::not a url"))
	require.Error(t, err)
	assert.Equal(t, before, w.count())
}

package adaptivetest_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

// rawGet sends an authorised GET to the escaped path and returns the
// answer with its body read.
func rawGet(t *testing.T, srv *adaptivetest.Server, path string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.APIKey)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

func TestFakeDownloadHeaders(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	artifact := uuid.MustParse("0b8f4c7e-2d5a-4c1e-9f3b-7a6d5e4c3b2a")
	project := uuid.MustParse("1c9e5d8f-3e6b-4d2f-8a4c-8b7e6f5d4c3b")
	srv.AddDataset("demo", "ds", "", []byte("{}\n"))
	srv.AddRecipe("demo", "r", []byte("PK"))
	srv.AddArtifact(artifact, `weights "v2".bin`, []byte("w"))
	srv.AddImage(project, "résumé.png", []byte("\x89PNG"))

	for _, tc := range []struct {
		name, path, disposition, contentType, body string
	}{
		{"dataset", "/api/v1/projects/demo/datasets/ds/download", `attachment; filename="ds.jsonl"`, "application/x-ndjson", "{}\n"},
		{"recipe", "/api/v1/projects/demo/recipes/r/download", `attachment; filename="r.zip"`, "application/zip", "PK"},
		{"artifact", "/artifacts/" + artifact.String() + "/download", `attachment; filename="weights \"v2\".bin"`, "application/octet-stream", "w"},
		{"image", "/images/" + project.String() + "/r%C3%A9sum%C3%A9.png", `attachment; filename="r_sum_.png"; filename*=UTF-8''r%C3%A9sum%C3%A9.png`, "image/png", "\x89PNG"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := rawGet(t, srv, tc.path)
			require.Equal(t, http.StatusOK, resp.StatusCode, body)
			assert.Equal(t, tc.disposition, resp.Header.Get("Content-Disposition"))
			assert.Equal(t, tc.contentType, resp.Header.Get("Content-Type"))
			assert.Equal(t, int64(len(tc.body)), resp.ContentLength)
			assert.NotEmpty(t, resp.Header.Get("X-Request-Id"))
			assert.Equal(t, tc.body, body)
		})
	}
}

func TestFakeDatasetFormats(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.AddDataset("demo", "both", "original", []byte("original"))
	srv.AddDataset("demo", "both", "recipe", []byte("recipe"))
	srv.AddDataset("demo", "converted", "recipe", []byte("recipe only"))
	srv.AddDataset("demo", "raw", "", []byte("original only"))

	for _, tc := range []struct {
		name, path string
		status     int
		body       string
	}{
		{"default is original", "/api/v1/projects/demo/datasets/both/download", 200, "original"},
		{"original", "/api/v1/projects/demo/datasets/both/download?format=original", 200, "original"},
		{"recipe", "/api/v1/projects/demo/datasets/both/download?format=recipe", 200, "recipe"},
		{"original falls back to recipe", "/api/v1/projects/demo/datasets/converted/download?format=original", 200, "recipe only"},
		{"default falls back to recipe", "/api/v1/projects/demo/datasets/converted/download", 200, "recipe only"},
		{"recipe does not fall back", "/api/v1/projects/demo/datasets/raw/download?format=recipe", 404, ""},
		{"bad format", "/api/v1/projects/demo/datasets/both/download?format=csv", 400, ""},
		{"other project", "/api/v1/projects/other/datasets/both/download", 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := rawGet(t, srv, tc.path)
			require.Equal(t, tc.status, resp.StatusCode, body)
			if tc.status == http.StatusOK {
				assert.Equal(t, tc.body, body)
			}
		})
	}
}

func TestFakeDownloadNotFound(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	for _, path := range []string{
		"/api/v1/projects/demo/datasets/nope/download",
		"/api/v1/projects/demo/recipes/nope/download",
		"/artifacts/" + uuid.NewString() + "/download",
		"/images/" + uuid.NewString() + "/nope.png",
	} {
		resp, body := rawGet(t, srv, path)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, path)
		assert.True(t, strings.HasPrefix(body, `{"error":"EntityNotFound: `), body)
	}
	resp, _ := rawGet(t, srv, "/artifacts/not-a-uuid/download")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

func TestFakeDownloadHostileIDsAreOneSegment(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.AddDataset("demo", "../../etc", "", []byte("traversal id"))
	srv.AddDataset("demo", "a/b", "", []byte("slash id"))
	c := srv.Client()

	for _, tc := range []struct{ id, body, path, filename string }{
		{"../../etc", "traversal id", "/api/v1/projects/demo/datasets/..%2F..%2Fetc/download", "etc.jsonl"},
		{"a/b", "slash id", "/api/v1/projects/demo/datasets/a%2Fb/download", "b.jsonl"},
	} {
		srv.ResetRequests()
		d, err := c.Datasets.Download(context.Background(), "", tc.id, nil)
		require.NoError(t, err, tc.id)
		b, err := io.ReadAll(d)
		require.NoError(t, err)
		require.NoError(t, d.Close())
		assert.Equal(t, tc.body, string(b))
		assert.Equal(t, tc.filename, d.Filename, "the client keeps the base name of the suggested name only")
		reqs := srv.RequestsTo(adaptivetest.RouteDatasetDownload)
		require.Len(t, reqs, 1)
		assert.Equal(t, tc.path, reqs[0].Path)
	}
}

func TestFakeLargeReaderAndCut(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	const size = 8 << 20
	content := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	srv.AddDatasetReader("demo", "big", "", bytes.NewReader(content), size)
	c := srv.Client()

	d, err := c.Datasets.Download(context.Background(), "", "big", nil)
	require.NoError(t, err)
	var got bytes.Buffer
	n, err := d.WriteTo(&got)
	require.NoError(t, err)
	require.NoError(t, d.Close())
	assert.Equal(t, int64(size), n)
	assert.True(t, bytes.Equal(content, got.Bytes()))

	srv.CutDownloadAfter(1 << 20)
	d, err = c.Datasets.Download(context.Background(), "", "big", nil)
	require.NoError(t, err)
	defer d.Close()
	assert.Equal(t, int64(size), d.Size, "a cut body still announces its full length")
	n, err = d.WriteTo(io.Discard)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, int64(1<<20), n)
}

func TestFakeDownloadChecksAPIKey(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.AddRecipe("demo", "r", []byte("PK"))
	_, err := srv.Client(adaptive.WithAPIKey("wrong")).Recipes.Download(context.Background(), "", "r")
	assert.ErrorIs(t, err, adaptive.ErrUnauthorized)
}

func TestFakeImageContentTypes(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	project := uuid.MustParse("1c9e5d8f-3e6b-4d2f-8a4c-8b7e6f5d4c3b")
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	for name, tc := range map[string]struct {
		content []byte
		want    string
	}{
		"a.jpg":        {[]byte("img"), "image/jpeg"},
		"a.webp":       {[]byte("img"), "image/webp"},
		"a.GIF":        {[]byte("img"), "image/gif"},
		"a.nope42":     {png, "image/png"},
		"noext":        {png, "image/png"},
		"not-an-image": {[]byte("img"), "application/octet-stream"},
	} {
		srv.AddImage(project, name, tc.content)
		resp, body := rawGet(t, srv, "/images/"+project.String()+"/"+name)
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		assert.Equal(t, tc.want, resp.Header.Get("Content-Type"), name)
	}
}

func TestFakeCutAppliesToAnyDownloadRouteOnce(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	artifact := uuid.MustParse("0b8f4c7e-2d5a-4c1e-9f3b-7a6d5e4c3b2a")
	srv.AddArtifact(artifact, "a.bin", bytes.Repeat([]byte("a"), 1000))
	c := srv.Client()

	srv.CutDownloadAfter(10)
	d, err := c.Artifacts.Download(context.Background(), artifact)
	require.NoError(t, err)
	n, err := d.WriteTo(io.Discard)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, int64(10), n)
	require.NoError(t, d.Close())

	d, err = c.Artifacts.Download(context.Background(), artifact)
	require.NoError(t, err)
	n, err = d.WriteTo(io.Discard)
	require.NoError(t, err, "the cut is used up")
	assert.Equal(t, int64(1000), n)
	require.NoError(t, d.Close())
}

func TestFakeAddDatasetRejectsBadInput(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	assert.PanicsWithValue(t, `adaptivetest: AddDataset: format "csv" is not "original" or "recipe"`, func() {
		srv.AddDataset("demo", "ds", "csv", nil)
	})
	assert.Panics(t, func() { srv.AddDatasetReader("demo", "ds", "", bytes.NewReader(nil), -1) })
}

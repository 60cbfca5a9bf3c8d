package adaptivetest_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

// rawUpload sends a request to an upload route without the client's
// validation, so that the server's own checks can be seen; contentType ""
// sends none.
func rawUpload(t *testing.T, srv *adaptivetest.Server, method, path, contentType, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.APIKey)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}

func TestUploadStateMachine(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	sess, err := c.Uploads.Init(ctx, adaptive.UploadInitRequest{ContentType: "text/plain", Metadata: map[string]string{"name": "x"}, TotalPartsCount: 2})
	require.NoError(t, err)
	id := sess.SessionID
	assert.True(t, srv.SessionExists(id))
	assert.Equal(t, []string{id}, srv.UploadSessions())
	ct, md, ok := srv.UploadMetadata(id)
	require.True(t, ok)
	assert.Equal(t, "text/plain", ct)
	assert.JSONEq(t, `{"name":"x"}`, string(md))

	require.NoError(t, c.Uploads.UploadPart(ctx, id, 2, []byte("world")))
	st, err := c.Uploads.Status(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, []int{2}, st.CompletedParts)
	assert.Equal(t, 2, st.TotalPartsCount)
	_, ok = srv.UploadedBytes(id)
	assert.False(t, ok, "an incomplete session has no assembled bytes")

	// A part sent again replaces the first copy.
	require.NoError(t, c.Uploads.UploadPart(ctx, id, 1, []byte("HELLO ")))
	require.NoError(t, c.Uploads.UploadPart(ctx, id, 1, []byte("hello ")))
	st, err = c.Uploads.Status(ctx, id)
	require.NoError(t, err)
	assert.ElementsMatch(t, []int{1, 2}, st.CompletedParts)
	data, ok := srv.UploadedBytes(id)
	require.True(t, ok)
	assert.Equal(t, "hello world", string(data))
	size, ok := srv.UploadedSize(id)
	require.True(t, ok)
	assert.Equal(t, int64(11), size)

	// Out of range part numbers are refused.
	err = c.Uploads.UploadPart(ctx, id, 3, []byte("x"))
	assert.Equal(t, http.StatusBadRequest, statusOf(t, err))

	require.NoError(t, c.Uploads.Abort(ctx, id))
	assert.False(t, srv.SessionExists(id))
	assert.ErrorIs(t, c.Uploads.Abort(ctx, id), adaptive.ErrNotFound)
	_, err = c.Uploads.Status(ctx, id)
	assert.ErrorIs(t, err, adaptive.ErrNotFound)
	assert.ErrorIs(t, c.Uploads.UploadPart(ctx, id, 1, []byte("x")), adaptive.ErrNotFound)
}

func statusOf(t *testing.T, err error) int {
	t.Helper()
	var apiErr *adaptive.APIError
	require.ErrorAs(t, err, &apiErr)
	return apiErr.StatusCode
}

func TestUploadRoutesRefuseBadRequests(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	sess, err := srv.Client().Uploads.Init(context.Background(), adaptive.UploadInitRequest{TotalPartsCount: 1})
	require.NoError(t, err)

	const bin, js = "application/octet-stream", "application/json"
	part := "/api/v1/upload/part?session_id=" + sess.SessionID
	cases := []struct {
		name, method, path, contentType, body string
		want                                  int
	}{
		{"part", "POST", part + "&part_number=1", bin, "x", 200},
		{"part with no content type (taken as octet-stream)", "POST", part + "&part_number=1", "", "x", 200},
		{"part as text", "POST", part + "&part_number=1", "text/plain", "x", 415},
		{"no part number", "POST", part, bin, "x", 400},
		{"no session", "POST", "/api/v1/upload/part?part_number=1", bin, "x", 400},
		{"part 0", "POST", part + "&part_number=0", bin, "x", 400},
		{"part 2 of 1", "POST", part + "&part_number=2", bin, "x", 400},
		{"not a number", "POST", part + "&part_number=one", bin, "x", 400},
		{"beyond int32", "POST", part + "&part_number=2147483648", bin, "x", 400},
		{"two part numbers", "POST", part + "&part_number=1&part_number=1", bin, "x", 400},
		{"empty part", "POST", part + "&part_number=1", bin, "", 400},
		{"unknown session", "POST", "/api/v1/upload/part?part_number=1&session_id=nope", bin, "x", 404},
		{"init", "POST", "/api/v1/upload/init", js, `{"total_parts_count":1,"metadata":{"k":"v"},"content_type":null}`, 200},
		{"init with no content type", "POST", "/api/v1/upload/init", "", `{"total_parts_count":1}`, 415},
		{"init as text", "POST", "/api/v1/upload/init", "text/plain", `{"total_parts_count":1}`, 415},
		{"init without count", "POST", "/api/v1/upload/init", js, `{}`, 422},
		{"init with 0 parts", "POST", "/api/v1/upload/init", js, `{"total_parts_count":0}`, 422},
		{"init with 1.5 parts", "POST", "/api/v1/upload/init", js, `{"total_parts_count":1.5}`, 422},
		{"init with 10001 parts", "POST", "/api/v1/upload/init", js, `{"total_parts_count":10001}`, 400},
		{"init with a number in metadata", "POST", "/api/v1/upload/init", js, `{"total_parts_count":1,"metadata":{"k":1}}`, 422},
		{"status of nothing", "POST", "/api/v1/upload/status", js, `{"session_id":"nope"}`, 404},
		{"status with no content type", "POST", "/api/v1/upload/status", "", `{"session_id":"nope"}`, 415},
		{"status without id", "POST", "/api/v1/upload/status", js, `{}`, 422},
		{"abort of nothing", "DELETE", "/api/v1/upload/abort", js, `{"session_id":"nope"}`, 404},
		{"abort with no content type", "DELETE", "/api/v1/upload/abort", "", `{"session_id":"nope"}`, 415},
		{"abort with no body", "DELETE", "/api/v1/upload/abort", js, ``, 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, rawUpload(t, srv, c.method, c.path, c.contentType, c.body).StatusCode)
		})
	}
}

func TestUploadFaultKnobs(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	noRetry := srv.Client(adaptive.WithMaxRetries(0))
	sess, err := noRetry.Uploads.Init(ctx, adaptive.UploadInitRequest{TotalPartsCount: 2})
	require.NoError(t, err)
	id := sess.SessionID

	srv.FailPart(1, 2, http.StatusServiceUnavailable)
	assert.Equal(t, 503, statusOf(t, noRetry.Uploads.UploadPart(ctx, id, 1, []byte("a"))))
	require.NoError(t, noRetry.Uploads.UploadPart(ctx, id, 2, []byte("b")), "other parts are unaffected")
	assert.Equal(t, 503, statusOf(t, noRetry.Uploads.UploadPart(ctx, id, 1, []byte("a"))))
	require.NoError(t, noRetry.Uploads.UploadPart(ctx, id, 1, []byte("a")), "the failures are used up")

	srv.DropPartMidway(2)
	err = noRetry.Uploads.UploadPart(ctx, id, 2, bytes.Repeat([]byte("z"), 1<<20))
	require.Error(t, err)
	var apiErr *adaptive.APIError
	assert.False(t, errors.As(err, &apiErr), "a dropped connection has no answer")
	data, ok := srv.UploadedBytes(id)
	require.True(t, ok)
	assert.Equal(t, "ab", string(data), "the dropped part did not replace the stored one")

	srv.LosePart(1)
	require.NoError(t, noRetry.Uploads.UploadPart(ctx, id, 1, []byte("a")))
	parts, total, ok := srv.UploadedParts(id)
	require.True(t, ok)
	assert.Equal(t, []int{2}, parts)
	assert.Equal(t, 2, total)
}

func TestDiscardUploadBytesKeepsSizes(t *testing.T) {
	srv := adaptivetest.NewServer(adaptivetest.WithDiscardUploads())
	defer srv.Close()
	data := bytes.Repeat([]byte("0123456789"), 1000)
	res, err := srv.Client().Uploads.Upload(context.Background(), bytes.NewReader(data), &adaptive.UploadOptions{Checksum: adaptive.ChecksumSHA256})
	require.NoError(t, err)
	sum := sha256.Sum256(data)
	assert.Equal(t, sum[:], res.SHA256)
	size, ok := srv.UploadedSize(res.SessionID)
	require.True(t, ok)
	assert.Equal(t, int64(len(data)), size)
	_, ok = srv.UploadedBytes(res.SessionID)
	assert.False(t, ok, "the bytes were discarded")
	srv.DiscardUploadBytes(false)
	res, err = srv.Client().Uploads.Upload(context.Background(), bytes.NewReader(data), nil)
	require.NoError(t, err)
	kept, ok := srv.UploadedBytes(res.SessionID)
	require.True(t, ok)
	assert.Equal(t, data, kept)
	reqs := srv.RequestsTo(adaptivetest.RouteUploadInit)
	require.Len(t, reqs, 2)
	var init map[string]any
	require.NoError(t, json.Unmarshal(reqs[0].Body, &init))
	assert.Equal(t, float64(1), init["total_parts_count"])
}

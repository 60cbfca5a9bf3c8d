package adaptive_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
)

// wireCall is one request seen by a raw upload server.
type wireCall struct {
	method, path, query, contentType, body string
	length                                 int64
}

// rawUploadServer answers init with session "s1", parts with 200 and
// status with statusBody, recording every request.
func rawUploadServer(t *testing.T, statusBody string) (*adaptive.Client, func() []wireCall) {
	t.Helper()
	var mu sync.Mutex
	var calls []wireCall
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		calls = append(calls, wireCall{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type"), string(body), r.ContentLength})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v1/upload/init":
			_, _ = io.WriteString(w, `{"session_id":"s1"}`)
		case "/api/v1/upload/status":
			_, _ = io.WriteString(w, statusBody)
		default:
			_, _ = io.WriteString(w, `{}`)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := adaptive.NewClient(adaptive.WithBaseURL(srv.URL), adaptive.WithAPIKey("k"), adaptive.WithMaxRetries(0))
	require.NoError(t, err)
	return c, func() []wireCall {
		mu.Lock()
		defer mu.Unlock()
		return append([]wireCall(nil), calls...)
	}
}

func TestUploadWire(t *testing.T) {
	c, calls := rawUploadServer(t, `{"session_id":"s1","state":"complete"}`)
	res, err := c.Uploads.Upload(context.Background(), bytes.NewReader([]byte("hello")), &adaptive.UploadOptions{ContentType: "text/plain"})
	require.NoError(t, err, "a status without part information relies on the parts' answers")
	assert.Equal(t, "s1", res.SessionID)
	got := calls()
	require.Len(t, got, 3)
	assert.Equal(t, wireCall{"POST", "/api/v1/upload/init", "", "application/json", `{"content_type":"text/plain","total_parts_count":1}`, 51}, got[0])
	assert.Equal(t, wireCall{"POST", "/api/v1/upload/part", "part_number=1&session_id=s1", "application/octet-stream", "hello", 5}, got[1])
	assert.Equal(t, wireCall{"POST", "/api/v1/upload/status", "", "application/json", `{"session_id":"s1"}`, 19}, got[2])

	require.NoError(t, c.Uploads.Abort(context.Background(), "s/1"))
	got = calls()
	assert.Equal(t, wireCall{"DELETE", "/api/v1/upload/abort", "", "application/json", `{"session_id":"s/1"}`, 20}, got[3])
}

func TestUploadFailsWhenStatusCountsTooFewParts(t *testing.T) {
	c, calls := rawUploadServer(t, `{"uploaded_parts_count": 1}`)
	_, err := c.Uploads.Upload(context.Background(), bytes.NewReader(make([]byte, 6<<20)), nil)
	var ue *adaptive.UploadError
	require.ErrorAs(t, err, &ue)
	assert.Contains(t, err.Error(), "holds 1 of 2 parts")
	assert.True(t, ue.Aborted)
	last := calls()[len(calls())-1]
	assert.Equal(t, "DELETE", last.method)
}

func TestUploadFailsWhenStatusSaysAborted(t *testing.T) {
	c, _ := rawUploadServer(t, `{"status":"expired"}`)
	_, err := c.Uploads.Upload(context.Background(), bytes.NewReader([]byte("x")), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"expired"`)
}

func TestUploadPartAndInitBadInput(t *testing.T) {
	c, calls := rawUploadServer(t, `{}`)
	ctx := context.Background()
	field := func(err error) string {
		var ve *adaptive.ValidationError
		require.ErrorAs(t, err, &ve)
		return ve.Field
	}
	assert.Equal(t, "sessionID", field(c.Uploads.UploadPart(ctx, "", 1, []byte("x"))))
	assert.Equal(t, "partNumber", field(c.Uploads.UploadPart(ctx, "s", 0, []byte("x"))))
	assert.Equal(t, "partNumber", field(c.Uploads.UploadPart(ctx, "s", 10001, []byte("x"))))
	assert.Equal(t, "data", field(c.Uploads.UploadPart(ctx, "s", 1, nil)))
	_, err := c.Uploads.Init(ctx, adaptive.UploadInitRequest{})
	assert.Equal(t, "UploadInitRequest.TotalPartsCount", field(err))
	_, err = c.Uploads.Status(ctx, "")
	assert.Equal(t, "sessionID", field(err))
	assert.Equal(t, "sessionID", field(c.Uploads.Abort(ctx, "")))
	assert.Empty(t, calls())
}

func TestUploadStatusDecodesLikelyShapes(t *testing.T) {
	cases := []struct {
		name string
		body string
		want adaptive.UploadStatus
	}{
		{"fake server", `{"session_id":"s","state":"pending","total_parts_count":3,"received_parts":[3,1],"received_parts_count":2}`,
			adaptive.UploadStatus{SessionID: "s", State: "pending", TotalParts: 3, ReceivedParts: []int{1, 3}, ReceivedCount: 2}},
		{"objects with part numbers", `{"id":"s","status":"in_progress","total_parts":2,"uploaded_parts":[{"part_number":2,"size":5},{"partNumber":1}]}`,
			adaptive.UploadStatus{SessionID: "s", State: "in_progress", TotalParts: 2, ReceivedParts: []int{1, 2}, ReceivedCount: 2}},
		{"count only", `{"uploaded_parts_count":"4","totalPartsCount":9}`,
			adaptive.UploadStatus{TotalParts: 9, ReceivedCount: 4}},
		{"count under a list's name", `{"parts": 7}`,
			adaptive.UploadStatus{ReceivedCount: 7}},
		{"nested", `{"session":{"session_id":"s","received_parts":[]},"extra":true}`,
			adaptive.UploadStatus{SessionID: "s", ReceivedParts: []int{}, ReceivedCount: 0}},
		{"nothing known", `{"ok":true}`,
			adaptive.UploadStatus{ReceivedCount: -1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var st adaptive.UploadStatus
			require.NoError(t, json.Unmarshal([]byte(tc.body), &st))
			assert.JSONEq(t, tc.body, string(st.Raw))
			st.Raw = nil
			assert.Equal(t, tc.want, st)
		})
	}
	var st adaptive.UploadStatus
	assert.Error(t, json.Unmarshal([]byte(`[1]`), &st), "not an object")
}

func TestResumeSendsEveryPartWhenStatusListsNone(t *testing.T) {
	c, calls := rawUploadServer(t, `{"state":"pending"}`)
	data := make([]byte, 6<<20)
	res, err := c.Uploads.Resume(context.Background(), "s9", bytes.NewReader(data), int64(len(data)), nil)
	require.NoError(t, err)
	assert.Equal(t, 2, res.Parts)
	var parts []string
	for _, call := range calls() {
		if call.path == "/api/v1/upload/part" {
			parts = append(parts, call.query)
		}
	}
	assert.ElementsMatch(t, []string{"part_number=1&session_id=s9", "part_number=2&session_id=s9"}, parts)
}

func TestResumeOfADeadSessionFails(t *testing.T) {
	c, calls := rawUploadServer(t, `{"state":"aborted"}`)
	_, err := c.Uploads.Resume(context.Background(), "s9", bytes.NewReader([]byte("x")), 1, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"aborted"`)
	assert.Len(t, calls(), 1, "nothing is sent after the status")
}

func TestResumeOfACompleteCountSendsNothing(t *testing.T) {
	c, calls := rawUploadServer(t, `{"received_parts_count":2}`)
	data := make([]byte, 6<<20)
	res, err := c.Uploads.Resume(context.Background(), "s9", bytes.NewReader(data), int64(len(data)), nil)
	require.NoError(t, err)
	assert.Equal(t, sha256.Sum256(data), res.SHA256)
	for _, call := range calls() {
		assert.Equal(t, "/api/v1/upload/status", call.path)
	}
}

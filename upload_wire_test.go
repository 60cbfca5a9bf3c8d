package adaptive_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
	c, calls := rawUploadServer(t, `{"completed_parts":[1],"total_parts_count":1,"state":"complete"}`)
	res, err := c.Uploads.Upload(context.Background(), bytes.NewReader([]byte("hello")), &adaptive.UploadOptions{ContentType: "text/plain",
		Metadata: map[string]string{"name": "greetings"}})
	require.NoError(t, err, "unknown status fields are ignored")
	assert.Equal(t, "s1", res.SessionID)
	got := calls()
	require.Len(t, got, 3)
	assert.Equal(t, wireCall{"POST", "/api/v1/upload/init", "", "application/json", `{"content_type":"text/plain","metadata":{"name":"greetings"},"total_parts_count":1}`, 83}, got[0])
	assert.Equal(t, wireCall{"POST", "/api/v1/upload/part", "part_number=1&session_id=s1", "application/octet-stream", "hello", 5}, got[1])
	assert.Equal(t, wireCall{"POST", "/api/v1/upload/status", "", "application/json", `{"session_id":"s1"}`, 19}, got[2])

	require.NoError(t, c.Uploads.Abort(context.Background(), "s/1"))
	got = calls()
	assert.Equal(t, wireCall{"DELETE", "/api/v1/upload/abort", "", "application/json", `{"session_id":"s/1"}`, 20}, got[3])
}

func TestUploadFailsWhenStatusListsTooFewParts(t *testing.T) {
	c, calls := rawUploadServer(t, `{"completed_parts":[1],"total_parts_count":2}`)
	_, err := c.Uploads.Upload(context.Background(), bytes.NewReader(make([]byte, 6<<20)), nil)
	var ue *adaptive.UploadError
	require.ErrorAs(t, err, &ue)
	assert.Contains(t, err.Error(), "lacks parts [2] of 2")
	assert.False(t, ue.Aborted, "every part was acknowledged: the session is kept")
	for _, call := range calls() {
		assert.NotEqual(t, "DELETE", call.method)
	}
}

// A status answer cut after the last part is retried; when it keeps
// failing, the complete upload is kept, never aborted.
func TestUploadKeepsACompleteSessionWhenItsStatusFails(t *testing.T) {
	var statuses atomic.Int32
	var aborts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		switch r.URL.Path {
		case "/api/v1/upload/init":
			_, _ = io.WriteString(w, `{"session_id":"s1"}`)
		case "/api/v1/upload/status":
			statuses.Add(1)
			w.Header().Set("Content-Length", "100")
			_, _ = io.WriteString(w, `{"completed_parts":[1],`) // and the connection ends
		case "/api/v1/upload/abort":
			aborts.Add(1)
		}
	}))
	defer srv.Close()
	c, err := adaptive.NewClient(adaptive.WithBaseURL(srv.URL), adaptive.WithAPIKey("k"), adaptive.WithRetryWait(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	_, err = c.Uploads.Upload(context.Background(), bytes.NewReader([]byte("x")), nil)
	var ue *adaptive.UploadError
	require.ErrorAs(t, err, &ue)
	assert.False(t, ue.Aborted)
	assert.Contains(t, err.Error(), "every part was acknowledged, so the session is kept: checking the session's status")
	assert.Contains(t, err.Error(), "(session kept for Resume)")
	assert.Equal(t, int32(3), statuses.Load(), "the status call is retried (2 retries by default)")
	assert.Zero(t, aborts.Load())
}

func TestUploadFailsOnAStatusWithoutItsRequiredFields(t *testing.T) {
	for _, tc := range []struct{ status, want string }{
		{`{}`, "completed_parts"},
		{`null`, "null"},
		{`{"completed_parts":null,"total_parts_count":1}`, "completed_parts"},
		{`{"completed_parts":[1]}`, "total_parts_count"},
		{`{"completed_parts":[1],"total_parts_count":null}`, "total_parts_count"},
		{`{"completed_parts":["1"],"total_parts_count":1}`, "number"},
		{`{"completed_parts":[1],"total_parts_count":3}`, "expects 3 parts, not 1"},
	} {
		c, _ := rawUploadServer(t, tc.status)
		_, err := c.Uploads.Upload(context.Background(), bytes.NewReader([]byte("x")), nil)
		require.Error(t, err, tc.status)
		assert.Contains(t, err.Error(), tc.want, tc.status)
	}
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
	if strconv.IntSize > 32 {
		big := int64(math.MaxInt32) + 1
		assert.Equal(t, "partNumber", field(c.Uploads.UploadPart(ctx, "s", int(big), []byte("x"))))
	}
	assert.Equal(t, "data", field(c.Uploads.UploadPart(ctx, "s", 1, nil)))
	_, err := c.Uploads.Init(ctx, adaptive.UploadInitRequest{})
	assert.Equal(t, "UploadInitRequest.TotalPartsCount", field(err))
	if strconv.IntSize > 32 {
		big := int64(math.MaxInt32) + 1
		_, err = c.Uploads.Init(ctx, adaptive.UploadInitRequest{TotalPartsCount: int(big)})
		assert.Equal(t, "UploadInitRequest.TotalPartsCount", field(err))
	}
	_, err = c.Uploads.Status(ctx, "")
	assert.Equal(t, "sessionID", field(err))
	assert.Equal(t, "sessionID", field(c.Uploads.Abort(ctx, "")))
	assert.Empty(t, calls())
}

func TestUploadSendsWhatTheSchemaAllows(t *testing.T) {
	// Part numbers and counts above the vendor clients' 10,000 are the
	// server's to refuse: the schema sets no maximum.
	c, calls := rawUploadServer(t, `{}`)
	ctx := context.Background()
	require.NoError(t, c.Uploads.UploadPart(ctx, "s", 10001, []byte("x")))
	sess, err := c.Uploads.Init(ctx, adaptive.UploadInitRequest{TotalPartsCount: 10001})
	require.NoError(t, err)
	assert.Equal(t, "s1", sess.SessionID)
	got := calls()
	require.Len(t, got, 2)
	assert.Equal(t, "part_number=10001&session_id=s", got[0].query)
	assert.JSONEq(t, `{"total_parts_count":10001}`, got[1].body)
}

func TestUploadInitAnswerNeedsASessionID(t *testing.T) {
	for _, answer := range []string{`{}`, `{"session_id":null}`, `{"session_id":1}`} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, answer)
		}))
		c, err := adaptive.NewClient(adaptive.WithBaseURL(srv.URL), adaptive.WithAPIKey("k"), adaptive.WithMaxRetries(0))
		require.NoError(t, err)
		sess, err := c.Uploads.Init(context.Background(), adaptive.UploadInitRequest{TotalPartsCount: 1})
		assert.Nil(t, sess, answer)
		require.Error(t, err, answer)
		assert.Contains(t, err.Error(), "session_id", answer)
		srv.Close()
	}
}

func TestUploadStatusDecodesTheContract(t *testing.T) {
	var st adaptive.UploadStatus
	require.NoError(t, json.Unmarshal([]byte(`{"completed_parts":[3,1],"total_parts_count":3,"state":"pending","x":{"y":[1]}}`), &st))
	assert.Equal(t, adaptive.UploadStatus{CompletedParts: []int{3, 1}, TotalPartsCount: 3}, st, "as sent, unknown fields ignored")

	require.NoError(t, json.Unmarshal([]byte(`{"completed_parts":[],"total_parts_count":0}`), &st))
	assert.Equal(t, adaptive.UploadStatus{CompletedParts: []int{}, TotalPartsCount: 0}, st)

	for _, body := range []string{`[1]`, `{"completed_parts":[1.5],"total_parts_count":2}`, `{"completed_parts":[1],"total_parts_count":"2"}`} {
		assert.Error(t, json.Unmarshal([]byte(body), &st), body)
	}
}

// checkpointOf describes an upload of data to the raw server of c in 5 MiB
// parts, acknowledged up to part acked.
func checkpointOf(t *testing.T, c *adaptive.Client, id string, data []byte, acked int) adaptive.UploadCheckpoint {
	cp := adaptive.UploadCheckpoint{
		Version: adaptive.CheckpointVersion, SessionID: id, Instance: origin(t, c.BaseURL()),
		Size: int64(len(data)), PartSize: 5 << 20, Parts: (len(data) + 5<<20 - 1) / (5 << 20),
	}
	for i, crc := range partCRCs(data, 5<<20)[:acked] {
		cp.Acked = append(cp.Acked, adaptive.CheckpointPart{Part: i + 1, CRC32C: crc})
	}
	return cp
}

func TestResumeSendsEveryPartWhenStatusListsNone(t *testing.T) {
	c, calls := rawUploadServer(t, `{"completed_parts":[],"total_parts_count":2}`)
	data := make([]byte, 6<<20)
	res, err := c.Uploads.Resume(context.Background(), checkpointOf(t, c, "s9", data, 1), bytes.NewReader(data), nil)
	require.Error(t, err, "the status still lists no part after they were sent")
	assert.Nil(t, res)
	var parts []string
	for _, call := range calls() {
		if call.path == "/api/v1/upload/part" {
			parts = append(parts, call.query)
		}
	}
	assert.ElementsMatch(t, []string{"part_number=1&session_id=s9", "part_number=2&session_id=s9",
		"part_number=1&session_id=s9", "part_number=2&session_id=s9"}, parts,
		"sent (part 1 too: the checkpoint lists it, the server does not), then sent once more after the check")
}

func TestResumeWithAnotherPartCountFails(t *testing.T) {
	c, calls := rawUploadServer(t, `{"completed_parts":[],"total_parts_count":3}`)
	_, err := c.Uploads.Resume(context.Background(), checkpointOf(t, c, "s9", []byte("x"), 0), bytes.NewReader([]byte("x")), nil)
	var ve *adaptive.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "UploadCheckpoint.SessionID", ve.Field)
	assert.Len(t, calls(), 1, "nothing is sent after the status")
}

func TestResumeOfACompleteSessionSendsNothing(t *testing.T) {
	c, calls := rawUploadServer(t, `{"completed_parts":[2,1],"total_parts_count":2}`)
	data := make([]byte, 6<<20)
	res, err := c.Uploads.Resume(context.Background(), checkpointOf(t, c, "s9", data, 2), bytes.NewReader(data), &adaptive.UploadOptions{Checksum: adaptive.ChecksumSHA256})
	require.NoError(t, err)
	sum := sha256.Sum256(data)
	assert.Equal(t, sum[:], res.SHA256)
	assert.Equal(t, partCRCs(data, 5<<20), res.PartCRC32C)
	for _, call := range calls() {
		assert.Equal(t, "/api/v1/upload/status", call.path)
	}
}

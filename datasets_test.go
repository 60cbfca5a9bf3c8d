package adaptive_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

// download returns the bytes of dataset idOrKey of the default project.
func download(t *testing.T, c *adaptive.Client, idOrKey string) []byte {
	t.Helper()
	d, err := c.Datasets.Download(context.Background(), "", idOrKey, nil)
	require.NoError(t, err)
	defer d.Close()
	got, err := io.ReadAll(d)
	require.NoError(t, err)
	return got
}

func TestDatasetUploadThroughAPipeDownloadsBackExactly(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	data := uploadData(30 * mib)
	pr, pw := io.Pipe()
	go func() {
		// In odd pieces, as a real producer writes.
		for off := 0; off < len(data); off += 300_001 {
			if _, err := pw.Write(data[off:min(off+300_001, len(data))]); err != nil {
				return
			}
		}
		_ = pw.Close()
	}()
	var phases []adaptive.UploadPhase
	d, err := c.Datasets.Upload(context.Background(), pr, adaptive.DatasetUploadRequest{Key: "support-chats", Name: "Support chats"}, &adaptive.UploadOptions{
		Progress: func(p adaptive.UploadProgress) {
			if len(phases) == 0 || phases[len(phases)-1] != p.Phase {
				phases = append(phases, p.Phase)
			}
		},
	})
	require.NoError(t, err)
	assert.Equal(t, "support-chats", d.Key)
	assert.Equal(t, "Support chats", d.Name)
	assert.Equal(t, srv.Project, d.Project)
	assert.Equal(t, adaptive.DatasetStatusPending, d.Status, "the fake processes it over one poll")
	assert.Equal(t, 6, d.Upload.Parts)
	assert.Equal(t, partCRCs(data, 5*mib), d.Upload.PartCRC32C)
	assert.Nil(t, d.Upload.SHA256)
	assert.Equal(t, adaptive.UploadPhaseDone, phases[len(phases)-1])
	assert.Contains(t, phases, adaptive.UploadPhaseCreating)
	assert.False(t, srv.SessionExists(d.Upload.SessionID), "the session became the dataset")

	d, err = c.Datasets.Wait(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, adaptive.DatasetStatusDone, d.Status)
	assert.Equal(t, 6, d.ProcessedParts)

	assert.True(t, bytes.Equal(data, download(t, c, d.Key)), "by key")
	assert.True(t, bytes.Equal(data, download(t, c, d.ID)), "by id")
	got, err := c.Datasets.Get(context.Background(), "", "support-chats")
	require.NoError(t, err)
	assert.Equal(t, &adaptive.Dataset{ID: d.ID, Key: "support-chats", Name: "Support chats", Project: srv.Project, Status: adaptive.DatasetStatusReady, Progress: 1, TotalParts: 6, ProcessedParts: 6}, got)
}

func TestDatasetUploadChoosesTheRouteBySize(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	for _, tc := range []struct {
		name    string
		size    int
		chunked bool
		open    func([]byte) io.Reader
	}{
		{"tiny", 10, false, func(b []byte) io.Reader { return bytes.NewReader(b) }},
		{"5 MiB exactly, of unknown size", 5 * mib, false, func(b []byte) io.Reader { return plainReader{bytes.NewReader(b)} }},
		{"5 MiB exactly, sized stream", 5 * mib, false, func(b []byte) io.Reader { return bytes.NewBuffer(b) }},
		{"one byte more", 5*mib + 1, true, func(b []byte) io.Reader { return bytes.NewReader(b) }},
		{"one byte more, of unknown size", 5*mib + 1, true, func(b []byte) io.Reader { return plainReader{bytes.NewReader(b)} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.ResetRequests()
			data := uploadData(tc.size)
			key := "size-" + time.Now().Format("150405.000000000")
			d, err := c.Datasets.Upload(context.Background(), tc.open(bytes.Clone(data)), adaptive.DatasetUploadRequest{Key: key}, &adaptive.UploadOptions{Checksum: adaptive.ChecksumSHA256})
			require.NoError(t, err)
			assert.Equal(t, tc.chunked, len(srv.RequestsTo(adaptivetest.RouteUploadInit)) == 1)
			assert.Equal(t, tc.chunked, d.Upload.SessionID != "")
			assert.Len(t, d.Upload.SHA256, 32)
			assert.True(t, bytes.Equal(data, download(t, c, key)))
		})
	}
}

func TestDatasetUploadRefusesBadInputBeforeSendingAnyByte(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()
	data := []byte("{}\n")
	for _, tc := range []struct {
		name  string
		c     *adaptive.Client
		r     io.Reader
		req   adaptive.DatasetUploadRequest
		opts  *adaptive.UploadOptions
		field string
	}{
		{"nil reader", c, nil, adaptive.DatasetUploadRequest{Key: "k"}, nil, "r"},
		{"no key", c, bytes.NewReader(data), adaptive.DatasetUploadRequest{}, nil, "DatasetUploadRequest.Key"},
		{"a key with a space", c, bytes.NewReader(data), adaptive.DatasetUploadRequest{Key: "my data"}, nil, "DatasetUploadRequest.Key"},
		{"a key with a newline", c, bytes.NewReader(data), adaptive.DatasetUploadRequest{Key: "k\n"}, nil, "DatasetUploadRequest.Key"},
		{"a key that reads as an id", c, bytes.NewReader(data), adaptive.DatasetUploadRequest{Key: "0b6b8d34-6a9e-4a47-9c3c-6f0f1c2d3e4f"}, nil, "DatasetUploadRequest.Key"},
		{"a dot key", c, bytes.NewReader(data), adaptive.DatasetUploadRequest{Key: ".."}, nil, "DatasetUploadRequest.Key"},
		{"a name with a control character", c, bytes.NewReader(data), adaptive.DatasetUploadRequest{Key: "k", Name: "a\x00b"}, nil, "DatasetUploadRequest.Name"},
		{"no project", srv.Client(adaptive.WithProject("")), bytes.NewReader(data), adaptive.DatasetUploadRequest{Key: "k"}, nil, "DatasetUploadRequest.Project"},
		{"bad options", c, bytes.NewReader(data), adaptive.DatasetUploadRequest{Key: "k"}, &adaptive.UploadOptions{Concurrency: -1}, "UploadOptions.Concurrency"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.c.Datasets.Upload(ctx, tc.r, tc.req, tc.opts)
			var ve *adaptive.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field, "%v", err)
		})
	}
	assert.Empty(t, srv.Requests(), "nothing is sent")

	// An empty source is found by reading it, after the key's look-up.
	_, err := c.Datasets.Upload(ctx, plainReader{bytes.NewReader(nil)}, adaptive.DatasetUploadRequest{Key: "k"}, nil)
	var ve *adaptive.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "r", ve.Field)

	// A taken key is refused before any byte of the data leaves.
	_, err = c.Datasets.Upload(ctx, bytes.NewReader(data), adaptive.DatasetUploadRequest{Key: "taken"}, nil)
	require.NoError(t, err)
	srv.ResetRequests()
	_, err = c.Datasets.Upload(ctx, bytes.NewReader(uploadData(6*mib)), adaptive.DatasetUploadRequest{Key: "taken"}, nil)
	assert.ErrorIs(t, err, adaptive.ErrDatasetExists)
	assert.ErrorContains(t, err, `dataset key "taken" is taken in project "demo", by dataset `)
	assert.Len(t, srv.Requests(), 1, "only the look-up")
	assert.Empty(t, srv.RequestsTo(adaptivetest.RouteUploadInit))
}

func TestDatasetUploadSurvivesALostCreationAnswer(t *testing.T) {
	for _, status := range []int{0, 504} {
		srv := adaptivetest.NewServer()
		srv.LoseGraphQLAnswer("createDatasetFromMultipartUpload", 1, status)
		c := srv.Client()
		data := uploadData(6 * mib)
		d, err := c.Datasets.Upload(context.Background(), bytes.NewReader(data), adaptive.DatasetUploadRequest{Key: "k"}, nil)
		require.NoError(t, err, "status %d", status)
		assert.Equal(t, "k", d.Key)
		assert.Equal(t, 1, srv.DatasetCount(srv.Project), "created once")
		assert.True(t, bytes.Equal(data, download(t, c, "k")))
		srv.Close()
	}
}

func TestDatasetResumeCreatesTheDatasetFromTheCheckpoint(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	data := uploadData(16*mib + 5)
	srv.FailPart(3, 1, 400)
	var cp adaptive.UploadCheckpoint
	req := adaptive.DatasetUploadRequest{Key: "resumed"}
	_, err := c.Datasets.Upload(context.Background(), bytes.NewReader(data), req, &adaptive.UploadOptions{
		Concurrency: 1, KeepOnError: true, OnCheckpoint: func(c adaptive.UploadCheckpoint) { cp = c },
	})
	var ue *adaptive.UploadError
	require.ErrorAs(t, err, &ue)
	assert.False(t, ue.Aborted)
	assert.Equal(t, 2, cp.Acknowledged())

	srv.ResetRequests()
	d, err := c.Datasets.Resume(context.Background(), cp, bytes.NewReader(data), req, nil)
	require.NoError(t, err)
	assert.Len(t, srv.RequestsTo(adaptivetest.RouteUploadPart), 2, "parts 3 and 4")
	assert.Equal(t, cp.SessionID, d.Upload.SessionID)
	assert.True(t, bytes.Equal(data, download(t, c, "resumed")))

	// Resuming once more: the key is taken now, and the session is gone.
	_, err = c.Datasets.Resume(context.Background(), cp, bytes.NewReader(data), req, nil)
	assert.ErrorIs(t, err, adaptive.ErrDatasetExists)
	assert.ErrorContains(t, err, "if the upload being resumed created it")
}

func TestDatasetWaitPollsUntilDoneOrFailed(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	srv.SetDatasetProcessing(3)
	d, err := c.Datasets.Upload(context.Background(), bytes.NewReader(uploadData(11*mib)), adaptive.DatasetUploadRequest{Key: "slow"}, nil)
	require.NoError(t, err)
	assert.Equal(t, adaptive.DatasetStatusPending, d.Status)
	srv.ResetRequests()
	start := time.Now()
	done, err := c.Datasets.Wait(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, adaptive.DatasetStatusDone, done.Status)
	assert.Equal(t, 3, done.ProcessedParts)
	assert.Equal(t, adaptive.DatasetStatusPending, d.Status, "the dataset given is not changed")
	assert.Len(t, srv.RequestsTo(adaptivetest.RouteGraphQL), 3, "three polls")
	assert.GreaterOrEqual(t, time.Since(start), 2*time.Millisecond, "with waits between them")

	again, err := c.Datasets.Wait(context.Background(), done)
	require.NoError(t, err)
	assert.Equal(t, done, again)
	assert.Len(t, srv.RequestsTo(adaptivetest.RouteGraphQL), 3, "a finished dataset needs no poll")

	srv.FailDatasetProcessing("broken", "line 7: not JSON")
	d, err = c.Datasets.Upload(context.Background(), bytes.NewReader(uploadData(6*mib)), adaptive.DatasetUploadRequest{Key: "broken"}, nil)
	require.NoError(t, err)
	failed, err := c.Datasets.Wait(context.Background(), d)
	assert.ErrorIs(t, err, adaptive.ErrDatasetFailed)
	assert.ErrorContains(t, err, "line 7: not JSON")
	assert.Equal(t, adaptive.DatasetStatusError, failed.Status)
	assert.Equal(t, "line 7: not JSON", failed.Error)

	// A processing that never ends ends with the context.
	srv.SetDatasetProcessing(1000)
	d, err = c.Datasets.Upload(context.Background(), bytes.NewReader(uploadData(6*mib)), adaptive.DatasetUploadRequest{Key: "endless"}, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	last, err := c.Datasets.Wait(ctx, d)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, adaptive.DatasetStatusPending, last.Status)

	var ve *adaptive.ValidationError
	_, err = c.Datasets.Wait(context.Background(), nil)
	require.ErrorAs(t, err, &ve)
	_, err = c.Datasets.Wait(context.Background(), &adaptive.Dataset{ID: "k"})
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "Dataset.ID", ve.Field)
}

func TestDatasetGet(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	_, err := c.Datasets.Get(context.Background(), "", "nope")
	assert.ErrorIs(t, err, adaptive.ErrNotFound)
	assert.ErrorContains(t, err, `dataset "nope" of project "demo"`)
	var ve *adaptive.ValidationError
	_, err = c.Datasets.Get(context.Background(), "", "")
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "idOrKey", ve.Field)
	_, err = srv.Client(adaptive.WithProject("")).Datasets.Get(context.Background(), "", "x")
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "project", ve.Field)
}

// Per-call options reach every request of an upload and of a dataset
// upload, as they do for every other call.
func TestUploadsTakePerCallOptions(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	data := uploadData(6 * mib)
	headers := func() []string {
		var out []string
		for _, r := range srv.Requests() {
			out = append(out, r.Header.Get("X-Trace"))
		}
		return slices.Compact(out)
	}

	res, err := c.Uploads.Upload(context.Background(), bytes.NewReader(data), nil, adaptive.WithHeader("X-Trace", "t1"))
	require.NoError(t, err)
	assert.Equal(t, []string{"t1"}, headers())

	srv.ResetRequests()
	d, err := c.Datasets.Upload(context.Background(), bytes.NewReader(data), adaptive.DatasetUploadRequest{Key: "elsewhere"}, nil,
		adaptive.WithProject("other"), adaptive.WithHeader("X-Trace", "t2"))
	require.NoError(t, err)
	assert.Equal(t, "other", d.Project)
	assert.Equal(t, []string{"t2"}, headers())
	_, err = c.Datasets.Get(context.Background(), "other", "elsewhere")
	require.NoError(t, err)

	// WithMaxRetries(0) for one upload: a 503 on a part is not retried.
	srv.FailPart(1, 1, 503)
	_, err = c.Uploads.Upload(context.Background(), bytes.NewReader(data), nil, adaptive.WithMaxRetries(0))
	assert.ErrorIs(t, err, adaptive.ErrServer)

	// WithTimeout for a Resume: the status answer comes too late.
	cp := keptUpload(t, srv, uploadData(16*mib+5))
	srv.SetLatency(adaptivetest.RouteUploadStatus, 300*time.Millisecond)
	_, err = c.Uploads.Resume(context.Background(), cp, bytes.NewReader(uploadData(16*mib+5)), nil, adaptive.WithTimeout(50*time.Millisecond), adaptive.WithMaxRetries(0))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	srv.ClearFaults()
	_, err = c.Datasets.Resume(context.Background(), cp, bytes.NewReader(uploadData(16*mib+5)), adaptive.DatasetUploadRequest{Key: "resumed-elsewhere"}, nil, adaptive.WithProject("other"))
	require.NoError(t, err)
	_, err = c.Datasets.Get(context.Background(), "other", "resumed-elsewhere")
	require.NoError(t, err)

	// WithCallInfo describes the whole upload.
	var info adaptive.CallInfo
	_, err = c.Uploads.Upload(context.Background(), bytes.NewReader(res.SHA256), &adaptive.UploadOptions{Size: 0}, adaptive.WithCallInfo(&info))
	assert.Error(t, err, "an empty source")
	_, err = c.Uploads.Upload(context.Background(), bytes.NewReader(data), nil, adaptive.WithCallInfo(&info))
	require.NoError(t, err)
	assert.Positive(t, info.Duration)
}

func TestDatasetUploadIsObserved(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	var mu sync.Mutex
	var calls []string
	var ends []*adaptive.CallEnd
	hook := func(ctx context.Context, s *adaptive.CallStart) (context.Context, func(*adaptive.CallEnd)) {
		mu.Lock()
		calls = append(calls, s.Call)
		mu.Unlock()
		return ctx, func(e *adaptive.CallEnd) {
			mu.Lock()
			ends = append(ends, e)
			mu.Unlock()
		}
	}
	c := srv.Client(adaptive.WithHook(hook))
	_, err := c.Datasets.Upload(context.Background(), bytes.NewReader(uploadData(6*mib)), adaptive.DatasetUploadRequest{Key: "seen"}, nil)
	require.NoError(t, err)
	assert.Equal(t, "Datasets.Upload", calls[0])
	assert.Contains(t, calls, "Client.GraphQL")
	assert.Contains(t, calls, "Uploads.UploadPart")
	last := ends[len(ends)-1]
	d, ok := last.Response.(*adaptive.Dataset)
	require.True(t, ok, "the dataset upload ends last, with its dataset")
	assert.Equal(t, "seen", d.Key)

	calls, ends = nil, nil
	err = c.GraphQL(context.Background(), `{ datasets(project: "demo") { id } }`, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"Client.GraphQL"}, calls)
	assert.NoError(t, ends[0].Err)
	assert.Equal(t, http.StatusOK, ends[0].Info.StatusCode)
	err = c.GraphQL(context.Background(), `{ nope }`, nil, nil)
	var gerr *adaptive.GraphQLError
	require.ErrorAs(t, err, &gerr)
	assert.True(t, errors.As(ends[1].Err, &gerr), "hooks see the GraphQL error")
}

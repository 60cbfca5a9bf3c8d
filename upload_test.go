package adaptive_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

const mib = 1 << 20

// partCRCs returns the CRC-32C of each part of data.
func partCRCs(data []byte, partSize int) []uint32 {
	var out []uint32
	for off := 0; off < len(data); off += partSize {
		out = append(out, crc32.Checksum(data[off:min(off+partSize, len(data))], crc32.MakeTable(crc32.Castagnoli)))
	}
	return out
}

// uploadData returns n reproducible pseudo-random bytes.
func uploadData(n int) []byte {
	var seed [32]byte
	seed[0], seed[1], seed[2] = byte(n), byte(n>>8), byte(n>>16)
	b := make([]byte, n)
	_, _ = rand.NewChaCha8(seed).Read(b)
	return b
}

// plainReader hides every method of its reader but Read, as a pipe or a
// gzip stream would.
type plainReader struct{ r io.Reader }

func (p plainReader) Read(b []byte) (int, error) { return p.r.Read(b) }

// statReader is a reader whose size only Stat tells.
type statReader struct {
	r  io.Reader
	fi fs.FileInfo
}

func (s statReader) Read(b []byte) (int, error) { return s.r.Read(b) }
func (s statReader) Stat() (fs.FileInfo, error) { return s.fi, nil }

// sourceKinds builds the kinds of readers Upload meets, each with the
// options it needs.
var sourceKinds = []struct {
	name string
	open func(t *testing.T, data []byte) (io.Reader, *adaptive.UploadOptions)
}{
	{"bytes.Reader", func(t *testing.T, data []byte) (io.Reader, *adaptive.UploadOptions) {
		return bytes.NewReader(data), &adaptive.UploadOptions{}
	}},
	{"file", func(t *testing.T, data []byte) (io.Reader, *adaptive.UploadOptions) {
		path := filepath.Join(t.TempDir(), "data")
		require.NoError(t, os.WriteFile(path, data, 0o600))
		f, err := os.Open(path)
		require.NoError(t, err)
		t.Cleanup(func() { f.Close() })
		return f, &adaptive.UploadOptions{}
	}},
	{"bytes.Buffer (Len)", func(t *testing.T, data []byte) (io.Reader, *adaptive.UploadOptions) {
		return bytes.NewBuffer(append([]byte(nil), data...)), &adaptive.UploadOptions{}
	}},
	{"seeker only", func(t *testing.T, data []byte) (io.Reader, *adaptive.UploadOptions) {
		return struct{ io.ReadSeeker }{bytes.NewReader(data)}, &adaptive.UploadOptions{}
	}},
	{"Stat only", func(t *testing.T, data []byte) (io.Reader, *adaptive.UploadOptions) {
		path := filepath.Join(t.TempDir(), "data")
		require.NoError(t, os.WriteFile(path, data, 0o600))
		fi, err := os.Stat(path)
		require.NoError(t, err)
		return statReader{bytes.NewReader(data), fi}, &adaptive.UploadOptions{}
	}},
	{"plain reader with Size", func(t *testing.T, data []byte) (io.Reader, *adaptive.UploadOptions) {
		return plainReader{bytes.NewReader(data)}, &adaptive.UploadOptions{Size: int64(len(data))}
	}},
	{"plain reader of unknown size", func(t *testing.T, data []byte) (io.Reader, *adaptive.UploadOptions) {
		return plainReader{bytes.NewReader(data)}, &adaptive.UploadOptions{}
	}},
}

func TestUploadReassemblesExactly(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	sizes := []struct {
		name  string
		size  int
		parts int
	}{
		{"1 byte", 1, 1},
		{"exactly one part", 5 * mib, 1},
		{"one part and one byte", 5*mib + 1, 2},
		{"many parts", 10*mib + 123, 3},
	}
	for _, kind := range sourceKinds {
		for _, sz := range sizes {
			t.Run(kind.name+"/"+sz.name, func(t *testing.T) {
				data := uploadData(sz.size)
				r, opts := kind.open(t, data)
				res, err := c.Uploads.Upload(context.Background(), r, opts)
				require.NoError(t, err)
				assert.Nil(t, res.SHA256, "no SHA-256 unless asked")
				assert.Equal(t, partCRCs(data, 5*mib), res.PartCRC32C)
				assert.Equal(t, sz.parts, res.Parts)
				assert.Equal(t, int64(sz.size), res.Bytes)
				got, ok := srv.UploadedBytes(res.SessionID)
				require.True(t, ok, "the server holds every part")
				assert.True(t, bytes.Equal(data, got), "byte-exact reassembly")
			})
		}
	}
}

func TestUploadRefusesEmptyInput(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	for _, kind := range sourceKinds {
		t.Run(kind.name, func(t *testing.T) {
			r, opts := kind.open(t, nil)
			opts.Size = 0
			_, err := c.Uploads.Upload(context.Background(), r, opts)
			var ve *adaptive.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "r", ve.Field)
		})
	}
	assert.Empty(t, srv.Requests(), "nothing is sent")
}

func TestUploadBadInput(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	data := []byte("data")
	cases := []struct {
		name  string
		r     io.Reader
		opts  *adaptive.UploadOptions
		field string
	}{
		{"nil reader", nil, nil, "r"},
		{"negative concurrency", bytes.NewReader(data), &adaptive.UploadOptions{Concurrency: -1}, "UploadOptions.Concurrency"},
		{"part size too small", bytes.NewReader(data), &adaptive.UploadOptions{PartSize: 5*mib - 1}, "UploadOptions.PartSize"},
		{"part size too large", bytes.NewReader(data), &adaptive.UploadOptions{PartSize: 100*mib + 1}, "UploadOptions.PartSize"},
		{"negative size", plainReader{bytes.NewReader(data)}, &adaptive.UploadOptions{Size: -1}, "UploadOptions.Size"},
		{"size unlike the reader's", bytes.NewReader(data), &adaptive.UploadOptions{Size: 5}, "UploadOptions.Size"},
		{"more than 10,000 parts even at 100 MiB", plainReader{bytes.NewReader(data)}, &adaptive.UploadOptions{Size: 10000*100*mib + 1}, "UploadOptions.Size"},
		{"more than 10,000 parts of the given size", plainReader{bytes.NewReader(data)}, &adaptive.UploadOptions{Size: 10000*5*mib + 1, PartSize: 5 * mib}, "UploadOptions.PartSize"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Uploads.Upload(context.Background(), tc.r, tc.opts)
			var ve *adaptive.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field, "%v", err)
		})
	}
	assert.Empty(t, srv.Requests(), "nothing is sent")
}

func TestUploadSendsOptionsAndCallsOnSessionFirst(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	var seen string
	var partsBefore int
	res, err := srv.Client().Uploads.Upload(context.Background(), bytes.NewReader([]byte(`{"a":1}`+"\n")), &adaptive.UploadOptions{
		Metadata: map[string]string{"dataset": "train"},
		OnSession: func(id string) {
			seen = id
			partsBefore = len(srv.RequestsTo(adaptivetest.RouteUploadPart))
		},
	})
	require.NoError(t, err)
	assert.Equal(t, res.SessionID, seen)
	assert.Zero(t, partsBefore, "OnSession runs before any part is sent")
	ct, md, ok := srv.UploadMetadata(res.SessionID)
	require.True(t, ok)
	assert.Equal(t, "application/jsonl", ct, "the default content type")
	assert.JSONEq(t, `{"dataset":"train"}`, string(md))
	parts := srv.RequestsTo(adaptivetest.RouteUploadPart)
	require.Len(t, parts, 1)
	assert.Equal(t, "application/octet-stream", parts[0].Header.Get("Content-Type"))
	assert.Equal(t, "1", parts[0].Query.Get("part_number"))
	assert.Equal(t, res.SessionID, parts[0].Query.Get("session_id"))
	assert.Equal(t, int64(8), parts[0].BodySize, "parts carry a Content-Length")
	assert.Len(t, srv.RequestsTo(adaptivetest.RouteUploadStatus), 1, "the upload is verified")
}

func TestUploadRetriesAFailingPart(t *testing.T) {
	for _, kind := range sourceKinds {
		if strings.Contains(kind.name, "unknown") || strings.Contains(kind.name, "only") {
			continue // the same paths as files and readers with Size
		}
		t.Run(kind.name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			srv := adaptivetest.NewServer()
			defer srv.Close()
			data := uploadData(11 * mib)
			srv.FailPart(2, 2, 503)
			srv.DropPartMidway(3)
			r, opts := kind.open(t, data)
			res, err := srv.Client().Uploads.Upload(context.Background(), r, opts)
			require.NoError(t, err)
			got, ok := srv.UploadedBytes(res.SessionID)
			require.True(t, ok)
			assert.True(t, bytes.Equal(data, got))
			assert.Len(t, srv.RequestsTo(adaptivetest.RouteUploadPart), 3+2+1, "two failures and one drop were retried")
		})
	}
}

// cancellingReaderAt cancels its context when a read reaches at.
type cancellingReaderAt struct {
	ra     io.ReaderAt
	at     int64
	cancel context.CancelFunc
}

func (c cancellingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > c.at {
		c.cancel()
	}
	return c.ra.ReadAt(p, off)
}

// cancellingReader cancels its context once more than at bytes were read.
type cancellingReader struct {
	r      io.Reader
	left   int64
	cancel context.CancelFunc
}

func (c *cancellingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.left -= int64(n); c.left < 0 {
		c.cancel()
	}
	return n, err
}

func TestUploadCancelledMidwayAbortsAndLeaksNothing(t *testing.T) {
	data := uploadData(16 * mib)
	for _, kind := range []string{"ReaderAt", "stream"} {
		t.Run(kind, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			srv := adaptivetest.NewServer()
			defer srv.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var r io.Reader = &cancellingReader{r: bytes.NewReader(data), left: 7 * mib, cancel: cancel}
			opts := &adaptive.UploadOptions{Size: int64(len(data)), Concurrency: 2}
			if kind == "ReaderAt" {
				// A file, sent from its ReaderAt: cancel when part 3 is read.
				path := filepath.Join(t.TempDir(), "data")
				require.NoError(t, os.WriteFile(path, data, 0o600))
				f, err := os.Open(path)
				require.NoError(t, err)
				defer f.Close()
				ra := cancellingReaderAt{ra: f, at: 10*mib + 1, cancel: cancel}
				r = io.NewSectionReader(ra, 0, int64(len(data)))
			}
			var id string
			opts.OnSession = func(s string) { id = s }
			_, err := srv.Client().Uploads.Upload(ctx, r, opts)
			require.Error(t, err)
			assert.ErrorIs(t, err, context.Canceled)
			var ue *adaptive.UploadError
			require.ErrorAs(t, err, &ue)
			assert.Equal(t, id, ue.SessionID)
			assert.True(t, ue.Aborted, "%v", err)
			assert.NoError(t, ue.AbortErr)
			assert.False(t, srv.SessionExists(id), "the session was aborted")
			assert.Len(t, srv.RequestsTo(adaptivetest.RouteUploadAbort), 1)
		})
	}
}

func TestUploadSHA256OnRequest(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	data := uploadData(11*mib + 7)
	want := sha256.Sum256(data)
	for _, kind := range sourceKinds {
		t.Run(kind.name, func(t *testing.T) {
			r, opts := kind.open(t, data)
			opts.Checksum = adaptive.ChecksumSHA256
			res, err := srv.Client().Uploads.Upload(context.Background(), r, opts)
			require.NoError(t, err)
			assert.Equal(t, want[:], res.SHA256)
			assert.Equal(t, partCRCs(data, 5*mib), res.PartCRC32C)
		})
	}
	_, err := srv.Client().Uploads.Upload(context.Background(), bytes.NewReader(data), &adaptive.UploadOptions{Checksum: 7})
	var ve *adaptive.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "UploadOptions.Checksum", ve.Field)
}

func TestUploadKeepOnErrorThenResumeSendsOnlyMissingParts(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	data := uploadData(16*mib + 5)
	srv.FailPart(3, 1, 400) // not retried
	var cps []adaptive.UploadCheckpoint
	_, err := c.Uploads.Upload(context.Background(), bytes.NewReader(data), &adaptive.UploadOptions{
		Concurrency: 1, KeepOnError: true, OnCheckpoint: func(cp adaptive.UploadCheckpoint) { cps = append(cps, cp) },
	})
	var ue *adaptive.UploadError
	require.ErrorAs(t, err, &ue)
	assert.False(t, ue.Aborted)
	var apiErr *adaptive.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 400, apiErr.StatusCode)
	assert.Contains(t, err.Error(), "kept for Resume")
	id := ue.SessionID
	assert.True(t, srv.SessionExists(id))
	have, total, _ := srv.UploadedParts(id)
	assert.Equal(t, []int{1, 2}, have)
	assert.Equal(t, 4, total)

	// One checkpoint after init, one per acknowledged part.
	require.Len(t, cps, 3)
	assert.Empty(t, cps[0].Acked)
	crcs := partCRCs(data, 5*mib)
	cp := cps[2]
	assert.Equal(t, adaptive.UploadCheckpoint{
		Version: adaptive.CheckpointVersion, SessionID: id, Instance: origin(t, srv.URL),
		Size: int64(len(data)), PartSize: 5 * mib, Parts: 4,
		Acked: []adaptive.CheckpointPart{{Part: 1, CRC32C: crcs[0]}, {Part: 2, CRC32C: crcs[1]}},
	}, cp)
	assert.Len(t, cps[1].Acked, 1, "an earlier checkpoint is not changed by later parts")
	assert.Equal(t, 2, cp.Acknowledged())
	assert.Equal(t, int64(10*mib), cp.AcknowledgedBytes())
	assert.False(t, cp.Complete())

	// Through JSON, as a checkpoint file would carry it.
	blob, err := json.Marshal(cp)
	require.NoError(t, err)
	var back adaptive.UploadCheckpoint
	require.NoError(t, json.Unmarshal(blob, &back))

	srv.ResetRequests()
	var last adaptive.UploadProgress
	var resumed []adaptive.UploadCheckpoint
	res, err := c.Uploads.Resume(context.Background(), back, bytes.NewReader(data), &adaptive.UploadOptions{
		Checksum:     adaptive.ChecksumSHA256,
		Progress:     func(p adaptive.UploadProgress) { last = p },
		OnCheckpoint: func(cp adaptive.UploadCheckpoint) { resumed = append(resumed, cp) },
	})
	require.NoError(t, err)
	var sent []string
	for _, r := range srv.RequestsTo(adaptivetest.RouteUploadPart) {
		sent = append(sent, r.Query.Get("part_number"))
	}
	assert.ElementsMatch(t, []string{"3", "4"}, sent, "only the missing parts are sent")
	sum := sha256.Sum256(data)
	assert.Equal(t, sum[:], res.SHA256, "the hash covers the whole source")
	assert.Equal(t, crcs, res.PartCRC32C, "the checksums of the parts checked and of the parts sent")
	assert.Equal(t, 4, res.Parts)
	got, ok := srv.UploadedBytes(id)
	require.True(t, ok)
	assert.True(t, bytes.Equal(data, got))
	assert.Equal(t, adaptive.UploadProgress{Phase: adaptive.UploadPhaseDone, Bytes: int64(len(data)), Total: int64(len(data)), Parts: 4, TotalParts: 4}, last)
	require.Len(t, resumed, 3, "once checked, then per part")
	assert.Len(t, resumed[0].Acked, 2)
	assert.True(t, resumed[2].Complete())
}

// origin is the origin of a URL, as checkpoints record it.
func origin(t *testing.T, raw string) string {
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u.Scheme + "://" + u.Host
}

// keptUpload uploads data with part 3 failing for good and KeepOnError,
// and returns the last checkpoint.
func keptUpload(t *testing.T, srv *adaptivetest.Server, data []byte) adaptive.UploadCheckpoint {
	t.Helper()
	srv.FailPart(3, 1, 400)
	var cp adaptive.UploadCheckpoint
	_, err := srv.Client().Uploads.Upload(context.Background(), bytes.NewReader(data), &adaptive.UploadOptions{
		Concurrency: 1, KeepOnError: true, OnCheckpoint: func(c adaptive.UploadCheckpoint) { cp = c },
	})
	require.Error(t, err)
	require.Len(t, cp.Acked, 2)
	return cp
}

func TestResumeRefusesMisuseBeforeSendingAnyPart(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()
	data := uploadData(16*mib + 5)
	cp := keptUpload(t, srv, data)
	edit := func(f func(*adaptive.UploadCheckpoint)) adaptive.UploadCheckpoint {
		c := cp
		c.Acked = append([]adaptive.CheckpointPart(nil), cp.Acked...)
		f(&c)
		return c
	}
	other := append([]byte(nil), data...)
	other[5*mib+100] ^= 1 // part 2 differs by one bit
	for _, tc := range []struct {
		name      string
		cp        adaptive.UploadCheckpoint
		r         io.ReaderAt
		opts      *adaptive.UploadOptions
		field     string
		contains  string
		askStatus bool
	}{
		{"nil reader", cp, nil, nil, "r", "nil", false},
		{"zero checkpoint", adaptive.UploadCheckpoint{}, bytes.NewReader(data), nil, "UploadCheckpoint.Version", "no checkpoint", false},
		{"no session", edit(func(c *adaptive.UploadCheckpoint) { c.SessionID = "" }), bytes.NewReader(data), nil, "UploadCheckpoint.SessionID", "empty", false},
		{"another instance", edit(func(c *adaptive.UploadCheckpoint) { c.Instance = "https://elsewhere.example:443" }), bytes.NewReader(data), nil, "UploadCheckpoint.Instance", "elsewhere", false},
		{"another part size, same count", edit(func(c *adaptive.UploadCheckpoint) { c.PartSize = 6 * mib }), bytes.NewReader(data), nil, "UploadCheckpoint.Parts", "damaged", false},
		{"an option's part size", cp, bytes.NewReader(data), &adaptive.UploadOptions{PartSize: 6 * mib}, "UploadOptions.PartSize", "differs", false},
		{"parts out of order", edit(func(c *adaptive.UploadCheckpoint) { c.Acked[0].Part = 2 }), bytes.NewReader(data), nil, "UploadCheckpoint.Acked", "damaged", false},
		{"a shorter source", cp, bytes.NewReader(data[:len(data)-1]), nil, "r", "holds 16777220 bytes", false},
		{"a longer source", cp, bytes.NewReader(append(data, 'x')), nil, "r", "holds 16777222 bytes", false},
		{"a longer source that does not say", cp, struct{ io.ReaderAt }{bytes.NewReader(append(data, 'x'))}, nil, "r", "more than", false},
		{"bad concurrency", cp, bytes.NewReader(data), &adaptive.UploadOptions{Concurrency: -2}, "UploadOptions.Concurrency", "", false},
		{"another file of the same size", cp, bytes.NewReader(other), nil, "r", "part 2 of the source differs", true},
		{"a session of another part count", edit(func(c *adaptive.UploadCheckpoint) { c.Size, c.Parts, c.Acked = 5*mib+1, 2, nil }), bytes.NewReader(data[:5*mib+1]), nil, "UploadCheckpoint.SessionID", "declares 4 parts", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.ResetRequests()
			_, err := c.Uploads.Resume(ctx, tc.cp, tc.r, tc.opts)
			var ve *adaptive.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.Contains(t, err.Error(), tc.contains)
			assert.Empty(t, srv.RequestsTo(adaptivetest.RouteUploadPart), "no part is sent")
			assert.Empty(t, srv.RequestsTo(adaptivetest.RouteUploadAbort), "the session is left alone")
			if !tc.askStatus {
				assert.Empty(t, srv.Requests(), "nothing is sent")
			}
			assert.True(t, srv.SessionExists(cp.SessionID))
		})
	}

	_, err := c.Uploads.Resume(ctx, edit(func(c *adaptive.UploadCheckpoint) { c.SessionID = "unknown" }), bytes.NewReader(data), nil)
	assert.ErrorIs(t, err, adaptive.ErrNotFound)

	// The real thing, after all that.
	res, err := c.Uploads.Resume(ctx, cp, bytes.NewReader(data), nil)
	require.NoError(t, err)
	got, ok := srv.UploadedBytes(res.SessionID)
	require.True(t, ok)
	assert.True(t, bytes.Equal(data, got))
}

func TestResumeSendsAgainAPartTheCheckpointDoesNotVouchFor(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	data := uploadData(16*mib + 5)
	cp := keptUpload(t, srv, data)
	cp.Acked = cp.Acked[:1] // saved before part 2 was acknowledged
	srv.ResetRequests()
	res, err := srv.Client().Uploads.Resume(context.Background(), cp, bytes.NewReader(data), nil)
	require.NoError(t, err)
	var sent []string
	for _, r := range srv.RequestsTo(adaptivetest.RouteUploadPart) {
		sent = append(sent, r.Query.Get("part_number"))
	}
	assert.ElementsMatch(t, []string{"2", "3", "4"}, sent)
	got, _ := srv.UploadedBytes(res.SessionID)
	assert.True(t, bytes.Equal(data, got))
}

func TestCancelledResumeKeepsTheSession(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := adaptivetest.NewServer()
	defer srv.Close()
	data := uploadData(16*mib + 5)
	cp := keptUpload(t, srv, data)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv.SetLatency(adaptivetest.RouteUploadPart, 5*time.Second)
	time.AfterFunc(200*time.Millisecond, cancel)
	_, err := srv.Client().Uploads.Resume(ctx, cp, bytes.NewReader(data), nil)
	assert.ErrorIs(t, err, context.Canceled)
	var ue *adaptive.UploadError
	require.ErrorAs(t, err, &ue)
	assert.False(t, ue.Aborted)
	assert.Contains(t, err.Error(), "kept for Resume")
	assert.True(t, srv.SessionExists(cp.SessionID), "a cancelled Resume keeps the session")
	assert.Empty(t, srv.RequestsTo(adaptivetest.RouteUploadAbort))

	// A Resume that fails otherwise is aborted, as an Upload is.
	srv.ClearFaults()
	srv.FailPart(4, 1, 400)
	_, err = srv.Client().Uploads.Resume(context.Background(), cp, bytes.NewReader(data), nil)
	require.ErrorAs(t, err, &ue)
	assert.True(t, ue.Aborted)
	assert.False(t, srv.SessionExists(cp.SessionID))
}

func TestUploadReaderShorterOrLongerThanSize(t *testing.T) {
	data := uploadData(6 * mib)
	cases := []struct {
		name string
		r    io.Reader
		size int64
		want string
	}{
		{"short, in the last part", plainReader{bytes.NewReader(data)}, 6*mib + 10, "short of its size"},
		{"short, in the first part", plainReader{bytes.NewReader(data[:100])}, 6 * mib, "ended after 100 bytes, short of its size 6291456"},
		// A part is read in pieces: a source that ends between two says
		// where, as one that ends inside a piece does.
		{"short, after 256 KiB", plainReader{bytes.NewReader(data[:256<<10])}, 6 * mib, "ended after 262144 bytes, short of its size 6291456"},
		{"long", plainReader{bytes.NewReader(data)}, 6*mib - 1, "more than its size"},
		{"ReaderAt shorter than it claims", io.NewSectionReader(bytes.NewReader(data), 0, 6*mib+1), 0, "short of its size"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := adaptivetest.NewServer()
			defer srv.Close()
			var id string
			_, err := srv.Client().Uploads.Upload(context.Background(), tc.r, &adaptive.UploadOptions{Size: tc.size, OnSession: func(s string) { id = s }})
			var ue *adaptive.UploadError
			require.ErrorAs(t, err, &ue)
			assert.Contains(t, err.Error(), tc.want)
			assert.True(t, ue.Aborted)
			assert.False(t, srv.SessionExists(id), "the session was aborted")
		})
	}
}

func TestUploadResendsAGapFromAReaderAtOnly(t *testing.T) {
	data := uploadData(11 * mib)

	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.LosePart(2)
	res, err := srv.Client().Uploads.Upload(context.Background(), bytes.NewReader(data), nil)
	require.NoError(t, err)
	got, ok := srv.UploadedBytes(res.SessionID)
	require.True(t, ok)
	assert.True(t, bytes.Equal(data, got))
	assert.Len(t, srv.RequestsTo(adaptivetest.RouteUploadPart), 4, "part 2 was sent again")
	assert.Len(t, srv.RequestsTo(adaptivetest.RouteUploadStatus), 2)

	// A stream cannot be sent again: the upload fails, but every part was
	// acknowledged, so the session is kept for a Resume from a copy.
	srv.LosePart(2)
	var id string
	_, err = srv.Client().Uploads.Upload(context.Background(), plainReader{bytes.NewReader(data)}, &adaptive.UploadOptions{Size: int64(len(data)), OnSession: func(s string) { id = s }})
	var ue *adaptive.UploadError
	require.ErrorAs(t, err, &ue)
	assert.Contains(t, err.Error(), "lacks parts [2]")
	assert.Contains(t, err.Error(), "every part was acknowledged, so the session is kept")
	assert.False(t, ue.Aborted)
	assert.True(t, srv.SessionExists(id))
}

func TestUploadAbortFailureIsReported(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.FailPart(1, 1, 400)
	srv.FailNext(adaptivetest.RouteUploadAbort, 100, adaptivetest.Fault{Status: 500})
	_, err := srv.Client(adaptive.WithMaxRetries(1)).Uploads.Upload(context.Background(), bytes.NewReader([]byte("x")), nil)
	var ue *adaptive.UploadError
	require.ErrorAs(t, err, &ue)
	assert.False(t, ue.Aborted)
	require.Error(t, ue.AbortErr)
	assert.ErrorIs(t, ue.AbortErr, adaptive.ErrServer)
	assert.Contains(t, err.Error(), "aborting the session failed")
	assert.Len(t, srv.RequestsTo(adaptivetest.RouteUploadAbort), 2, "the abort is retried")
}

func TestUploadProgressCountsAcknowledgedBytes(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	data := uploadData(11 * mib)
	var calls []adaptive.UploadProgress // appended without a lock: the race detector checks the one-goroutine promise
	res, err := srv.Client().Uploads.Upload(context.Background(), plainReader{bytes.NewReader(data)}, &adaptive.UploadOptions{
		Size:     int64(len(data)),
		Progress: func(p adaptive.UploadProgress) { calls = append(calls, p) },
	})
	require.NoError(t, err)
	require.NotEmpty(t, calls)
	for i := 1; i < len(calls); i++ {
		assert.GreaterOrEqual(t, calls[i].Bytes, calls[i-1].Bytes)
	}
	assert.Equal(t, adaptive.UploadProgress{Phase: adaptive.UploadPhaseDone, Bytes: res.Bytes, Total: res.Bytes, Parts: 3, TotalParts: 3}, calls[len(calls)-1], "the final call")
}

func TestUploadSpoolFileIsRemoved(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	srv := adaptivetest.NewServer()
	defer srv.Close()
	data := uploadData(6 * mib)
	res, err := srv.Client().Uploads.Upload(context.Background(), plainReader{bytes.NewReader(data)}, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, res.Parts)
	left, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, left, "the spool file is removed")

	// Also after a failure.
	srv.FailPart(1, 1, 400)
	_, err = srv.Client().Uploads.Upload(context.Background(), plainReader{bytes.NewReader(data)}, nil)
	require.Error(t, err)
	left, err = os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, left)
}

func TestUploadFileFromItsCurrentOffset(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "data")
	require.NoError(t, os.WriteFile(path, []byte("header\nbody"), 0o600))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	_, err = f.Seek(7, io.SeekStart)
	require.NoError(t, err)
	res, err := srv.Client().Uploads.Upload(context.Background(), f, nil)
	require.NoError(t, err)
	got, _ := srv.UploadedBytes(res.SessionID)
	assert.Equal(t, "body", string(got))
	pos, err := f.Seek(0, io.SeekCurrent)
	require.NoError(t, err)
	assert.Equal(t, int64(7), pos, "the file's offset is left alone")

	br := bytes.NewReader([]byte("skip:keep"))
	_, _ = br.Read(make([]byte, 5))
	res, err = srv.Client().Uploads.Upload(context.Background(), br, nil)
	require.NoError(t, err)
	got, _ = srv.UploadedBytes(res.SessionID)
	assert.Equal(t, "keep", string(got))
}

func TestUploadErrorUnwraps(t *testing.T) {
	cause := fmt.Errorf("part 2: %w", context.DeadlineExceeded)
	err := error(&adaptive.UploadError{SessionID: "s1", Aborted: true, Err: cause})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, "adaptive: upload s1 failed: part 2: context deadline exceeded (session aborted)", err.Error())
	assert.True(t, errors.Is(fmt.Errorf("wrapped: %w", err), context.DeadlineExceeded))
}

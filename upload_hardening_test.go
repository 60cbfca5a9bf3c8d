package adaptive_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

// A panic in a callback must not leave the session open: the upload is
// stopped, the session aborted (unless KeepOnError), and the panic goes on
// in the caller's goroutine, with its value.
func TestUploadCallbackPanicsAbortTheSessionThenGoOn(t *testing.T) {
	for _, tc := range []struct {
		name string
		keep bool
		set  func(o *adaptive.UploadOptions, id *atomic.Value)
	}{
		{"OnSession", false, func(o *adaptive.UploadOptions, id *atomic.Value) {
			o.OnSession = func(s string) { id.Store(s); panic("boom") }
		}},
		{"OnCheckpoint after a part", false, func(o *adaptive.UploadOptions, id *atomic.Value) {
			o.OnCheckpoint = func(cp adaptive.UploadCheckpoint) {
				id.Store(cp.SessionID)
				if cp.Acknowledged() == 1 {
					panic("boom")
				}
			}
		}},
		{"OnCheckpoint, KeepOnError", true, func(o *adaptive.UploadOptions, id *atomic.Value) {
			o.OnCheckpoint = func(cp adaptive.UploadCheckpoint) {
				id.Store(cp.SessionID)
				if cp.Acknowledged() == 1 {
					panic("boom")
				}
			}
		}},
		{"Progress, on its own goroutine", false, func(o *adaptive.UploadOptions, id *atomic.Value) {
			o.OnSession = func(s string) { id.Store(s) }
			o.Progress = func(p adaptive.UploadProgress) {
				if p.Phase == adaptive.UploadPhaseUploading {
					panic("boom")
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			srv := adaptivetest.NewServer()
			defer srv.Close()
			srv.SetLatency(adaptivetest.RouteUploadPart, 150*time.Millisecond)
			var id atomic.Value
			opts := &adaptive.UploadOptions{Concurrency: 1, KeepOnError: tc.keep}
			tc.set(opts, &id)
			var recovered any
			func() {
				defer func() { recovered = recover() }()
				_, _ = srv.Client().Uploads.Upload(context.Background(), bytes.NewReader(uploadData(16*mib)), opts)
			}()
			assert.Equal(t, "boom", recovered, "the panic goes on, with its value")
			session := id.Load().(string)
			assert.Equal(t, tc.keep, srv.SessionExists(session), "aborted unless KeepOnError")
			assert.Equal(t, !tc.keep, len(srv.RequestsTo(adaptivetest.RouteUploadAbort)) == 1)
		})
	}
}

// zeroReader returns nothing and no error, forever.
type zeroReader struct{ reads atomic.Int64 }

func (z *zeroReader) Read(p []byte) (int, error) {
	z.reads.Add(1)
	return 0, nil
}

func (z *zeroReader) ReadAt(p []byte, off int64) (int, error) {
	z.reads.Add(1)
	return 0, nil
}

func TestUploadStopsAReaderThatMakesNoProgress(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	for _, tc := range []struct {
		name string
		r    func(z *zeroReader) io.Reader
		opts *adaptive.UploadOptions
	}{
		{"a stream of known size", func(z *zeroReader) io.Reader { return struct{ io.Reader }{z} }, &adaptive.UploadOptions{Size: 6 * mib}},
		{"a stream of unknown size (spooled)", func(z *zeroReader) io.Reader { return struct{ io.Reader }{z} }, nil},
		{"a ReaderAt", func(z *zeroReader) io.Reader { return io.NewSectionReader(z, 0, 6*mib) }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z := &zeroReader{}
			start := time.Now()
			_, err := srv.Client().Uploads.Upload(context.Background(), tc.r(z), tc.opts)
			assert.ErrorIs(t, err, io.ErrNoProgress)
			assert.Less(t, time.Since(start), 5*time.Second)
			assert.Less(t, z.reads.Load(), int64(1000), "stopped after a bounded number of empty reads")
		})
	}
}

// slowReader yields one KiB per read, after a pause.
type slowReader struct{ left int64 }

func (s *slowReader) Read(p []byte) (int, error) {
	if s.left <= 0 {
		return 0, io.EOF
	}
	time.Sleep(20 * time.Millisecond)
	n := min(int64(len(p)), 1024, s.left)
	s.left -= n
	return int(n), nil
}

// A sized stream is read part by part: the context is checked between the
// reads of a part, so that cancelling does not wait for the rest of it.
func TestUploadCancellationStopsASlowSourceBetweenReads(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := adaptivetest.NewServer()
	defer srv.Close()
	for _, opts := range []*adaptive.UploadOptions{{Size: 6 * mib}, nil} {
		ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
		start := time.Now()
		_, err := srv.Client().Uploads.Upload(ctx, &slowReader{left: 6 * mib}, opts)
		cancel()
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(start), 2*time.Second, "a part of 5 MiB at 50 KiB/s would take 100 s")
	}
}

// The spool is a whole copy of the data: it is unlinked as soon as it is
// created (on Unix), so that even a killed process leaves nothing behind.
func TestUploadSpoolFileIsUnlinkedWhileInUse(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	srv := adaptivetest.NewServer()
	defer srv.Close()
	var during []os.DirEntry
	var spooled int64
	_, err := srv.Client().Uploads.Upload(context.Background(), plainReader{bytes.NewReader(uploadData(6 * mib))}, &adaptive.UploadOptions{
		Progress: func(p adaptive.UploadProgress) {
			if p.Phase == adaptive.UploadPhaseSpooling {
				spooled = p.Read
			}
		},
		OnSession: func(string) {
			var err error
			during, err = os.ReadDir(dir)
			require.NoError(t, err)
		},
	})
	require.NoError(t, err)
	if runtime.GOOS == "windows" {
		assert.Len(t, during, 1, "Windows keeps an open file's name: it is removed at the end")
	} else {
		assert.Empty(t, during, "no name in TMPDIR while the upload runs")
	}
	assert.LessOrEqual(t, spooled, int64(6*mib))
	left, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, left)
}

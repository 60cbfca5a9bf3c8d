package adaptive_test

// Leak checks: after Close, cancellation or failure on the upload and
// download paths (and, in leak_stream_test.go, streams), no goroutine of the
// SDK survives. Idle keep-alive connections are closed on the client's own
// transport before goleak looks, instead of ignoring net/http's goroutines.

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

// relKey is the API key of the reliability and security tests: distinctive,
// so that any leak of it into an error, a log line or a formatted value is
// found by a plain substring search.
const relKey = "sk-rel-7f3a9c-DO-NOT-LEAK-51e0"

// relMiB is one mebibyte.
const relMiB = 1 << 20

// relTransport returns an HTTP client on a transport of its own, so that a
// test can close that transport's idle connections (and with them the
// keep-alive goroutines of net/http) before checking for leaks.
func relTransport() (*http.Client, *http.Transport) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	return &http.Client{Transport: tr}, tr
}

// relServer starts a fake server that accepts relKey and returns a client
// for it on its own transport; the server is closed and the idle
// connections dropped at cleanup.
func relServer(t testing.TB, opts ...adaptive.Option) (*adaptivetest.Server, *adaptive.Client, *http.Transport) {
	t.Helper()
	srv := adaptivetest.NewServer(adaptivetest.WithAPIKey(relKey))
	hc, tr := relTransport()
	c := srv.Client(append([]adaptive.Option{adaptive.WithHTTPClient(hc)}, opts...)...)
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		srv.Close()
	})
	return srv, c, tr
}

// relData returns n reproducible pseudo-random bytes for seed, every part
// different, so that a misplaced part changes the hash.
func relData(seed uint64, n int) []byte {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	binary.LittleEndian.PutUint64(key[8:], uint64(n))
	b := make([]byte, n)
	_, _ = rand.NewChaCha8(key).Read(b)
	return b
}

// verifyNoLeaks closes the idle connections of tr and the server, then
// checks that no goroutine started during the test survives.
func verifyNoLeaks(t *testing.T, srv *adaptivetest.Server, tr *http.Transport, ignore goleak.Option) {
	t.Helper()
	tr.CloseIdleConnections()
	srv.Close()
	goleak.VerifyNone(t, ignore)
}

func TestLeakUploadSuccessFailureAndCancel(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, srv *adaptivetest.Server, c *adaptive.Client)
	}{
		{"success, stream source", func(t *testing.T, srv *adaptivetest.Server, c *adaptive.Client) {
			data := relData(1, 11*relMiB)
			res, err := c.Uploads.Upload(context.Background(), io.MultiReader(bytes.NewReader(data)), &adaptive.UploadOptions{Size: int64(len(data))})
			require.NoError(t, err)
			assert.Equal(t, 3, res.Parts)
		}},
		{"part fails for good", func(t *testing.T, srv *adaptivetest.Server, c *adaptive.Client) {
			srv.FailPart(2, 100, http.StatusBadRequest)
			_, err := c.Uploads.Upload(context.Background(), bytes.NewReader(relData(2, 16*relMiB)), &adaptive.UploadOptions{Concurrency: 3})
			var ue *adaptive.UploadError
			require.ErrorAs(t, err, &ue)
			assert.True(t, ue.Aborted)
			assert.Empty(t, srv.UploadSessions())
		}},
		{"connections dropped until retries run out", func(t *testing.T, srv *adaptivetest.Server, c *adaptive.Client) {
			srv.FailNext(adaptivetest.RouteUploadPart, 100, adaptivetest.Fault{Drop: true})
			_, err := c.Uploads.Upload(context.Background(), bytes.NewReader(relData(3, 6*relMiB)), nil)
			var ue *adaptive.UploadError
			require.ErrorAs(t, err, &ue)
			srv.ClearFaults()
			assert.Empty(t, srv.UploadSessions())
		}},
		{"cancelled while parts are in flight", func(t *testing.T, srv *adaptivetest.Server, c *adaptive.Client) {
			// The fake server notices a client gone only once it reads the
			// part, which it does after the latency: keep that short so
			// that Close does not wait long for the handlers.
			srv.SetLatency(adaptivetest.RouteUploadPart, 300*time.Millisecond)
			ctx, cancel := context.WithCancel(context.Background())
			_, err := c.Uploads.Upload(ctx, bytes.NewReader(relData(4, 21*relMiB)), &adaptive.UploadOptions{
				Concurrency: 4,
				OnSession:   func(string) { time.AfterFunc(30*time.Millisecond, cancel) },
			})
			require.ErrorIs(t, err, context.Canceled)
			var ue *adaptive.UploadError
			require.ErrorAs(t, err, &ue)
			assert.True(t, ue.Aborted, "%v", err)
			assert.Empty(t, srv.UploadSessions())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ignore := goleak.IgnoreCurrent()
			srv, c, tr := relServer(t)
			tc.run(t, srv, c)
			verifyNoLeaks(t, srv, tr, ignore)
		})
	}
}

func TestLeakDownloadCloseCancelAndCut(t *testing.T) {
	const size = 8 * relMiB
	content := relData(5, size)
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, srv *adaptivetest.Server, c *adaptive.Client)
	}{
		{"closed before the end", func(t *testing.T, srv *adaptivetest.Server, c *adaptive.Client) {
			d, err := c.Datasets.Download(context.Background(), "", "ds", nil)
			require.NoError(t, err)
			buf := make([]byte, 1000)
			_, err = io.ReadFull(d, buf)
			require.NoError(t, err)
			require.NoError(t, d.Close())
		}},
		{"read to the end", func(t *testing.T, srv *adaptivetest.Server, c *adaptive.Client) {
			d, err := c.Datasets.Download(context.Background(), "", "ds", nil)
			require.NoError(t, err)
			n, err := io.Copy(io.Discard, d)
			require.NoError(t, err)
			assert.Equal(t, int64(size), n)
			require.NoError(t, d.Close())
		}},
		{"cancelled mid-body", func(t *testing.T, srv *adaptivetest.Server, c *adaptive.Client) {
			ctx, cancel := context.WithCancel(context.Background())
			d, err := c.Datasets.Download(ctx, "", "ds", nil)
			require.NoError(t, err)
			_, err = io.ReadFull(d, make([]byte, 4096))
			require.NoError(t, err)
			cancel()
			_, err = io.Copy(io.Discard, d)
			require.Error(t, err)
			require.NoError(t, d.Close())
		}},
		{"cut by the server while saving", func(t *testing.T, srv *adaptivetest.Server, c *adaptive.Client) {
			srv.CutDownloadAfter(size / 3)
			d, err := c.Datasets.Download(context.Background(), "", "ds", nil)
			require.NoError(t, err)
			dir := t.TempDir()
			_, err = d.SaveFile(filepath.Join(dir, "ds.jsonl"))
			require.ErrorIs(t, err, io.ErrUnexpectedEOF)
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Empty(t, entries, "nothing left behind")
		}},
		{"not found", func(t *testing.T, srv *adaptivetest.Server, c *adaptive.Client) {
			_, err := c.Datasets.Download(context.Background(), "", "missing", nil)
			require.ErrorIs(t, err, adaptive.ErrNotFound)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ignore := goleak.IgnoreCurrent()
			srv, c, tr := relServer(t)
			srv.AddDataset(srv.Project, "ds", "", content)
			tc.run(t, srv, c)
			verifyNoLeaks(t, srv, tr, ignore)
		})
	}
}

// TestLeakIdleConnectionsAreTheOnlyLeftovers shows why the leak checks
// close idle connections first: a finished call leaves keep-alive
// goroutines on the transport, which CloseIdleConnections ends; nothing
// else remains.
func TestLeakIdleConnectionsAreTheOnlyLeftovers(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	srv, c, tr := relServer(t)
	srv.AddDataset(srv.Project, "ds", "", []byte("{}\n"))
	d, err := c.Datasets.Download(context.Background(), "", "ds", nil)
	require.NoError(t, err)
	_, err = io.Copy(io.Discard, d)
	require.NoError(t, err)
	require.NoError(t, d.Close())
	// The connection went back to the pool: its goroutines are still there.
	buf := make([]byte, 1<<20)
	require.Contains(t, string(buf[:runtime.Stack(buf, true)]), "net/http.(*persistConn).readLoop")
	tr.CloseIdleConnections()
	srv.Close()
	require.NoError(t, goleak.Find(ignore), "only the idle connection (and the server) was left")
}

func TestLeakStreamCloseCancelIdleCutAndError(t *testing.T) {
	req := adaptive.ChatRequest{Messages: []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "one two three four five six seven eight"}}}
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, srv *adaptivetest.Server, c *adaptive.Client)
	}{
		{"read to the end", func(t *testing.T, srv *adaptivetest.Server, c *adaptive.Client) {
			s, err := c.Chat.Stream(context.Background(), req)
			require.NoError(t, err)
			resp, err := s.Accumulate()
			require.NoError(t, err)
			assert.Equal(t, adaptivetest.ChatReply(req.Messages[0].Content), resp.Choices[0].Message.Content)
		}},
		{"closed after two chunks", func(t *testing.T, srv *adaptivetest.Server, c *adaptive.Client) {
			s, err := c.Chat.Stream(context.Background(), req)
			require.NoError(t, err)
			require.True(t, s.Next())
			require.True(t, s.Next())
			require.NoError(t, s.Close())
			assert.False(t, s.Next())
			assert.NoError(t, s.Err())
		}},
		{"break out of All", func(t *testing.T, srv *adaptivetest.Server, c *adaptive.Client) {
			s, err := c.Chat.Stream(context.Background(), req)
			require.NoError(t, err)
			for _, err := range s.All() {
				require.NoError(t, err)
				break
			}
		}},
		{"closed from another goroutine while Next waits", func(t *testing.T, srv *adaptivetest.Server, c *adaptive.Client) {
			srv.StallStream(2)
			s, err := c.Chat.Stream(context.Background(), req)
			require.NoError(t, err)
			require.True(t, s.Next())
			require.True(t, s.Next())
			time.AfterFunc(20*time.Millisecond, func() { s.Close() })
			assert.False(t, s.Next(), "Next returns once Close is called")
			assert.NoError(t, s.Err())
		}},
		{"context cancelled while Next waits", func(t *testing.T, srv *adaptivetest.Server, c *adaptive.Client) {
			srv.StallStream(1)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			s, err := c.Chat.Stream(ctx, req)
			require.NoError(t, err)
			defer s.Close()
			require.True(t, s.Next())
			time.AfterFunc(20*time.Millisecond, cancel)
			assert.False(t, s.Next())
			assert.ErrorIs(t, s.Err(), context.Canceled)
		}},
		{"idle timeout", func(t *testing.T, srv *adaptivetest.Server, c *adaptive.Client) {
			srv.StallStream(1)
			s, err := c.Chat.Stream(context.Background(), req, adaptive.WithStreamIdleTimeout(50*time.Millisecond))
			require.NoError(t, err)
			_, err = s.Accumulate()
			assert.ErrorIs(t, err, adaptive.ErrStreamIdle)
		}},
		{"cut by the server", func(t *testing.T, srv *adaptivetest.Server, c *adaptive.Client) {
			srv.CutStreamAfter(3)
			s, err := c.Chat.Stream(context.Background(), req)
			require.NoError(t, err)
			_, err = s.Accumulate()
			assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
		}},
		{"error event", func(t *testing.T, srv *adaptivetest.Server, c *adaptive.Client) {
			srv.SendStreamError(2, "overloaded")
			s, err := c.Chat.Stream(context.Background(), req)
			require.NoError(t, err)
			_, err = s.Accumulate()
			var apiErr *adaptive.APIError
			assert.ErrorAs(t, err, &apiErr)
		}},
		{"refused before the first chunk", func(t *testing.T, srv *adaptivetest.Server, c *adaptive.Client) {
			srv.FailNext(adaptivetest.RouteChat, 3, adaptivetest.Fault{Status: 503, RetryAfterMS: "1"})
			_, err := c.Chat.Stream(context.Background(), req)
			assert.ErrorIs(t, err, adaptive.ErrServer)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ignore := goleak.IgnoreCurrent()
			srv, c, tr := relServer(t)
			tc.run(t, srv, c)
			verifyNoLeaks(t, srv, tr, ignore)
		})
	}
}

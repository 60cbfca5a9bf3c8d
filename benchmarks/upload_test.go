package benchmarks

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

// uploadPartSize is the part size the SDK chooses for 256 MiB (5 MiB below
// 500 MiB); the ratio tool's heap limits assume it.
const uploadPartSize = 5 << 20

// uploadServer is adaptivetest with stored part bytes discarded, so that
// the heap measured is the client's, not the fake's storage.
func uploadServer(tb testing.TB) *adaptivetest.Server {
	srv := adaptivetest.NewServer(adaptivetest.WithDiscardUploads())
	tb.Cleanup(srv.Close)
	return srv
}

// uploadSource opens the payload as the SDK will see it: "file" is an
// *os.File (an io.ReaderAt with Stat), "reader" a plain io.Reader whose
// size is given in the options (so it is neither seekable nor spooled).
func uploadSource(b *testing.B, kind, path string) (io.Reader, func(), *adaptive.UploadOptions) {
	switch kind {
	case "file":
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		return f, func() { _ = f.Close() }, &adaptive.UploadOptions{}
	default:
		return newPayloadReader(), func() {}, &adaptive.UploadOptions{Size: bigSize}
	}
}

func sdkUpload(b *testing.B, client *adaptive.Client, kind, path string, concurrency int) {
	ctx := context.Background()
	measure(b, bigSize, func() int64 {
		r, done, opts := uploadSource(b, kind, path)
		defer done()
		opts.Concurrency = concurrency
		opts.PartSize = uploadPartSize
		res, err := client.Uploads.Upload(ctx, r, opts)
		if err != nil {
			b.Fatal(err)
		}
		return res.Bytes
	})
}

// BenchmarkUpload sends 256 MiB on loopback: through Uploads.Upload to
// adaptivetest, from a file and from a plain reader, 4 parts in flight;
// and as one plain http.Post of the same bytes to a handler that discards
// them (post), the loopback limit. The -leanserver variants send the same
// uploads to a minimal upload server that, like post's handler, only
// discards the bytes (adaptivetest hashes every part it receives).
func BenchmarkUpload(b *testing.B) {
	path := payloadFile(b)
	srv := uploadServer(b)
	client := srv.Client()

	b.Run("post", func(b *testing.B) {
		discard := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
		}))
		defer discard.Close()
		hc := freshHTTPClient()
		defer hc.CloseIdleConnections()
		measure(b, bigSize, func() int64 {
			req, err := http.NewRequest(http.MethodPost, discard.URL, newPayloadReader())
			if err != nil {
				b.Fatal(err)
			}
			req.ContentLength = bigSize
			req.Header.Set("Content-Type", "application/octet-stream")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("status %s", resp.Status)
			}
			return bigSize
		})
	})
	for _, kind := range []string{"file", "reader"} {
		b.Run("sdk-"+kind+"-c4", func(b *testing.B) { sdkUpload(b, client, kind, path, 4) })
	}
	// The same uploads to a server that does no more per byte than post's.
	lean := leanUploadServer(b, 0)
	leanClient := newSDK(b, lean.URL)
	for _, kind := range []string{"file", "reader"} {
		b.Run("sdk-"+kind+"-c4-leanserver", func(b *testing.B) { sdkUpload(b, leanClient, kind, path, 4) })
	}
}

// BenchmarkUploadLatency adds 20 ms to every part request and compares one
// part at a time with four in flight, from a file and from a plain reader,
// and from a file to the lean server (20 ms too).
func BenchmarkUploadLatency(b *testing.B) {
	path := payloadFile(b)
	srv := uploadServer(b)
	srv.SetLatency(adaptivetest.RouteUploadPart, 20*time.Millisecond)
	client := srv.Client()
	for _, kind := range []string{"file", "reader"} {
		for _, c := range []int{1, 4} {
			b.Run("sdk-"+kind+"-c"+strconv.Itoa(c), func(b *testing.B) { sdkUpload(b, client, kind, path, c) })
		}
	}
	// The same from a file to the lean server with the same latency.
	lean := leanUploadServer(b, 20*time.Millisecond)
	leanClient := newSDK(b, lean.URL)
	for _, c := range []int{1, 4} {
		b.Run("sdk-file-c"+strconv.Itoa(c)+"-leanserver", func(b *testing.B) { sdkUpload(b, leanClient, "file", path, c) })
	}
}

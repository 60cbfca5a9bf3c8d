package adaptive_test

// Fault soaks against adaptivetest with seeded randomness: many uploads and
// downloads (and, in soak_stream_test.go, streams) under random injected
// faults, each checked for "nothing lost": a success carries exactly the
// right bytes, a failure is reported as one and leaves nothing behind that
// looks complete. Every soak logs its seed and its figures (RELIABILITY.md
// quotes them); set ADAPTIVE_SOAK_SEED to replay a failing run.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

// soakSeed returns the seed of a soak: ADAPTIVE_SOAK_SEED when set, else
// def, so that a run is reproducible and a failure can be replayed.
func soakSeed(t *testing.T, def uint64) uint64 {
	t.Helper()
	seed := def
	if s := os.Getenv("ADAPTIVE_SOAK_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		require.NoError(t, err, "ADAPTIVE_SOAK_SEED")
		seed = v
	}
	t.Logf("seed %d (replay with ADAPTIVE_SOAK_SEED=%d)", seed, seed)
	return seed
}

// faultCounter is a RoundTripper that counts, as the client sees them, the
// faults a soak injects: answers with a retryable error status, and
// transport failures (dropped connections) of calls not cancelled.
type faultCounter struct {
	base http.RoundTripper
	mu   sync.Mutex
	// byKind counts faults by "503", "429", "500", "dropped".
	byKind   map[string]int
	requests int
}

func newFaultCounter(base http.RoundTripper) *faultCounter {
	return &faultCounter{base: base, byKind: map[string]int{}}
}

func (f *faultCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := f.base.RoundTrip(r)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	switch {
	case err != nil && r.Context().Err() == nil:
		f.byKind["dropped"]++
	case err == nil && (resp.StatusCode == 429 || resp.StatusCode >= 500):
		f.byKind[strconv.Itoa(resp.StatusCode)]++
	}
	return resp, err
}

// total returns the number of faults seen and a description by kind.
func (f *faultCounter) total() (int, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	var kinds []string
	for k, v := range f.byKind {
		n += v
		kinds = append(kinds, fmt.Sprintf("%s: %d", k, v))
	}
	sort.Strings(kinds)
	return n, strings.Join(kinds, ", ")
}

// soakClient returns a client for srv that counts faults, on a transport
// whose idle connections are closed at cleanup.
func soakClient(t *testing.T, srv *adaptivetest.Server, opts ...adaptive.Option) (*adaptive.Client, *faultCounter) {
	t.Helper()
	_, tr := relTransport()
	t.Cleanup(tr.CloseIdleConnections)
	fc := newFaultCounter(tr)
	return srv.Client(append([]adaptive.Option{adaptive.WithHTTPClient(&http.Client{Transport: fc})}, opts...)...), fc
}

// retryFault returns a random retryable answer: 503 or 429 with a small
// Retry-After (seconds "0" or retry-after-ms), or a 500 without.
func retryFault(r *rand.Rand) adaptivetest.Fault {
	switch r.IntN(4) {
	case 0:
		return adaptivetest.Fault{Status: 503, RetryAfterMS: strconv.Itoa(1 + r.IntN(3))}
	case 1:
		return adaptivetest.Fault{Status: 429, RetryAfterMS: strconv.Itoa(1 + r.IntN(3))}
	case 2:
		return adaptivetest.Fault{Status: 503, RetryAfter: "0"}
	default:
		return adaptivetest.Fault{Status: 500}
	}
}

// TestSoakUploadsUnderFaults runs uploads of random sizes and sources with
// random faults on every route: failing and dropped parts, parts the server
// acknowledges but loses, 429/503 with Retry-After on init, parts, status
// and abort. Each upload must either succeed with the server holding exactly
// the bytes sent (SHA-256 checked), or fail with an *UploadError whose
// session was aborted (or kept, with KeepOnError) — or, when the session
// could not even be opened, with a plain error and no session left open.
func TestSoakUploadsUnderFaults(t *testing.T) {
	seed := soakSeed(t, 9001)
	r := rand.New(rand.NewPCG(seed, 1))
	srv := adaptivetest.NewServer(adaptivetest.WithAPIKey(relKey))
	defer srv.Close()
	c, faults := soakClient(t, srv)
	ctx := context.Background()

	uploads, multipart := 120, 10
	if testing.Short() {
		uploads, multipart = 40, 3
	}
	var (
		succeeded, failedAborted, failedKept, initFailed int
		bytesVerified, parts                             int64
		bigOnes                                          int
		lost                                             int // LosePart injections armed
		keepSessions                                     []string
	)
	for i := range uploads {
		size := 1 + r.IntN(256<<10)
		if i%(uploads/multipart) == 0 {
			size = 5*relMiB + 1 + r.IntN(6*relMiB) // two or three parts
			bigOnes++
		}
		data := relData(seed+uint64(i), size)
		keep := r.IntN(5) == 0
		opts := &adaptive.UploadOptions{Concurrency: 1 + r.IntN(4), KeepOnError: keep, Checksum: adaptive.ChecksumSHA256}
		var session string
		opts.OnSession = func(id string) { session = id }
		totalParts := (size + 5*relMiB - 1) / (5 * relMiB)

		// The source: a ReaderAt, a stream of known size, or a stream of
		// unknown size (spooled).
		var src io.Reader
		kind := r.IntN(3)
		switch kind {
		case 0:
			src = bytes.NewReader(data)
		case 1:
			src = io.MultiReader(bytes.NewReader(data))
			opts.Size = int64(size)
		default:
			src = io.MultiReader(bytes.NewReader(data))
		}

		// The faults of this upload.
		srv.ClearFaults()
		if r.IntN(6) == 0 {
			srv.FailNext(adaptivetest.RouteUploadInit, 1+r.IntN(3), retryFault(r))
		}
		for k := 1; k <= totalParts; k++ {
			switch r.IntN(8) {
			case 0:
				srv.FailPart(k, 1+r.IntN(3), []int{500, 502, 503}[r.IntN(3)])
			case 1:
				srv.DropPartMidway(k)
			case 2:
				srv.FailNext(adaptivetest.RouteUploadPart, 1+r.IntN(2), retryFault(r))
			case 3:
				srv.FailNext(adaptivetest.RouteUploadPart, 1, adaptivetest.Fault{Drop: true})
			case 4:
				if r.IntN(3) == 0 {
					srv.LosePart(k)
					lost++
				}
			}
		}
		if r.IntN(6) == 0 {
			srv.FailNext(adaptivetest.RouteUploadStatus, 1+r.IntN(3), retryFault(r))
		}
		if r.IntN(4) == 0 {
			srv.FailNext(adaptivetest.RouteUploadAbort, 1+r.IntN(2), retryFault(r))
		}

		what := fmt.Sprintf("seed %d upload %d (%d bytes, %d parts, source %d, concurrency %d, keep %v)", seed, i, size, totalParts, kind, opts.Concurrency, keep)
		res, err := c.Uploads.Upload(ctx, src, opts)
		if err == nil {
			got, ok := srv.UploadedBytes(res.SessionID)
			require.True(t, ok, "%s: success but the server does not hold every part", what)
			require.True(t, bytes.Equal(data, got), "%s: success but the server holds other bytes", what)
			require.Equal(t, sha256.Sum256(data), sha256.Sum256(got), what)
			want := sha256.Sum256(data)
			require.Equal(t, want[:], res.SHA256, what)
			require.Equal(t, int64(size), res.Bytes, what)
			require.Equal(t, totalParts, res.Parts, what)
			succeeded++
			bytesVerified += int64(size)
			parts += int64(totalParts)
			continue
		}
		var ue *adaptive.UploadError
		if session == "" {
			// The session was never opened: a plain error, nothing to abort.
			require.False(t, errors.As(err, &ue), "%s: %v", what, err)
			initFailed++
			continue
		}
		require.ErrorAs(t, err, &ue, "%s", what)
		require.Equal(t, session, ue.SessionID, what)
		// A session whose parts were all acknowledged is kept whatever
		// KeepOnError says (the abort rules of adaptive.UploadError).
		if complete := strings.Contains(err.Error(), "every part was acknowledged"); keep || complete {
			require.False(t, ue.Aborted, "%s: kept but aborted", what)
			require.True(t, srv.SessionExists(session), "%s: kept but the session is gone", what)
			keepSessions = append(keepSessions, session)
			failedKept++
		} else {
			require.True(t, ue.Aborted, "%s: not aborted: %v", what, err)
			require.NoError(t, ue.AbortErr, what)
			require.False(t, srv.SessionExists(session), "%s: the session is still open", what)
			failedAborted++
		}
	}
	// The only sessions left open are complete uploads and kept ones.
	for _, id := range srv.UploadSessions() {
		if _, ok := srv.UploadedBytes(id); !ok {
			assert.Contains(t, keepSessions, id, "seed %d: session %s left open, incomplete", seed, id)
		}
	}
	n, kinds := faults.total()
	require.Equal(t, uploads, succeeded+failedAborted+failedKept+initFailed)
	t.Logf("uploads: %d run (%d multi-part), %d succeeded with SHA-256 verified (%d bytes, %d parts), %d failed and aborted, %d failed and kept (KeepOnError, or every part acknowledged), %d failed to open a session; %d requests; %d faults seen by the client (%s), plus %d parts armed to be acknowledged then lost by the server",
		uploads, bigOnes, succeeded, bytesVerified, parts, failedAborted, failedKept, initFailed, faults.requests, n, kinds, lost)
	assert.Positive(t, succeeded)
	assert.Positive(t, failedAborted)
}

// TestSoakDownloadsCutShort saves downloads of random sizes, many of them
// cut by the server at a random byte or failed before the body with
// retryable errors: a file appears under its final name only complete and
// exact, and no temporary file is ever left behind.
func TestSoakDownloadsCutShort(t *testing.T) {
	seed := soakSeed(t, 4242)
	r := rand.New(rand.NewPCG(seed, 2))
	srv := adaptivetest.NewServer(adaptivetest.WithAPIKey(relKey))
	defer srv.Close()
	c, faults := soakClient(t, srv)
	ctx := context.Background()
	dir := t.TempDir()

	downloads := 120
	if testing.Short() {
		downloads = 40
	}
	var saved, cut, failedBefore, replaced int
	var bytesSaved int64
	for i := range downloads {
		size := 1 + r.IntN(256<<10)
		content := relData(seed+uint64(i), size)
		id := fmt.Sprintf("ds-%d", i)
		srv.AddDataset(srv.Project, id, "", content)
		srv.ClearFaults()
		target := filepath.Join(dir, fmt.Sprintf("ds-%d.jsonl", r.IntN(10))) // names reused: some saves replace a file
		before, oldErr := os.ReadFile(target)                                // oldErr == nil: a file is there already
		wantCut := false
		switch r.IntN(4) {
		case 0:
			srv.CutDownloadAfter(int64(r.IntN(size)))
			wantCut = true
		case 1:
			srv.FailNext(adaptivetest.RouteDatasetDownload, 1+r.IntN(3), retryFault(r))
		case 2:
			srv.FailNext(adaptivetest.RouteDatasetDownload, 1+r.IntN(3), adaptivetest.Fault{Drop: true})
		}
		what := fmt.Sprintf("seed %d download %d (%d bytes, cut %v)", seed, i, size, wantCut)
		d, err := c.Datasets.Download(ctx, "", id, nil)
		if err == nil {
			var n int64
			n, err = d.SaveFile(target)
			if err == nil {
				require.False(t, wantCut, "%s: a cut body was saved", what)
				got, rerr := os.ReadFile(target)
				require.NoError(t, rerr)
				require.True(t, bytes.Equal(content, got), "%s: the saved file differs", what)
				require.Equal(t, int64(size), n, what)
				saved++
				bytesSaved += n
				if oldErr == nil {
					replaced++
				}
			} else {
				require.True(t, wantCut, "%s: %v", what, err)
				require.ErrorIs(t, err, io.ErrUnexpectedEOF, what)
				cut++
			}
		} else {
			// Retries ran out before the body: nothing was written.
			failedBefore++
		}
		if err != nil {
			// The old file, if any, is untouched; otherwise nothing is there.
			got, rerr := os.ReadFile(target)
			if oldErr == nil {
				require.NoError(t, rerr, what)
				require.True(t, bytes.Equal(before, got), "%s: a failed save changed the old file", what)
			} else {
				require.True(t, errors.Is(rerr, os.ErrNotExist), "%s: a failed save left a file under the final name", what)
			}
		}
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, e := range entries {
			require.False(t, strings.HasSuffix(e.Name(), ".part"), "%s: temporary file %s left behind", what, e.Name())
		}
	}
	n, kinds := faults.total()
	t.Logf("downloads: %d run, %d saved complete and exact (%d bytes, %d replacing an older file), %d cut mid-body and refused with nothing under the final name, %d failed before the body after retries; %d faults seen by the client (%s)",
		downloads, saved, bytesSaved, replaced, cut, failedBefore, n, kinds)
	assert.Positive(t, saved)
	assert.Positive(t, cut)
}

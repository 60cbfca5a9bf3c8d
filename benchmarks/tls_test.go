package benchmarks

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/adaptive-go/adaptive"
	"github.com/stretchr/testify/require"
)

// TestMain makes this process trust the certificate of httptest's TLS
// servers (the same built-in one for every server) through SSL_CERT_FILE,
// before any TLS connection is verified: the system roots are read once,
// on first use. So BenchmarkTLSReuse measures the SDK's real default
// transport, which clients built without WithHTTPClient share, rather than
// a copy configured by the benchmark.
func TestMain(m *testing.M) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	srv.Close()
	dir, err := os.MkdirTemp("", "adaptive-bench-tls")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	path := filepath.Join(dir, "httptest.pem")
	if err := os.WriteFile(path, cert, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Setenv("SSL_CERT_FILE", path)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// tlsCallsPerOp and tlsPartsPerOp are what one operation of
// BenchmarkTLSReuse runs at once: chat completions, and upload parts at
// the SDK's default upload concurrency.
const (
	tlsCallsPerOp = 4
	tlsPartsPerOp = adaptive.DefaultUploadConcurrency
	tlsPartSize   = 256 << 10
)

// tlsServer is an httptest TLS server that answers chat completions and
// upload parts, and counts the connections clients open to it.
type tlsServer struct {
	*httptest.Server
	conns atomic.Int64
}

func newTLSServer(tb testing.TB) *tlsServer {
	s := &tlsServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/upload/part") {
			_, _ = io.WriteString(w, `{}`)
			return
		}
		_, _ = io.WriteString(w, completionBody)
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.StartTLS()
	tb.Cleanup(s.Close)
	return s
}

// tlsRound runs tlsCallsPerOp chat completions and tlsPartsPerOp upload
// parts (Uploads.UploadPart) at once, and returns the first error.
func tlsRound(ctx context.Context, c *adaptive.Client, part []byte) error {
	var wg sync.WaitGroup
	errs := make(chan error, tlsCallsPerOp+tlsPartsPerOp)
	for range tlsCallsPerOp {
		wg.Go(func() {
			if _, err := c.Chat.Create(ctx, sdkChatRequest()); err != nil {
				errs <- err
			}
		})
	}
	for i := range tlsPartsPerOp {
		wg.Go(func() {
			if err := c.Uploads.UploadPart(ctx, "tls-session", i+1, part); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// warmUpRounds are run before connections are counted: in a cold round
// several dials race for each request, and some are abandoned midway, so
// the pool fills over the first rounds.
const warmUpRounds = 3

// After warm-up, rounds on the SDK's default transport reuse their
// connections: at most an occasional new one (net/http's own, see
// BenchmarkTLSReuse), where net/http's default pool of 2 opens about 6 per
// round.
func TestTLSRoundsReuseConnections(t *testing.T) {
	srv := newTLSServer(t)
	c, err := adaptive.NewClient(adaptive.WithBaseURL(srv.URL), adaptive.WithAPIKey("k"), adaptive.WithProject("demo"))
	require.NoError(t, err)
	part := make([]byte, 1024)
	for range warmUpRounds {
		require.NoError(t, tlsRound(t.Context(), c, part))
	}
	warm := srv.conns.Load()
	require.GreaterOrEqual(t, warm, int64(tlsCallsPerOp+tlsPartsPerOp), "one connection per request in flight")
	for range 20 {
		require.NoError(t, tlsRound(t.Context(), c, part))
	}
	require.LessOrEqual(t, srv.conns.Load()-warm, int64(2), "20 rounds after warm-up")
}

// BenchmarkTLSReuse runs, per operation, 4 chat completions and 4 upload
// parts (the default upload concurrency) at once against an httptest TLS
// server, and counts the TLS connections opened after warmUpRounds rounds
// (new-conns/op): "sdk" on the SDK's default transport (a client built
// without WithHTTPClient); "nethttp-default", the SDK on a clone of
// http.DefaultTransport, which keeps 2 idle connections per host, so that
// every round opens (and handshakes) again the connections past those 2;
// and "raw-32idle", the same requests by hand on a clone of
// http.DefaultTransport keeping 32 idle connections per host, the SDK's
// setting: net/http itself opens a connection now and then (about one in
// a thousand rounds here), which the SDK cannot do better than.
func BenchmarkTLSReuse(b *testing.B) {
	part := bytes.Repeat([]byte{'p'}, tlsPartSize)
	ctx := context.Background()
	sdk := func(opts ...adaptive.Option) func(b *testing.B, srv *tlsServer) func() error {
		return func(b *testing.B, srv *tlsServer) func() error {
			c, err := adaptive.NewClient(append([]adaptive.Option{adaptive.WithBaseURL(srv.URL), adaptive.WithAPIKey("k"),
				adaptive.WithProject("demo")}, opts...)...)
			if err != nil {
				b.Fatal(err)
			}
			return func() error { return tlsRound(ctx, c, part) }
		}
	}
	raw := func(b *testing.B, srv *tlsServer) func() error {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 32
		hc := &http.Client{Transport: tr}
		b.Cleanup(tr.CloseIdleConnections)
		return func() error { return rawTLSRound(ctx, hc, srv.URL, part) }
	}
	for _, side := range []struct {
		name  string
		setup func(b *testing.B, srv *tlsServer) func() error
	}{
		{"sdk", sdk()},
		{"nethttp-default", sdk(adaptive.WithHTTPClient(&http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}))},
		{"raw-32idle", raw},
	} {
		b.Run(side.name, func(b *testing.B) {
			srv := newTLSServer(b)
			round := side.setup(b, srv)
			for range warmUpRounds {
				if err := round(); err != nil {
					b.Fatal(err)
				}
			}
			warm := srv.conns.Load()
			b.ReportAllocs()
			b.SetBytes(tlsPartsPerOp * tlsPartSize)
			cpu := CPUTime()
			for b.Loop() {
				if err := round(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(srv.conns.Load()-warm)/float64(b.N), "new-conns/op")
			b.ReportMetric(float64(warm), "warm-up-conns")
			b.ReportMetric(float64(CPUTime()-cpu)/float64(b.N), CPUUnit)
		})
	}
}

// rawTLSRound is tlsRound by hand with net/http: the same requests, their
// answers read whole.
func rawTLSRound(ctx context.Context, hc *http.Client, url string, part []byte) error {
	var wg sync.WaitGroup
	errs := make(chan error, tlsCallsPerOp+tlsPartsPerOp)
	post := func(path string, body []byte) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+path, bytes.NewReader(body))
		if err == nil {
			var resp *http.Response
			if resp, err = hc.Do(req); err == nil {
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
		if err != nil {
			errs <- err
		}
	}
	chat, _ := json.Marshal(rawChatRequest{Model: "demo/model", Messages: []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: prompt}}})
	for range tlsCallsPerOp {
		wg.Go(func() { post("/api/v1/chat/completions", chat) })
	}
	for i := range tlsPartsPerOp {
		wg.Go(func() { post(fmt.Sprintf("/api/v1/upload/part?session_id=tls-session&part_number=%d", i+1), part) })
	}
	wg.Wait()
	close(errs)
	return <-errs
}

package adaptive_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

// throttledConn sends at most rate bytes per second; after stallAfter bytes
// (when not 0) it takes no more until it is closed, as a dead uplink.
type throttledConn struct {
	net.Conn
	rate       int
	stallAfter int64

	mu      sync.Mutex
	written int64
	closed  chan struct{}
	once    sync.Once
}

func (c *throttledConn) Write(p []byte) (int, error) {
	total := 0
	for len(p) > 0 {
		c.mu.Lock()
		room := int64(len(p))
		if c.stallAfter > 0 {
			room = c.stallAfter - c.written
		}
		c.mu.Unlock()
		if room <= 0 {
			<-c.closed
			return total, net.ErrClosed
		}
		chunk := int(min(int64(len(p)), room, 16<<10))
		n, err := c.Conn.Write(p[:chunk])
		total += n
		c.mu.Lock()
		c.written += int64(n)
		c.mu.Unlock()
		if err != nil {
			return total, err
		}
		time.Sleep(time.Duration(n) * time.Second / time.Duration(c.rate))
		p = p[n:]
	}
	return total, nil
}

func (c *throttledConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// throttledClient is a client of srv whose connections send at rate
// bytes per second, stalling after stallAfter bytes when it is not 0.
func throttledClient(srv *adaptivetest.Server, rate int, stallAfter int64, opts ...adaptive.Option) *adaptive.Client {
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &throttledConn{Conn: conn, rate: rate, stallAfter: stallAfter, closed: make(chan struct{})}, nil
	}}
	return srv.Client(append([]adaptive.Option{adaptive.WithHTTPClient(&http.Client{Transport: tr})}, opts...)...)
}

// A part bounded by silence, not by duration: at 1 MiB/s a 4 MiB part takes
// 4 s, more than WithTimeout(3s), and succeeds at the first attempt; the
// progress shows its bytes moving.
func TestUploadPartOnASlowLinkOutlastsWithTimeout(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := throttledClient(srv, 1<<20, 0, adaptive.WithTimeout(3*time.Second))
	data := uploadData(4 * mib)
	var sent []int64
	start := time.Now()
	res, err := c.Uploads.Upload(context.Background(), bytes.NewReader(data), &adaptive.UploadOptions{
		Progress: func(p adaptive.UploadProgress) {
			if p.Parts == 0 && p.Sent > 0 {
				sent = append(sent, p.Sent)
			}
		},
	})
	took := time.Since(start)
	require.NoError(t, err)
	assert.Greater(t, took, 3*time.Second, "the part took longer than WithTimeout")
	assert.Len(t, srv.RequestsTo(adaptivetest.RouteUploadPart), 1, "at the first attempt")
	got, ok := srv.UploadedBytes(res.SessionID)
	require.True(t, ok)
	assert.True(t, bytes.Equal(data, got))
	require.GreaterOrEqual(t, len(sent), 10, "the bar moves during the part: %v", sent)
	for i := 1; i < len(sent); i++ {
		assert.Greater(t, sent[i], sent[i-1])
	}
}

// A link that stops taking bytes fails the part on silence, with
// ErrIdleTimeout, after the retries.
func TestUploadPartOnAStalledLinkFailsWithErrIdleTimeout(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := throttledClient(srv, 8<<20, 256<<10, adaptive.WithIdleTimeout(300*time.Millisecond), adaptive.WithMaxRetries(1))
	start := time.Now()
	_, err := c.Uploads.Upload(context.Background(), bytes.NewReader(uploadData(4*mib)), nil)
	assert.ErrorIs(t, err, adaptive.ErrIdleTimeout)
	assert.ErrorContains(t, err, "after 2 attempts")
	var ue *adaptive.UploadError
	require.ErrorAs(t, err, &ue)
	assert.True(t, ue.Aborted)
	assert.Less(t, time.Since(start), 10*time.Second)
}

package adaptive

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// partSink is a minimal upload server that accepts any part and answers
// status with every declared part completed.
func partSink(t *testing.T) *Client {
	t.Helper()
	var total atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case pathUploadInit:
			var init UploadInitRequest
			_ = json.NewDecoder(r.Body).Decode(&init)
			total.Store(int64(init.TotalPartsCount))
			_, _ = io.WriteString(w, `{"session_id":"s1"}`)
		case pathUploadStatus:
			st := UploadStatus{CompletedParts: allParts(int(total.Load())), TotalPartsCount: int(total.Load())}
			_ = json.NewEncoder(w).Encode(st)
		default:
			_, _ = io.Copy(io.Discard, r.Body)
			_, _ = io.WriteString(w, `{}`)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(WithBaseURL(srv.URL), WithAPIKey("k"))
	require.NoError(t, err)
	return c
}

// watchBuffers records the sizes of the part buffers allocated while it is
// in place.
func watchBuffers(t *testing.T) func() []int64 {
	var mu sync.Mutex
	var sizes []int64
	orig := newPartBuffer
	newPartBuffer = func(n int64) []byte {
		mu.Lock()
		sizes = append(sizes, n)
		mu.Unlock()
		return orig(n)
	}
	t.Cleanup(func() { newPartBuffer = orig })
	return func() []int64 {
		mu.Lock()
		defer mu.Unlock()
		return append([]int64(nil), sizes...)
	}
}

type plain struct{ io.Reader }

func TestSmallStreamUploadAllocatesOnlyItsSize(t *testing.T) {
	sizes := watchBuffers(t)
	c := partSink(t)
	data := bytes.Repeat([]byte("x"), 10<<10)
	_, err := c.Uploads.Upload(context.Background(), plain{bytes.NewReader(data)}, &UploadOptions{Size: int64(len(data))})
	require.NoError(t, err)
	assert.Equal(t, []int64{10 << 10}, sizes(), "one buffer of 10 KiB, not of the 5 MiB part size")
}

func TestStreamUploadUsesAtMostConcurrencyPlusOneBuffers(t *testing.T) {
	sizes := watchBuffers(t)
	c := partSink(t)
	const size = 8*5<<20 + 3
	_, err := c.Uploads.Upload(context.Background(), plain{io.LimitReader(zeros{}, size)}, &UploadOptions{Size: size, Concurrency: 2})
	require.NoError(t, err)
	got := sizes()
	assert.LessOrEqual(t, len(got), 3, "at most Concurrency+1 buffers for 9 parts")
	for _, n := range got {
		assert.Equal(t, int64(5<<20), n)
	}
}

func TestReaderAtUploadAllocatesNoPartBuffer(t *testing.T) {
	sizes := watchBuffers(t)
	c := partSink(t)
	_, err := c.Uploads.Upload(context.Background(), bytes.NewReader(make([]byte, 11<<20)), nil)
	require.NoError(t, err)
	assert.Empty(t, sizes())
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestReadSourceCountsEachByteOnce(t *testing.T) {
	for _, size := range []int{3 << 20, 5 << 20, 5<<20 + 1, 12 << 20} {
		p := startProgress(nil, &callbackGuard{cancel: func(error) {}})
		src, err := readSource(context.Background(), plain{bytes.NewReader(make([]byte, size))}, 5<<20, p, false)
		require.NoError(t, err)
		assert.Equal(t, int64(size), src.size)
		assert.Equal(t, int64(size), p.read.Load(), "%d bytes: the head held in memory is not counted twice", size)
		assert.Equal(t, size > 5<<20, src.cleanup != nil, "spooled only above the bound")
		src.close()
	}
}

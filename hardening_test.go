package adaptive_test

// Regression tests for the defects of the adversarial run (issue 13): each
// failed before the transport was reworked.

import (
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
)

// cutAfterHeaders answers with the headers and half of body, then drops
// the connection, for the first n requests; then answers body whole.
func cutAfterHeaders(t *testing.T, n int32, body string) (*httptest.Server, *atomic.Int32) {
	var count atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		if count.Add(1) <= n {
			w.Header().Set("Content-Length", fmt.Sprint(len(body)))
			w.WriteHeader(http.StatusOK)
			w.Write([]byte(body[:len(body)/2]))
			w.(http.Flusher).Flush()
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv, &count
}

func TestCutAnswerOfIdempotentCallIsRetried(t *testing.T) {
	srv, n := cutAfterHeaders(t, 1, `{"completed_parts":[1,2],"total_parts_count":2}`)
	c := newTestClient(t, srv.URL)
	st, err := c.Uploads.Status(t.Context(), "s1")
	require.NoError(t, err)
	assert.Equal(t, int32(2), n.Load(), "the cut answer was a failed attempt, retried")
	assert.Equal(t, 2, st.TotalPartsCount)

	// The embeddings call is idempotent too.
	srv, n = cutAfterHeaders(t, 2, `{"data":[{"index":0,"embedding":[0.5]}]}`)
	c = newTestClient(t, srv.URL)
	_, err = c.Embeddings.Create(t.Context(), adaptive.EmbeddingsRequest{Input: "x", Project: "p"})
	require.NoError(t, err)
	assert.Equal(t, int32(3), n.Load())
}

func TestCutAnswerOfWriteIsNotResentAndSaysSo(t *testing.T) {
	srv, n := cutAfterHeaders(t, 5, `{"outcome_id":"`+uuid.NewString()+`"}`)
	c := newTestClient(t, srv.URL)
	_, err := c.Feedback.Outcome(t.Context(), adaptive.OutcomeRequest{Project: "p", Metric: "m", Value: adaptive.MetricBool(true), SessionID: uuid.New()})
	require.Error(t, err)
	assert.Equal(t, int32(1), n.Load(), "a write whose answer was lost is never sent again")
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Contains(t, err.Error(), "may have recorded the request")
}

func TestSlowAnswerBodyIsCutByTheAttemptTimeoutAndRetried(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := `{"completed_parts":[],"total_parts_count":1}`
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(body[:5]))
		w.(http.Flusher).Flush()
		if n.Add(1) == 1 {
			select { // stall the first answer in the middle of its body
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		w.Write([]byte(body[5:]))
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, adaptive.WithTimeout(150*time.Millisecond))
	start := time.Now()
	_, err := c.Uploads.Status(t.Context(), "s1")
	require.NoError(t, err)
	assert.Equal(t, int32(2), n.Load())
	assert.Less(t, time.Since(start), 3*time.Second)
}

// gateway forwards every request to the backend (which records it) and
// then answers status, as a proxy that timed out waiting does.
func gateway(t *testing.T, status int) (*httptest.Server, *atomic.Int32) {
	var recorded atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		recorded.Add(1)
		w.WriteHeader(status)
		w.Write([]byte(`{"error":"upstream timed out"}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &recorded
}

func TestWritesAreNotResentAfterAGatewayError(t *testing.T) {
	msgs := []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "hi"}}
	writes := map[string]func(*adaptive.Client) error{
		"outcome": func(c *adaptive.Client) error {
			_, err := c.Feedback.Outcome(t.Context(), adaptive.OutcomeRequest{Project: "p", Metric: "m", Value: adaptive.MetricBool(true), SessionID: uuid.New()})
			return err
		},
		"comparison": func(c *adaptive.Client) error {
			_, err := c.Feedback.Comparison(t.Context(), adaptive.ComparisonRequest{Project: "p", Metric: "m", Messages: msgs,
				PreferredCompletion: adaptive.CompletionText("a", "m"), OtherCompletion: adaptive.CompletionText("b", "m")})
			return err
		},
		"interactions": func(c *adaptive.Client) error {
			_, err := c.Interactions.Add(t.Context(), adaptive.InteractionRequest{Project: "p", Messages: msgs, Completion: "hello"})
			return err
		},
	}
	for name, write := range writes {
		for _, status := range []int{500, 502, 503, 504} {
			srv, recorded := gateway(t, status)
			err := write(newTestClient(t, srv.URL))
			var apiErr *adaptive.APIError
			require.ErrorAs(t, err, &apiErr, "%s %d", name, status)
			assert.Equal(t, status, apiErr.StatusCode)
			assert.Equal(t, int32(1), recorded.Load(), "%s after %d: recorded once", name, status)
		}
		// A 429 says the server did not act: it is retried (the scripted
		// server's {"ok":true} then fails to decode, which is beside the
		// point here).
		srv, n := scripted(t, nil, 429)
		_ = write(newTestClient(t, srv.URL))
		assert.Equal(t, int32(2), n.Load(), name)
	}

	// Chat completions are generations: they are retried after a 5xx.
	srv, n := gateway(t, 502)
	_, err := newTestClient(t, srv.URL).Chat.Create(t.Context(), adaptive.ChatRequest{Project: "p", Messages: msgs})
	require.Error(t, err)
	assert.Equal(t, int32(3), n.Load())
	assert.Contains(t, err.Error(), "(after 3 attempts)")
}

// tlsRedirector is an https server that redirects every request to target.
func tlsRedirector(t *testing.T, status int, target func(r *http.Request) string) *httptest.Server {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target(r), status)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// recorder records the Authorization header, a custom header and the body
// of what it receives.
type recorder struct {
	srv      *httptest.Server
	hits     atomic.Int32
	auth     atomic.Value
	custom   atomic.Value
	gotBytes atomic.Int64
}

func newRecorder(t *testing.T, tlsToo bool) *recorder {
	rec := &recorder{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.hits.Add(1)
		rec.auth.Store(r.Header.Get("Authorization"))
		rec.custom.Store(r.Header.Get("X-Custom"))
		n, _ := io.Copy(io.Discard, r.Body)
		rec.gotBytes.Add(n)
		w.Write([]byte("file bytes"))
	})
	if tlsToo {
		rec.srv = httptest.NewTLSServer(h)
	} else {
		rec.srv = httptest.NewServer(h)
	}
	t.Cleanup(rec.srv.Close)
	return rec
}

func TestRedirectPolicy(t *testing.T) {
	tlsClient := func(t *testing.T, base string) *adaptive.Client {
		hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
		return newTestClient(t, base, adaptive.WithHTTPClient(hc), adaptive.WithHeader("X-Custom", "custom-value"), adaptive.WithMaxRetries(0))
	}
	sessionOutcome := func(c *adaptive.Client) error {
		_, err := c.Feedback.Outcome(t.Context(), adaptive.OutcomeRequest{Project: "p", Metric: "m", Value: adaptive.MetricBool(true), SessionID: uuid.New()})
		return err
	}

	t.Run("https to http on the same host is refused", func(t *testing.T) {
		plain := newRecorder(t, false)
		port := plain.srv.Listener.Addr().(interface{ String() string }).String()
		port = port[strings.LastIndex(port, ":")+1:]
		srv := tlsRedirector(t, http.StatusFound, func(r *http.Request) string { return "http://127.0.0.1:" + port + r.URL.Path })
		for _, call := range []func(*adaptive.Client) error{
			sessionOutcome,
			func(c *adaptive.Client) error { _, err := c.Datasets.Download(t.Context(), "p", "d", nil); return err },
		} {
			err := call(tlsClient(t, srv.URL))
			require.ErrorIs(t, err, adaptive.ErrRedirectRefused)
			assert.Contains(t, err.Error(), "https to http")
			assert.NotContains(t, err.Error(), secretKey)
		}
		assert.Equal(t, int32(0), plain.hits.Load(), "nothing reached the http server")
	})

	t.Run("same host other port 307 is refused for API calls", func(t *testing.T) {
		other := newRecorder(t, true)
		srv := tlsRedirector(t, http.StatusTemporaryRedirect, func(r *http.Request) string { return other.srv.URL + r.URL.Path })
		err := sessionOutcome(tlsClient(t, srv.URL))
		require.ErrorIs(t, err, adaptive.ErrRedirectRefused)
		assert.Contains(t, err.Error(), "another origin")
		assert.Equal(t, int32(0), other.hits.Load())
	})

	t.Run("a download follows another origin with no key and no custom header", func(t *testing.T) {
		storage := newRecorder(t, true)
		storageURL := strings.Replace(storage.srv.URL, "127.0.0.1", "localhost", 1)
		srv := tlsRedirector(t, http.StatusTemporaryRedirect, func(r *http.Request) string { return storageURL + "/object" })
		d, err := tlsClient(t, srv.URL).Datasets.Download(t.Context(), "p", "d", nil)
		require.NoError(t, err)
		body, err := io.ReadAll(d)
		require.NoError(t, err)
		d.Close()
		assert.Equal(t, "file bytes", string(body))
		assert.Equal(t, int32(1), storage.hits.Load())
		assert.Equal(t, "", storage.auth.Load(), "no credentials to storage")
		assert.Equal(t, "", storage.custom.Load(), "no custom headers to storage")
	})

	t.Run("the base origin gets the key and the custom header", func(t *testing.T) {
		base := newRecorder(t, true)
		d, err := tlsClient(t, base.srv.URL).Datasets.Download(t.Context(), "p", "d", nil)
		require.NoError(t, err)
		d.Close()
		assert.Equal(t, "Bearer "+secretKey, base.auth.Load())
		assert.Equal(t, "custom-value", base.custom.Load())
	})
}

func TestNewClientNeverEchoesTheBaseURL(t *testing.T) {
	clearEnv(t)
	for _, bad := range []string{
		secretKey, // a key given as the base URL
		"https://host.example/?token=" + secretKey, // a query
		"https://user:" + secretKey + "@host.example",
		"https://" + secretKey + "@host.example",
	} {
		_, err := adaptive.NewClient(adaptive.WithBaseURL(bad), adaptive.WithAPIKey("k-0123456789"))
		require.Error(t, err, bad)
		assert.NotContains(t, err.Error(), secretKey)
		assert.Equal(t, 1, strings.Count(err.Error(), "adaptive:"), "one prefix: %s", err)
	}
	t.Setenv(adaptive.EnvBaseURL, "ftp://"+secretKey)
	t.Setenv(adaptive.EnvAPIKey, "k-0123456789")
	_, err := adaptive.NewClient()
	require.Error(t, err)
	assert.NotContains(t, err.Error(), secretKey)
	assert.Equal(t, "adaptive: ADAPTIVE_BASE_URL: the base URL is not an absolute http(s) URL: set WithBaseURL or ADAPTIVE_BASE_URL to an absolute http(s) URL such as https://your-adaptive-instance", err.Error())
}

type holder struct {
	Name   string
	Client *adaptive.Client
}

func TestReflectionPrintersNeverShowTheKey(t *testing.T) {
	// Two clients that differ, so that the diffs descend into them; each
	// has a transport of its own, which the printers walk through too.
	own := func() adaptive.Option { return adaptive.WithHTTPClient(&http.Client{Transport: &http.Transport{}}) }
	a := holder{"a", newTestClient(t, "http://127.0.0.1:1", own())}
	b := holder{"b", newTestClient(t, "http://127.0.0.1:2", own(), adaptive.WithProject("other"))}

	// testify's failure message diffs the two values with spew, which
	// follows pointers into unexported fields.
	mock := &capturingT{}
	assert.Equal(mock, a, b)
	require.Contains(t, mock.msg, "Diff:")
	assert.NotContains(t, mock.msg, "very-secret")

	// go-cmp, allowed into every unexported field.
	diff := cmp.Diff(a, b, cmp.Exporter(func(reflect.Type) bool { return true }))
	require.NotEmpty(t, diff)
	assert.NotContains(t, diff, "very-secret")

	assert.NotContains(t, fmt.Sprintf("%#v %+v %v %s", a, a, *a.Client, a.Client), "very-secret")
}

// capturingT is a testify TestingT that keeps the failure message.
type capturingT struct{ msg string }

func (m *capturingT) Errorf(format string, args ...any) { m.msg += fmt.Sprintf(format, args...) }

func TestServerEchoedKeyIsRedacted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":"invalid token %s"}`, r.Header.Get("Authorization"))
	}))
	defer srv.Close()
	err := newTestClient(t, srv.URL).Do(t.Context(), http.MethodGet, "/api/v1/x", nil, nil)
	var apiErr *adaptive.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.NotContains(t, err.Error(), secretKey)
	assert.NotContains(t, string(apiErr.Body), secretKey)
	assert.Equal(t, "invalid token Bearer [REDACTED]", apiErr.Message)
}

func TestKeyWithSurroundingWhiteSpaceIsTrimmed(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("Authorization"))
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	clearEnv(t)
	c, err := adaptive.NewClient(adaptive.WithBaseURL(srv.URL), adaptive.WithAPIKey(" "+secretKey+"\n"))
	require.NoError(t, err)
	require.NoError(t, c.Do(t.Context(), http.MethodGet, "/api/v1/x", nil, nil))
	assert.Equal(t, "Bearer "+secretKey, got.Load())

	t.Setenv(adaptive.EnvBaseURL, srv.URL)
	t.Setenv(adaptive.EnvAPIKey, secretKey+"\r\n")
	_, err = adaptive.NewClient()
	require.NoError(t, err)

	_, err = adaptive.NewClient(adaptive.WithAPIKey("sk-abc\ndef"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "control character")
	assert.NotContains(t, err.Error(), "sk-abc")
}

func TestJSONAnswerBounds(t *testing.T) {
	t.Run("a Content-Length over the bound is refused before reading", func(t *testing.T) {
		var wrote atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(100<<20))
			w.WriteHeader(http.StatusOK)
			chunk := make([]byte, 64<<10)
			for i := 0; i < 1600; i++ {
				n, err := w.Write(chunk)
				wrote.Add(int64(n))
				if err != nil {
					return
				}
			}
		}))
		defer srv.Close()
		err := newTestClient(t, srv.URL, adaptive.WithMaxResponseSize(1<<20)).Do(t.Context(), http.MethodGet, "/api/v1/x", nil, &struct{}{})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "Content-Length 104857600 exceeds the 1048576-byte limit")
		assert.Contains(t, err.Error(), "WithMaxResponseSize")
	})

	t.Run("an endless body costs a bounded amount of memory", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusOK)
			chunk := []byte(strings.Repeat(" ", 32<<10))
			for {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}))
		defer srv.Close()
		const limit = 8 << 20
		c := newTestClient(t, srv.URL, adaptive.WithMaxResponseSize(limit))
		alloc := allocated(func() {
			err := c.Do(t.Context(), http.MethodGet, "/api/v1/x", nil, &struct{}{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "exceeds the 8388608-byte limit")
		})
		t.Logf("an endless body with an 8 MiB bound allocated %.1f MiB", float64(alloc)/(1<<20))
		assert.Less(t, alloc, int64(3*limit), "the buffer never grows past the bound")
	})

	t.Run("a valid answer of size S costs under 2S plus a constant", func(t *testing.T) {
		const size = 24 << 20
		body := `{"data":[{"index":0,"embedding":"` + strings.Repeat("A", size) + `"}]}`
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(len(body)))
			io.WriteString(w, body)
		}))
		defer srv.Close()
		c := newTestClient(t, srv.URL)
		var out struct {
			Data []struct{ Embedding string }
		}
		alloc := allocated(func() {
			require.NoError(t, c.Do(t.Context(), http.MethodGet, "/api/v1/x", nil, &out))
		})
		require.Len(t, out.Data, 1)
		t.Logf("a %d MiB answer allocated %.1f MiB (%.2f S)", size>>20, float64(alloc)/(1<<20), float64(alloc)/float64(len(body)))
		assert.Less(t, alloc, int64(2*len(body)+(4<<20)))
	})
}

// allocated returns the bytes the process allocated while f ran (an upper
// bound of the peak heap f caused).
func allocated(f func()) int64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return int64(after.TotalAlloc - before.TotalAlloc)
}

func TestDownloadStalledMidBodyEndsWithIdleTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(strings.Repeat("x", 40)))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	d, err := newTestClient(t, srv.URL, adaptive.WithIdleTimeout(100*time.Millisecond)).Datasets.Download(t.Context(), "p", "d", nil)
	require.NoError(t, err)
	defer d.Close()
	start := time.Now()
	_, err = io.ReadAll(d)
	require.ErrorIs(t, err, adaptive.ErrIdleTimeout)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Contains(t, err.Error(), "after 40 bytes")
}

func TestPlainHTTPToARemoteHostWarnsOnce(t *testing.T) {
	clearEnv(t)
	var logs strings.Builder
	l := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	_, err := adaptive.NewClient(adaptive.WithBaseURL("http://adaptive.example.com"), adaptive.WithAPIKey(secretKey), adaptive.WithLogger(l))
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(logs.String(), "sent in clear"), logs.String())
	assert.NotContains(t, logs.String(), secretKey)
	logs.Reset()
	for _, base := range []string{"http://127.0.0.1:8080", "http://localhost:1", "https://adaptive.example.com", "http://[::1]:9"} {
		_, err := adaptive.NewClient(adaptive.WithBaseURL(base), adaptive.WithAPIKey(secretKey), adaptive.WithLogger(l))
		require.NoError(t, err)
	}
	assert.Empty(t, logs.String())
}

func TestKeyCutAtABoundIsRedactedToo(t *testing.T) {
	// A proxy's error page that echoes the request headers, with the key
	// straddling the 64 KiB the SDK keeps of an error body.
	const keep = 64 << 10
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		auth := r.Header.Get("Authorization")
		io.WriteString(w, strings.Repeat("x", keep-len(auth)+10)+auth+" and more")
	}))
	defer srv.Close()
	err := newTestClient(t, srv.URL, adaptive.WithMaxRetries(0)).Do(t.Context(), http.MethodGet, "/api/v1/x", nil, nil)
	var apiErr *adaptive.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.LessOrEqual(t, len(apiErr.Body), keep+len("[REDACTED]"))
	assert.NotContains(t, string(apiErr.Body), secretKey[:8], "no prefix of the key survives the cut")
	assert.True(t, strings.HasSuffix(string(apiErr.Body), "[REDACTED]"))

	// The message is cut at about 1 KiB: the key straddling that cut.
	srv2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":"%s%s"}`, strings.Repeat("y", 1020), r.Header.Get("Authorization"))
	}))
	defer srv2.Close()
	err = newTestClient(t, srv2.URL).Do(t.Context(), http.MethodGet, "/api/v1/x", nil, nil)
	require.ErrorAs(t, err, &apiErr)
	assert.NotContains(t, err.Error(), secretKey[:8])
	assert.NotContains(t, apiErr.Message, secretKey[:8])
}

func TestDoRefusesAPathWithAHost(t *testing.T) {
	c := newTestClient(t, "http://127.0.0.1:1")
	for _, p := range []string{"//evil.example/x", "/x#frag"} {
		var vErr *adaptive.ValidationError
		require.ErrorAs(t, c.Do(t.Context(), http.MethodGet, p, nil, nil), &vErr, p)
		assert.Equal(t, "path", vErr.Field)
	}
}

func TestTemperatureBeyondFloat32IsRefusedBeforeSending(t *testing.T) {
	c := newTestClient(t, "http://127.0.0.1:1")
	for _, v := range []float64{1e300, -1e39, math.NaN(), math.Inf(1)} {
		_, err := c.Chat.Create(t.Context(), adaptive.ChatRequest{Project: "p", Temperature: adaptive.Ptr(v),
			Messages: []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "hi"}}})
		var vErr *adaptive.ValidationError
		require.ErrorAs(t, err, &vErr, "%v", v)
		assert.Equal(t, "ChatRequest.Temperature", vErr.Field)
	}
}

func TestSignedStorageQueryStaysOutOfErrors(t *testing.T) {
	storage := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, "expired")
	}))
	defer storage.Close()
	storageURL := strings.Replace(storage.URL, "127.0.0.1", "localhost", 1)
	srv := tlsRedirector(t, http.StatusTemporaryRedirect, func(r *http.Request) string {
		return storageURL + "/object?X-Amz-Signature=sig-0123456789"
	})
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	_, err := newTestClient(t, srv.URL, adaptive.WithHTTPClient(hc)).Datasets.Download(t.Context(), "p", "d", nil)
	var apiErr *adaptive.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 403, apiErr.StatusCode)
	assert.NotContains(t, err.Error(), "sig-0123456789")
	assert.Contains(t, apiErr.URL, "/object")
}

func TestRedirectLimitIsNotRetried(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "/api/v1/x", http.StatusFound)
	}))
	defer srv.Close()
	err := newTestClient(t, srv.URL).Do(t.Context(), http.MethodGet, "/api/v1/x", nil, nil)
	require.ErrorContains(t, err, "stopped after 10 redirects")
	assert.Equal(t, int32(10), hits.Load(), "one attempt of 10 requests, not three")
}

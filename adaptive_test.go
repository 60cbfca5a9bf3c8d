package adaptive_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
)

const secretKey = "sk-very-secret-0123456789"

// clearEnv makes the test independent of the developer's environment.
func clearEnv(t *testing.T) {
	t.Helper()
	t.Setenv(adaptive.EnvBaseURL, "")
	t.Setenv(adaptive.EnvAPIKey, "")
	t.Setenv(adaptive.EnvProject, "")
}

func TestNewClientEnvDefaultsAndPrecedence(t *testing.T) {
	clearEnv(t)
	t.Setenv(adaptive.EnvBaseURL, "https://env.example.com/api/v1/")
	t.Setenv(adaptive.EnvAPIKey, "env-key")
	t.Setenv(adaptive.EnvProject, "env-project")

	c, err := adaptive.NewClient()
	require.NoError(t, err)
	assert.Equal(t, "https://env.example.com", c.BaseURL())
	assert.Equal(t, "env-project", c.Project())

	c, err = adaptive.NewClient(adaptive.WithBaseURL("http://opt.example.com"), adaptive.WithProject("opt-project"))
	require.NoError(t, err)
	assert.Equal(t, "http://opt.example.com", c.BaseURL())
	assert.Equal(t, "opt-project", c.Project())
}

func TestNewClientEnvKeyIsUsed(t *testing.T) {
	clearEnv(t)
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("Authorization")
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	t.Setenv(adaptive.EnvAPIKey, "env-key")
	t.Setenv(adaptive.EnvBaseURL, srv.URL)
	c, err := adaptive.NewClient()
	require.NoError(t, err)
	require.NoError(t, c.Do(context.Background(), http.MethodGet, "/api/v1/x", nil, nil))
	assert.Equal(t, "Bearer env-key", got)

	c, err = adaptive.NewClient(adaptive.WithAPIKey("opt-key"))
	require.NoError(t, err)
	require.NoError(t, c.Do(context.Background(), http.MethodGet, "/api/v1/x", nil, nil))
	assert.Equal(t, "Bearer opt-key", got)
}

func TestNewClientBadInput(t *testing.T) {
	clearEnv(t)
	cases := []struct {
		name string
		opts []adaptive.Option
		want []string
	}{
		{"no base URL", []adaptive.Option{adaptive.WithAPIKey("k")}, []string{"WithBaseURL", adaptive.EnvBaseURL}},
		{"no key", []adaptive.Option{adaptive.WithBaseURL("https://x")}, []string{"WithAPIKey", adaptive.EnvAPIKey}},
		{"relative URL", []adaptive.Option{adaptive.WithAPIKey("k"), adaptive.WithBaseURL("example.com")}, []string{"absolute http(s)", adaptive.EnvBaseURL}},
		{"ftp URL", []adaptive.Option{adaptive.WithAPIKey("k"), adaptive.WithBaseURL("ftp://example.com")}, []string{"absolute http(s)"}},
		{"query in URL", []adaptive.Option{adaptive.WithAPIKey("k"), adaptive.WithBaseURL("https://x/?a=b")}, []string{"query"}},
		{"empty key", []adaptive.Option{adaptive.WithBaseURL("https://x"), adaptive.WithAPIKey(" ")}, []string{"WithAPIKey"}},
		{"negative retries", []adaptive.Option{adaptive.WithMaxRetries(-1)}, []string{"WithMaxRetries"}},
		{"negative timeout", []adaptive.Option{adaptive.WithTimeout(-1)}, []string{"WithTimeout"}},
		{"nil http client", []adaptive.Option{adaptive.WithHTTPClient(nil)}, []string{"WithHTTPClient"}},
		{"tiny event size", []adaptive.Option{adaptive.WithMaxEventSize(10)}, []string{"WithMaxEventSize"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := adaptive.NewClient(tc.opts...)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}

	t.Run("bad env URL", func(t *testing.T) {
		t.Setenv(adaptive.EnvBaseURL, "not a url")
		_, err := adaptive.NewClient(adaptive.WithAPIKey("k"))
		require.Error(t, err)
		assert.Contains(t, err.Error(), adaptive.EnvBaseURL)
	})
}

func TestBaseURLNormalisation(t *testing.T) {
	clearEnv(t)
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.EscapedPath())
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	for _, base := range []string{srv.URL, srv.URL + "/", srv.URL + "/api/v1", srv.URL + "/api/v1/", srv.URL + "//"} {
		c, err := adaptive.NewClient(adaptive.WithBaseURL(base), adaptive.WithAPIKey("k"))
		require.NoError(t, err, base)
		assert.Equal(t, srv.URL, c.BaseURL())
		require.NoError(t, c.Do(context.Background(), http.MethodGet, "/api/v1/embeddings", nil, nil))
	}
	// A path prefix in front of the API is kept.
	c, err := adaptive.NewClient(adaptive.WithBaseURL(srv.URL+"/tenant/api/v1"), adaptive.WithAPIKey("k"))
	require.NoError(t, err)
	require.NoError(t, c.Do(context.Background(), http.MethodGet, "/images/p/f.png", nil, nil))
	// An escaped "/" in the prefix stays escaped.
	c, err = adaptive.NewClient(adaptive.WithBaseURL(srv.URL+"/team%2Fa/api/v1/"), adaptive.WithAPIKey("k"))
	require.NoError(t, err)
	require.NoError(t, c.Do(context.Background(), http.MethodGet, "/api/v1/x", nil, nil))
	assert.Equal(t, []string{
		"/api/v1/embeddings", "/api/v1/embeddings", "/api/v1/embeddings", "/api/v1/embeddings", "/api/v1/embeddings",
		"/tenant/images/p/f.png", "/team%2Fa/api/v1/x",
	}, paths)
}

func TestKeyNeverFormatted(t *testing.T) {
	clearEnv(t)
	c, err := adaptive.NewClient(adaptive.WithBaseURL("https://x"), adaptive.WithAPIKey(secretKey), adaptive.WithProject("p"))
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		assert.NotContains(t, fmt.Sprintf(verb, c), secretKey, verb)
		assert.NotContains(t, fmt.Sprintf(verb, *c), secretKey, verb)
		assert.NotContains(t, fmt.Sprintf(verb, c.Chat), secretKey, verb)
	}
	assert.Contains(t, fmt.Sprint(c), `Project: "p"`)
	opt := adaptive.WithAPIKey(secretKey)
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		assert.NotContains(t, fmt.Sprintf(verb, opt), secretKey, verb)
	}
}

func TestUserAgentAndHeaders(t *testing.T) {
	clearEnv(t)
	var h http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h = r.Header.Clone()
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	c, err := adaptive.NewClient(adaptive.WithBaseURL(srv.URL), adaptive.WithAPIKey(secretKey),
		adaptive.WithUserAgent("my-app/1.2"), adaptive.WithHeader("X-Team", "search"))
	require.NoError(t, err)
	require.NoError(t, c.Do(context.Background(), http.MethodPost, "/api/v1/x", map[string]int{"a": 1}, nil))
	assert.Equal(t, "Bearer "+secretKey, h.Get("Authorization"))
	assert.Regexp(t, `^adaptive-go/`+strings.ReplaceAll(adaptive.Version, ".", `\.`)+` \(go[^;]+; [a-z0-9]+/[a-z0-9]+\) my-app/1\.2$`, h.Get("User-Agent"))
	assert.Equal(t, "search", h.Get("X-Team"))
	assert.Equal(t, "application/json", h.Get("Content-Type"))
	assert.Equal(t, "application/json", h.Get("Accept"))

	// Per-call options override the client's for that call only.
	require.NoError(t, c.Do(context.Background(), http.MethodGet, "/api/v1/x", nil, nil,
		adaptive.WithHeader("X-Team", "ads"), adaptive.WithAPIKey("other-key")))
	assert.Equal(t, "ads", h.Get("X-Team"))
	assert.Equal(t, "Bearer other-key", h.Get("Authorization"))
	require.NoError(t, c.Do(context.Background(), http.MethodGet, "/api/v1/x", nil, nil))
	assert.Equal(t, "search", h.Get("X-Team"))
	assert.Equal(t, "Bearer "+secretKey, h.Get("Authorization"))
}

func TestDoEscapeHatch(t *testing.T) {
	clearEnv(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "/api/v1/things", r.URL.Path)
		assert.Equal(t, "b", r.URL.Query().Get("a"))
		w.Write([]byte(`{"name":"ok","extra":1}`))
	}))
	defer srv.Close()
	c, err := adaptive.NewClient(adaptive.WithBaseURL(srv.URL), adaptive.WithAPIKey("k"))
	require.NoError(t, err)
	var out struct{ Name string }
	require.NoError(t, c.Do(context.Background(), http.MethodGet, "/api/v1/things?a=b", nil, &out))
	assert.Equal(t, "ok", out.Name)

	var verr *adaptive.ValidationError
	require.ErrorAs(t, c.Do(context.Background(), http.MethodGet, "api/v1/things", nil, nil), &verr)
	assert.Equal(t, "path", verr.Field)
	require.ErrorAs(t, c.Do(context.Background(), "", "/x", nil, nil), &verr)
	assert.Equal(t, "method", verr.Field)
	// An invalid per-call option fails the call before sending.
	require.ErrorContains(t, c.Do(context.Background(), http.MethodGet, "/x", nil, nil, adaptive.WithMaxRetries(-2)), "WithMaxRetries")
}

package adaptive_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
)

// infRecorder is a raw server that records the requests it gets and
// answers fixed bytes, for checking exactly what the SDK sends.
type infRecorder struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies []string
	paths  []string
	types  []string
}

func newInfRecorder(t *testing.T, status int, answer string) *infRecorder {
	t.Helper()
	rec := &infRecorder{}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.bodies = append(rec.bodies, string(body))
		rec.paths = append(rec.paths, r.Method+" "+r.URL.Path)
		rec.types = append(rec.types, r.Header.Get("Content-Type"))
		rec.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

// client returns a client of the recorder with default project "proj"
// (none when project is empty) and no retries.
func (rec *infRecorder) client(t *testing.T, project string) *adaptive.Client {
	t.Helper()
	opts := []adaptive.Option{adaptive.WithBaseURL(rec.srv.URL), adaptive.WithAPIKey("k"), adaptive.WithMaxRetries(0)}
	if project != "" {
		opts = append(opts, adaptive.WithProject(project))
	}
	t.Setenv(adaptive.EnvProject, "")
	c, err := adaptive.NewClient(opts...)
	require.NoError(t, err)
	return c
}

func (rec *infRecorder) count() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return len(rec.bodies)
}

func (rec *infRecorder) last(t *testing.T) (path, contentType, body string) {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	require.NotEmpty(t, rec.bodies, "no request reached the server")
	n := len(rec.bodies) - 1
	return rec.paths[n], rec.types[n], rec.bodies[n]
}

// requireInfValidation asserts err is a *ValidationError naming field.
func requireInfValidation(t *testing.T, err error, field string) {
	t.Helper()
	var ve *adaptive.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, field, ve.Field)
}

package fake

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmdutil"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/iostreams"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func parse(t *testing.T, args ...string) (*Options, error) {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IO: ios, Settings: &cmdutil.Settings{}}
	var got *Options
	cmd := NewCmdFake(f, func(_ context.Context, o *Options) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return got, cmd.Execute()
}

func TestFlags(t *testing.T) {
	o, err := parse(t, "--addr", "127.0.0.1:9999", "--seed", "0", "--latency", "5ms",
		"--latency-on", "upload_part=200ms", "--fail", "chat=503x2", "--fail", "POST /api/v1/outcome=429",
		"--drop", "embeddingsx3", "--fail-part", "2=500x4")
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:9999", o.Addr)
	require.NotNil(t, o.Seed, "--seed 0 is a seed")
	assert.Equal(t, uint64(0), *o.Seed)
	assert.Equal(t, 5*time.Millisecond, o.Latency)
	assert.Equal(t, []routeDelay{{adaptivetest.RouteUploadPart, 200 * time.Millisecond}}, o.LatencyOn)
	assert.Equal(t, []routeFault{
		{adaptivetest.RouteChat, 2, adaptivetest.Fault{Status: 503, RetryAfter: "0"}},
		{adaptivetest.RouteOutcome, 1, adaptivetest.Fault{Status: 429, RetryAfter: "0"}},
		{adaptivetest.RouteEmbeddings, 3, adaptivetest.Fault{Drop: true}},
	}, o.Fail)
	assert.Equal(t, []partFault{{2, 500, 4}}, o.FailPart)
	assert.Equal(t, adaptivetest.DefaultProject, o.Project)

	for _, bad := range [][]string{
		{"--fail", "chat"}, {"--fail", "chat=abc"}, {"--fail", "chat=503x0"}, {"--fail", "nope=503"},
		{"--latency-on", "chat"}, {"--latency-on", "chat=-1s"}, {"--drop", "chatxz"}, {"--fail-part", "0=500"},
		{"--latency", "-1s"},
	} {
		_, err := parse(t, bad...)
		var usage *cmdutil.UsageError
		assert.ErrorAs(t, err, &usage, bad)
	}
}

// serve runs the fake until the test cancels it, and returns the server
// once it is ready.
func serve(t *testing.T, o *Options) (*adaptivetest.Server, func() string) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	o.IO, o.Settings = ios, &cmdutil.Settings{}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.Project == "" {
		o.Project = "demo"
	}
	ready := make(chan *adaptivetest.Server, 1)
	o.Ready = func(s *adaptivetest.Server) { ready <- s }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, o) }()
	var srv *adaptivetest.Server
	select {
	case srv = <-ready:
	case err := <-done:
		t.Fatalf("the fake did not start: %v: %s", err, errOut)
	}
	stop := func() string {
		cancel()
		require.NoError(t, <-done)
		return out.String()
	}
	return srv, stop
}

func TestRunWritesTheEnvFileAndRemovesIt(t *testing.T) {
	env := filepath.Join(t.TempDir(), "fake.env")
	require.NoError(t, os.WriteFile(env, []byte("stale"), 0o644))
	srv, stop := serve(t, &Options{EnvFile: env, Project: "my project", Latency: 30 * time.Millisecond})
	data, err := os.ReadFile(env)
	require.NoError(t, err)
	want := "ADAPTIVE_BASE_URL=" + srv.URL + "\nADAPTIVE_API_KEY=" + srv.APIKey + "\nADAPTIVE_PROJECT='my project'\n"
	assert.Equal(t, want, string(data))
	st, err := os.Stat(env)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "the file holds the key")

	start := time.Now()
	_, err = srv.Client().Embeddings.Create(context.Background(), adaptive.EmbeddingsRequest{Input: "x"})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond, "--latency applies")

	assert.Equal(t, want, stop())
	_, err = os.Stat(env)
	assert.True(t, os.IsNotExist(err), "removed when the server stops")
}

func TestSeedRepeatsTheKeyAndIDs(t *testing.T) {
	seed := uint64(42)
	ids := func() (string, string) {
		srv, stop := serve(t, &Options{Seed: &seed})
		defer stop()
		resp, err := srv.Client().Chat.Create(context.Background(), adaptive.ChatRequest{Messages: []adaptive.ChatMessage{{Role: "user", Content: "x"}}})
		require.NoError(t, err)
		return srv.APIKey, resp.ID + " " + resp.SessionID.String() + " " + resp.Choices[0].CompletionID
	}
	key1, ids1 := ids()
	key2, ids2 := ids()
	assert.Equal(t, key1, key2)
	assert.Equal(t, ids1, ids2)

	srv, stop := serve(t, &Options{})
	other := srv.APIKey
	stop()
	assert.NotEqual(t, key1, other, "no seed: a new key")
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8080": "http://127.0.0.1:8080",
		"demo":                  "demo",
		"my project":            "'my project'",
		"it's":                  `'it'\''s'`,
		"":                      "''",
	} {
		assert.Equal(t, want, shellQuote(in), in)
	}
}

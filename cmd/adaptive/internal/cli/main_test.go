package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/iostreams"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// term says which streams a test run takes for terminals.
type term struct{ out, err bool }

// runCLI runs the command in memory against srv (nil: no configuration).
func runCLI(t *testing.T, srv *adaptivetest.Server, tty term, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ios, in, out, errOut := iostreams.Test()
	ios.OutTTY, ios.ErrTTY = tty.out, tty.err
	in.WriteString(stdin)
	env := map[string]string{}
	if srv != nil {
		env[adaptive.EnvBaseURL], env[adaptive.EnvAPIKey], env[adaptive.EnvProject] = srv.URL, srv.APIKey, srv.Project
	}
	code = Run(context.Background(), ios, args, func(k string) string { return env[k] })
	return code, out.String(), errOut.String()
}

func TestExitCodes(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"chat", "hi"}, 0, ""},
		{[]string{"--version"}, 0, ""},
		{[]string{}, 2, `"adaptive" needs a command`},
		{[]string{"nope"}, 2, `unknown command "nope" for "adaptive"`},
		{[]string{"chat", "--nope", "x"}, 2, "unknown flag: --nope"},
		{[]string{"--progress", "sometimes", "chat", "x"}, 2, `--progress "sometimes": use auto, always or never`},
		{[]string{"--retries", "-1", "chat", "x"}, 2, "--retries -1: give 0 or more"},
		{[]string{"dataset", "download"}, 2, "accepts 1 arg(s), received 0"},
		{[]string{"chat", "-m", "x", " "}, 2, "the prompt is empty"},
		{[]string{"interactions", "import", "/no/such/file"}, 1, "cannot read /no/such/file: no such file or directory"},
	} {
		code, _, stderr := runCLI(t, srv, term{}, "", tc.args...)
		assert.Equal(t, tc.code, code, "%v: %s", tc.args, stderr)
		assert.Contains(t, stderr, tc.stderr, tc.args)
		if tc.code == 2 {
			assert.Contains(t, stderr, "--help' for usage.", tc.args)
		}
	}
}

func TestMissingConfigurationNamesTheVariable(t *testing.T) {
	code, _, stderr := runCLI(t, nil, term{}, "", "embed", "x")
	assert.Equal(t, 1, code)
	assert.Equal(t, "adaptive: no Adaptive instance: set ADAPTIVE_BASE_URL (or pass --base-url) to its URL, such as https://your-adaptive-instance\n", stderr)
}

func TestTheKeyIsNeverPrinted(t *testing.T) {
	const key = "sk-very-secret-0123456789"
	srv := adaptivetest.NewServer(adaptivetest.WithAPIKey("another"))
	defer srv.Close()
	for _, args := range [][]string{
		{"-v", "chat", "hi"},
		{"--base-url", key, "chat", "hi"}, // a key pasted in the wrong place
		{"--json", "feedback", "outcome", "--metric", "m", "--value", "1", "--session", "0f8fad5b-d9cb-469f-a165-70867728950e"},
	} {
		ios, _, out, errOut := iostreams.Test()
		env := map[string]string{adaptive.EnvBaseURL: srv.URL, adaptive.EnvAPIKey: key}
		code := Run(context.Background(), ios, args, func(k string) string { return env[k] })
		assert.Equal(t, 1, code, args)
		assert.NotContains(t, out.String()+errOut.String(), key, args)
	}
}

func TestResultsByTerminal(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	args := []string{"feedback", "outcome", "--metric", "m", "--value", "true", "--session", "0f8fad5b-d9cb-469f-a165-70867728950e"}

	_, out, _ := runCLI(t, srv, term{}, "", args...)
	assert.Regexp(t, `^[0-9a-f-]{36}\n$`, out, "piped: the bare id")
	_, out, _ = runCLI(t, srv, term{out: true}, "", args...)
	assert.Regexp(t, `^Recorded outcome [0-9a-f-]{36}\n$`, out, "on a terminal: a sentence")
	_, out, _ = runCLI(t, srv, term{out: true}, "", append([]string{"--json"}, args...)...)
	assert.Regexp(t, `^\{"outcome_id":"[0-9a-f-]{36}"\}\n$`, out, "--json wins")
}

// importFile writes n good interaction lines and a bad one after the
// first.
func importFile(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		b.WriteString(`{"messages": [{"role": "user", "content": "q"}], "completion": "a"}` + "\n")
		if i == 0 {
			b.WriteString("{not json\n")
		}
	}
	path := filepath.Join(t.TempDir(), "chats.jsonl")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	return path
}

func TestImportProgressOnATerminal(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	path := importFile(t, 40)

	code, out, stderr := runCLI(t, srv, term{err: true}, "", "interactions", "import", "--on-bad-line", "skip", path)
	assert.Equal(t, 1, code)
	assert.Equal(t, 40, strings.Count(out, "\n"))
	assert.Contains(t, stderr, "\r", "a bar drawn in place")
	assert.Contains(t, stderr, "importing "+path)
	assert.Contains(t, stderr, "/41", "out of the 41 lines that are not blank")
	assert.Contains(t, stderr, "\x1b[2K\rline 2: not valid JSON", "the message clears the bar's line")
	assert.Regexp(t, `\nimported 40 interactions from .* 1 bad line: 2\n$`, stderr)

	code, _, stderr = runCLI(t, srv, term{err: false}, "", "interactions", "import", "--on-bad-line", "skip", path)
	assert.Equal(t, 1, code)
	assert.NotContains(t, stderr, "\r", "no bar when stderr is not a terminal")
	assert.NotContains(t, stderr, "\x1b")
	assert.Regexp(t, `^line 2: not valid JSON: .*: skipped\nimported 40 interactions from .* 1 bad line: 2\n$`, stderr)

	_, _, stderr = runCLI(t, srv, term{err: false}, "", "--progress", "always", "interactions", "import", "--on-bad-line", "skip", path)
	assert.Contains(t, stderr, "\r", "--progress always draws anyway")
	_, _, stderr = runCLI(t, srv, term{err: true}, "", "--progress", "never", "interactions", "import", "--on-bad-line", "skip", path)
	assert.NotContains(t, stderr, "\r", "--progress never draws nothing")
	assert.Contains(t, stderr, "line 2: not valid JSON")
}

func TestDownloadProgressOnATerminal(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	content := []byte(strings.Repeat(`{"a": 1}`+"\n", 100_000))
	srv.AddDataset(srv.Project, "big", "", content)
	out := filepath.Join(t.TempDir(), "big.jsonl")

	code, stdout, stderr := runCLI(t, srv, term{out: true, err: true}, "", "dataset", "download", "big", "-o", out)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "Saved dataset big (878.9 KiB) to "+out+"\n", stdout)
	assert.Contains(t, stderr, "downloading dataset big")
	assert.Contains(t, stderr, "100%")
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, content, got)
}

func TestChatStreamsToStdout(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.Reply("chat", adaptivetest.Reply{Chunks: []string{"no newline ", "at the end"}})
	code, out, stderr := runCLI(t, srv, term{out: true}, "", "chat", "q")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "no newline at the end\n", out)
	assert.Empty(t, stderr)

	srv.Reply("chat", adaptivetest.Reply{Chunks: []string{"ends with one\n"}})
	_, out, _ = runCLI(t, srv, term{}, "", "chat", "--no-stream", "q")
	assert.Equal(t, "ends with one\n", out)

	_, out, _ = runCLI(t, srv, term{}, "from stdin\n", "chat", "-")
	assert.Equal(t, adaptivetest.ChatReply("from stdin")+"\n", out)
}

func TestUploadProgressAndCheckpoint(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	dir := t.TempDir()
	data := []byte(strings.Repeat(`{"messages": [], "completion": "x"}`+"\n", 200_000)) // 6.9 MiB: in parts
	path := filepath.Join(dir, "d.jsonl")
	require.NoError(t, os.WriteFile(path, data, 0o644))

	code, out, stderr := runCLI(t, srv, term{out: true, err: true}, "", "dataset", "upload", path, "--key", "d", "--name", "D")
	require.Equal(t, 0, code, stderr)
	assert.Regexp(t, `^Uploaded .*d.jsonl \(6.9 MiB\) as dataset d of project demo: id [0-9a-f-]{36}, status \w+\n$`, out)
	assert.Contains(t, stderr, "\r", "a bar on the terminal")
	assert.Contains(t, stderr, "100%")
	assert.Contains(t, stderr, "MiB")
	_, err := os.Stat(path + ".upload-checkpoint.json")
	assert.True(t, os.IsNotExist(err), "the checkpoint is removed once the dataset exists")

	code, _, stderr = runCLI(t, srv, term{}, "", "dataset", "upload", path, "--key", "d2")
	require.Equal(t, 0, code, stderr)
	assert.Empty(t, stderr, "no bar, and no plain line for an upload shorter than the interval")

	// A checkpoint left by an earlier upload is not overwritten.
	require.NoError(t, os.WriteFile(path+".upload-checkpoint.json", []byte("{}"), 0o644))
	code, _, stderr = runCLI(t, srv, term{}, "", "dataset", "upload", path, "--key", "d3")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "upload-checkpoint.json exists: an earlier upload can be resumed with: adaptive dataset upload --resume ")

	// An unwritable checkpoint stops the upload and says where to put it.
	code, _, stderr = runCLI(t, srv, term{}, "", "dataset", "upload", path, "--key", "d4", "--checkpoint", filepath.Join(dir, "no", "such", "dir", "c.json"))
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "choose another place with --checkpoint")
}

// Package examples_test builds and runs every example program against the
// embedded fake server, so that the examples cannot rot.
package examples_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive/adaptivetest"
)

// binaries holds the example programs built so far, by name, in one
// directory for the whole test run.
var binaries struct {
	sync.Mutex
	dir   string
	built map[string]string
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "adaptive-examples-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binaries.dir, binaries.built = dir, map[string]string{}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// binary builds ./<name> once and returns the program's path.
func binary(t *testing.T, name string) string {
	t.Helper()
	binaries.Lock()
	defer binaries.Unlock()
	if bin, ok := binaries.built[name]; ok {
		return bin
	}
	bin := filepath.Join(binaries.dir, name)
	out, err := exec.Command("go", "build", "-o", bin, "./"+name).CombinedOutput()
	require.NoError(t, err, "building %s:\n%s", name, out)
	binaries.built[name] = bin
	return bin
}

// result is what a run of an example program left.
type result struct {
	stdout, stderr string
	code           int    // exit status
	dir            string // its working directory, empty before the run
}

// execute runs the example name with args in an empty working directory,
// with the environment of the test minus the ADAPTIVE_* variables, plus env.
func execute(t *testing.T, env []string, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(t, name), args...)
	cmd.Dir = t.TempDir()
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ADAPTIVE_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		require.NoError(t, err, "running %s %v", name, args)
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode(), dir: cmd.Dir}
}

// run runs the example name with args on the embedded server, checks that
// it succeeds and says so on the first line of messages, and returns what
// it printed.
func run(t *testing.T, name string, args ...string) result {
	t.Helper()
	r := execute(t, nil, name, args...)
	require.Equal(t, 0, r.code, "running %s %v:\n%s%s", name, args, r.stdout, r.stderr)
	messages := r.stdout
	if name == "download-dataset" { // its stdout is for the data
		messages = r.stderr
	}
	first, _, _ := strings.Cut(messages, "\n")
	assert.Contains(t, first, "embedded fake Adaptive server", "the first line says which server is used")
	return r
}

func TestFeedbackExample(t *testing.T) {
	out := run(t, "feedback").stdout
	assert.Contains(t, out, "Interaction recorded: completion ")
	assert.Contains(t, out, "with 1 feedback(s)")
	assert.Contains(t, out, "Outcome recorded: ")
	assert.Contains(t, out, "Comparison recorded: ")
}

const demoDataset = "{\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],\"completion\":\"hi\"}\n"

func TestDownloadDatasetExample(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "out.jsonl")
	r := run(t, "download-dataset", "-o", dst)
	assert.Contains(t, r.stderr, "Saved 67 bytes (application/x-ndjson)")
	assert.Empty(t, r.stdout)
	data, err := os.ReadFile(dst)
	require.NoError(t, err)
	assert.Equal(t, demoDataset, string(data))
}

func TestDownloadDatasetExampleWithoutOutputFileWritesStdout(t *testing.T) {
	r := run(t, "download-dataset")
	assert.Equal(t, demoDataset, r.stdout, "stdout holds the data and nothing else")
	assert.Contains(t, r.stderr, "Wrote 67 bytes (application/x-ndjson) to standard output")
	entries, err := os.ReadDir(r.dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing written to the working directory")
}

func TestUploadDatasetExample(t *testing.T) {
	src := filepath.Join(t.TempDir(), "Support Chats.jsonl")
	require.NoError(t, os.WriteFile(src, []byte(strings.Repeat("{\"text\":\"x\"}\n", 1000)), 0o600))
	out := run(t, "upload-dataset", src).stdout
	assert.Contains(t, out, `Uploading `+src+` (13000 bytes) as dataset "support-chats"`)
	assert.Regexp(t, `Dataset [0-9a-f-]{36} \(key support-chats\): 13000 bytes in 1 part\(s\), status READY`, out)
	assert.Contains(t, out, "Processed: status READY")
}

// Against a server that outlives the program: a failed upload keeps its
// session and checkpoint, and -resume makes the dataset from them.
func TestUploadDatasetExampleResumes(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	env := []string{"ADAPTIVE_BASE_URL=" + srv.URL, "ADAPTIVE_API_KEY=" + srv.APIKey, "ADAPTIVE_PROJECT=" + srv.Project}
	src := filepath.Join(t.TempDir(), "big.jsonl")
	data := []byte(strings.Repeat("{\"text\":\"0123456789abcdef\"}\n", 500_000)) // 13.5 MB: 3 parts
	require.NoError(t, os.WriteFile(src, data, 0o600))
	srv.FailPart(3, 1, 400)
	r := execute(t, env, "upload-dataset", "-concurrency", "1", src)
	assert.Equal(t, 1, r.code, "%s%s", r.stdout, r.stderr)
	assert.Contains(t, r.stderr, "Resume it with:\n  go run ./examples/upload-dataset -resume "+src+".checkpoint.json -key big "+src)

	r = execute(t, env, "upload-dataset", "-resume", src+".checkpoint.json", src)
	require.Equal(t, 0, r.code, "%s%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, `as dataset "big": 2 of 3 parts were sent`)
	assert.Contains(t, r.stdout, "Processed: status DONE")
	assert.NoFileExists(t, src+".checkpoint.json", "removed once the dataset exists")
	d, err := srv.Client().Datasets.Download(context.Background(), "", "big", nil)
	require.NoError(t, err)
	got, err := io.ReadAll(d)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(data, got))
	assert.Len(t, srv.RequestsTo(adaptivetest.RouteUploadPart), 2+1+1, "parts 1, 2, the failed 3; then 3 only")
}

func TestUploadDatasetExampleRefusesADirectory(t *testing.T) {
	dir := t.TempDir()
	r := execute(t, nil, "upload-dataset", dir)
	assert.Equal(t, 1, r.code)
	assert.Empty(t, r.stdout, "nothing sent: not even a connection")
	assert.Equal(t, "error: opening the dataset: "+dir+" is a directory: give the path of a file\n", r.stderr)
}

func TestQuickstart(t *testing.T) {
	out := run(t, "quickstart").stdout
	for _, want := range []string{
		"== Chat completion", "answer: You said: What does Adaptive do with feedback?",
		"== Streamed chat completion", "== Embedding", "16 dimensions",
		"== Interaction with feedback", "1 feedback(s)", "== Outcome and comparison",
		"== Dataset upload", "uploaded 100.0%", "19900000 bytes in 4 parts, status PENDING",
		"== Waiting for the dataset", "status DONE, 4 of 4 parts processed",
		"19900000 bytes saved to ", "matches the uploaded bytes", "Done.",
	} {
		assert.Contains(t, out, want)
	}
}

// A failing step ends the program with status 1 after its deferred
// cleanups: here the quickstart's temporary directory, created just before
// the download that fails.
func TestQuickstartCleansUpWhenAStepFails(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.CutDownloadAfter(10)
	tmp := t.TempDir()

	r := execute(t, []string{
		"ADAPTIVE_BASE_URL=" + srv.URL, "ADAPTIVE_API_KEY=" + srv.APIKey,
		"ADAPTIVE_PROJECT=" + srv.Project, "TMPDIR=" + tmp,
	}, "quickstart")
	assert.Equal(t, 1, r.code, "%s%s", r.stdout, r.stderr)
	assert.Contains(t, r.stderr, "error: saving the download: ")
	entries, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, entries, "the temporary directory was removed")
}

func TestChatStreamExample(t *testing.T) {
	out := run(t, "chat-stream", "hello", "there").stdout
	assert.Contains(t, out, "You said: hello there")
	assert.Regexp(t, `\(\d+ tokens\)`, out)
}

func TestChatStreamExampleFlags(t *testing.T) {
	for _, help := range []string{"-h", "--help", "-help"} {
		r := execute(t, nil, "chat-stream", help)
		assert.Equal(t, 0, r.code, help)
		assert.True(t, strings.HasPrefix(r.stdout, "usage: chat-stream [PROMPT...]\n"), "%s prints the usage on stdout:\n%s", help, r.stdout)
		assert.NotContains(t, r.stdout, "You said", "%s is not a prompt", help)
		assert.Empty(t, r.stderr, help)
	}

	r := execute(t, nil, "chat-stream", "-x", "hello")
	assert.Equal(t, 2, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "flag provided but not defined: -x\nusage: chat-stream")

	// -- ends the flags; a flag-like word after the first word is prompt.
	out := run(t, "chat-stream", "--", "--help", "me").stdout
	assert.Contains(t, out, "You said: --help me")
	out = run(t, "chat-stream", "hello", "-x").stdout
	assert.Contains(t, out, "You said: hello -x")
}

// Every example answers -h with its usage and status 0, and refuses
// arguments it does not take with status 2.
func TestExamplesUsage(t *testing.T) {
	for _, tc := range []struct {
		name    string
		badArgs []string
	}{
		{"quickstart", []string{"extra"}},
		{"feedback", []string{"extra"}},
		{"upload-dataset", nil},
		{"upload-dataset", []string{"a", "b"}},
		{"download-dataset", []string{"extra"}},
	} {
		r := execute(t, nil, tc.name, "-h")
		assert.Equal(t, 0, r.code, tc.name)
		assert.True(t, strings.HasPrefix(r.stdout, "usage: "+tc.name), "%s -h:\n%s", tc.name, r.stdout)

		r = execute(t, nil, tc.name, tc.badArgs...)
		assert.Equal(t, 2, r.code, "%s %q", tc.name, tc.badArgs)
		assert.Empty(t, r.stdout, "%s %q", tc.name, tc.badArgs)
		assert.Contains(t, r.stderr, fmt.Sprintf("got %d\nusage: %s", len(tc.badArgs), tc.name))
	}
}

// Package examples_test builds and runs every example program against the
// embedded fake server, so that the examples cannot rot.
package examples_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// run builds ./<name> and runs it with args and no ADAPTIVE_* variables, so
// that it uses the embedded server; it returns the combined output.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	out, err := exec.Command("go", "build", "-o", bin, "./"+name).CombinedOutput()
	require.NoError(t, err, "building %s:\n%s", name, out)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = t.TempDir()
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ADAPTIVE_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	out, err = cmd.CombinedOutput()
	require.NoError(t, err, "running %s %v:\n%s", name, args, out)
	first, _, _ := strings.Cut(string(out), "\n")
	assert.Contains(t, first, "embedded fake Adaptive server", "the first line says which server is used")
	return string(out)
}

func TestFeedbackExample(t *testing.T) {
	out := run(t, "feedback")
	assert.Contains(t, out, "Interaction recorded: completion ")
	assert.Contains(t, out, "with 1 feedback(s)")
	assert.Contains(t, out, "Outcome recorded: ")
	assert.Contains(t, out, "Comparison recorded: ")
}

func TestDownloadDatasetExample(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "out.jsonl")
	out := run(t, "download-dataset", "-o", dst)
	assert.Contains(t, out, "Saved 67 bytes (application/x-ndjson)")
	data, err := os.ReadFile(dst)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"completion":"hi"`)
}

func TestUploadDatasetExample(t *testing.T) {
	src := filepath.Join(t.TempDir(), "in.jsonl")
	require.NoError(t, os.WriteFile(src, []byte(strings.Repeat("{\"text\":\"x\"}\n", 1000)), 0o600))
	out := run(t, "upload-dataset", src)
	assert.Contains(t, out, "Uploaded 13000 bytes in 1 parts to session ")
	assert.Regexp(t, `SHA-256 [0-9a-f]{64}`, out)
}

func TestQuickstart(t *testing.T) {
	out := run(t, "quickstart")
	for _, want := range []string{
		"== Chat completion", "answer: You said: What does Adaptive do with feedback?",
		"== Streamed chat completion", "== Embedding", "16 dimensions",
		"== Interaction with feedback", "1 feedback(s)", "== Outcome and comparison",
		"uploaded 100.0%", "19900000 bytes in 4 parts; the server holds 4 of 4 parts",
		"19900000 bytes saved to ", "matches the uploaded bytes", "Done.",
	} {
		assert.Contains(t, out, want)
	}
}

func TestChatStreamExample(t *testing.T) {
	out := run(t, "chat-stream", "hello", "there")
	assert.Contains(t, out, "You said: hello there")
	assert.Regexp(t, `\(\d+ tokens\)`, out)
}

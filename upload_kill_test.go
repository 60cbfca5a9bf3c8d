package adaptive_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

// killChild, when set in the environment, makes the test binary a child of
// TestKillAndResumeAcrossProcesses instead of running the tests: "upload"
// or "resume".
const killChild = "ADAPTIVE_KILL_TEST_CHILD"

func TestMain(m *testing.M) {
	if role := os.Getenv(killChild); role != "" {
		os.Exit(runKillChild(role))
	}
	os.Exit(m.Run())
}

// runKillChild uploads (or resumes) the dataset file named by the
// environment, writing each checkpoint atomically to the checkpoint file.
func runKillChild(role string) int {
	env := func(k string) string { return os.Getenv("ADAPTIVE_KILL_TEST_" + k) }
	c, err := adaptive.NewClient(adaptive.WithBaseURL(env("URL")), adaptive.WithAPIKey(env("KEY")), adaptive.WithProject(env("PROJECT")))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	f, err := os.Open(env("FILE"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer f.Close()
	path := env("CHECKPOINT")
	opts := &adaptive.UploadOptions{Concurrency: 2, OnCheckpoint: func(cp adaptive.UploadCheckpoint) {
		b, _ := json.Marshal(cp)
		if err := os.WriteFile(path+".tmp", b, 0o600); err == nil {
			_ = os.Rename(path+".tmp", path)
		}
	}}
	req := adaptive.DatasetUploadRequest{Key: env("DATASET")}
	var d *adaptive.Dataset
	if role == "upload" {
		d, err = c.Datasets.Upload(context.Background(), f, req, opts)
	} else {
		var cp adaptive.UploadCheckpoint
		b, rerr := os.ReadFile(path)
		if rerr == nil {
			rerr = json.Unmarshal(b, &cp)
		}
		if rerr != nil {
			fmt.Fprintln(os.Stderr, rerr)
			return 1
		}
		d, err = c.Datasets.Resume(context.Background(), cp, f, req, opts)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(d.ID)
	return 0
}

// The first process is killed with SIGKILL in the middle of its upload;
// the second resumes from the checkpoint file the first wrote, sends only
// the parts the checkpoint does not vouch for, and the dataset ends
// byte-exact.
func TestKillAndResumeAcrossProcesses(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.SetLatency(adaptivetest.RouteUploadPart, 250*time.Millisecond)
	dir := t.TempDir()
	data := uploadData(40*mib + 3) // 9 parts
	file := filepath.Join(dir, "data.jsonl")
	require.NoError(t, os.WriteFile(file, data, 0o600))
	checkpoint := filepath.Join(dir, "upload.checkpoint.json")
	child := func(role string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), killChild+"="+role,
			"ADAPTIVE_KILL_TEST_URL="+srv.URL, "ADAPTIVE_KILL_TEST_KEY="+srv.APIKey, "ADAPTIVE_KILL_TEST_PROJECT="+srv.Project,
			"ADAPTIVE_KILL_TEST_FILE="+file, "ADAPTIVE_KILL_TEST_CHECKPOINT="+checkpoint, "ADAPTIVE_KILL_TEST_DATASET=killed-and-resumed")
		return cmd
	}
	readCheckpoint := func() (adaptive.UploadCheckpoint, bool) {
		var cp adaptive.UploadCheckpoint
		b, err := os.ReadFile(checkpoint)
		return cp, err == nil && json.Unmarshal(b, &cp) == nil
	}

	first := child("upload")
	var stderr bytes.Buffer // read only once the child has ended
	first.Stderr = &stderr
	require.NoError(t, first.Start())
	deadline := time.Now().Add(60 * time.Second)
	for {
		if cp, ok := readCheckpoint(); ok && cp.Acknowledged() >= 3 {
			break
		}
		if time.Now().After(deadline) {
			_ = first.Process.Kill()
			_ = first.Wait()
			t.Fatalf("no checkpoint with 3 parts after 60 s: %s", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	require.NoError(t, first.Process.Kill()) // SIGKILL: no deferred cleanup runs
	_ = first.Wait()
	assert.Equal(t, -1, first.ProcessState.ExitCode(), "killed by a signal: %s", stderr.String())

	cp, ok := readCheckpoint()
	require.True(t, ok)
	require.False(t, cp.Complete(), "killed in the middle")
	held, total, ok := srv.UploadedParts(cp.SessionID)
	require.True(t, ok, "the session outlives the process")
	require.Equal(t, 9, total)
	var vouched []int
	for _, p := range cp.Acked {
		if slices.Contains(held, p.Part) {
			vouched = append(vouched, p.Part)
		}
	}
	var want []string
	for n := 1; n <= total; n++ {
		if !slices.Contains(vouched, n) {
			want = append(want, strconv.Itoa(n))
		}
	}

	srv.SetLatency(adaptivetest.RouteUploadPart, 0)
	srv.ResetRequests()
	second := child("resume")
	stderr.Reset()
	second.Stderr = &stderr
	out, err := second.Output()
	require.NoError(t, err, "the resume: %s", stderr.String())
	var sent []string
	for _, r := range srv.RequestsTo(adaptivetest.RouteUploadPart) {
		sent = append(sent, r.Query.Get("part_number"))
	}
	slices.SortFunc(sent, func(a, b string) int { x, _ := strconv.Atoi(a); y, _ := strconv.Atoi(b); return x - y })
	assert.Equal(t, want, sent, "only the parts the checkpoint does not vouch for (of %d acknowledged, %d held)", cp.Acknowledged(), len(held))
	assert.Greater(t, len(vouched), 2)
	t.Logf("killed with %d parts in the checkpoint and %d held by the server; the second process sent parts %v", cp.Acknowledged(), len(held), sent)

	id := string(bytes.TrimSpace(out))
	assert.True(t, bytes.Equal(data, download(t, srv.Client(), id)), "byte-exact")
	assert.True(t, bytes.Equal(data, download(t, srv.Client(), "killed-and-resumed")))
}

//go:build unix

package adaptive_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive/adaptivetest"
)

// setUmask sets the process's umask until the end of the test. The umask is
// process-wide: tests that call setUmask must not be parallel.
func setUmask(t *testing.T, mask int) {
	t.Helper()
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

// saveDataset downloads a small dataset from a fake server and saves it to
// target with SaveFile.
func saveDataset(t *testing.T, target string) {
	t.Helper()
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.AddDataset(srv.Project, "ds", "", []byte("{\"completion\":\"hi\"}\n"))
	d, err := srv.Client().Datasets.Download(context.Background(), "", "ds", nil)
	require.NoError(t, err)
	_, err = d.SaveFile(target)
	require.NoError(t, err)
}

func permOf(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	require.NoError(t, err)
	return fi.Mode().Perm()
}

func TestSaveFileNewFileGetsTheModeOfOSCreate(t *testing.T) {
	for _, tc := range []struct {
		umask int
		want  fs.FileMode
	}{{0o022, 0o644}, {0o077, 0o600}, {0o002, 0o664}} {
		t.Run(fmt.Sprintf("umask %04o", tc.umask), func(t *testing.T) {
			setUmask(t, tc.umask)
			dir := t.TempDir()
			target := filepath.Join(dir, "new.jsonl")
			saveDataset(t, target)

			ref, err := os.Create(filepath.Join(dir, "by-os-create"))
			require.NoError(t, err)
			require.NoError(t, ref.Close())
			assert.Equal(t, tc.want, permOf(t, target))
			assert.Equal(t, permOf(t, ref.Name()), permOf(t, target), "the same mode as os.Create")
			assertOnlyFiles(t, dir, "new.jsonl", "by-os-create")
		})
	}
}

func TestSaveFileKeepsTheModeOfTheFileItReplaces(t *testing.T) {
	for _, tc := range []struct {
		mode  fs.FileMode
		umask int
	}{
		{0o644, 0o022}, {0o640, 0o022}, {0o755, 0o022},
		{0o664, 0o022}, // wider than the umask allows a new file
		{0o640, 0o077},
		{0o600, 0o022}, // narrower than a new file
	} {
		t.Run(fmt.Sprintf("%04o under umask %04o", tc.mode, tc.umask), func(t *testing.T) {
			setUmask(t, tc.umask)
			dir := t.TempDir()
			target := filepath.Join(dir, "old.jsonl")
			require.NoError(t, os.WriteFile(target, []byte("old"), 0o600))
			require.NoError(t, os.Chmod(target, tc.mode))

			saveDataset(t, target)
			assert.Equal(t, tc.mode, permOf(t, target))
			got, err := os.ReadFile(target)
			require.NoError(t, err)
			assert.Equal(t, "{\"completion\":\"hi\"}\n", string(got), "the file was replaced")
			assertOnlyFiles(t, dir, "old.jsonl")
		})
	}
}

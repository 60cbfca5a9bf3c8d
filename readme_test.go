package adaptive_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// readmePreamble is prepended to the README's Go blocks: the imports they
// use and the ctx and client most snippets assume.
const readmePreamble = `package readmecheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

var (
	_ = context.Background
	_ = json.Marshal
	_ = errors.Is
	_ = fmt.Println
	_ = io.EOF
	_ = log.Fatal
	_ = slog.Default
	_ = http.MethodGet
	_ = os.Exit
	_ = strings.NewReader
	_ = testing.Short
	_ = time.Second
	_ = uuid.New
	_ = adaptive.Ptr[int]
	_ = adaptivetest.NewServer
)

var (
	ctx    = context.Background()
	client *adaptive.Client
)
`

var goBlock = regexp.MustCompile("(?s)```go\n(.*?)```")

// TestREADMECodeCompiles builds every Go block of README.md, so that the
// user guide cannot drift from the API. Blocks that start with "func" or
// "type" are top-level declarations; the others are function bodies.
func TestREADMECodeCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds code with the go command; skipped in -short mode")
	}
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	blocks := goBlock.FindAllSubmatch(readme, -1)
	require.NotEmpty(t, blocks, "README.md has no Go blocks")

	var src bytes.Buffer
	src.WriteString(readmePreamble)
	for i, b := range blocks {
		code := string(b[1])
		if strings.HasPrefix(code, "func ") || strings.HasPrefix(code, "type ") {
			fmt.Fprintf(&src, "\n// block %d\n%s\n", i+1, code)
			continue
		}
		fmt.Fprintf(&src, "\n// block %d\nfunc _() {\n%s\n}\n", i+1, code)
	}

	dir, err := os.MkdirTemp(".", ".readmecheck-")
	require.NoError(t, err)
	defer os.RemoveAll(dir)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "readme_test.go"), src.Bytes(), 0o644))
	out, err := exec.Command("go", "vet", "./"+filepath.Base(dir)).CombinedOutput()
	require.NoError(t, err, "README code does not compile:\n%s", out)
}

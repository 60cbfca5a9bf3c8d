package adaptive_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// cliModules are the libraries of the adaptive command (and of its tests),
// which live in this module but must never reach an SDK user's build.
var cliModules = []string{
	"github.com/spf13/cobra",
	"github.com/spf13/pflag",
	"github.com/schollz/progressbar",
	"github.com/mitchellh/colorstring",
	"github.com/rivo/uniseg",
	"golang.org/x/term",
	"github.com/rogpeppe/go-internal",
}

// goList runs go list and returns its lines.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, args...)...).CombinedOutput()
	require.NoError(t, err, "go list %v:\n%s", args, out)
	return strings.Fields(string(out))
}

func TestSDKDoesNotImportCLILibraries(t *testing.T) {
	var sdk []string
	for _, p := range goList(t, "./...") {
		if !strings.HasPrefix(p, "github.com/adaptive-go/adaptive/cmd/") {
			sdk = append(sdk, p)
		}
	}
	require.Contains(t, sdk, "github.com/adaptive-go/adaptive/adaptivetest")
	const nonStd = `{{if not .Standard}}{{.ImportPath}}{{end}}`
	for _, dep := range goList(t, append([]string{"-deps", "-f", nonStd}, sdk...)...) {
		for _, m := range cliModules {
			require.False(t, dep == m || strings.HasPrefix(dep, m+"/"), "an SDK package depends on %s, a library of the adaptive command", dep)
		}
	}

	// The check can fail: the command does depend on them.
	cmd := strings.Join(goList(t, "-deps", "-test", "-f", nonStd, "./cmd/adaptive"), "\n")
	for _, m := range cliModules {
		require.Contains(t, cmd, m, "the adaptive command no longer uses %s: update cliModules", m)
	}
}

package fake

import (
	"fmt"
	"strings"

	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmdutil"
)

// writeEnvFile writes NAME=VALUE lines to path atomically (a temporary
// file in the same directory, renamed), so that a script waiting for the
// file never reads half of it. The file holds the key: it is readable by
// its owner only (the temporary file's mode, 0600).
func writeEnvFile(path string, env []struct{ name, value string }) error {
	var b strings.Builder
	for _, e := range env {
		fmt.Fprintf(&b, "%s=%s\n", e.name, shellQuote(e.value))
	}
	if err := cmdutil.WriteFileAtomic(path, []byte(b.String())); err != nil {
		return fmt.Errorf("--env-file: %w", err)
	}
	return nil
}

// shellQuote quotes s for a POSIX shell when it holds anything but
// letters, digits and the punctuation of URLs.
func shellQuote(s string) string {
	safe := s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:/@%+=,", r))
	}) < 0
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

package fake

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// writeEnvFile writes NAME=VALUE lines to path atomically (a temporary
// file in the same directory, renamed), so that a script waiting for the
// file never reads half of it. The file holds the key: it is readable by
// its owner only.
func writeEnvFile(path string, env []struct{ name, value string }) error {
	var b strings.Builder
	for _, e := range env {
		fmt.Fprintf(&b, "%s=%s\n", e.name, shellQuote(e.value))
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("--env-file: %w", err)
	}
	_, err = tmp.WriteString(b.String())
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
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

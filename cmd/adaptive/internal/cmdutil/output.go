package cmdutil

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/iostreams"
)

// WriteJSON writes v as one line of compact JSON.
func WriteJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// ReadInput returns the text of arguments that may be "-": the standard
// input, read whole, for a lone "-"; otherwise the arguments joined by
// spaces. what names the input in errors ("the prompt").
func ReadInput(in io.Reader, args []string, what string) (string, error) {
	if len(args) == 1 && args[0] == "-" {
		b, err := io.ReadAll(in)
		if err != nil {
			return "", fmt.Errorf("reading %s from the standard input: %w", what, err)
		}
		return string(b), nil
	}
	return strings.Join(args, " "), nil
}

// OpenInput opens the file a command reads, or the standard input for
// "-", and returns it with its size (-1 for the standard input). A missing
// file, a directory or an unreadable file is an error that names it.
func OpenInput(in io.Reader, path string) (io.ReadCloser, int64, error) {
	if path == "-" {
		return io.NopCloser(in), -1, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("cannot read %s: %w", path, UnwrapPath(err))
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("cannot read %s: %w", path, UnwrapPath(err))
	}
	if st.IsDir() {
		f.Close()
		return nil, 0, fmt.Errorf("%s is a directory: give a file", path)
	}
	return f, st.Size(), nil
}

// UnwrapPath drops the *os.PathError around an error whose path the
// message already names.
func UnwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// PrintResult prints the result of a command that made or saved
// something: v as JSON with --json, the sentence human on a terminal, and
// the bare id when stdout is piped, for scripts.
func PrintResult(ios *iostreams.IOStreams, s *Settings, id, human string, v any) error {
	var err error
	switch {
	case s.JSON:
		err = WriteJSON(ios.Out, v)
	case ios.OutTTY:
		_, err = fmt.Fprintln(ios.Out, human)
	default:
		_, err = fmt.Fprintln(ios.Out, id)
	}
	return err
}

package demo

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
)

// AnyArgs, as Parse's want, accepts any number of arguments after the flags.
const AnyArgs = -1

// Flags returns an empty flag set for the program name, whose usage is
// usage (the synopsis and what the program does) followed by the flags.
// Parse it with Parse, which turns its errors into an exit status instead
// of exiting.
func Flags(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	return fs
}

// Parse parses args (without the program name) with fs, a flag set from
// Flags, and checks that want arguments follow the flags (any number for
// AnyArgs); "--" ends the flags. It reports whether the program goes on.
// When it does not, code is the exit status: 0 after -h or --help, with the
// usage on stdout, or 2 after a bad flag or a wrong number of arguments,
// with the error and the usage on stderr.
func Parse(fs *flag.FlagSet, args []string, want int) (code int, ok bool) {
	// flag writes the usage and its errors to one output: hold them until
	// it is known whether they belong on stdout (help) or stderr.
	var out bytes.Buffer
	fs.SetOutput(&out)
	err := fs.Parse(args)
	if err == nil && want != AnyArgs && fs.NArg() != want {
		fmt.Fprintf(&out, "%s: expected %d argument(s) after the flags, got %d\n", fs.Name(), want, fs.NArg())
		fs.Usage()
		err = errors.New("wrong number of arguments")
	}
	fs.SetOutput(os.Stderr)
	switch {
	case err == nil:
		return 0, true
	case errors.Is(err, flag.ErrHelp):
		_, _ = os.Stdout.Write(out.Bytes())
		return 0, false
	default:
		_, _ = os.Stderr.Write(out.Bytes())
		return 2, false
	}
}

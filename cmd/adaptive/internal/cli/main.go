// Package cli runs the adaptive command: Main is the whole program, and
// Run is Main over given streams, arguments and environment, for tests.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmd/root"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmdutil"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/iostreams"
)

// Main runs the adaptive command with the process's arguments, streams and
// environment, and returns its exit code. The first interrupt (Ctrl-C) or
// SIGTERM cancels the command's context, so that it stops cleanly; a
// second one ends the process at once.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // the next signal gets the default behaviour
	}()
	return Run(ctx, iostreams.System(), os.Args[1:], os.Getenv)
}

// Run runs the adaptive command with args and returns its exit code:
// cmdutil.ExitOK, ExitFailure or ExitUsage. A failure is reported on
// ios.ErrOut in one line.
func Run(ctx context.Context, ios *iostreams.IOStreams, args []string, getenv func(string) string) int {
	f := &cmdutil.Factory{IO: ios, Getenv: getenv, Settings: &cmdutil.Settings{}}
	f.Client = cmdutil.NewClientFunc(getenv, f.Settings)
	cmd := root.NewCmdRoot(f)
	cmd.SetArgs(args)
	cmd.SetIn(ios.In)
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	ran, err := cmd.ExecuteContextC(ctx)
	if err == nil {
		return cmdutil.ExitOK
	}
	if errors.Is(err, cmdutil.ErrReported) {
		return cmdutil.ExitFailure
	}
	code := cmdutil.ExitCode(err)
	// cobra reports an unknown command with a plain error.
	if strings.HasPrefix(err.Error(), "unknown command ") {
		code = cmdutil.ExitUsage
	}
	fmt.Fprintln(ios.ErrOut, "adaptive: "+cmdutil.Describe(err))
	if code == cmdutil.ExitUsage && ran != nil {
		fmt.Fprintf(ios.ErrOut, "Run '%s --help' for usage.\n", ran.CommandPath())
	}
	return code
}

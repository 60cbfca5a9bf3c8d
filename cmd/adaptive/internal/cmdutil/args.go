package cmdutil

import (
	"strings"

	"github.com/spf13/cobra"
)

// Args wraps a cobra argument check so that its failure is a usage error.
func Args(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return &UsageError{err}
		}
		return nil
	}
}

// NeedSubcommand is the RunE of a noun: without a known verb it is a usage
// error that lists the verbs.
func NeedSubcommand(cmd *cobra.Command, args []string) error {
	var verbs []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			verbs = append(verbs, c.Name())
		}
	}
	if len(args) > 0 {
		return Usagef("unknown command %q for %q: use one of %v", args[0], cmd.CommandPath(), verbs)
	}
	return Usagef("%q needs a command: one of %v (see %s --help)", cmd.CommandPath(), verbs, cmd.CommandPath())
}

// RequireFlags returns a usage error naming the flags of names that the
// command line did not set.
func RequireFlags(cmd *cobra.Command, names ...string) error {
	var missing []string
	for _, n := range names {
		if !cmd.Flags().Changed(n) {
			missing = append(missing, "--"+n)
		}
	}
	if len(missing) > 0 {
		return Usagef("missing %s", strings.Join(missing, ", "))
	}
	return nil
}

// OneOf returns a usage error unless exactly one of the flags a and b is
// set.
func OneOf(cmd *cobra.Command, a, b string) error {
	switch ca, cb := cmd.Flags().Changed(a), cmd.Flags().Changed(b); {
	case ca && cb:
		return Usagef("--%s and --%s: give one, not both", a, b)
	case !ca && !cb:
		return Usagef("missing --%s or --%s", a, b)
	}
	return nil
}

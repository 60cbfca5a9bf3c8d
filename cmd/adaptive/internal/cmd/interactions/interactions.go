// Package interactions is the "adaptive interactions" noun: import.
package interactions

import (
	"github.com/spf13/cobra"

	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmdutil"
)

// NewCmdInteractions returns the interactions noun with its verbs.
func NewCmdInteractions(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "interactions <command>",
		Short: "Import interactions made outside Adaptive",
		RunE:  cmdutil.NeedSubcommand,
	}
	cmd.AddCommand(NewCmdImport(f, nil))
	return cmd
}

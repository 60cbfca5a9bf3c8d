// Package dataset is the "adaptive dataset" noun: upload and download.
package dataset

import (
	"github.com/spf13/cobra"

	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmdutil"
)

// NewCmdDataset returns the dataset noun with its verbs.
func NewCmdDataset(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dataset <command>",
		Short: "Upload and download datasets",
		RunE:  cmdutil.NeedSubcommand,
	}
	cmd.AddCommand(NewCmdUpload(f, nil), NewCmdDownload(f, nil))
	return cmd
}

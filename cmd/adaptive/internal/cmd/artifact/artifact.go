// Package artifact is the "adaptive artifact" noun: download.
package artifact

import (
	"context"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmdutil"
)

// NewCmdArtifact returns the artifact noun with its verbs.
func NewCmdArtifact(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "artifact <command>",
		Short: "Download artifacts",
		RunE:  cmdutil.NeedSubcommand,
	}
	var output string
	download := &cobra.Command{
		Use:   "download ID [-o FILE|-]",
		Short: "Download an artifact",
		Long: `Download the artifact ID (a uuid), saved as "adaptive dataset download" saves
(atomically, under the name the server suggests or ID; -o FILE, -o DIR/, -o -).`,
		Args: cmdutil.Args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := uuid.Parse(args[0])
			if err != nil {
				return cmdutil.Usagef("artifact id %q is not a uuid", args[0])
			}
			client, err := f.Client()
			if err != nil {
				return err
			}
			save := cmdutil.SaveOptions{Output: output, DefaultName: id.String(), What: "artifact " + id.String()}
			return cmdutil.SaveDownload(cmd.Context(), f.IO, f.Settings, save, func(ctx context.Context, opts ...adaptive.Option) (*adaptive.Download, error) {
				return client.Artifacts.Download(ctx, id, opts...)
			})
		},
	}
	download.Flags().StringVarP(&output, "output", "o", "", "where to save it: a file, a directory, or - for stdout")
	cmd.AddCommand(download)
	return cmd
}

// Package image is the "adaptive image" noun: get.
package image

import (
	"context"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmdutil"
)

// NewCmdImage returns the image noun with its verbs.
func NewCmdImage(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "image <command>",
		Short: "Fetch images",
		RunE:  cmdutil.NeedSubcommand,
	}
	var output string
	get := &cobra.Command{
		Use:   "get PROJECT_ID FILENAME [-o FILE|-]",
		Short: "Fetch an image of a project",
		Long: `Fetch the image FILENAME of the project PROJECT_ID (a uuid), saved as
"adaptive dataset download" saves (atomically, as FILENAME by default; -o FILE,
-o DIR/, -o -).`,
		Args: cmdutil.Args(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			project, err := uuid.Parse(args[0])
			if err != nil {
				return cmdutil.Usagef("project id %q is not a uuid", args[0])
			}
			client, err := f.Client()
			if err != nil {
				return err
			}
			name := args[1]
			save := cmdutil.SaveOptions{Output: output, DefaultName: name, What: "image " + name}
			return cmdutil.SaveDownload(cmd.Context(), f.IO, f.Settings, save, func(ctx context.Context, opts ...adaptive.Option) (*adaptive.Download, error) {
				return client.Images.Get(ctx, project, name, opts...)
			})
		},
	}
	get.Flags().StringVarP(&output, "output", "o", "", "where to save it: a file, a directory, or - for stdout")
	cmd.AddCommand(get)
	return cmd
}

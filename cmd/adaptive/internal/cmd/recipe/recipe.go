// Package recipe is the "adaptive recipe" noun: download.
package recipe

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmdutil"
)

// NewCmdRecipe returns the recipe noun with its verbs.
func NewCmdRecipe(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "recipe <command>",
		Short: "Download recipes",
		RunE:  cmdutil.NeedSubcommand,
	}
	var output string
	download := &cobra.Command{
		Use:   "download KEY [-o FILE|-]",
		Short: "Download a recipe as a zip file",
		Long: `Download the recipe KEY (its key or id) of the project as a zip file, saved
as "adaptive dataset download" saves (atomically; -o FILE, -o DIR/, -o -).`,
		Args: cmdutil.Args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			client, err := f.Client()
			if err != nil {
				return err
			}
			key := args[0]
			save := cmdutil.SaveOptions{Output: output, DefaultName: key + ".zip", What: "recipe " + key}
			return cmdutil.SaveDownload(cmd.Context(), f.IO, f.Settings, save, func(ctx context.Context, opts ...adaptive.Option) (*adaptive.Download, error) {
				return client.Recipes.Download(ctx, "", key, opts...)
			})
		},
	}
	download.Flags().StringVarP(&output, "output", "o", "", "where to save it: a file, a directory, or - for stdout")
	cmd.AddCommand(download)
	return cmd
}

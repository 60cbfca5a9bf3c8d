package dataset

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmdutil"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/iostreams"
)

// DownloadOptions are the inputs of "adaptive dataset download".
type DownloadOptions struct {
	IO       *iostreams.IOStreams
	Client   func() (*adaptive.Client, error)
	Settings *cmdutil.Settings

	Key    string
	Format adaptive.DatasetFormat
	Output string
}

// NewCmdDownload returns the download verb; runF, when not nil, replaces
// its run.
func NewCmdDownload(f *cmdutil.Factory, runF func(context.Context, *DownloadOptions) error) *cobra.Command {
	o := &DownloadOptions{IO: f.IO, Client: f.Client, Settings: f.Settings}
	var format string
	cmd := &cobra.Command{
		Use:   "download KEY [-o FILE|-] [--format original|recipe]",
		Short: "Download a dataset",
		Long: `Download the dataset KEY (its key or id) of the project as JSON Lines. Without
-o it is saved in the current directory under the name the server suggests
(KEY.jsonl when it suggests none), which must not exist yet; -o FILE saves to
FILE, replacing it, -o DIR/ into DIR, and -o - streams to stdout. Saving is
atomic: nothing appears under the name unless the whole file arrived. Prints
the path saved to.`,
		Example: `  adaptive dataset download support-chats
  adaptive dataset download support-chats --format recipe -o recipe.jsonl
  adaptive dataset download support-chats -o - | head`,
		Args: cmdutil.Args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Key = args[0]
			switch adaptive.DatasetFormat(format) {
			case "", adaptive.DatasetFormatOriginal, adaptive.DatasetFormatRecipe:
				o.Format = adaptive.DatasetFormat(format)
			default:
				return cmdutil.Usagef("--format %q: use original or recipe", format)
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runDownload(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "where to save it: a file, a directory, or - for stdout")
	cmd.Flags().StringVar(&format, "format", "", "original (as uploaded, the default) or recipe")
	return cmd
}

func runDownload(ctx context.Context, o *DownloadOptions) error {
	client, err := o.Client()
	if err != nil {
		return err
	}
	save := cmdutil.SaveOptions{Output: o.Output, DefaultName: o.Key + ".jsonl", What: "dataset " + o.Key}
	return cmdutil.SaveDownload(ctx, o.IO, o.Settings, save, func(ctx context.Context, opts ...adaptive.Option) (*adaptive.Download, error) {
		return client.Datasets.Download(ctx, "", o.Key, &adaptive.DatasetDownloadOptions{Format: o.Format}, opts...)
	})
}

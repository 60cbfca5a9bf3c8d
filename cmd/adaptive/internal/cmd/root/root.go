// Package root builds the adaptive command: its global flags and its
// nouns and verbs.
package root

import (
	"github.com/spf13/cobra"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmd/artifact"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmd/chat"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmd/dataset"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmd/embed"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmd/fake"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmd/feedback"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmd/image"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmd/interactions"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmd/recipe"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmdutil"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/progress"
)

// NewCmdRoot returns the adaptive command, whose global flags fill
// f.Settings before any of its commands runs.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	var progressFlag string
	cmd := &cobra.Command{
		Use:   "adaptive <command> <subcommand> [flags]",
		Short: "Chat, embed, log feedback and move data with the Adaptive API",
		Long: `Chat, embed, log feedback and move data with the Adaptive API, and run a fake
Adaptive server for tests.

Configuration comes from flags and the environment: ADAPTIVE_BASE_URL (or
--base-url), ADAPTIVE_PROJECT (or --project) and ADAPTIVE_API_KEY (never a flag).
Results go to stdout, progress and messages to stderr. Exit codes: 0 success,
1 failure, 2 usage error.`,
		Version:       adaptive.Version,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          cmdutil.Args(cobra.NoArgs),
		RunE:          cmdutil.NeedSubcommand,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			m, err := progress.ParseMode(progressFlag)
			if err != nil {
				return &cmdutil.UsageError{Err: err}
			}
			f.Settings.Progress = m
			if f.Settings.Retries < 0 {
				return cmdutil.Usagef("--retries %d: give 0 or more", f.Settings.Retries)
			}
			return nil
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &cmdutil.UsageError{Err: err} })
	fl := cmd.PersistentFlags()
	fl.StringVar(&f.Settings.BaseURL, "base-url", "", "the Adaptive instance (default $ADAPTIVE_BASE_URL)")
	fl.StringVar(&f.Settings.Project, "project", "", "the project (default $ADAPTIVE_PROJECT)")
	fl.BoolVar(&f.Settings.JSON, "json", false, "print results as JSON (JSON Lines for streams and imports)")
	fl.StringVar(&progressFlag, "progress", string(progress.Auto), "progress on stderr: auto (a bar on a terminal, else an occasional line), always or never")
	fl.BoolVarP(&f.Settings.Verbose, "verbose", "v", false, "print more detail on stderr")
	fl.DurationVar(&f.Settings.Timeout, "timeout", 0, "bound each attempt of a call that is not streamed (default 90s)")
	fl.IntVar(&f.Settings.Retries, "retries", adaptive.DefaultMaxRetries, "retries of a failed call")

	cmd.AddCommand(
		chat.NewCmdChat(f, nil),
		embed.NewCmdEmbed(f, nil),
		feedback.NewCmdFeedback(f),
		interactions.NewCmdInteractions(f),
		dataset.NewCmdDataset(f),
		recipe.NewCmdRecipe(f),
		artifact.NewCmdArtifact(f),
		image.NewCmdImage(f),
		fake.NewCmdFake(f, nil),
	)
	return cmd
}

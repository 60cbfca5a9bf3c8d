package feedback

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmdutil"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/iostreams"
)

// CompareOptions are the inputs of "adaptive feedback compare".
type CompareOptions struct {
	IO       *iostreams.IOStreams
	Client   func() (*adaptive.Client, error)
	Settings *cmdutil.Settings

	Request adaptive.ComparisonRequest
}

// NewCmdCompare returns the compare verb; runF, when not nil, replaces
// its run.
func NewCmdCompare(f *cmdutil.Factory, runF func(context.Context, *CompareOptions) error) *cobra.Command {
	o := &CompareOptions{IO: f.IO, Client: f.Client, Settings: f.Settings}
	var preferred, other, preferredText, otherText, model, prompt, tied, user string
	cmd := &cobra.Command{
		Use:   "compare --metric METRIC (--preferred ID | --preferred-text TEXT) (--other ID | --other-text TEXT)",
		Short: "Record which of two completions is better",
		Long: `Record a preference between two completions of the same prompt for a metric.
Give each completion by its id (the completion id that "adaptive chat -v" or
"adaptive interactions import" prints) or as text; completions given as text
also need the --prompt they answered and the --model that wrote them. With
--tied good or --tied bad, neither is preferred. Prints the comparison's id.`,
		Example: `  adaptive feedback compare --metric helpful --preferred 1b2c... --other 9f8e...
  adaptive feedback compare --metric helpful --prompt "Capital of France?" --model m \
    --preferred-text "Paris." --other-text "Lyon."`,
		Args: cmdutil.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.RequireFlags(cmd, "metric"); err != nil {
				return err
			}
			if err := cmdutil.OneOf(cmd, "preferred", "preferred-text"); err != nil {
				return err
			}
			if err := cmdutil.OneOf(cmd, "other", "other-text"); err != nil {
				return err
			}
			var err error
			o.Request.PreferredCompletion, err = completion("preferred", preferred, preferredText, model)
			if err != nil {
				return err
			}
			o.Request.OtherCompletion, err = completion("other", other, otherText, model)
			if err != nil {
				return err
			}
			if (preferredText != "" || otherText != "") && prompt == "" {
				return cmdutil.Usagef("completions given as text need the --prompt they answered")
			}
			if prompt != "" {
				o.Request.Messages = []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: prompt}}
			}
			switch tied {
			case "", string(adaptive.TieGood), string(adaptive.TieBad):
				o.Request.Tied = adaptive.ComparisonTie(tied)
			default:
				return cmdutil.Usagef("--tied %q: use good or bad", tied)
			}
			if o.Request.UserID, err = parseUUID("user", user); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runCompare(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Request.Metric, "metric", "", "the metric's key or id (required)")
	fl.StringVar(&preferred, "preferred", "", "the id of the better completion")
	fl.StringVar(&preferredText, "preferred-text", "", "the text of the better completion")
	fl.StringVar(&other, "other", "", "the id of the other completion")
	fl.StringVar(&otherText, "other-text", "", "the text of the other completion")
	fl.StringVar(&prompt, "prompt", "", "the prompt both completions answered (required with text completions)")
	fl.StringVar(&model, "model", "", "the model that wrote the text completions")
	fl.StringVar(&tied, "tied", "", "neither is preferred: good (both good) or bad (both bad)")
	fl.StringVar(&user, "user", "", "the id of the user who compared")
	return cmd
}

// completion builds the completion given by --NAME (an id) or --NAME-text.
func completion(name, id, text, model string) (adaptive.Completion, error) {
	if id != "" {
		if _, err := parseUUID(name, id); err != nil {
			return adaptive.Completion{}, err
		}
		return adaptive.CompletionID(id), nil
	}
	if model == "" {
		return adaptive.Completion{}, cmdutil.Usagef("--%s-text needs the --model that wrote it", name)
	}
	return adaptive.CompletionText(text, model), nil
}

func runCompare(ctx context.Context, o *CompareOptions) error {
	client, err := o.Client()
	if err != nil {
		return err
	}
	out, err := client.Feedback.Comparison(ctx, o.Request)
	if err != nil {
		return err
	}
	id := out.ComparisonID.String()
	return cmdutil.PrintResult(o.IO, o.Settings, id, "Recorded comparison "+id, out)
}

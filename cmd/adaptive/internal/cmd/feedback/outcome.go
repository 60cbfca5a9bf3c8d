package feedback

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmdutil"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/iostreams"
)

// OutcomeOptions are the inputs of "adaptive feedback outcome".
type OutcomeOptions struct {
	IO       *iostreams.IOStreams
	Client   func() (*adaptive.Client, error)
	Settings *cmdutil.Settings

	Request adaptive.OutcomeRequest
}

// NewCmdOutcome returns the outcome verb; runF, when not nil, replaces
// its run.
func NewCmdOutcome(f *cmdutil.Factory, runF func(context.Context, *OutcomeOptions) error) *cobra.Command {
	o := &OutcomeOptions{IO: f.IO, Client: f.Client, Settings: f.Settings}
	var value, session, user string
	cmd := &cobra.Command{
		Use:   "outcome --metric METRIC --value VALUE --session ID",
		Short: "Record the outcome of a session",
		Long: `Record the outcome of a session (the session id that "adaptive chat -v" prints)
for a metric: true or false for a Bool metric, a number for a Scalar one. Prints
the outcome's id (a sentence on a terminal, JSON with --json).`,
		Example: `  adaptive feedback outcome --metric resolved --value true --session 4f0c...`,
		Args:    cmdutil.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.RequireFlags(cmd, "metric", "value", "session"); err != nil {
				return err
			}
			v, err := parseValue(value)
			if err != nil {
				return err
			}
			sid, err := parseUUID("session", session)
			if err != nil {
				return err
			}
			uid, err := parseUUID("user", user)
			if err != nil {
				return err
			}
			o.Request = adaptive.OutcomeRequest{Metric: o.Request.Metric, Value: v, SessionID: *sid, UserID: uid}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runOutcome(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.Request.Metric, "metric", "", "the metric's key or id (required)")
	cmd.Flags().StringVar(&value, "value", "", "true, false or a number (required)")
	cmd.Flags().StringVar(&session, "session", "", "the session id (required)")
	cmd.Flags().StringVar(&user, "user", "", "the id of the user who reported it")
	return cmd
}

func runOutcome(ctx context.Context, o *OutcomeOptions) error {
	client, err := o.Client()
	if err != nil {
		return err
	}
	out, err := client.Feedback.Outcome(ctx, o.Request)
	if err != nil {
		return err
	}
	id := out.OutcomeID.String()
	return cmdutil.PrintResult(o.IO, o.Settings, id, "Recorded outcome "+id, out)
}

// Package feedback is the "adaptive feedback" noun: outcome and compare.
package feedback

import (
	"strconv"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmdutil"
)

// NewCmdFeedback returns the feedback noun with its verbs.
func NewCmdFeedback(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "feedback <command>",
		Short: "Record outcomes and comparisons",
		RunE:  cmdutil.NeedSubcommand,
	}
	cmd.AddCommand(NewCmdOutcome(f, nil), NewCmdCompare(f, nil))
	return cmd
}

// parseValue reads a metric value: true or false for a Bool metric, a
// number for a Scalar one.
func parseValue(s string) (adaptive.MetricValue, error) {
	switch s {
	case "true":
		return adaptive.MetricBool(true), nil
	case "false":
		return adaptive.MetricBool(false), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return adaptive.MetricValue{}, cmdutil.Usagef("--value %q: give true or false (a Bool metric) or a number (a Scalar metric)", s)
	}
	return adaptive.MetricNumber(f), nil
}

// parseUUID reads the uuid given to flag, "" being none.
func parseUUID(flag, s string) (*uuid.UUID, error) {
	if s == "" {
		return nil, nil
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return nil, cmdutil.Usagef("--%s %q is not a uuid", flag, s)
	}
	return &id, nil
}

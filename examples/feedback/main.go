// Command feedback records feedback the three ways Adaptive takes it: an
// interaction imported with its feedback, an outcome of a session, and a
// comparison of two answers to the same prompt.
//
//	go run ./examples/feedback
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/google/uuid"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/examples/internal/demo"
)

const usage = `usage: feedback

Records an interaction with its feedback, an outcome and a comparison.
`

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	if code, ok := demo.Parse(demo.Flags("feedback", usage), args, 0); !ok {
		return code
	}
	ctx := context.Background()
	env, err := demo.Connect(os.Stdout)
	if err != nil {
		return demo.Fail("connecting", err)
	}
	defer env.Close()
	c := env.Client

	prompt := []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "How do I reset my password?"}}
	sessionID := uuid.New()

	// An interaction that happened elsewhere, with a thumbs-up on it.
	added, err := c.Interactions.Add(ctx, adaptive.InteractionRequest{
		Messages:   prompt,
		Completion: "Open Settings, then Security, then Reset password.",
		SessionID:  &sessionID,
		Feedbacks: []adaptive.InteractionFeedback{
			{Metric: "thumbs_up", Value: adaptive.MetricBool(true), Reason: "clear steps"},
		},
	})
	if err != nil {
		return demo.Fail("adding the interaction", err)
	}
	fmt.Printf("Interaction recorded: completion %s with %d feedback(s)\n", added.CompletionID, len(added.FeedbackIDs))

	// The outcome of the whole session, known later.
	outcome, err := c.Feedback.Outcome(ctx, adaptive.OutcomeRequest{
		Metric:    "resolved",
		Value:     adaptive.MetricNumber(1),
		SessionID: sessionID,
	})
	if err != nil {
		return demo.Fail("recording the outcome", err)
	}
	fmt.Printf("Outcome recorded: %s\n", outcome.OutcomeID)

	// A preference between two answers to the same prompt.
	cmp, err := c.Feedback.Comparison(ctx, adaptive.ComparisonRequest{
		Metric:              "helpfulness",
		Messages:            prompt,
		PreferredCompletion: adaptive.CompletionID(added.CompletionID),
		OtherCompletion:     adaptive.CompletionText("Contact support.", "baseline-model"),
	})
	if err != nil {
		return demo.Fail("recording the comparison", err)
	}
	fmt.Printf("Comparison recorded: %s\n", cmp.ComparisonID)
	return 0
}

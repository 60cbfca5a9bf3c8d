package adaptive_test

import (
	"context"
	"fmt"
	"log"

	"github.com/google/uuid"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

func ExampleFeedbackService_Comparison() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()

	// Two answers to the same prompt, given as raw text: the prompt's
	// messages are then required.
	out, err := client.Feedback.Comparison(context.Background(), adaptive.ComparisonRequest{
		Metric:              "helpfulness",
		Messages:            []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "Capital of France?"}},
		PreferredCompletion: adaptive.CompletionText("Paris.", "model-a"),
		OtherCompletion:     adaptive.CompletionText("I am not sure.", "model-b"),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("comparison recorded:", out.ComparisonID != uuid.Nil)
	// Output: comparison recorded: true
}

func ExampleFeedbackService_Outcome() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()

	sessionID := uuid.MustParse("3f2c8e52-8a0e-4b6f-9d8e-6f1c2b7a9e10") // the session of earlier calls
	out, err := client.Feedback.Outcome(context.Background(), adaptive.OutcomeRequest{
		Metric:    "resolved",
		Value:     adaptive.MetricBool(true), // adaptive.MetricNumber(4.5) for a Scalar metric
		SessionID: sessionID,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("outcome recorded:", out.OutcomeID != uuid.Nil)
	// Output: outcome recorded: true
}

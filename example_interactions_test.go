package adaptive_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

func ExampleInteractionsService_Add() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()

	out, err := client.Interactions.Add(context.Background(), adaptive.InteractionRequest{
		Messages:   []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "Capital of France?"}},
		Completion: "Paris.",
		CreatedAt:  time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
		Feedbacks: []adaptive.InteractionFeedback{
			{Metric: "thumbs_up", Value: adaptive.MetricBool(true)},
			{Metric: "stars", Value: adaptive.MetricNumber(4.5), Details: "short and right"},
		},
		Labels: map[string]string{"channel": "web"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("feedbacks recorded:", len(out.FeedbackIDs))
	// Output: feedbacks recorded: 2
}

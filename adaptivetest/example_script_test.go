package adaptivetest_test

import (
	"context"
	"fmt"
	"log"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

func ExampleServer_Reply() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()

	// Every question about France gets "Paris."; the next other question
	// gets "I don't know.", and the ones after it the normal answer.
	srv.Reply(adaptivetest.RouteChat,
		adaptivetest.Reply{When: adaptivetest.Match{Contains: "France"}, Always: true, Text: "Paris."},
		adaptivetest.Reply{Text: "I don't know."},
	)
	for _, q := range []string{"Capital of France?", "Capital of Peru?", "France again?", "Hi"} {
		resp, err := client.Chat.Create(context.Background(), adaptive.ChatRequest{
			Messages: []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: q}},
		})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(resp.Choices[0].Message.Content)
	}
	// Output:
	// Paris.
	// I don't know.
	// Paris.
	// You said: Hi
}

func ExampleParseScript() {
	sc, err := adaptivetest.ParseScript([]byte(`{"replies": [
		{"route": "embeddings", "when": {"text": "cat"}, "always": true, "embedding": [0.6, 0.8]},
		{"route": "outcome", "error": {"status": 503, "message": "try later"}}
	]}`))
	if err != nil {
		log.Fatal(err)
	}
	srv := adaptivetest.NewServer(adaptivetest.WithScript(sc))
	defer srv.Close()
	client := srv.Client()

	resp, err := client.Embeddings.Create(context.Background(), adaptive.EmbeddingsRequest{Input: "cat"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Data[0].Embedding)
	_, err = client.Feedback.Outcome(context.Background(), adaptive.OutcomeRequest{Metric: "m", Value: adaptive.MetricBool(true)})
	fmt.Println(err != nil)
	// Output:
	// [0.6 0.8]
	// true
}

package adaptive_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

func ExampleChatService_Create() {
	srv := adaptivetest.NewServer() // a fake Adaptive server; use NewClient for a real one
	defer srv.Close()
	client := srv.Client()

	resp, err := client.Chat.Create(context.Background(), adaptive.ChatRequest{
		Model: "my-model", // with the client's default project: "demo/my-model"
		Messages: []adaptive.ChatMessage{
			{Role: adaptive.RoleSystem, Content: "You are a helpful assistant."},
			{Role: adaptive.RoleUser, Content: "What is the capital of France?"},
		},
		Temperature: adaptive.Ptr(0.0),
		MaxTokens:   adaptive.Ptr(256),
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, choice := range resp.Choices { // one per requested choice (N, default 1)
		fmt.Println(choice.Message.Role+":", choice.Message.Content)
		fmt.Println("model:", choice.Model)
		fmt.Println("finish reason:", choice.FinishReason)
	}
	fmt.Println("total tokens:", resp.Usage.TotalTokens)
	// Output:
	// assistant: You said: What is the capital of France?
	// model: demo/my-model
	// finish reason: stop
	// total tokens: 19
}

func ExampleChatService_Stream() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()

	stream, err := client.Chat.Stream(context.Background(), adaptive.ChatRequest{
		Messages:      []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "Stream me a short answer"}},
		StreamOptions: &adaptive.StreamOptions{IncludeUsage: true},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer stream.Close()

	var acc adaptive.ChatAccumulator // optional: rebuilds the whole response
	var text strings.Builder
	for stream.Next() {
		chunk := stream.Current()
		acc.Add(chunk)
		for _, c := range chunk.Choices { // none in the usage chunk
			text.WriteString(c.Delta.Content) // print it as it comes, in a real program
		}
	}
	if err := stream.Err(); err != nil {
		log.Fatal(err) // a cut stream, a server error, a cancelled context...
	}
	resp := acc.Response()
	_, hasTTFT := stream.TTFT()
	fmt.Println(text.String())
	for _, choice := range resp.Choices {
		fmt.Println("same as accumulated:", choice.Message.Content == text.String())
	}
	fmt.Println("completion tokens:", resp.Usage.CompletionTokens)
	fmt.Println("server reported TTFT:", hasTTFT)
	// Output:
	// You said: Stream me a short answer
	// same as accumulated: true
	// completion tokens: 7
	// server reported TTFT: true
}

func ExampleChatStream_Accumulate() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()

	stream, err := client.Chat.Stream(context.Background(), adaptive.ChatRequest{
		Messages: []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "Hi"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	resp, err := stream.Accumulate() // reads to the end and closes the stream
	if err != nil {
		log.Fatal(err)
	}
	for _, choice := range resp.Choices {
		fmt.Println(choice.Message.Content)
	}
	// Output: You said: Hi
}

func ExampleStream_All() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()

	stream, err := client.Chat.Stream(context.Background(), adaptive.ChatRequest{
		Messages:      []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "one two"}},
		StreamOptions: &adaptive.StreamOptions{IncludeUsage: true},
	})
	if err != nil {
		log.Fatal(err)
	}
	// All closes the stream when the loop ends.
	for chunk, err := range stream.All() {
		if err != nil {
			log.Fatal(err)
		}
		for _, choice := range chunk.Choices { // none in the usage chunk
			fmt.Printf("%q\n", choice.Delta.Content)
		}
		if chunk.Usage != nil {
			fmt.Println("tokens:", chunk.Usage.TotalTokens)
		}
	}
	// The last chunk of a choice carries its finish_reason and no text.
	// Output:
	// "You"
	// " said:"
	// " one"
	// " two"
	// ""
	// tokens: 6
}

package adaptiveotel_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
	adaptiveotel "github.com/adaptive-go/adaptive/otel"
)

// Example instruments a client and prints the span of a chat call to
// stdout as JSON. The fake server stands for an Adaptive instance: with a
// real one, give the options to adaptive.NewClient,
//
//	adaptive.NewClient(append(adaptiveotel.ClientOptions(), adaptive.WithBaseURL(url))...)
func Example() {
	srv := adaptivetest.NewServer()
	defer srv.Close()

	exporter, err := stdouttrace.New(stdouttrace.WithWriter(os.Stdout), stdouttrace.WithPrettyPrint())
	if err != nil {
		log.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	defer func() { _ = tp.Shutdown(context.Background()) }()

	client := srv.Client(adaptiveotel.ClientOptions(adaptiveotel.WithTracerProvider(tp))...)
	resp, err := client.Chat.Create(context.Background(), adaptive.ChatRequest{
		Messages:    []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "What is Adaptive?"}},
		Temperature: adaptive.Ptr(0.2),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Choices[0].Message.Content)
}

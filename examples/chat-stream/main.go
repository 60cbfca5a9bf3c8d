// Command chat-stream streams the answer to a prompt, printing tokens as they
// arrive.
//
//	go run ./examples/chat-stream "Explain reinforcement learning in one paragraph."
//	go run ./examples/chat-stream -- "-v is a flag, this is a prompt"
//
// Ctrl-C stops the stream and releases the connection at once.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/examples/internal/demo"
)

const usage = `usage: chat-stream [PROMPT...]

Streams the answer to PROMPT (its words joined by spaces; default: a greeting),
printing tokens as they arrive. Put -- before a prompt that starts with "-".
`

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	fs := demo.Flags("chat-stream", usage)
	if code, ok := demo.Parse(fs, args, demo.AnyArgs); !ok {
		return code
	}
	prompt := strings.Join(fs.Args(), " ")
	if prompt == "" {
		prompt = "Say hello in five words."
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	env, err := demo.Connect(os.Stdout)
	if err != nil {
		return demo.Fail("connecting", err)
	}
	defer env.Close()

	stream, err := env.Client.Chat.Stream(ctx, adaptive.ChatRequest{
		Messages:      []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: prompt}},
		StreamOptions: &adaptive.StreamOptions{IncludeUsage: true},
	})
	if err != nil {
		return demo.Fail("starting the stream", err)
	}
	defer stream.Close()
	var tokens int
	for chunk, err := range stream.All() {
		if err != nil {
			return demo.Fail("streaming", err)
		}
		for _, c := range chunk.Choices { // none in the usage chunk
			fmt.Print(c.Delta.Content)
		}
		if chunk.Usage != nil {
			tokens = chunk.Usage.TotalTokens
		}
	}
	fmt.Println()
	if tokens > 0 {
		fmt.Printf("(%d tokens)\n", tokens)
	}
	return 0
}

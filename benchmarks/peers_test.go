package benchmarks

import (
	"context"
	"errors"
	"io"
	"net/http"

	openai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	goopenai "github.com/sashabaranov/go-openai"
)

// The peers are OpenAI-compatible clients pointed at the same loopback
// handler as the SDK: base URL <server>/api/v1, model "demo/model".

func newOpenAIGo(url string) openai.Client {
	return openai.NewClient(option.WithBaseURL(url+"/api/v1/"), option.WithAPIKey("k"), option.WithMaxRetries(0))
}

func openAIGoParams() openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{
		Model:    "demo/model",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Say something long.")},
	}
}

// streamOpenAIGo consumes a whole stream through openai-go and returns the
// number of events it yielded.
func streamOpenAIGo(ctx context.Context, c openai.Client) (int, error) {
	s := c.Chat.Completions.NewStreaming(ctx, openAIGoParams())
	defer s.Close()
	n := 0
	for s.Next() {
		_ = s.Current()
		n++
	}
	return n, s.Err()
}

func newGoOpenAI(url string) *goopenai.Client {
	cfg := goopenai.DefaultConfig("k")
	cfg.BaseURL = url + "/api/v1"
	cfg.HTTPClient = &http.Client{}
	return goopenai.NewClientWithConfig(cfg)
}

func goOpenAIRequest() goopenai.ChatCompletionRequest {
	return goopenai.ChatCompletionRequest{
		Model:    "demo/model",
		Messages: []goopenai.ChatCompletionMessage{{Role: goopenai.ChatMessageRoleUser, Content: "Say something long."}},
	}
}

// streamGoOpenAI consumes a whole stream through go-openai and returns the
// number of events it yielded.
func streamGoOpenAI(ctx context.Context, c *goopenai.Client) (int, error) {
	req := goOpenAIRequest()
	req.Stream = true
	s, err := c.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	n := 0
	for {
		_, err := s.Recv()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

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
// handler as the SDK: base URL <server>/api/v1, model "demo/model", default
// retry settings, each with the HTTP client it is given (a fresh transport
// per client, or the in-memory one).

const prompt = "Tell me about reinforcement learning from feedback."

func newOpenAIGo(url string, hc *http.Client) openai.Client {
	return openai.NewClient(
		option.WithBaseURL(url+"/api/v1/"),
		option.WithAPIKey("k"),
		option.WithHTTPClient(hc),
	)
}

func openAIGoParams() openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{
		Model:    "demo/model",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(prompt)},
	}
}

// streamOpenAIGo consumes a whole stream through openai-go. openai-go
// yields the metadata events too (as empty chunks); only chunks with
// choices are counted.
func streamOpenAIGo(ctx context.Context, c openai.Client) (streamStats, error) {
	s := c.Chat.Completions.NewStreaming(ctx, openAIGoParams())
	defer s.Close()
	var st streamStats
	for s.Next() {
		ch := s.Current()
		if len(ch.Choices) > 0 {
			st.add(ch.Choices[0].Delta.Content)
		}
	}
	return st, s.Err()
}

// createOpenAIGo makes one non-streaming call and returns the answer's
// content.
func createOpenAIGo(ctx context.Context, c openai.Client) (string, error) {
	r, err := c.Chat.Completions.New(ctx, openAIGoParams())
	if err != nil {
		return "", err
	}
	if len(r.Choices) == 0 {
		return "", errors.New("openai-go: no choices")
	}
	return r.Choices[0].Message.Content, nil
}

func newGoOpenAI(url string, hc *http.Client) *goopenai.Client {
	cfg := goopenai.DefaultConfig("k")
	cfg.BaseURL = url + "/api/v1"
	cfg.HTTPClient = hc
	return goopenai.NewClientWithConfig(cfg)
}

func goOpenAIRequest() goopenai.ChatCompletionRequest {
	return goopenai.ChatCompletionRequest{
		Model:    "demo/model",
		Messages: []goopenai.ChatCompletionMessage{{Role: goopenai.ChatMessageRoleUser, Content: prompt}},
	}
}

// streamGoOpenAI consumes a whole stream through go-openai; like
// openai-go, it yields the metadata events as empty responses.
func streamGoOpenAI(ctx context.Context, c *goopenai.Client) (streamStats, error) {
	req := goOpenAIRequest()
	req.Stream = true
	s, err := c.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return streamStats{}, err
	}
	defer s.Close()
	var st streamStats
	for {
		r, err := s.Recv()
		if errors.Is(err, io.EOF) {
			return st, nil
		}
		if err != nil {
			return st, err
		}
		if len(r.Choices) > 0 {
			st.add(r.Choices[0].Delta.Content)
		}
	}
}

// createGoOpenAI makes one non-streaming call and returns the answer's
// content.
func createGoOpenAI(ctx context.Context, c *goopenai.Client) (string, error) {
	r, err := c.CreateChatCompletion(ctx, goOpenAIRequest())
	if err != nil {
		return "", err
	}
	if len(r.Choices) == 0 {
		return "", errors.New("go-openai: no choices")
	}
	return r.Choices[0].Message.Content, nil
}

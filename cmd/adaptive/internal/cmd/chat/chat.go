// Package chat is the "adaptive chat" command.
package chat

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmdutil"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/iostreams"
)

// Options are the inputs of "adaptive chat".
type Options struct {
	IO       *iostreams.IOStreams
	Client   func() (*adaptive.Client, error)
	Settings *cmdutil.Settings

	Prompt      []string
	Model       string
	System      string
	Temperature *float64
	MaxTokens   *int
	Images      []string
	NoStream    bool
}

// NewCmdChat returns the chat command; runF, when not nil, replaces its
// run (tests of the flags use it).
func NewCmdChat(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	o := &Options{IO: f.IO, Client: f.Client, Settings: f.Settings}
	var temperature float64
	var maxTokens int
	cmd := &cobra.Command{
		Use:   "chat [flags] PROMPT...",
		Short: "Ask a model and print its answer as it streams",
		Long: `Ask a model of the project and print its answer on stdout, token by token.
The prompt is the arguments joined by spaces, or the standard input for "-".
With --json, each streamed chunk is printed as a line of JSON (the whole answer
with --no-stream). With -v, the time to first token, the token usage and the
session and completion ids (for "adaptive feedback") go to stderr.`,
		Example: `  adaptive chat "What is the capital of France?"
  adaptive chat -m my-model --system "Answer in French." --temperature 0.2 Hello
  adaptive chat --image photo.png --image https://example.com/chart.png "What do these show?"
  git diff | adaptive chat --no-stream -`,
		Args: cmdutil.Args(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Prompt = args
			if cmd.Flags().Changed("temperature") {
				o.Temperature = &temperature
			}
			if cmd.Flags().Changed("max-tokens") {
				if maxTokens < 0 {
					return cmdutil.Usagef("--max-tokens %d: give 0 or more", maxTokens)
				}
				o.MaxTokens = &maxTokens
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return run(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.Model, "model", "m", "", "the model key (default: the project's default model)")
	fl.StringVar(&o.System, "system", "", "a system message before the prompt")
	fl.Float64Var(&temperature, "temperature", 0, "the sampling temperature")
	fl.IntVar(&maxTokens, "max-tokens", 0, "bound the tokens of the answer")
	fl.StringArrayVar(&o.Images, "image", nil, "attach an image: a file (PNG, JPEG, GIF, WebP, ...) or an http(s) or data: URL; repeatable")
	fl.BoolVar(&o.NoStream, "no-stream", false, "wait for the whole answer instead of streaming it")
	return cmd
}

func run(ctx context.Context, o *Options) error {
	prompt, err := cmdutil.ReadInput(o.IO.In, o.Prompt, "the prompt")
	if err != nil {
		return err
	}
	if strings.TrimSpace(prompt) == "" {
		return cmdutil.Usagef("the prompt is empty: give it as arguments, or as the standard input with \"-\"")
	}
	user := adaptive.ChatMessage{Role: adaptive.RoleUser, Content: prompt}
	if len(o.Images) > 0 {
		user = adaptive.ChatMessage{Role: adaptive.RoleUser, Parts: []adaptive.ContentPart{adaptive.TextPart(prompt)}}
		for _, img := range o.Images {
			p, err := imagePart(img)
			if err != nil {
				return err
			}
			user.Parts = append(user.Parts, p)
		}
	}
	var msgs []adaptive.ChatMessage
	if o.System != "" {
		msgs = append(msgs, adaptive.ChatMessage{Role: adaptive.RoleSystem, Content: o.System})
	}
	req := adaptive.ChatRequest{Model: o.Model, Messages: append(msgs, user), Temperature: o.Temperature, MaxTokens: o.MaxTokens}
	client, err := o.Client()
	if err != nil {
		return err
	}
	if o.NoStream {
		return create(ctx, o, client, req)
	}
	return stream(ctx, o, client, req)
}

func create(ctx context.Context, o *Options, client *adaptive.Client, req adaptive.ChatRequest) error {
	resp, err := client.Chat.Create(ctx, req)
	if err != nil {
		return err
	}
	if o.Settings.JSON {
		return cmdutil.WriteJSON(o.IO.Out, resp)
	}
	if len(resp.Choices) == 0 {
		return fmt.Errorf("the server answered no choice")
	}
	c := resp.Choices[0]
	if err := printText(o.IO.Out, c.Message.Content); err != nil {
		return err
	}
	if o.Settings.Verbose {
		fmt.Fprintf(o.IO.ErrOut, "tokens: %d prompt, %d completion, %d total\n", resp.Usage.PromptTokens, resp.Usage.CompletionTokens, resp.Usage.TotalTokens)
		fmt.Fprintf(o.IO.ErrOut, "session %s, completion %s, finish reason %s\n", resp.SessionID, c.CompletionID, c.FinishReason)
	}
	return nil
}

func stream(ctx context.Context, o *Options, client *adaptive.Client, req adaptive.ChatRequest) error {
	if o.Settings.Verbose {
		req.StreamOptions = &adaptive.StreamOptions{IncludeUsage: true}
	}
	s, err := client.Chat.Stream(ctx, req)
	if err != nil {
		return err
	}
	defer s.Close()
	var (
		last         byte
		usage        *adaptive.Usage
		session      string
		completionID string
		finish       string
	)
	for s.Next() {
		chunk := s.Current()
		if o.Settings.JSON {
			if err := cmdutil.WriteJSON(o.IO.Out, chunk); err != nil {
				return err
			}
		}
		session = chunk.SessionID.String()
		if chunk.Usage != nil {
			usage = chunk.Usage
		}
		for _, c := range chunk.Choices {
			if c.Index != 0 {
				continue
			}
			completionID = c.CompletionID
			if c.FinishReason != "" {
				finish = c.FinishReason
			}
			if o.Settings.JSON || c.Delta.Content == "" {
				continue
			}
			if _, err := io.WriteString(o.IO.Out, c.Delta.Content); err != nil {
				return err
			}
			last = c.Delta.Content[len(c.Delta.Content)-1]
		}
	}
	if !o.Settings.JSON && last != 0 && last != '\n' {
		fmt.Fprintln(o.IO.Out)
	}
	if err := s.Err(); err != nil {
		return err
	}
	if o.Settings.Verbose {
		if ttft, ok := s.TTFT(); ok {
			fmt.Fprintf(o.IO.ErrOut, "time to first token: %v\n", ttft)
		}
		if usage != nil {
			fmt.Fprintf(o.IO.ErrOut, "tokens: %d prompt, %d completion, %d total\n", usage.PromptTokens, usage.CompletionTokens, usage.TotalTokens)
		}
		fmt.Fprintf(o.IO.ErrOut, "session %s, completion %s, finish reason %s\n", session, completionID, finish)
	}
	return nil
}

// printText prints an answer, ending it with a newline.
func printText(w io.Writer, text string) error {
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	_, err := io.WriteString(w, text)
	return err
}

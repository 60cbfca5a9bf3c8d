// Package embed is the "adaptive embed" command.
package embed

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmdutil"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/iostreams"
)

// Options are the inputs of "adaptive embed".
type Options struct {
	IO       *iostreams.IOStreams
	Client   func() (*adaptive.Client, error)
	Settings *cmdutil.Settings

	Texts      []string
	Model      string
	Dimensions *int
}

// NewCmdEmbed returns the embed command; runF, when not nil, replaces its
// run.
func NewCmdEmbed(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	o := &Options{IO: f.IO, Client: f.Client, Settings: f.Settings}
	var dims int
	cmd := &cobra.Command{
		Use:   "embed [flags] TEXT...",
		Short: "Print the embedding of each text",
		Long: `Print the embedding of each TEXT argument (of the standard input, read whole,
for a lone "-"): one line per text, its numbers separated by spaces, or with
--json one JSON object per line: {"index": i, "text": ..., "embedding": [...]}.`,
		Example: `  adaptive embed "a cat" "a dog"
  adaptive embed -m my-embedder --dimensions 256 --json "a cat"`,
		Args: cmdutil.Args(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Texts = args
			if cmd.Flags().Changed("dimensions") {
				if dims < 0 {
					return cmdutil.Usagef("--dimensions %d: give 0 or more", dims)
				}
				o.Dimensions = &dims
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return run(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVarP(&o.Model, "model", "m", "", "the embedding model key (default: the project's)")
	cmd.Flags().IntVar(&dims, "dimensions", 0, "ask for shorter embeddings, for models that support it")
	return cmd
}

func run(ctx context.Context, o *Options) error {
	texts := o.Texts
	if len(texts) == 1 && texts[0] == "-" {
		text, err := cmdutil.ReadInput(o.IO.In, texts, "the text")
		if err != nil {
			return err
		}
		texts = []string{text}
	}
	client, err := o.Client()
	if err != nil {
		return err
	}
	for i, text := range texts {
		resp, err := client.Embeddings.Create(ctx, adaptive.EmbeddingsRequest{Input: text, Model: o.Model, Dimensions: o.Dimensions})
		if err != nil {
			return fmt.Errorf("embedding text %d: %w", i+1, err)
		}
		if len(resp.Data) == 0 {
			return fmt.Errorf("embedding text %d: the server answered no embedding", i+1)
		}
		vec := resp.Data[0].Embedding
		if o.Settings.JSON {
			err = cmdutil.WriteJSON(o.IO.Out, struct {
				Index     int       `json:"index"`
				Text      string    `json:"text"`
				Embedding []float32 `json:"embedding"`
			}{i, text, vec})
		} else {
			err = writeVector(o.IO.Out, vec)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// writeVector prints the numbers of vec on one line, in the shortest form
// that reads back as the same float32.
func writeVector(w io.Writer, vec []float32) error {
	var b strings.Builder
	for i, f := range vec {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatFloat(float64(f), 'g', -1, 32))
	}
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

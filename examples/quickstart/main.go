// Command quickstart walks through every service of the SDK, printing what
// it does: a chat completion, a streamed completion, an embedding, an
// interaction with feedback, an outcome and a comparison, then the dataset
// round trip: a generated 20 MiB JSONL file uploaded in parts and made a
// dataset (Datasets.Upload), its processing waited for (Datasets.Wait), and
// the dataset downloaded back and compared with what was sent.
//
//	go run ./examples/quickstart
//
// Without ADAPTIVE_BASE_URL it starts the adaptivetest fake server
// in-process. Against a real instance, set ADAPTIVE_BASE_URL,
// ADAPTIVE_API_KEY and ADAPTIVE_PROJECT: the run creates a dataset
// "adaptive-go-quickstart-<time>" in the project.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/examples/internal/demo"
)

const datasetRows = 100_000 // about 20 MiB of JSONL

const usage = `usage: quickstart

Walks through every service of the SDK, on the embedded fake server unless
ADAPTIVE_BASE_URL is set.
`

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	if code, ok := demo.Parse(demo.Flags("quickstart", usage), args, 0); !ok {
		return code
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	env, err := demo.Connect(os.Stdout)
	if err != nil {
		return demo.Fail("connecting", err)
	}
	defer env.Close()
	c := env.Client
	question := []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "What does Adaptive do with feedback?"}}

	step("Chat completion")
	resp, err := c.Chat.Create(ctx, adaptive.ChatRequest{Messages: question})
	if err != nil {
		return demo.Fail("chat completion", err)
	}
	// The contract allows an answer with no choices ("choices": []).
	if len(resp.Choices) == 0 {
		return demo.Fail("chat completion", errors.New("the answer has no choices"))
	}
	answer := resp.Choices[0].Message.Content
	fmt.Printf("  answer: %s\n  tokens: %d\n", answer, resp.Usage.TotalTokens)

	step("Streamed chat completion, token by token")
	stream, err := c.Chat.Stream(ctx, adaptive.ChatRequest{Messages: question})
	if err != nil {
		return demo.Fail("starting the stream", err)
	}
	fmt.Print("  ")
	var acc adaptive.ChatAccumulator
	for stream.Next() {
		chunk := stream.Current()
		acc.Add(chunk)
		for _, ch := range chunk.Choices {
			fmt.Print(ch.Delta.Content)
		}
	}
	err = stream.Err()
	stream.Close()
	if err != nil {
		return demo.Fail("streaming", err)
	}
	fmt.Println()
	if ttft, ok := stream.TTFT(); ok {
		fmt.Printf("  time to first token: %v\n", ttft)
	}
	streamed := acc.Response()
	for _, ch := range streamed.Choices {
		fmt.Printf("  session %s, completion %s\n", streamed.SessionID, ch.CompletionID)
	}

	step("Embedding")
	emb, err := c.Embeddings.Create(ctx, adaptive.EmbeddingsRequest{Input: "Adaptive learns from feedback."})
	if err != nil {
		return demo.Fail("embedding", err)
	}
	for _, e := range emb.Data {
		fmt.Printf("  %d dimensions, first values %.4f\n", len(e.Embedding), e.Embedding[:min(3, len(e.Embedding))])
	}

	step("Interaction with feedback")
	sessionID := uuid.New()
	added, err := c.Interactions.Add(ctx, adaptive.InteractionRequest{
		Messages:   question,
		Completion: answer,
		SessionID:  &sessionID,
		Feedbacks:  []adaptive.InteractionFeedback{{Metric: "thumbs_up", Value: adaptive.MetricBool(true)}},
	})
	if err != nil {
		return demo.Fail("adding the interaction", err)
	}
	fmt.Printf("  completion %s, %d feedback(s)\n", added.CompletionID, len(added.FeedbackIDs))

	step("Outcome and comparison")
	outcome, err := c.Feedback.Outcome(ctx, adaptive.OutcomeRequest{Metric: "resolved", Value: adaptive.MetricNumber(1), SessionID: sessionID})
	if err != nil {
		return demo.Fail("recording the outcome", err)
	}
	fmt.Printf("  outcome %s\n", outcome.OutcomeID)
	cmp, err := c.Feedback.Comparison(ctx, adaptive.ComparisonRequest{
		Metric:              "helpfulness",
		Messages:            question,
		PreferredCompletion: adaptive.CompletionID(added.CompletionID),
		OtherCompletion:     adaptive.CompletionText("No idea.", "baseline-model"),
	})
	if err != nil {
		return demo.Fail("recording the comparison", err)
	}
	fmt.Printf("  comparison %s\n", cmp.ComparisonID)

	step("Dataset upload of a generated JSONL file (size unknown in advance: spooled to a temporary file), then the dataset's creation")
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeDataset(pw)) }()
	key := fmt.Sprintf("adaptive-go-quickstart-%d", time.Now().Unix())
	ds, err := c.Datasets.Upload(ctx, pr, adaptive.DatasetUploadRequest{Key: key, Name: "adaptive-go quickstart"}, &adaptive.UploadOptions{
		Checksum: adaptive.ChecksumSHA256, // to compare with the download below
		Progress: demo.Progress(os.Stdout),
	})
	if err != nil {
		return demo.Fail("uploading the dataset", err)
	}
	fmt.Printf("  dataset %s (key %s): %d bytes in %d parts, status %s\n  sha256 %s\n",
		ds.ID, ds.Key, ds.Upload.Bytes, ds.Upload.Parts, ds.Status, hex.EncodeToString(ds.Upload.SHA256))

	step("Waiting for the dataset to be processed")
	ds, err = c.Datasets.Wait(ctx, ds)
	if err != nil {
		return demo.Fail("processing the dataset", err)
	}
	fmt.Printf("  status %s, %d of %d parts processed\n", ds.Status, ds.ProcessedParts, ds.TotalParts)

	step("Dataset download, saved to a temporary file")
	d, err := c.Datasets.Download(ctx, "", ds.ID, nil)
	if err != nil {
		return demo.Fail("downloading", err)
	}
	dir, err := os.MkdirTemp("", "adaptive-quickstart-")
	if err != nil {
		return demo.Fail("creating a temporary directory", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, d.Filename)
	n, err := d.SaveFile(path)
	if err != nil {
		return demo.Fail("saving the download", err)
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return demo.Fail("checking the download", err)
	}
	fmt.Printf("  %d bytes saved to %s\n  sha256 %s\n", n, path, hex.EncodeToString(sum[:]))
	if !bytes.Equal(sum[:], ds.Upload.SHA256) {
		return demo.Fail("checking the download", fmt.Errorf("its SHA-256 differs from the uploaded bytes"))
	}
	fmt.Println("  matches the uploaded bytes")
	fmt.Println("\nDone.")
	return 0
}

func step(title string) { fmt.Printf("\n== %s\n", title) }

// writeDataset writes the demo dataset: the same datasetRows JSONL rows
// every time.
func writeDataset(w io.Writer) error {
	var line []byte
	for i := range datasetRows {
		line = fmt.Appendf(line[:0], `{"messages":[{"role":"user","content":"Question %06d: how do I reset my password?"}],"completion":"Open Settings, then Security, then Reset password (answer %06d).","labels":{"topic":"account"}}`+"\n", i, i)
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	return nil
}

func fileSHA256(path string) ([32]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return [32]byte{}, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return [32]byte{}, err
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum, nil
}

// Command quickstart walks through every service of the SDK, printing what
// it does: a chat completion, a streamed completion, an embedding, an
// interaction with feedback, an outcome and a comparison, a chunked upload
// of a generated 20 MiB JSONL dataset, and a dataset download.
//
//	go run ./examples/quickstart
//
// Without ADAPTIVE_BASE_URL it starts the adaptivetest fake server
// in-process. Against a real instance, set ADAPTIVE_BASE_URL,
// ADAPTIVE_API_KEY and ADAPTIVE_PROJECT, and ADAPTIVE_DATASET to the id of a
// dataset to download (the download step is skipped without it).
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
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

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	env, err := demo.Connect(os.Stdout)
	if err != nil {
		demo.Fail("connecting", err)
	}
	defer env.Close()
	c := env.Client
	question := []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "What does Adaptive do with feedback?"}}

	step("Chat completion")
	resp, err := c.Chat.Create(ctx, adaptive.ChatRequest{Messages: question})
	if err != nil {
		demo.Fail("chat completion", err)
	}
	fmt.Printf("  answer: %s\n  tokens: %d\n", resp.Choices[0].Message.Content, resp.Usage.TotalTokens)

	step("Streamed chat completion, token by token")
	stream, err := c.Chat.Stream(ctx, adaptive.ChatRequest{Messages: question})
	if err != nil {
		demo.Fail("starting the stream", err)
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
		demo.Fail("streaming", err)
	}
	fmt.Println()
	if ttft, ok := stream.TTFT(); ok {
		fmt.Printf("  time to first token: %v\n", ttft)
	}
	streamed := acc.Response()
	fmt.Printf("  session %s, completion %s\n", streamed.SessionID, streamed.Choices[0].CompletionID)

	step("Embedding")
	emb, err := c.Embeddings.Create(ctx, adaptive.EmbeddingsRequest{Input: "Adaptive learns from feedback."})
	if err != nil {
		demo.Fail("embedding", err)
	}
	fmt.Printf("  %d dimensions, first values %.4f\n", len(emb.Data[0].Embedding), emb.Data[0].Embedding[:3])

	step("Interaction with feedback")
	sessionID := uuid.New()
	added, err := c.Interactions.Add(ctx, adaptive.InteractionRequest{
		Messages:   question,
		Completion: resp.Choices[0].Message.Content,
		SessionID:  &sessionID,
		Feedbacks:  []adaptive.InteractionFeedback{{Metric: "thumbs_up", Value: adaptive.MetricBool(true)}},
	})
	if err != nil {
		demo.Fail("adding the interaction", err)
	}
	fmt.Printf("  completion %s, %d feedback(s)\n", added.CompletionID, len(added.FeedbackIDs))

	step("Outcome and comparison")
	outcome, err := c.Feedback.Outcome(ctx, adaptive.OutcomeRequest{Metric: "resolved", Value: adaptive.MetricNumber(1), SessionID: sessionID})
	if err != nil {
		demo.Fail("recording the outcome", err)
	}
	fmt.Printf("  outcome %s\n", outcome.OutcomeID)
	cmp, err := c.Feedback.Comparison(ctx, adaptive.ComparisonRequest{
		Metric:              "helpfulness",
		Messages:            question,
		PreferredCompletion: adaptive.CompletionID(added.CompletionID),
		OtherCompletion:     adaptive.CompletionText("No idea.", "baseline-model"),
	})
	if err != nil {
		demo.Fail("recording the comparison", err)
	}
	fmt.Printf("  comparison %s\n", cmp.ComparisonID)

	step("Chunked upload of a generated JSONL dataset (size unknown in advance: spooled to a temporary file)")
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeDataset(pw)) }()
	res, err := c.Uploads.Upload(ctx, pr, &adaptive.UploadOptions{
		Progress:  demo.Progress(os.Stdout),
		OnSession: func(id string) { fmt.Printf("  session %s\n", id) },
	})
	if err != nil {
		demo.Fail("uploading", err)
	}
	status, err := c.Uploads.Status(ctx, res.SessionID)
	if err != nil {
		demo.Fail("reading the upload status", err)
	}
	fmt.Printf("  %d bytes in %d parts; the server holds %d of %d parts\n  sha256 %s\n",
		res.Bytes, res.Parts, status.ReceivedCount, status.TotalParts, hex.EncodeToString(res.SHA256[:]))

	step("Dataset download, saved to a temporary file")
	datasetID := os.Getenv("ADAPTIVE_DATASET")
	if env.Fake != nil {
		// Dataset creation from an upload session is outside the REST API;
		// on the fake, register the same bytes as a dataset.
		var buf bytes.Buffer
		if err := writeDataset(&buf); err != nil {
			demo.Fail("generating the dataset", err)
		}
		datasetID = "quickstart-dataset"
		env.Fake.AddDataset(c.Project(), datasetID, "", buf.Bytes())
	}
	if datasetID == "" {
		fmt.Println("  skipped: set ADAPTIVE_DATASET to the id of a dataset of your project")
		fmt.Println("\nDone.")
		return
	}
	d, err := c.Datasets.Download(ctx, "", datasetID, nil)
	if err != nil {
		demo.Fail("downloading", err)
	}
	dir, err := os.MkdirTemp("", "adaptive-quickstart-")
	if err != nil {
		demo.Fail("creating a temporary directory", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, d.Filename)
	n, err := d.SaveFile(path)
	if err != nil {
		demo.Fail("saving the download", err)
	}
	sum, err := fileSHA256(path)
	if err != nil {
		demo.Fail("checking the download", err)
	}
	fmt.Printf("  %d bytes saved to %s\n  sha256 %s\n", n, path, hex.EncodeToString(sum[:]))
	if env.Fake != nil {
		if sum != res.SHA256 {
			demo.Fail("checking the download", fmt.Errorf("its SHA-256 differs from the uploaded bytes"))
		}
		fmt.Println("  matches the uploaded bytes")
	}
	fmt.Println("\nDone.")
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

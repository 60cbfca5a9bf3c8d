package adaptive_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

// TestConcurrencyOneClient64Goroutines shares one Client between 64
// goroutines making mixed calls (chat, streamed chat, embeddings, feedback,
// interactions, uploads, downloads) while the server injects retryable
// faults, under -race: every call must succeed with its own, correct
// answer, and nothing may leak.
func TestConcurrencyOneClient64Goroutines(t *testing.T) {
	const goroutines, callsEach = 64, 8
	seed := soakSeed(t, 64)
	ignore := goleak.IgnoreCurrent()
	// Faults armed by different goroutines may meet one call several times
	// in a row: retries enough that every call gets through.
	srv, c, tr := relServer(t, adaptive.WithMaxRetries(10))
	dataset := relData(seed, 200<<10)
	srv.AddDataset(srv.Project, "shared", "", dataset)

	// One fault that every call retries (429: feedback and interactions are
	// sent again only then) per route, now and then, so that retries of
	// different goroutines interleave on the shared transport.
	routes := []string{adaptivetest.RouteChat, adaptivetest.RouteEmbeddings, adaptivetest.RouteOutcome, adaptivetest.RouteComparison,
		adaptivetest.RouteInteractions, adaptivetest.RouteUploadInit, adaptivetest.RouteUploadPart, adaptivetest.RouteUploadStatus, adaptivetest.RouteDatasetDownload}
	var faultsArmed atomic.Int32
	var counts [8]atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*callsEach)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(g)))
			ctx := context.Background()
			for i := range callsEach {
				if r.IntN(4) == 0 {
					srv.FailNext(routes[r.IntN(len(routes))], 1, adaptivetest.Fault{Status: 429, RetryAfterMS: "1"})
					faultsArmed.Add(1)
				}
				kind := r.IntN(len(counts))
				counts[kind].Add(1)
				if err := concurrentCall(ctx, c, srv, kind, fmt.Sprintf("g%d-%d word%d", g, i, r.IntN(100)), dataset); err != nil {
					errs <- fmt.Errorf("seed %d goroutine %d call %d (kind %d): %w", seed, g, i, kind, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var byKind []int32
	for i := range counts {
		byKind = append(byKind, counts[i].Load())
	}
	t.Logf("%d goroutines × %d calls on one client: %v by kind (chat, stream, embeddings, outcome, comparison, interactions, upload, download), %d retryable faults armed",
		goroutines, callsEach, byKind, faultsArmed.Load())
	verifyNoLeaks(t, srv, tr, ignore)
}

// concurrentCall makes one call of the given kind and checks its answer.
func concurrentCall(ctx context.Context, c *adaptive.Client, srv *adaptivetest.Server, kind int, text string, dataset []byte) error {
	msgs := []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: text}}
	switch kind {
	case 0:
		resp, err := c.Chat.Create(ctx, adaptive.ChatRequest{Messages: msgs})
		if err != nil {
			return err
		}
		if got := resp.Choices[0].Message.Content; got != adaptivetest.ChatReply(text) {
			return fmt.Errorf("chat answered %q to %q", got, text)
		}
	case 1:
		s, err := c.Chat.Stream(ctx, adaptive.ChatRequest{Messages: msgs})
		if err != nil {
			return err
		}
		resp, err := s.Accumulate()
		if err != nil {
			return err
		}
		if got := resp.Choices[0].Message.Content; got != adaptivetest.ChatReply(text) {
			return fmt.Errorf("stream answered %q to %q", got, text)
		}
	case 2:
		resp, err := c.Embeddings.Create(ctx, adaptive.EmbeddingsRequest{Input: text})
		if err != nil {
			return err
		}
		if !assert.ObjectsAreEqual(adaptivetest.EmbeddingOf(text, 0), resp.Data[0].Embedding) {
			return fmt.Errorf("embedding of %q is another input's", text)
		}
	case 3:
		out, err := c.Feedback.Outcome(ctx, adaptive.OutcomeRequest{Metric: "resolved", Value: adaptive.MetricBool(true), SessionID: uuid.New()})
		if err != nil {
			return err
		}
		if out.OutcomeID == uuid.Nil {
			return fmt.Errorf("no outcome id")
		}
	case 4:
		out, err := c.Feedback.Comparison(ctx, adaptive.ComparisonRequest{Metric: "pref", Messages: msgs,
			PreferredCompletion: adaptive.CompletionText("a "+text, "m"), OtherCompletion: adaptive.CompletionID(uuid.NewString())})
		if err != nil {
			return err
		}
		if out.ComparisonID == uuid.Nil {
			return fmt.Errorf("no comparison id")
		}
	case 5:
		out, err := c.Interactions.Add(ctx, adaptive.InteractionRequest{Messages: msgs, Completion: "answer to " + text,
			Feedbacks: []adaptive.InteractionFeedback{{Metric: "score", Value: adaptive.MetricNumber(0.5)}}})
		if err != nil {
			return err
		}
		if len(out.FeedbackIDs) != 1 {
			return fmt.Errorf("%d feedback ids", len(out.FeedbackIDs))
		}
	case 6:
		data := []byte(text + "\n" + string(bytes.Repeat([]byte(text), 100)))
		res, err := c.Uploads.Upload(ctx, bytes.NewReader(data), nil)
		if err != nil {
			return err
		}
		got, ok := srv.UploadedBytes(res.SessionID)
		if !ok || !bytes.Equal(got, data) {
			return fmt.Errorf("upload of %q: the server holds other bytes", text)
		}
	case 7:
		d, err := c.Datasets.Download(ctx, "", "shared", nil)
		if err != nil {
			return err
		}
		var got bytes.Buffer
		_, err = io.Copy(&got, d)
		d.Close()
		if err != nil {
			return err
		}
		if !bytes.Equal(got.Bytes(), dataset) {
			return fmt.Errorf("download differs")
		}
	}
	return nil
}

func TestConcurrencyCloseStreamsFromOtherGoroutines(t *testing.T) {
	// Close may be called from any goroutine while Next waits: 64 streams
	// stalled by the server, each closed by another goroutine.
	ignore := goleak.IgnoreCurrent()
	srv, c, tr := relServer(t)
	var wg sync.WaitGroup
	for range 64 {
		srv.StallStream(1)
		s, err := c.Chat.Stream(context.Background(), adaptive.ChatRequest{Messages: []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "x y z"}}})
		require.NoError(t, err)
		ready := make(chan struct{})
		wg.Add(2)
		go func() {
			defer wg.Done()
			ok := s.Next()
			close(ready)
			if !assert.True(t, ok) {
				return
			}
			assert.False(t, s.Next(), "Next returns false once closed")
			assert.NoError(t, s.Err())
		}()
		go func() {
			defer wg.Done()
			<-ready
			assert.NoError(t, s.Close())
			assert.NoError(t, s.Close(), "Close twice")
		}()
	}
	wg.Wait()
	verifyNoLeaks(t, srv, tr, ignore)
}

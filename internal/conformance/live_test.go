package conformance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

// TestLive calls every method of the SDK on a real Adaptive instance and
// logs what it learns that the document does not say: the shape of the
// upload status, the stream's metadata events, the form of the ids, what
// the server does with requests the schemas allow but that look useless
// (n 0, no messages), and with a part sent without a Content-Type.
//
// It is opt-in, since it writes interactions and feedback into the
// project: ADAPTIVE_LIVE=1 with ADAPTIVE_BASE_URL, ADAPTIVE_API_KEY and
// ADAPTIVE_PROJECT; ADAPTIVE_LIVE_METRIC names a metric of the project
// for the feedback calls, and ADAPTIVE_LIVE_DATASET, ADAPTIVE_LIVE_RECIPE,
// ADAPTIVE_LIVE_ARTIFACT (a uuid) and ADAPTIVE_LIVE_IMAGE
// (project-uuid/filename) name content to download. CI cannot run it: it
// has no instance and reaches no network but package registries.
//
//	ADAPTIVE_LIVE=1 go test -run TestLive -v ./internal/conformance
func TestLive(t *testing.T) {
	if os.Getenv("ADAPTIVE_LIVE") != "1" {
		t.Skip("opt-in, never in CI (no instance there, no network but package registries): set ADAPTIVE_LIVE=1 with ADAPTIVE_BASE_URL, ADAPTIVE_API_KEY and ADAPTIVE_PROJECT to run it against a real instance")
	}
	for _, v := range []string{"ADAPTIVE_BASE_URL", "ADAPTIVE_API_KEY", "ADAPTIVE_PROJECT"} {
		require.NotEmpty(t, os.Getenv(v), "ADAPTIVE_LIVE=1 needs %s", v)
	}
	runLive(t, os.Getenv("ADAPTIVE_BASE_URL"), os.Getenv("ADAPTIVE_API_KEY"), os.Getenv("ADAPTIVE_PROJECT"), os.Getenv)
}

// TestLiveRunsOnTheFake runs the live test's calls on the fake, so that
// the opt-in test cannot rot between the rare runs on a real instance.
func TestLiveRunsOnTheFake(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.AddDataset(srv.Project, "ds", "", []byte("{}\n"))
	env := map[string]string{"ADAPTIVE_LIVE_METRIC": "thumbs", "ADAPTIVE_LIVE_DATASET": "ds"}
	runLive(t, srv.URL, srv.APIKey, srv.Project, func(k string) string { return env[k] })
}

// runLive calls every method on the instance at baseURL; getenv gives the
// optional ADAPTIVE_LIVE_* settings.
func runLive(t *testing.T, baseURL, key, project string, getenv func(string) string) {
	rec := &recorder{}
	c, err := adaptive.NewClient(adaptive.WithBaseURL(baseURL), adaptive.WithAPIKey(key), adaptive.WithProject(project),
		adaptive.WithHTTPClient(&http.Client{Transport: rec}))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	learn := func(format string, args ...any) { t.Logf("LEARNED: "+format, args...) }
	answer := func() string { return excerpt(rec.lastBody()) }
	metric := getenv("ADAPTIVE_LIVE_METRIC")
	msgs := []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "Say hello in one word."}}

	var chat *adaptive.ChatResponse
	t.Run("Chat.Create", func(t *testing.T) {
		chat, err = c.Chat.Create(ctx, adaptive.ChatRequest{Messages: msgs, N: adaptive.Ptr(2), MaxTokens: adaptive.Ptr(16)})
		require.NoError(t, err, answer())
		learn("chat answer (n 2): %s", answer())
		for _, ch := range chat.Choices {
			learn("choice %d: completion_id %s, finish_reason %q", ch.Index, ch.CompletionID, ch.FinishReason)
		}
	})

	t.Run("Chat.Stream", func(t *testing.T) {
		s, err := c.Chat.Stream(ctx, adaptive.ChatRequest{Messages: msgs, MaxTokens: adaptive.Ptr(16), StreamOptions: &adaptive.StreamOptions{IncludeUsage: true}})
		require.NoError(t, err)
		defer s.Close()
		var chunks int
		var acc adaptive.ChatAccumulator
		for s.Next() {
			chunks++
			acc.Add(s.Current())
		}
		assert.NoError(t, s.Err())
		learn("stream: %d chunks, accumulated %+v", chunks, acc.Response())
		for _, m := range s.Metadata() {
			learn("stream metadata event: %s", m)
		}
		learn("stream body: %s", answer())
	})

	t.Run("probes the schemas allow", func(t *testing.T) {
		model := project
		for name, body := range map[string]map[string]any{
			"n 0":          {"model": model, "messages": msgs, "n": 0},
			"no messages":  {"model": model, "messages": []any{}},
			"an image":     {"model": model, "messages": []any{map[string]any{"role": "user", "content": []any{map[string]any{"type": "text", "text": "What colour is this?"}, map[string]any{"type": "image_url", "image_url": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg=="}}}}},
			"a tool":       {"model": model, "messages": msgs, "tools": []any{map[string]any{"id": "no-such-tool", "enabled": false}}},
			"any metadata": {"model": model, "messages": []any{map[string]any{"role": "user", "content": "hi", "metadata": []any{1, map[string]any{"a": nil}}}}},
		} {
			err := c.Do(ctx, http.MethodPost, "/api/v1/chat/completions", body, nil)
			learn("chat with %s: error %v; answer %s", name, err, answer())
		}
	})

	t.Run("Embeddings.Create", func(t *testing.T) {
		for _, f := range []adaptive.EncodingFormat{adaptive.EncodingFloat, adaptive.EncodingBase64} {
			resp, err := c.Embeddings.Create(ctx, adaptive.EmbeddingsRequest{Input: "hello", EncodingFormat: f})
			if assert.NoError(t, err, answer()) && assert.NotEmpty(t, resp.Data) {
				learn("embeddings %s: %d dimensions, usage %v", f, len(resp.Data[0].Embedding), resp.Usage)
			}
		}
		err := c.Do(ctx, http.MethodPost, "/api/v1/embeddings", map[string]any{"input": "hello", "model": project, "dimensions": 0}, nil)
		learn("embeddings with dimensions 0: error %v; answer %s", err, answer())
	})

	var interaction *adaptive.AddInteractionsResponse
	t.Run("Interactions.Add", func(t *testing.T) {
		req := adaptive.InteractionRequest{Messages: msgs, Completion: "Hello.", CreatedAt: time.Now()}
		if metric != "" {
			req.Feedbacks = []adaptive.InteractionFeedback{{Metric: metric, Value: adaptive.MetricBool(true)}}
		}
		interaction, err = c.Interactions.Add(ctx, req)
		require.NoError(t, err, answer())
		learn("interaction: %s", answer())
	})

	t.Run("Feedback", func(t *testing.T) {
		if metric == "" || interaction == nil {
			t.Skip("set ADAPTIVE_LIVE_METRIC to a metric of the project (and see Interactions.Add)")
		}
		out, err := c.Feedback.Outcome(ctx, adaptive.OutcomeRequest{Metric: metric, Value: adaptive.MetricBool(true), SessionID: interaction.SessionID})
		if assert.NoError(t, err, answer()) {
			learn("outcome %s", out.OutcomeID)
		}
		if chat == nil || len(chat.Choices) < 2 {
			t.Skip("no two chat completions to compare")
		}
		cmp, err := c.Feedback.Comparison(ctx, adaptive.ComparisonRequest{Metric: metric,
			PreferredCompletion: adaptive.CompletionID(chat.Choices[0].CompletionID), OtherCompletion: adaptive.CompletionID(chat.Choices[1].CompletionID)})
		if assert.NoError(t, err, answer()) {
			learn("comparison %s", cmp.ComparisonID)
		}
	})

	t.Run("Uploads", func(t *testing.T) {
		sess, err := c.Uploads.Init(ctx, adaptive.UploadInitRequest{ContentType: "application/jsonl", TotalPartsCount: 2,
			Metadata: map[string]string{"source": "adaptive-go live test"}})
		require.NoError(t, err, answer())
		learn("upload session id %q", sess.SessionID)
		defer func() {
			learn("abort: error %v", c.Uploads.Abort(ctx, sess.SessionID))
			_, err := c.Uploads.Status(ctx, sess.SessionID)
			learn("status after abort: error %v; answer %s", err, answer())
		}()
		part := bytes.Repeat([]byte(`{"messages":[]}`+"\n"), 1<<10)
		require.NoError(t, c.Uploads.UploadPart(ctx, sess.SessionID, 2, part), answer())
		learn("part answer: %q", answer())
		_, err = c.Uploads.Status(ctx, sess.SessionID)
		learn("status after part 2 of 2: error %v; answer %s", err, answer())
		learn("part 1 without a Content-Type: %s", partWithoutContentType(ctx, t, baseURL, key, sess.SessionID, part))
		_, err = c.Uploads.Status(ctx, sess.SessionID)
		learn("status after that: error %v; answer %s", err, answer())
	})

	t.Run("downloads", func(t *testing.T) {
		try := func(what string, d *adaptive.Download, err error) {
			if err != nil {
				learn("%s: error %v", what, err)
				return
			}
			n, err := io.Copy(io.Discard, d)
			d.Close()
			learn("%s: %q, %s, %d bytes (read error %v)", what, d.Filename, d.ContentType, n, err)
		}
		d, err := c.Datasets.Download(ctx, "", "no-such-dataset-"+uuid.NewString(), nil)
		try("an unknown dataset", d, err)
		if id := getenv("ADAPTIVE_LIVE_DATASET"); id != "" {
			d, err := c.Datasets.Download(ctx, "", id, nil)
			try("dataset "+id, d, err)
		}
		if id := getenv("ADAPTIVE_LIVE_RECIPE"); id != "" {
			d, err := c.Recipes.Download(ctx, "", id)
			try("recipe "+id, d, err)
		}
		if id := getenv("ADAPTIVE_LIVE_ARTIFACT"); id != "" {
			d, err := c.Artifacts.Download(ctx, uuid.MustParse(id))
			try("artifact "+id, d, err)
		}
		if img := getenv("ADAPTIVE_LIVE_IMAGE"); img != "" {
			project, name, _ := strings.Cut(img, "/")
			d, err := c.Images.Get(ctx, uuid.MustParse(project), name)
			try("image "+img, d, err)
		}
	})
}

// partWithoutContentType sends a part with no Content-Type header, which
// the SDK never does, and returns what the server answered: whether it
// takes the body as application/octet-stream, as HTTP lets it, is not in
// the document.
func partWithoutContentType(ctx context.Context, t *testing.T, baseURL, key, sessionID string, part []byte) string {
	base := strings.TrimSuffix(strings.TrimSuffix(baseURL, "/"), "/api/v1")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/upload/part?part_number=1&session_id="+sessionID, bytes.NewReader(part))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "error " + err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 600))
	var e struct{ Error string }
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		return resp.Status + ": " + e.Error
	}
	return resp.Status + " " + string(body)
}

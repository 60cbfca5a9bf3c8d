package conformance_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
)

// callsPerMethod is how many times the conformance test calls each method
// on Prism, half of them with a minimal request and half with a full one.
// Each call asks Prism for its own seed, so that every answer differs.
const callsPerMethod = 60

// recorder keeps the body of the last answer, so that a failure can say
// what Prism sent.
type recorder struct {
	mu    sync.Mutex
	last  []byte
	count int
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.last = body
	r.count++
	r.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

func (r *recorder) lastBody() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

func excerpt(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "..."
	}
	return string(b)
}

// tally counts the calls of each method, the failures by method and
// cause, and keeps two examples of each cause.
type tally struct {
	calls, failed map[string]int // by method
	causes        map[string]int // by "method: cause"
	examples      []string
}

func (ty *tally) record(method string, err error, answer []byte) {
	ty.calls[method]++
	if err == nil {
		return
	}
	ty.failed[method]++
	key := method + ": " + failureCause(err, answer)
	ty.causes[key]++
	if ty.causes[key] <= 2 {
		ty.examples = append(ty.examples, fmt.Sprintf("%s\n      error:  %v\n      answer: %s", key, err, excerpt(answer)))
	}
}

// failureCause names what went wrong: Prism refused the request (the SDK
// sent what the document forbids), or the SDK could not decode an answer
// the document allows, and then which field, where the answer shows it.
func failureCause(err error, answer []byte) string {
	var apiErr *adaptive.APIError
	if errors.As(err, &apiErr) {
		return fmt.Sprintf("Prism answered %d (the request breaks the document)", apiErr.StatusCode)
	}
	if strings.Contains(err.Error(), "UUID") {
		var a struct {
			Choices []struct {
				CompletionID string `json:"completion_id"`
			} `json:"choices"`
		}
		if json.Unmarshal(answer, &a) == nil && slices.ContainsFunc(a.Choices, func(c struct {
			CompletionID string `json:"completion_id"`
		}) bool {
			return uuid.Validate(c.CompletionID) != nil
		}) {
			return "choices[].completion_id is not a uuid, which the document allows (a plain string)"
		}
	}
	return "the answer did not decode"
}

// meaninglessEmbedding reports whether answer holds an embedding in the
// union's string form that is no base64 of float32s: a random answer no
// client can decode.
func meaninglessEmbedding(answer []byte) bool {
	var a struct {
		Data []struct {
			Embedding json.RawMessage `json:"embedding"`
		} `json:"data"`
	}
	if json.Unmarshal(answer, &a) != nil {
		return false
	}
	for _, d := range a.Data {
		var s string
		if json.Unmarshal(d.Embedding, &s) != nil {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(raw)%4 != 0 {
			return true
		}
	}
	return false
}

// TestPrismConformance calls every single-request method of the SDK on
// Prism many times, with minimal and full requests: Prism refuses with 422
// any request the document forbids and answers random schema-valid bodies
// with extra unknown fields, which must all decode.
//
// Not here: Chat.Stream (Prism serves no SSE; the stream is tested on the
// fake and recorded fixtures), the whole Uploads.Upload and Resume
// (Prism's random completed_parts make them meaningless; their four routes
// are called one by one), Datasets.Upload and GraphQL (not in the
// document). A random embeddings answer may pick the union's string form
// with a text that is no base64 of float32s, which no client can decode:
// the SDK must refuse those and decode the others (Prism's static mode is
// no way out: its example float, -2^128, is outside the float32 range of
// format float, and the document has no examples). The downloads have no schema for
// their binary answers, so Prism validates the request and then answers
// 500 "schema is not defined": that is what the test requires of them,
// and its declared 403 and 404 answers.
func TestPrismConformance(t *testing.T) {
	rec := &recorder{}
	c, err := adaptive.NewClient(adaptive.WithBaseURL(prismURL(t)), adaptive.WithAPIKey("prism-key"),
		adaptive.WithProject("demo"), adaptive.WithHTTPClient(&http.Client{Transport: rec}),
		adaptive.WithMaxRetries(0))
	require.NoError(t, err)
	ctx := context.Background()
	ty := &tally{calls: map[string]int{}, failed: map[string]int{}, causes: map[string]int{}}
	seed := func(method string, i int) adaptive.Option {
		return adaptive.WithHeader("Prefer", fmt.Sprintf("seed=%s-%d", method, i))
	}
	call := func(method string, i int, f func(adaptive.Option) error) {
		ty.record(method, f(seed(method, i)), rec.lastBody())
	}

	for i := range callsPerMethod {
		full := i%2 == 1
		call("Chat.Create", i, func(o adaptive.Option) error {
			_, err := c.Chat.Create(ctx, chatRequest(full), o)
			return err
		})
		call("Feedback.Comparison", i, func(o adaptive.Option) error {
			_, err := c.Feedback.Comparison(ctx, comparisonRequest(full), o)
			return err
		})
		call("Feedback.Outcome", i, func(o adaptive.Option) error {
			_, err := c.Feedback.Outcome(ctx, outcomeRequest(full, i), o)
			return err
		})
		call("Interactions.Add", i, func(o adaptive.Option) error {
			_, err := c.Interactions.Add(ctx, interactionRequest(full), o)
			return err
		})
		call("Client.Do", i, func(o adaptive.Option) error {
			var out map[string]any
			return c.Do(ctx, http.MethodPost, "/api/v1/outcome", map[string]any{
				"value": i, "project_id": "demo", "metric": "m", "session_id": uuid.NewString()}, &out, o)
		})
		var sessionID string
		call("Uploads.Init", i, func(o adaptive.Option) error {
			req := adaptive.UploadInitRequest{TotalPartsCount: 1 + i}
			if full {
				req.ContentType, req.Metadata = "application/jsonl", map[string]string{"name": "train", "n": fmt.Sprint(i)}
			}
			sess, err := c.Uploads.Init(ctx, req, o)
			if err == nil {
				sessionID = sess.SessionID
			}
			return err
		})
		if sessionID == "" {
			sessionID = "session-" + fmt.Sprint(i)
		}
		call("Uploads.UploadPart", i, func(o adaptive.Option) error {
			return c.Uploads.UploadPart(ctx, sessionID, 1+i, bytes.Repeat([]byte{byte(i)}, 1+i*100), o)
		})
		call("Uploads.Status", i, func(o adaptive.Option) error {
			_, err := c.Uploads.Status(ctx, sessionID, o)
			return err
		})
		call("Uploads.Abort", i, func(o adaptive.Option) error {
			return c.Uploads.Abort(ctx, sessionID, o)
		})
	}

	// A random embedding may be the union's string form with a text that
	// is no base64 of float32s: the SDK must refuse those, and decode all
	// the others, of which there are callsPerMethod.
	var meaningless int
	for i := 0; ty.calls["Embeddings.Create"] < callsPerMethod && i < 10*callsPerMethod; i++ {
		_, err := c.Embeddings.Create(ctx, embeddingsRequest(i%2 == 1, i), seed("Embeddings.Create", i))
		if answer := rec.lastBody(); meaninglessEmbedding(answer) {
			meaningless++
			assert.Error(t, err, "an embedding that is no base64 of float32s decoded: %s", excerpt(answer))
		} else {
			ty.record("Embeddings.Create", err, answer)
		}
	}

	downloads := map[string]func(...adaptive.Option) (*adaptive.Download, error){
		"Datasets.Download": func(o ...adaptive.Option) (*adaptive.Download, error) {
			return c.Datasets.Download(ctx, "", "ds", &adaptive.DatasetDownloadOptions{Format: adaptive.DatasetFormatRecipe}, o...)
		},
		"Recipes.Download": func(o ...adaptive.Option) (*adaptive.Download, error) { return c.Recipes.Download(ctx, "", "r", o...) },
		"Artifacts.Download": func(o ...adaptive.Option) (*adaptive.Download, error) {
			return c.Artifacts.Download(ctx, uuid.New(), o...)
		},
		"Images.Get": func(o ...adaptive.Option) (*adaptive.Download, error) {
			return c.Images.Get(ctx, uuid.New(), "a.png", o...)
		},
	}
	var validated int
	for _, name := range slices.Sorted(maps.Keys(downloads)) {
		get := downloads[name]
		for i := range callsPerMethod / 4 {
			d, err := get(seed(name, i))
			var apiErr *adaptive.APIError
			if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusInternalServerError && bytes.Contains(apiErr.Body, []byte("schema is not defined")) {
				validated++
				err = nil
			} else if err == nil {
				d.Close()
				err = errors.New("Prism cannot answer a download: expected its 500")
			}
			ty.record(name, err, rec.lastBody())
		}
		_, err := get(adaptive.WithHeader("Prefer", "code=404"))
		assert.ErrorIs(t, err, adaptive.ErrNotFound, name)
		_, err = get(adaptive.WithHeader("Prefer", "code=403"))
		var apiErr *adaptive.APIError
		if assert.ErrorAs(t, err, &apiErr, name) {
			assert.Equal(t, http.StatusForbidden, apiErr.StatusCode, name)
		}
	}

	var total, failed int
	for _, m := range slices.Sorted(maps.Keys(ty.calls)) {
		total, failed = total+ty.calls[m], failed+ty.failed[m]
		t.Logf("%-20s %3d calls, %3d failed", m, ty.calls[m], ty.failed[m])
	}
	t.Logf("%d requests to Prism; of the %d calls counted above, %d answers decoded, %d download requests validated (Prism has no answer for their "+
		"binary bodies), %d failed; besides, %d embeddings answers in the union's string form with random text, refused by the SDK as they must be, "+
		"and %d declared 403 and 404 download answers, errors as they must be",
		rec.count, total, total-failed-validated, validated, failed, meaningless, 2*len(downloads))
	if failed > 0 {
		var causes []string
		for _, k := range slices.Sorted(maps.Keys(ty.causes)) {
			causes = append(causes, fmt.Sprintf("%s (%d)", k, ty.causes[k]))
		}
		t.Errorf("%d of %d calls failed:\n  %s\nexamples:\n  %s", failed, total, strings.Join(causes, "\n  "), strings.Join(ty.examples, "\n  "))
	}
}

const (
	idA = "6f1f3bb4-3b70-4d0e-9c55-6f3c3a2d8c11"
	idB = "0b8f4c7e-2d5a-4c1e-9f3b-7a6d5e4c3b2a"
)

// chatRequest is a minimal request, or one with every field the SDK's
// types can send today. Image parts, message metadata and typed tools are
// left to the lead's merge, which brings their types.
func chatRequest(full bool) adaptive.ChatRequest {
	msgs := []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "Capital of France?"}}
	if !full {
		return adaptive.ChatRequest{Messages: msgs}
	}
	sess, user := uuid.MustParse(idA), uuid.MustParse(idB)
	return adaptive.ChatRequest{
		Model: "m",
		Messages: []adaptive.ChatMessage{
			{Role: adaptive.RoleSystem, Content: "Be brief."},
			{Role: adaptive.RoleUser, Content: "Capital of France?", Name: "ann"},
			{Role: adaptive.RoleAssistant, Content: "Paris.", CompletionID: idA},
			imageMessage(),
		},
		Tools: []adaptive.ToolOverride{{ID: "search", Enabled: true}, {ID: "calculator", Enabled: false}},
		Stop:  []string{"\n\n"}, MaxTokens: adaptive.Ptr(64), Temperature: adaptive.Ptr(0.2), TopP: adaptive.Ptr(0.9),
		MaxTTFTMs: adaptive.Ptr[int64](2000), SessionID: &sess, User: &user, ABCampaign: "camp", N: adaptive.Ptr(2),
		Labels: map[string]string{"env": "test"}, Metadata: map[string]string{"k": "v"},
		SystemPromptArgs: map[string]any{"name": "Ann", "nested": []any{1, map[string]any{"x": nil}}},
		Tags:             []string{"t1", "t2"}, UseTools: adaptive.Ptr(true), Store: adaptive.Ptr(false),
	}
}

// imageMessage is a user message with text, an image URL, inline image
// bytes and metadata: the array form of the contract's MessagePackage.
func imageMessage() adaptive.ChatMessage {
	png := []byte("\x89PNG\r\n\x1a\n")
	return adaptive.ChatMessage{
		Role: adaptive.RoleUser,
		Parts: []adaptive.ContentPart{
			adaptive.TextPart("And what is this?"),
			adaptive.ImagePart("https://example.com/cat.png"),
			adaptive.ImageDataPart("image/png", png),
		},
		Metadata: map[string]any{"source": "test", "tags": []any{"a", 1}},
	}
}

func embeddingsRequest(full bool, i int) adaptive.EmbeddingsRequest {
	if !full {
		return adaptive.EmbeddingsRequest{Input: "hello"}
	}
	sess, user := uuid.MustParse(idA), uuid.MustParse(idB)
	format := adaptive.EncodingFloat
	if i%4 == 3 {
		format = adaptive.EncodingBase64
	}
	return adaptive.EmbeddingsRequest{Input: "hello world", Model: "embed", EncodingFormat: format, Dimensions: adaptive.Ptr(8), User: &user, SessionID: &sess}
}

func comparisonRequest(full bool) adaptive.ComparisonRequest {
	if !full {
		return adaptive.ComparisonRequest{Metric: "m", PreferredCompletion: adaptive.CompletionID(idA), OtherCompletion: adaptive.CompletionID(idB)}
	}
	user := uuid.MustParse(idB)
	return adaptive.ComparisonRequest{
		Metric: "helpfulness", Project: "demo", Tied: adaptive.TieGood, UserID: &user,
		Messages:            []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "Capital of France?"}, imageMessage()},
		PreferredCompletion: adaptive.CompletionText("Paris.", "m1"),
		OtherCompletion:     adaptive.CompletionText("Lyon.", "m2"),
	}
}

func outcomeRequest(full bool, i int) adaptive.OutcomeRequest {
	req := adaptive.OutcomeRequest{Metric: "resolved", Value: adaptive.MetricBool(i%4 == 0), SessionID: uuid.MustParse(idA)}
	if full {
		user := uuid.MustParse(idB)
		req.Value, req.UserID, req.Project = adaptive.MetricNumber(float64(i)/3), &user, "demo"
	}
	return req
}

func interactionRequest(full bool) adaptive.InteractionRequest {
	req := adaptive.InteractionRequest{
		Messages:   []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "Capital of France?"}},
		Completion: "Paris.",
	}
	if full {
		sess, user := uuid.MustParse(idA), uuid.MustParse(idB)
		at := time.Date(2024, 2, 21, 9, 51, 3, 0, time.UTC)
		req.ModelService, req.User, req.SessionID, req.CreatedAt = "svc", &user, &sess, at
		req.ABCampaign, req.Labels = "camp", map[string]string{"k": "v"}
		req.Messages = append(req.Messages, imageMessage())
		req.Feedbacks = []adaptive.InteractionFeedback{
			{Metric: "thumbs", Value: adaptive.MetricBool(true), Reason: "r", Details: "d", CreatedAt: at},
			{Metric: "score", Value: adaptive.MetricNumber(0.5)},
		}
	}
	return req
}

package adaptive_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

const infInteractionsAnswer = `{"completion_id":"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa","session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd",
	"feedback_ids":["bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb","cccccccc-cccc-4ccc-8ccc-cccccccccccc"],"extra":true}`

func TestInteractionsWireMinimal(t *testing.T) {
	rec := newInfRecorder(t, 201, infInteractionsAnswer)
	out, err := rec.client(t, "proj").Interactions.Add(context.Background(), adaptive.InteractionRequest{
		Messages:   infUserMsg,
		Completion: "Paris.",
	})
	require.NoError(t, err)
	assert.Equal(t, &adaptive.AddInteractionsResponse{CompletionID: infIDA.String(), SessionID: infIDSess, FeedbackIDs: []uuid.UUID{infIDB, infIDUser}}, out)

	path, ct, body := rec.last(t)
	assert.Equal(t, "POST /api/v1/interactions", path)
	assert.Equal(t, "application/json", ct)
	assert.JSONEq(t, `{"project":"proj","messages":[{"role":"user","content":"Capital of France?"}],"completion":"Paris."}`, body)
}

func TestInteractionsWireAllFields(t *testing.T) {
	rec := newInfRecorder(t, 201, infInteractionsAnswer)
	paris := time.FixedZone("CET", 3600)
	_, err := rec.client(t, "proj").Interactions.Add(context.Background(), adaptive.InteractionRequest{
		ModelService: "gpt-small",
		Project:      "explicit",
		Messages: []adaptive.ChatMessage{
			{Role: adaptive.RoleSystem, Content: "Be brief."},
			{Role: adaptive.RoleUser, Content: "Capital of France?", Name: "ann"},
			{Role: adaptive.RoleUser, Parts: []adaptive.ContentPart{adaptive.TextPart("And here?"), adaptive.ImagePart("data:image/png;base64,AAAA")},
				Metadata: map[string]string{"k": "v"}},
		},
		Completion: "Paris.",
		Feedbacks: []adaptive.InteractionFeedback{
			{Metric: "thumbs", Value: adaptive.MetricBool(true)},
			{Metric: "score", Value: adaptive.MetricNumber(4.5), Reason: "Style", Details: "short and right",
				CreatedAt: time.Date(2025, 3, 1, 12, 0, 0, 999_999_999, time.FixedZone("", -5*3600))},
		},
		User:       &infIDUser,
		SessionID:  &infIDSess,
		CreatedAt:  time.Date(2025, 3, 1, 13, 0, 0, 500_000_000, paris),
		ABCampaign: "spring",
		Labels:     map[string]string{"channel": "web"},
	})
	require.NoError(t, err)
	_, _, body := rec.last(t)
	assert.JSONEq(t, `{
		"model_service":"gpt-small","project":"explicit",
		"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Capital of France?","name":"ann"},
			{"role":"user","content":[{"type":"text","text":"And here?"},{"type":"image_url","image_url":"data:image/png;base64,AAAA"}],"metadata":{"k":"v"}}],
		"completion":"Paris.",
		"feedbacks":[
			{"metric":"thumbs","value":true},
			{"metric":"score","value":4.5,"reason":"Style","details":"short and right","created_at":"2025-03-01T17:00:00Z"}
		],
		"user":"cccccccc-cccc-4ccc-8ccc-cccccccccccc","session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd",
		"created_at":"2025-03-01T12:00:00Z","ab_campaign":"spring","labels":{"channel":"web"}}`, body)
}

func TestInteractionsBadInput(t *testing.T) {
	valid := func() adaptive.InteractionRequest {
		return adaptive.InteractionRequest{Messages: infUserMsg, Completion: "Paris.",
			Feedbacks: []adaptive.InteractionFeedback{{Metric: "ok", Value: adaptive.MetricBool(true)}, {Metric: "score", Value: adaptive.MetricNumber(1)}}}
	}
	for name, tc := range map[string]struct {
		edit  func(*adaptive.InteractionRequest)
		field string
	}{
		"message with a bad part": {func(r *adaptive.InteractionRequest) {
			r.Messages = []adaptive.ChatMessage{{Role: "user", Parts: []adaptive.ContentPart{{}}}}
		}, "InteractionRequest.Messages[0].Parts[0]"},
		"feedback without value": {func(r *adaptive.InteractionRequest) { r.Feedbacks[0].Value = adaptive.MetricValue{} }, "InteractionRequest.Feedbacks[0].Value"},
		"feedback NaN":           {func(r *adaptive.InteractionRequest) { r.Feedbacks[1].Value = adaptive.MetricNumber(math.NaN()) }, "InteractionRequest.Feedbacks[1].Value"},
		"date out of range":      {func(r *adaptive.InteractionRequest) { r.CreatedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "InteractionRequest.CreatedAt"},
		"date out of range in UTC": {func(r *adaptive.InteractionRequest) {
			r.CreatedAt = time.Date(9999, 12, 31, 23, 0, 0, 0, time.FixedZone("", -2*3600))
		}, "InteractionRequest.CreatedAt"},
		"feedback date too early": {func(r *adaptive.InteractionRequest) {
			r.Feedbacks[0].CreatedAt = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)
		}, "InteractionRequest.Feedbacks[0].CreatedAt"},
	} {
		t.Run(name, func(t *testing.T) {
			rec := newInfRecorder(t, 201, infInteractionsAnswer)
			req := valid()
			tc.edit(&req)
			out, err := rec.client(t, "proj").Interactions.Add(context.Background(), req)
			assert.Nil(t, out)
			requireInfValidation(t, err, tc.field)
			assert.Zero(t, rec.count(), "bad input must not be sent")
		})
	}
	t.Run("no project", func(t *testing.T) {
		rec := newInfRecorder(t, 201, infInteractionsAnswer)
		_, err := rec.client(t, "").Interactions.Add(context.Background(), valid())
		requireInfValidation(t, err, "InteractionRequest.Project")
		assert.Zero(t, rec.count())
	})
}

func TestInteractionsSendWhatTheSchemaAllows(t *testing.T) {
	// An empty completion, no messages and feedback with an empty metric
	// are schema-valid: sent, not refused.
	rec := newInfRecorder(t, 201, infInteractionsAnswer)
	_, err := rec.client(t, "proj").Interactions.Add(context.Background(), adaptive.InteractionRequest{
		Feedbacks: []adaptive.InteractionFeedback{{Value: adaptive.MetricNumber(0)}},
	})
	require.NoError(t, err)
	_, _, body := rec.last(t)
	assert.JSONEq(t, `{"project":"proj","messages":[],"completion":"","feedbacks":[{"metric":"","value":0}]}`, body)
}

func TestInteractionsAnswerChecks(t *testing.T) {
	for _, tc := range []struct{ answer, want string }{
		{`{}`, "completion_id"},
		{`null`, "null"},
		{`{"completion_id":"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa","session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd"}`, "feedback_ids"},
		{`{"completion_id":"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa","feedback_ids":[]}`, "session_id"},
		{`{"completion_id":"cmpl-1","session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","feedback_ids":[]}`, "not a uuid"},
	} {
		rec := newInfRecorder(t, 201, tc.answer)
		out, err := rec.client(t, "proj").Interactions.Add(context.Background(), adaptive.InteractionRequest{Messages: infUserMsg})
		assert.Nil(t, out, tc.answer)
		require.Error(t, err, tc.answer)
		assert.Contains(t, err.Error(), tc.want, tc.answer)
	}
}

func TestInteractionsEndToEnd(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	withSession, err := c.Interactions.Add(ctx, adaptive.InteractionRequest{
		Messages: infUserMsg, Completion: "Paris.", SessionID: &infIDSess,
		CreatedAt: time.Now(),
		Feedbacks: []adaptive.InteractionFeedback{
			{Metric: "thumbs", Value: adaptive.MetricBool(true), CreatedAt: time.Now()},
			{Metric: "score", Value: adaptive.MetricNumber(0.9)},
		},
		Labels: map[string]string{"k": "v"},
	})
	require.NoError(t, err)
	assert.Equal(t, infIDSess, withSession.SessionID, "the given session is kept")
	assert.NotEmpty(t, withSession.CompletionID)
	require.Len(t, withSession.FeedbackIDs, 2)
	assert.NotEqual(t, withSession.FeedbackIDs[0], withSession.FeedbackIDs[1])

	fresh, err := c.Interactions.Add(ctx, adaptive.InteractionRequest{Messages: infUserMsg, Completion: "Paris."})
	require.NoError(t, err)
	assert.NotEqual(t, uuid.Nil, fresh.SessionID, "the server makes up a session")
	assert.NotEqual(t, infIDSess, fresh.SessionID)
	assert.NotEqual(t, withSession.CompletionID, fresh.CompletionID)
	assert.Empty(t, fresh.FeedbackIDs)

	// The recorded completion id can be compared right away.
	_, err = c.Feedback.Comparison(ctx, adaptive.ComparisonRequest{Metric: "m",
		PreferredCompletion: adaptive.CompletionID(withSession.CompletionID), OtherCompletion: adaptive.CompletionID(fresh.CompletionID)})
	require.NoError(t, err)
	assert.Len(t, srv.RequestsTo(adaptivetest.RouteInteractions), 2)
}

// TestFakeServerChecksInteractionRequests sends what the SDK never would, to
// check that adaptivetest rejects it like the real server.
func TestFakeServerChecksInteractionRequests(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	base := func(edit func(map[string]any)) map[string]any {
		m := map[string]any{"project": "p", "messages": infUserMsg, "completion": "x"}
		edit(m)
		return m
	}
	for name, tc := range map[string]struct {
		body   map[string]any
		status int
	}{
		"ok":                    {base(func(map[string]any) {}), 201},
		"ok with nulls":         {base(func(m map[string]any) { m["user"], m["labels"], m["created_at"] = nil, nil, nil }), 201},
		"missing project":       {base(func(m map[string]any) { delete(m, "project") }), 422},
		"missing messages":      {base(func(m map[string]any) { delete(m, "messages") }), 422},
		"message without role":  {base(func(m map[string]any) { m["messages"] = []map[string]any{{"content": "x"}} }), 422},
		"missing completion":    {base(func(m map[string]any) { delete(m, "completion") }), 422},
		"completion not string": {base(func(m map[string]any) { m["completion"] = 1 }), 422},
		"feedback w/o metric":   {base(func(m map[string]any) { m["feedbacks"] = []map[string]any{{"value": true}} }), 422},
		"feedback bad value":    {base(func(m map[string]any) { m["feedbacks"] = []map[string]any{{"metric": "m", "value": "good"}} }), 422},
		"bad created_at":        {base(func(m map[string]any) { m["created_at"] = "yesterday" }), 422},
		"bad session":           {base(func(m map[string]any) { m["session_id"] = "s1" }), 422},
		"labels not strings":    {base(func(m map[string]any) { m["labels"] = map[string]int{"a": 1} }), 422},
	} {
		t.Run(name, func(t *testing.T) {
			var out adaptive.AddInteractionsResponse
			err := c.Do(context.Background(), http.MethodPost, "/api/v1/interactions", tc.body, &out)
			if tc.status == 201 {
				require.NoError(t, err)
				assert.NotEmpty(t, out.CompletionID)
				return
			}
			var apiErr *adaptive.APIError
			require.True(t, errors.As(err, &apiErr), "got %v", err)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Contains(t, apiErr.Message, "Failed to deserialize")
		})
	}
}

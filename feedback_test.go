package adaptive_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

var (
	infIDA     = uuid.MustParse("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa")
	infIDB     = uuid.MustParse("bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb")
	infIDUser  = uuid.MustParse("cccccccc-cccc-4ccc-8ccc-cccccccccccc")
	infIDSess  = uuid.MustParse("dddddddd-dddd-4ddd-8ddd-dddddddddddd")
	infUserMsg = []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "Capital of France?"}}
)

func TestComparisonWireByIDs(t *testing.T) {
	rec := newInfRecorder(t, 201, `{"comparison_id":"eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee"}`)
	out, err := rec.client(t, "proj").Feedback.Comparison(context.Background(), adaptive.ComparisonRequest{
		Metric:              "helpfulness",
		PreferredCompletion: adaptive.CompletionID(infIDA.String()),
		OtherCompletion:     adaptive.CompletionID(infIDB.String()),
	})
	require.NoError(t, err)
	assert.Equal(t, uuid.MustParse("eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee"), out.ComparisonID)

	path, ct, body := rec.last(t)
	assert.Equal(t, "POST /api/v1/comparison", path)
	assert.Equal(t, "application/json", ct)
	assert.JSONEq(t, `{"metric":"helpfulness","project":"proj",
		"preferred_completion":"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
		"other_completion":"bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"}`, body)
}

func TestComparisonWireByTextWithAllFields(t *testing.T) {
	rec := newInfRecorder(t, 201, `{"comparison_id":"eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee"}`)
	_, err := rec.client(t, "proj").Feedback.Comparison(context.Background(), adaptive.ComparisonRequest{
		Metric:              "helpfulness",
		Messages:            infUserMsg,
		PreferredCompletion: adaptive.CompletionText("Paris.", "model-a"),
		OtherCompletion:     adaptive.CompletionID(infIDB.String()),
		Tied:                adaptive.TieGood,
		Project:             "explicit",
		UserID:              &infIDUser,
	})
	require.NoError(t, err)
	_, _, body := rec.last(t)
	assert.JSONEq(t, `{"metric":"helpfulness","project":"explicit",
		"messages":[{"role":"user","content":"Capital of France?"}],
		"preferred_completion":{"text":"Paris.","model":"model-a"},
		"other_completion":"bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
		"tied":"good","user_id":"cccccccc-cccc-4ccc-8ccc-cccccccccccc"}`, body)
}

func TestOutcomeWire(t *testing.T) {
	for name, tc := range map[string]struct {
		req  adaptive.OutcomeRequest
		want string
	}{
		"bool, default project": {
			adaptive.OutcomeRequest{Value: adaptive.MetricBool(false), Metric: "resolved", SessionID: infIDSess},
			`{"value":false,"project_id":"proj","metric":"resolved","session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd"}`,
		},
		"number and user": {
			adaptive.OutcomeRequest{Value: adaptive.MetricNumber(0.75), Project: "p2", Metric: "csat", SessionID: infIDSess, UserID: &infIDUser},
			`{"value":0.75,"project_id":"p2","metric":"csat","session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","user_id":"cccccccc-cccc-4ccc-8ccc-cccccccccccc"}`,
		},
		"zero is a number": {
			adaptive.OutcomeRequest{Value: adaptive.MetricNumber(0), Metric: "csat", SessionID: infIDSess},
			`{"value":0,"project_id":"proj","metric":"csat","session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd"}`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			rec := newInfRecorder(t, 201, `{"outcome_id":"eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee"}`)
			out, err := rec.client(t, "proj").Feedback.Outcome(context.Background(), tc.req)
			require.NoError(t, err)
			assert.Equal(t, uuid.MustParse("eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee"), out.OutcomeID)
			path, _, body := rec.last(t)
			assert.Equal(t, "POST /api/v1/outcome", path)
			assert.JSONEq(t, tc.want, body)
		})
	}
}

func TestComparisonBadInput(t *testing.T) {
	valid := func() adaptive.ComparisonRequest {
		return adaptive.ComparisonRequest{Metric: "m", PreferredCompletion: adaptive.CompletionID(infIDA.String()), OtherCompletion: adaptive.CompletionID(infIDB.String())}
	}
	for name, tc := range map[string]struct {
		edit  func(*adaptive.ComparisonRequest)
		field string
	}{
		"zero preferred": {func(r *adaptive.ComparisonRequest) { r.PreferredCompletion = adaptive.Completion{} }, "ComparisonRequest.PreferredCompletion"},
		"zero other":     {func(r *adaptive.ComparisonRequest) { r.OtherCompletion = adaptive.Completion{} }, "ComparisonRequest.OtherCompletion"},
		"id not a uuid":  {func(r *adaptive.ComparisonRequest) { r.OtherCompletion = adaptive.CompletionID("cmpl-1") }, "ComparisonRequest.OtherCompletion"},
		"empty id":       {func(r *adaptive.ComparisonRequest) { r.OtherCompletion = adaptive.CompletionID("") }, "ComparisonRequest.OtherCompletion"},
		"braced uuid": {func(r *adaptive.ComparisonRequest) {
			r.PreferredCompletion = adaptive.CompletionID("{" + infIDA.String() + "}")
		}, "ComparisonRequest.PreferredCompletion"},
		"text without messages": {func(r *adaptive.ComparisonRequest) { r.OtherCompletion = adaptive.CompletionText("x", "m") }, "ComparisonRequest.Messages"},
		"message with content and parts": {func(r *adaptive.ComparisonRequest) {
			r.Messages = []adaptive.ChatMessage{{Role: "user", Content: "hi", Parts: []adaptive.ContentPart{adaptive.TextPart("x")}}}
		}, "ComparisonRequest.Messages[0]"},
		"tied not documented":      {func(r *adaptive.ComparisonRequest) { r.Tied = "both" }, "ComparisonRequest.Tied"},
		"tied capitalised wrongly": {func(r *adaptive.ComparisonRequest) { r.Tied = "Good" }, "ComparisonRequest.Tied"},
	} {
		t.Run(name, func(t *testing.T) {
			rec := newInfRecorder(t, 201, `{}`)
			req := valid()
			tc.edit(&req)
			out, err := rec.client(t, "proj").Feedback.Comparison(context.Background(), req)
			assert.Nil(t, out)
			requireInfValidation(t, err, tc.field)
			assert.Zero(t, rec.count(), "bad input must not be sent")
		})
	}
	t.Run("no project", func(t *testing.T) {
		rec := newInfRecorder(t, 201, `{}`)
		_, err := rec.client(t, "").Feedback.Comparison(context.Background(), valid())
		requireInfValidation(t, err, "ComparisonRequest.Project")
		assert.Zero(t, rec.count())
	})
}

func TestOutcomeBadInput(t *testing.T) {
	valid := func() adaptive.OutcomeRequest {
		return adaptive.OutcomeRequest{Value: adaptive.MetricBool(true), Metric: "m", SessionID: infIDSess}
	}
	for name, tc := range map[string]struct {
		edit  func(*adaptive.OutcomeRequest)
		field string
	}{
		"missing value": {func(r *adaptive.OutcomeRequest) { r.Value = adaptive.MetricValue{} }, "OutcomeRequest.Value"},
		"NaN":           {func(r *adaptive.OutcomeRequest) { r.Value = adaptive.MetricNumber(math.NaN()) }, "OutcomeRequest.Value"},
		"+Inf":          {func(r *adaptive.OutcomeRequest) { r.Value = adaptive.MetricNumber(math.Inf(1)) }, "OutcomeRequest.Value"},
		"-Inf":          {func(r *adaptive.OutcomeRequest) { r.Value = adaptive.MetricNumber(math.Inf(-1)) }, "OutcomeRequest.Value"},
	} {
		t.Run(name, func(t *testing.T) {
			rec := newInfRecorder(t, 201, `{}`)
			req := valid()
			tc.edit(&req)
			out, err := rec.client(t, "proj").Feedback.Outcome(context.Background(), req)
			assert.Nil(t, out)
			requireInfValidation(t, err, tc.field)
			assert.Zero(t, rec.count(), "bad input must not be sent")
		})
	}
	t.Run("no project", func(t *testing.T) {
		rec := newInfRecorder(t, 201, `{}`)
		_, err := rec.client(t, "").Feedback.Outcome(context.Background(), valid())
		requireInfValidation(t, err, "OutcomeRequest.Project")
		assert.Zero(t, rec.count())
	})
}

func TestFeedbackSendsWhatTheSchemaAllows(t *testing.T) {
	// Values that are useless but schema-valid are sent, not refused.
	rec := newInfRecorder(t, 201, `{"comparison_id":"eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee","outcome_id":"eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee"}`)
	c := rec.client(t, "proj")
	_, err := c.Feedback.Comparison(context.Background(), adaptive.ComparisonRequest{
		Messages:            []adaptive.ChatMessage{{}},
		PreferredCompletion: adaptive.CompletionText("", ""),
		OtherCompletion:     adaptive.CompletionID(uuid.Nil.String()),
	})
	require.NoError(t, err)
	_, _, body := rec.last(t)
	assert.JSONEq(t, `{"metric":"","project":"proj","messages":[{"role":"","content":""}],
		"preferred_completion":{"text":"","model":""},"other_completion":"00000000-0000-0000-0000-000000000000"}`, body)

	_, err = c.Feedback.Outcome(context.Background(), adaptive.OutcomeRequest{Value: adaptive.MetricBool(true)})
	require.NoError(t, err)
	_, _, body = rec.last(t)
	assert.JSONEq(t, `{"value":true,"project_id":"proj","metric":"","session_id":"00000000-0000-0000-0000-000000000000"}`, body)
}

func TestFeedbackAnswersNeedTheirID(t *testing.T) {
	for _, answer := range []string{`{}`, `{"comparison_id":null,"outcome_id":null}`, `{"comparison_id":"c1","outcome_id":"o1"}`} {
		rec := newInfRecorder(t, 201, answer)
		c := rec.client(t, "proj")
		out, err := c.Feedback.Comparison(context.Background(), adaptive.ComparisonRequest{
			PreferredCompletion: adaptive.CompletionID(infIDA.String()), OtherCompletion: adaptive.CompletionID(infIDB.String())})
		assert.Nil(t, out, answer)
		require.Error(t, err, answer)
		assert.Contains(t, err.Error(), "comparison_id", answer)
		o, err := c.Feedback.Outcome(context.Background(), adaptive.OutcomeRequest{Value: adaptive.MetricBool(true), SessionID: infIDSess})
		assert.Nil(t, o, answer)
		require.Error(t, err, answer)
		assert.Contains(t, err.Error(), "outcome_id", answer)
	}
	rec := newInfRecorder(t, 201, `null`)
	_, err := rec.client(t, "proj").Feedback.Outcome(context.Background(), adaptive.OutcomeRequest{Value: adaptive.MetricBool(true)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the outcome answer is null")
}

func TestFeedbackAPIErrors(t *testing.T) {
	rec := newInfRecorder(t, 404, `{"error":"EntityNotFound: metric m"}`)
	c := rec.client(t, "proj")
	_, err := c.Feedback.Outcome(context.Background(), adaptive.OutcomeRequest{Value: adaptive.MetricBool(true), Metric: "m", SessionID: infIDSess})
	require.ErrorIs(t, err, adaptive.ErrNotFound)
	_, err = c.Feedback.Comparison(context.Background(), adaptive.ComparisonRequest{Metric: "m", PreferredCompletion: adaptive.CompletionID(infIDA.String()), OtherCompletion: adaptive.CompletionID(infIDB.String())})
	require.ErrorIs(t, err, adaptive.ErrNotFound)
}

func TestFeedbackEndToEnd(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	byID, err := c.Feedback.Comparison(ctx, adaptive.ComparisonRequest{Metric: "m", PreferredCompletion: adaptive.CompletionID(infIDA.String()), OtherCompletion: adaptive.CompletionID(infIDB.String()), Tied: adaptive.TieBad})
	require.NoError(t, err)
	byText, err := c.Feedback.Comparison(ctx, adaptive.ComparisonRequest{
		Metric: "m", Messages: infUserMsg,
		PreferredCompletion: adaptive.CompletionText("Paris.", "a"), OtherCompletion: adaptive.CompletionText("Lyon.", "b"),
	})
	require.NoError(t, err)
	assert.NotEqual(t, uuid.Nil, byID.ComparisonID)
	assert.NotEqual(t, byID.ComparisonID, byText.ComparisonID, "every comparison gets a fresh id")

	for _, v := range []adaptive.MetricValue{adaptive.MetricBool(true), adaptive.MetricNumber(-3.5)} {
		out, err := c.Feedback.Outcome(ctx, adaptive.OutcomeRequest{Value: v, Metric: "m", SessionID: infIDSess})
		require.NoError(t, err)
		assert.NotEqual(t, uuid.Nil, out.OutcomeID)
	}

	reqs := srv.RequestsTo(adaptivetest.RouteComparison)
	require.Len(t, reqs, 2)
	assert.JSONEq(t, `{"metric":"m","project":"demo","preferred_completion":"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
		"other_completion":"bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb","tied":"bad"}`, string(reqs[0].Body))
	assert.Len(t, srv.RequestsTo(adaptivetest.RouteOutcome), 2)
}

func TestFeedbackNotRetriedAfterDroppedConnection(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.FailNext(adaptivetest.RouteOutcome, 1, adaptivetest.Fault{Drop: true})
	_, err := srv.Client().Feedback.Outcome(context.Background(), adaptive.OutcomeRequest{Value: adaptive.MetricBool(true), Metric: "m", SessionID: infIDSess})
	require.Error(t, err, "recording an outcome twice is worse than reporting the failure")
	assert.Len(t, srv.RequestsTo(adaptivetest.RouteOutcome), 1)
}

// TestFakeServerChecksFeedbackRequests sends what the SDK never would, to
// check that adaptivetest rejects it like the real server.
func TestFakeServerChecksFeedbackRequests(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	a, b := infIDA.String(), infIDB.String()
	for name, tc := range map[string]struct {
		path   string
		body   map[string]any
		status int
	}{
		"comparison ok":                  {"/api/v1/comparison", map[string]any{"metric": "m", "project": "p", "preferred_completion": a, "other_completion": b}, 201},
		"comparison missing metric":      {"/api/v1/comparison", map[string]any{"project": "p", "preferred_completion": a, "other_completion": b}, 422},
		"comparison missing project":     {"/api/v1/comparison", map[string]any{"metric": "m", "preferred_completion": a, "other_completion": b}, 422},
		"comparison completion not uuid": {"/api/v1/comparison", map[string]any{"metric": "m", "project": "p", "preferred_completion": "x", "other_completion": b}, 422},
		"comparison completion a number": {"/api/v1/comparison", map[string]any{"metric": "m", "project": "p", "preferred_completion": 1, "other_completion": b}, 422},
		"comparison text without model":  {"/api/v1/comparison", map[string]any{"metric": "m", "project": "p", "preferred_completion": map[string]any{"text": "x"}, "other_completion": b, "messages": infUserMsg}, 422},
		"comparison text, no messages":   {"/api/v1/comparison", map[string]any{"metric": "m", "project": "p", "preferred_completion": map[string]any{"text": "x", "model": "m"}, "other_completion": b}, 400},
		"comparison bad tie":             {"/api/v1/comparison", map[string]any{"metric": "m", "project": "p", "preferred_completion": a, "other_completion": b, "tied": "meh"}, 422},
		"outcome ok with 1":              {"/api/v1/outcome", map[string]any{"value": 1, "project_id": "p", "metric": "m", "session_id": a}, 201},
		"outcome value a string":         {"/api/v1/outcome", map[string]any{"value": "yes", "project_id": "p", "metric": "m", "session_id": a}, 422},
		"outcome missing value":          {"/api/v1/outcome", map[string]any{"project_id": "p", "metric": "m", "session_id": a}, 422},
		"outcome missing session":        {"/api/v1/outcome", map[string]any{"value": true, "project_id": "p", "metric": "m"}, 422},
		"outcome missing project_id":     {"/api/v1/outcome", map[string]any{"value": true, "metric": "m", "session_id": a}, 422},
	} {
		t.Run(name, func(t *testing.T) {
			err := c.Do(context.Background(), http.MethodPost, tc.path, tc.body, nil)
			if tc.status == 201 {
				require.NoError(t, err)
				return
			}
			var apiErr *adaptive.APIError
			require.True(t, errors.As(err, &apiErr), "got %v", err)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.NotEmpty(t, apiErr.Message)
		})
	}
}

// TestFakeServerRejectsMalformedBodies checks the answers to bodies that
// are not JSON objects or not declared as JSON.
func TestFakeServerRejectsMalformedBodies(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	for _, route := range []string{"/api/v1/embeddings", "/api/v1/comparison", "/api/v1/outcome", "/api/v1/interactions"} {
		for _, tc := range []struct {
			contentType, body string
			status            int
		}{
			{"application/json", `{"metric":`, 400},
			{"application/json", `null`, 422},
			{"text/plain", `{}`, 415},
		} {
			req, err := http.NewRequest(http.MethodPost, srv.URL+route, strings.NewReader(tc.body))
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+srv.APIKey)
			req.Header.Set("Content-Type", tc.contentType)
			resp, err := hc.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, tc.status, resp.StatusCode, "%s %s %s", route, tc.contentType, tc.body)
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		}
	}
}

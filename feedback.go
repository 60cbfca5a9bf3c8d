package adaptive

import (
	"github.com/adaptive-go/adaptive/internal/transport"

	"context"
	"encoding/json"

	"github.com/google/uuid"
)

// FeedbackService records feedback about completions already made:
// comparisons between two completions and outcomes of user sessions.
type FeedbackService struct{ service }

// ComparisonTie says that neither completion of a comparison is preferred,
// and whether both are good or both are bad.
type ComparisonTie string

// The documented values of ComparisonRequest.Tied.
const (
	// TieGood: both completions are equally good.
	TieGood ComparisonTie = "good"
	// TieBad: both completions are equally bad.
	TieBad ComparisonTie = "bad"
)

// ComparisonRequest registers a preference between two completions of the
// same prompt, according to a metric.
type ComparisonRequest struct {
	// Metric is the id or key of the metric the preference is about.
	// Required by the API, which takes any string (an empty one names no
	// metric).
	Metric string `json:"metric"`
	// Messages is the prompt of both completions. Required when either
	// completion is given as raw text (CompletionText); ignored by the
	// server when both are given by id.
	Messages []ChatMessage `json:"messages,omitempty"`
	// PreferredCompletion is the better completion (or one of the two, with
	// Tied). Required.
	PreferredCompletion Completion `json:"preferred_completion"`
	// OtherCompletion is the other completion. Required.
	OtherCompletion Completion `json:"other_completion"`
	// Tied, when set, says that neither completion is preferred: TieGood or
	// TieBad.
	Tied ComparisonTie `json:"tied,omitempty"`
	// Project is the id or key of the project; empty means the client's
	// default project.
	Project string `json:"project"`
	// UserID optionally names the user who made the comparison.
	UserID *uuid.UUID `json:"user_id,omitempty"`
}

// ComparisonOutput is the answer to a comparison.
type ComparisonOutput struct {
	// ComparisonID is the id of the recorded comparison.
	ComparisonID uuid.UUID `json:"comparison_id"`
}

// UnmarshalJSON decodes the answer, tolerating unknown fields; an answer
// without comparison_id (or null) is an error.
func (o *ComparisonOutput) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nullAnswer("the comparison answer")
	}
	var w struct {
		ComparisonID wireUUID `json:"comparison_id"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	if !w.ComparisonID.ok {
		return missingField("comparison_id")
	}
	o.ComparisonID = w.ComparisonID.v
	return nil
}

// Comparison registers a preference between two completions of the same
// prompt according to req.Metric. It calls POST /api/v1/comparison.
//
// Bad input (an unset completion, a completion id that is not a uuid, raw
// text completions without messages, a bad message, an unknown Tied
// value, no project) is a *ValidationError, returned before anything is
// sent. A non-2xx answer is an *APIError; an answer without comparison_id
// is an error.
func (s *FeedbackService) Comparison(ctx context.Context, req ComparisonRequest, opts ...Option) (*ComparisonOutput, error) {
	cfg, err := s.client.callConfig(opts)
	if err != nil {
		return nil, err
	}
	if req.Project, err = cfg.resolveProject("ComparisonRequest.Project", req.Project); err != nil {
		return nil, err
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	out := new(ComparisonOutput)
	if err := s.client.postJSON(ctx, cfg, CallStart{Call: "Feedback.Comparison", Request: &req}, "/api/v1/comparison", transport.RetryUnsent, req, out); err != nil {
		return nil, err
	}
	return out, nil
}

func (r *ComparisonRequest) validate() error {
	if err := r.PreferredCompletion.validate("ComparisonRequest.PreferredCompletion"); err != nil {
		return err
	}
	if err := r.OtherCompletion.validate("ComparisonRequest.OtherCompletion"); err != nil {
		return err
	}
	_, _, preferredText := r.PreferredCompletion.Text()
	_, _, otherText := r.OtherCompletion.Text()
	if (preferredText || otherText) && len(r.Messages) == 0 {
		return invalid("ComparisonRequest.Messages", "required when a completion is given as raw text (adaptive.CompletionText): give the prompt's messages")
	}
	if err := validateMessages("ComparisonRequest.Messages", r.Messages); err != nil {
		return err
	}
	switch r.Tied {
	case "", TieGood, TieBad:
	default:
		return invalid("ComparisonRequest.Tied", "%q is not a documented value: use adaptive.TieGood or adaptive.TieBad, or leave it empty", r.Tied)
	}
	return nil
}

// OutcomeRequest registers the outcome of a user session, such as whether a
// conversation reached its goal.
type OutcomeRequest struct {
	// Value is the outcome: MetricBool for a Bool metric, MetricNumber for a
	// Scalar metric. Required.
	Value MetricValue `json:"value"`
	// Project is the id or key of the project (project_id on the wire);
	// empty means the client's default project.
	Project string `json:"project_id"`
	// Metric is the id or key of the metric. Required by the API, which
	// takes any string (an empty one names no metric).
	Metric string `json:"metric"`
	// SessionID is the session the outcome is about. Required: the zero
	// uuid is sent as it is, and names no session.
	SessionID uuid.UUID `json:"session_id"`
	// UserID optionally names the user who reported the outcome.
	UserID *uuid.UUID `json:"user_id,omitempty"`
}

// OutcomeOutput is the answer to an outcome.
type OutcomeOutput struct {
	// OutcomeID is the id of the recorded outcome.
	OutcomeID uuid.UUID `json:"outcome_id"`
}

// UnmarshalJSON decodes the answer, tolerating unknown fields; an answer
// without outcome_id (or null) is an error.
func (o *OutcomeOutput) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nullAnswer("the outcome answer")
	}
	var w struct {
		OutcomeID wireUUID `json:"outcome_id"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	if !w.OutcomeID.ok {
		return missingField("outcome_id")
	}
	o.OutcomeID = w.OutcomeID.v
	return nil
}

// Outcome registers the outcome of a previous user session. It calls
// POST /api/v1/outcome.
//
// Bad input (no value, a non-finite number, no project) is a
// *ValidationError, returned before anything is sent. A non-2xx answer is
// an *APIError; an answer without outcome_id is an error.
func (s *FeedbackService) Outcome(ctx context.Context, req OutcomeRequest, opts ...Option) (*OutcomeOutput, error) {
	cfg, err := s.client.callConfig(opts)
	if err != nil {
		return nil, err
	}
	if req.Project, err = cfg.resolveProject("OutcomeRequest.Project", req.Project); err != nil {
		return nil, err
	}
	if err := req.Value.validate("OutcomeRequest.Value"); err != nil {
		return nil, err
	}
	out := new(OutcomeOutput)
	if err := s.client.postJSON(ctx, cfg, CallStart{Call: "Feedback.Outcome", Request: &req}, "/api/v1/outcome", transport.RetryUnsent, req, out); err != nil {
		return nil, err
	}
	return out, nil
}

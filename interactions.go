package adaptive

import (
	"github.com/adaptive-go/adaptive/internal/transport"

	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// InteractionsService imports interactions (a prompt and the completion
// that answered it) made outside the Adaptive gateway, with their feedback.
type InteractionsService struct{ service }

// InteractionRequest is one interaction to import.
type InteractionRequest struct {
	// ModelService optionally names (id or key) the model service that
	// produced the completion.
	ModelService string `json:"model_service,omitempty"`
	// Project is the id or key of the project; empty means the client's
	// default project.
	Project string `json:"project"`
	// Messages is the prompt. Required.
	Messages []ChatMessage `json:"messages"`
	// Completion is the text that answered the prompt. Required.
	Completion string `json:"completion"`
	// Feedbacks optionally records feedback about the completion.
	Feedbacks []InteractionFeedback `json:"feedbacks,omitempty"`
	// User optionally names the user of the interaction.
	User *uuid.UUID `json:"user,omitempty"`
	// SessionID optionally groups the interaction into a session; the server
	// makes one up when it is nil.
	SessionID *uuid.UUID `json:"session_id,omitempty"`
	// CreatedAt is when the interaction happened (RFC 3339 on the wire);
	// zero means now, as the server sees it.
	CreatedAt time.Time `json:"created_at,omitzero"`
	// ABCampaign optionally names (id or key) the A/B campaign the
	// interaction belongs to.
	ABCampaign string `json:"ab_campaign,omitempty"`
	// Labels are optional key/value pairs to filter interactions by.
	Labels map[string]string `json:"labels,omitempty"`
}

// InteractionFeedback is one piece of feedback about an imported
// interaction.
type InteractionFeedback struct {
	// Metric is the id or key of the metric. Required.
	Metric string `json:"metric"`
	// Value is MetricBool for a Bool metric, MetricNumber for a Scalar
	// metric. Required.
	Value MetricValue `json:"value"`
	// Reason optionally says why the value was given.
	Reason string `json:"reason,omitempty"`
	// Details optionally explains the feedback in free text.
	Details string `json:"details,omitempty"`
	// CreatedAt is when the feedback was given (RFC 3339 on the wire); zero
	// means now, as the server sees it.
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// AddInteractionsResponse is the answer to an imported interaction.
type AddInteractionsResponse struct {
	// CompletionID is the id the completion was recorded under; it can be
	// given to adaptive.CompletionID in later comparisons.
	CompletionID uuid.UUID `json:"completion_id"`
	// SessionID is the session of the interaction: the one given, or a new
	// one.
	SessionID uuid.UUID `json:"session_id"`
	// FeedbackIDs are the ids of the recorded feedbacks, in the order of
	// the request's Feedbacks.
	FeedbackIDs []uuid.UUID `json:"feedback_ids"`
}

// Add imports an interaction into a project, with its feedback if any. It
// calls POST /api/v1/interactions.
//
// Bad input (no messages, no completion, a feedback without metric or value
// or with a non-finite number, a date JSON cannot carry, no project) is a
// *ValidationError, returned before anything is sent. A non-2xx answer is an
// *APIError.
func (s *InteractionsService) Add(ctx context.Context, req InteractionRequest, opts ...Option) (*AddInteractionsResponse, error) {
	cfg, err := s.client.callConfig(opts)
	if err != nil {
		return nil, err
	}
	if req.Project, err = cfg.resolveProject("InteractionRequest.Project", req.Project); err != nil {
		return nil, err
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	out := new(AddInteractionsResponse)
	if err := s.client.postJSON(ctx, cfg, CallStart{Call: "Interactions.Add", Request: &req}, "/api/v1/interactions", transport.RetryUnsent, req, out); err != nil {
		return nil, err
	}
	return out, nil
}

func (r *InteractionRequest) validate() error {
	if err := validateMessages("InteractionRequest.Messages", r.Messages); err != nil {
		return err
	}
	if r.Completion == "" {
		return invalid("InteractionRequest.Completion", "empty: give the text of the completion")
	}
	if err := validateTime("InteractionRequest.CreatedAt", r.CreatedAt); err != nil {
		return err
	}
	for i, f := range r.Feedbacks {
		field := fmt.Sprintf("InteractionRequest.Feedbacks[%d]", i)
		if f.Metric == "" {
			return invalid(field+".Metric", "empty: give the id or key of a metric")
		}
		if err := f.Value.validate(field + ".Value"); err != nil {
			return err
		}
		if err := validateTime(field+".CreatedAt", f.CreatedAt); err != nil {
			return err
		}
	}
	return nil
}

// validateTime rejects the dates that RFC 3339 (and so time.Time's JSON
// encoding) cannot carry, so that the error names the field.
func validateTime(field string, t time.Time) error {
	if t.IsZero() {
		return nil
	}
	if y := t.Year(); y < 0 || y > 9999 {
		return invalid(field, "year %d is outside the range RFC 3339 can carry", y)
	}
	return nil
}

package adaptive

import (
	"github.com/adaptive-go/adaptive/internal/transport"

	"context"
	"encoding/json"
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
	// Messages is the prompt (nil is sent as []). Messages may be text or
	// parts, as in chat.
	Messages []ChatMessage `json:"messages"`
	// Completion is the text that answered the prompt. The API takes any
	// string, the empty one included.
	Completion string `json:"completion"`
	// Feedbacks optionally records feedback about the completion.
	Feedbacks []InteractionFeedback `json:"feedbacks,omitempty"`
	// User optionally names the user of the interaction.
	User *uuid.UUID `json:"user,omitempty"`
	// SessionID optionally groups the interaction into a session; the server
	// makes one up when it is nil.
	SessionID *uuid.UUID `json:"session_id,omitempty"`
	// CreatedAt is when the interaction happened; zero means now, as the
	// server sees it. It is sent in UTC as RFC 3339 with whole seconds
	// ("2024-02-21T09:51:03Z", the API's InputDateTime): a fraction of a
	// second is dropped.
	CreatedAt time.Time `json:"created_at,omitzero"`
	// ABCampaign optionally names (id or key) the A/B campaign the
	// interaction belongs to.
	ABCampaign string `json:"ab_campaign,omitempty"`
	// Labels are optional key/value pairs to filter interactions by.
	Labels map[string]string `json:"labels,omitempty"`
}

// MarshalJSON encodes r as the API's request, with CreatedAt as an
// InputDateTime (UTC, whole seconds) and nil Messages as [].
func (r InteractionRequest) MarshalJSON() ([]byte, error) {
	type plain InteractionRequest
	if r.Messages == nil {
		r.Messages = []ChatMessage{}
	}
	return json.Marshal(struct {
		plain
		CreatedAt inputDateTime `json:"created_at,omitzero"`
	}{plain(r), inputDateTime(r.CreatedAt)})
}

// InteractionFeedback is one piece of feedback about an imported
// interaction.
type InteractionFeedback struct {
	// Metric is the id or key of the metric. Required by the API, which
	// takes any string (an empty one names no metric).
	Metric string `json:"metric"`
	// Value is MetricBool for a Bool metric, MetricNumber for a Scalar
	// metric. Required.
	Value MetricValue `json:"value"`
	// Reason optionally says why the value was given.
	Reason string `json:"reason,omitempty"`
	// Details optionally explains the feedback in free text.
	Details string `json:"details,omitempty"`
	// CreatedAt is when the feedback was given; zero means now, as the
	// server sees it. It is sent as InteractionRequest.CreatedAt is: UTC,
	// whole seconds.
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// MarshalJSON encodes f as the API's feedback, with CreatedAt as an
// InputDateTime (UTC, whole seconds).
func (f InteractionFeedback) MarshalJSON() ([]byte, error) {
	type plain InteractionFeedback
	return json.Marshal(struct {
		plain
		CreatedAt inputDateTime `json:"created_at,omitzero"`
	}{plain(f), inputDateTime(f.CreatedAt)})
}

// inputDateTime is the API's InputDateTime: RFC 3339 in UTC with whole
// seconds, like its example "2024-02-21T09:51:03Z".
type inputDateTime time.Time

// IsZero makes omitzero leave out the zero time.
func (t inputDateTime) IsZero() bool { return time.Time(t).IsZero() }

func (t inputDateTime) MarshalJSON() ([]byte, error) {
	u := time.Time(t).UTC().Truncate(time.Second)
	if y := u.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("adaptive: year %d is outside the range RFC 3339 can carry", y)
	}
	return u.AppendFormat([]byte{'"'}, `2006-01-02T15:04:05Z"`), nil
}

// AddInteractionsResponse is the answer to an imported interaction. Every
// field is required by the API: an answer that lacks one fails the call.
type AddInteractionsResponse struct {
	// CompletionID is the id the completion was recorded under (a uuid);
	// give it to adaptive.CompletionID in later comparisons as it is.
	CompletionID string `json:"completion_id"`
	// SessionID is the session of the interaction: the one given, or a new
	// one.
	SessionID uuid.UUID `json:"session_id"`
	// FeedbackIDs are the ids of the recorded feedbacks, in the order of
	// the request's Feedbacks.
	FeedbackIDs []uuid.UUID `json:"feedback_ids"`
}

// UnmarshalJSON decodes the answer, tolerating unknown fields. An answer
// that lacks a required field, or is null, is an error naming it; the
// completion id must be a uuid, as the API says.
func (r *AddInteractionsResponse) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nullAnswer("the interaction answer")
	}
	var w struct {
		CompletionID wireString  `json:"completion_id"`
		SessionID    wireUUID    `json:"session_id"`
		FeedbackIDs  []uuid.UUID `json:"feedback_ids"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	switch {
	case !w.CompletionID.ok:
		return missingField("completion_id")
	case !isUUID(w.CompletionID.v):
		return fmt.Errorf("the answer does not follow the API: completion_id %q is not a uuid", w.CompletionID.v)
	case !w.SessionID.ok:
		return missingField("session_id")
	case w.FeedbackIDs == nil:
		return missingField("feedback_ids")
	}
	*r = AddInteractionsResponse{CompletionID: w.CompletionID.v, SessionID: w.SessionID.v, FeedbackIDs: w.FeedbackIDs}
	return nil
}

// Add imports an interaction into a project, with its feedback if any. It
// calls POST /api/v1/interactions.
//
// Bad input (a bad message, a feedback without value or with a non-finite
// number, a date RFC 3339 cannot carry, no project) is a *ValidationError,
// returned before anything is sent. A non-2xx answer is an *APIError; an
// answer that lacks a required field is an error.
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
	if err := validateTime("InteractionRequest.CreatedAt", r.CreatedAt); err != nil {
		return err
	}
	for i, f := range r.Feedbacks {
		field := fmt.Sprintf("InteractionRequest.Feedbacks[%d]", i)
		if err := f.Value.validate(field + ".Value"); err != nil {
			return err
		}
		if err := validateTime(field+".CreatedAt", f.CreatedAt); err != nil {
			return err
		}
	}
	return nil
}

// validateTime rejects the dates that RFC 3339 cannot carry once in UTC,
// so that the error names the field.
func validateTime(field string, t time.Time) error {
	if t.IsZero() {
		return nil
	}
	if y := t.UTC().Year(); y < 0 || y > 9999 {
		return invalid(field, "year %d (in UTC) is outside the range RFC 3339 can carry", y)
	}
	return nil
}

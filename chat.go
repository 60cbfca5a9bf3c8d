package adaptive

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"

	"github.com/google/uuid"

	"github.com/adaptive-go/adaptive/internal/transport"
)

// ChatService creates chat completions with the models of a project, as one
// answer (Create) or as a stream of chunks (Stream).
type ChatService struct{ service }

// chatPath is the route of both chat calls.
const chatPath = "/api/v1/chat/completions"

// ChatRequest asks for a chat completion: Messages, and optional fields.
// Optional scalars whose zero value is meaningful are pointers: set them
// with adaptive.Ptr.
type ChatRequest struct {
	// Project is the id or key of the project; empty means the client's
	// default project. Not sent as such: with Model it makes the wire model.
	Project string `json:"-"`
	// Model is the key of a model of the project; empty means the project's
	// default model. A Model that contains "/" ("project/model") is sent as
	// given and Project is ignored.
	Model string `json:"-"`
	// Messages is the conversation so far. The API takes an empty
	// conversation (nil is sent as []), though it gives the model nothing
	// to answer.
	Messages []ChatMessage `json:"messages"`

	// Stop lists sequences at which generation stops.
	Stop []string `json:"stop,omitempty"`
	// MaxTokens bounds the number of generated tokens, 0 or more (0 is
	// allowed by the API but leaves no room for an answer).
	MaxTokens *int `json:"max_tokens,omitempty"`
	// Temperature is the sampling temperature.
	Temperature *float64 `json:"temperature,omitempty"`
	// TopP is the nucleus sampling probability mass.
	TopP *float64 `json:"top_p,omitempty"`
	// MaxTTFTMs bounds the time to the first token, in milliseconds, 0 or
	// more.
	MaxTTFTMs *int64 `json:"max_ttft_ms,omitempty"`
	// StreamOptions tunes a streamed answer; Stream sends it, Create does
	// not (a plain answer always carries its usage).
	StreamOptions *StreamOptions `json:"stream_options,omitempty"`
	// SessionID optionally groups the completion into a session.
	SessionID *uuid.UUID `json:"session_id,omitempty"`
	// User optionally names the user the completion is made for.
	User *uuid.UUID `json:"user,omitempty"`
	// ABCampaign optionally names (id or key) an A/B campaign.
	ABCampaign string `json:"ab_campaign,omitempty"`
	// N is the number of completions (choices) to generate. The API takes
	// 0 or more; 0 asks for no choice at all.
	N *int `json:"n,omitempty"`
	// Labels are key/value pairs attached to the interaction.
	Labels map[string]string `json:"labels,omitempty"`
	// Metadata is free key/value metadata attached to the interaction.
	Metadata map[string]string `json:"metadata,omitempty"`
	// SystemPromptArgs fills the project's system prompt template.
	SystemPromptArgs map[string]any `json:"system_prompt_args,omitempty"`
	// Tags are attached to the interaction.
	Tags []string `json:"tags,omitempty"`
	// UseTools enables or disables the project's tools.
	UseTools *bool `json:"use_tools,omitempty"`
	// Tools overrides the tool configuration of the project for this
	// request: each element enables or disables one tool.
	Tools []ToolOverride `json:"tools,omitempty"`
	// Store says whether the server keeps the interaction.
	Store *bool `json:"store,omitempty"`
}

// ToolOverride enables or disables one tool of the project for one chat
// request. Both fields are always sent.
type ToolOverride struct {
	// ID is the id of the tool. It is always sent; an empty ID is allowed by
	// the API but names no tool.
	ID string `json:"id"`
	// Enabled says whether the tool may be used.
	Enabled bool `json:"enabled"`
}

// StreamOptions tunes a streamed chat completion.
type StreamOptions struct {
	// IncludeUsage asks for a last chunk that carries the token usage of
	// the whole answer.
	IncludeUsage bool `json:"include_usage"`
}

// chatWire is the body sent: the request with the wire model and the
// stream flag, which the methods set.
type chatWire struct {
	*ChatRequest
	Model  string `json:"model"`
	Stream bool   `json:"stream,omitempty"`
}

// validate checks what the API would reject, before anything is sent.
func (r *ChatRequest) validate() error {
	if err := validateMessages("ChatRequest.Messages", r.Messages); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		v    *int
	}{{"ChatRequest.N", r.N}, {"ChatRequest.MaxTokens", r.MaxTokens}} {
		if f.v != nil && (*f.v < 0 || *f.v > math.MaxInt32) {
			return invalid(f.name, "%d is not between 0 and %d", *f.v, math.MaxInt32)
		}
	}
	if r.MaxTTFTMs != nil && *r.MaxTTFTMs < 0 {
		return invalid("ChatRequest.MaxTTFTMs", "%d is negative", *r.MaxTTFTMs)
	}
	for _, f := range []struct {
		name string
		v    *float64
	}{{"ChatRequest.Temperature", r.Temperature}, {"ChatRequest.TopP", r.TopP}} {
		// The contract's format is float: a 32-bit float.
		if f.v != nil && (math.IsNaN(*f.v) || math.Abs(*f.v) > math.MaxFloat32) {
			return invalid(f.name, "%v is not a finite 32-bit float (the API's format)", *f.v)
		}
	}
	if r.SystemPromptArgs != nil {
		if _, err := json.Marshal(r.SystemPromptArgs); err != nil {
			return invalid("ChatRequest.SystemPromptArgs", "cannot be encoded as JSON: %v", err)
		}
	}
	return nil
}

// body validates req and encodes it for the wire, with the stream flag; it
// also returns the wire model.
func (r *ChatRequest) body(cfg *config, stream bool) ([]byte, string, error) {
	if err := r.validate(); err != nil {
		return nil, "", err
	}
	model, err := cfg.wireModel("ChatRequest", r.Project, r.Model)
	if err != nil {
		return nil, "", err
	}
	sent := *r
	if !stream {
		sent.StreamOptions = nil
	}
	if sent.Messages == nil {
		sent.Messages = []ChatMessage{}
	}
	b, err := json.Marshal(chatWire{ChatRequest: &sent, Model: model, Stream: stream})
	if err != nil {
		return nil, "", fmt.Errorf("adaptive: encoding the chat request: %w", err)
	}
	return b, model, nil
}

// retry is the retry class of the request: a generation is retried after a
// retryable status (at worst the server generates twice, and, when it
// stores interactions, may store both), and also after a connection lost
// once the request was sent when Store is false, since nothing is kept.
func (r *ChatRequest) retry() transport.Retry {
	if r.Store != nil && !*r.Store {
		return transport.RetryAny
	}
	return transport.RetryStatus
}

// Create asks for a chat completion and returns it whole. It calls
// POST /api/v1/chat/completions.
//
// Bad input (a message with both Content and Parts or a bad part, a
// completion id that is not a uuid, no project resolvable, a negative N or
// MaxTokens, a Temperature or TopP that is no finite 32-bit float) is a
// *ValidationError, returned before anything is sent. A non-2xx answer is an *APIError; an answer that lacks
// a field the API requires is an error.
// A failed generation is retried after a retryable status or a failed
// connection (see the README's retry table); set Store to false to let it
// also be retried when the connection was lost after the request was sent.
func (s *ChatService) Create(ctx context.Context, req ChatRequest, opts ...Option) (*ChatResponse, error) {
	cfg, err := s.client.callConfig(opts)
	if err != nil {
		return nil, err
	}
	body, model, err := req.body(cfg, false)
	if err != nil {
		return nil, err
	}
	r := &transport.Request{Method: http.MethodPost, Path: chatPath, Body: body, ContentType: "application/json", Retry: req.retry()}
	out := new(ChatResponse)
	if err := s.client.call(ctx, cfg, CallStart{Call: "Chat.Create", Request: &req, Model: model}, r, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Stream asks for a chat completion streamed as server-sent events and
// returns the stream once the server has answered with a 2xx status. It
// calls POST /api/v1/chat/completions with "stream": true.
//
// Bad input is a *ValidationError, returned before anything is sent; a
// non-2xx answer is an *APIError, returned before any chunk. Retries (per
// WithMaxRetries, as for Create) happen only until the response headers
// arrive, and WithTimeout bounds only that wait; WithIdleTimeout bounds the
// silence of the body. The caller must Close the stream.
func (s *ChatService) Stream(ctx context.Context, req ChatRequest, opts ...Option) (*ChatStream, error) {
	cfg, err := s.client.callConfig(opts)
	if err != nil {
		return nil, err
	}
	body, model, err := req.body(cfg, true)
	if err != nil {
		return nil, err
	}
	r := &transport.Request{Method: http.MethodPost, Path: chatPath, Body: body,
		ContentType: "application/json", Accept: "text/event-stream", Stream: true, Retry: req.retry()}
	cs := new(ChatStream)
	dec := &chatDecoder{}
	start := CallStart{Call: "Chat.Stream", Request: &req, Model: model}
	if err := cs.open(ctx, s.client, cfg, start, r, dec); err != nil {
		return nil, err
	}
	return cs, nil
}

// ChatStream is a streamed chat completion: a Stream of ChatChunk values.
//
//	stream, err := client.Chat.Stream(ctx, req)
//	if err != nil { ... }
//	defer stream.Close()
//	for stream.Next() {
//		chunk := stream.Current()
//		...
//	}
//	if err := stream.Err(); err != nil { ... }
type ChatStream struct {
	Stream[ChatChunk]
}

// Accumulate reads the rest of the stream, closes it, and returns the
// response that its chunks add up to (chunks already read with Next are
// not part of it: call Accumulate instead of a loop, or feed the chunks of
// a loop to a ChatAccumulator). On a stream error it returns what was
// accumulated so far together with the error.
func (s *ChatStream) Accumulate() (*ChatResponse, error) {
	defer s.Close()
	var acc ChatAccumulator
	for s.Next() {
		acc.Add(s.Current())
	}
	resp := acc.Response()
	return &resp, s.Err()
}

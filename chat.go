package adaptive

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/adaptive-go/adaptive/internal/transport"
)

// ChatService creates chat completions with the models of a project, as one
// answer (Create) or as a stream of chunks (Stream).
type ChatService struct{ service }

// chatPath is the route of both chat calls.
const chatPath = "/api/v1/chat/completions"

// ChatRequest asks for a chat completion. Messages is required; every other
// field is optional. Optional scalars whose zero value is meaningful are
// pointers: set them with adaptive.Ptr.
type ChatRequest struct {
	// Project is the id or key of the project; empty means the client's
	// default project. Not sent as such: with Model it makes the wire model.
	Project string `json:"-"`
	// Model is the key of a model of the project; empty means the project's
	// default model. A Model that contains "/" ("project/model") is sent as
	// given and Project is ignored.
	Model string `json:"-"`
	// Messages is the conversation so far. Required, each with a Role.
	Messages []ChatMessage `json:"messages"`

	// Stop lists sequences at which generation stops.
	Stop []string `json:"stop,omitempty"`
	// MaxTokens bounds the number of generated tokens.
	MaxTokens *int `json:"max_tokens,omitempty"`
	// Temperature is the sampling temperature.
	Temperature *float64 `json:"temperature,omitempty"`
	// TopP is the nucleus sampling probability mass.
	TopP *float64 `json:"top_p,omitempty"`
	// MaxTTFTMs bounds the time to the first token, in milliseconds.
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
	// N is the number of completions (choices) to generate, at least 1.
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
	// Tools overrides the tool configuration for this request: each element
	// is one ToolOverride object of the API, sent as given (the reference
	// does not publish its fields).
	Tools []json.RawMessage `json:"tools,omitempty"`
	// Store says whether the server keeps the interaction.
	Store *bool `json:"store,omitempty"`
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

// Timestamp is a Unix time in seconds as the server sends it, possibly
// with a fractional part.
type Timestamp float64

// Time returns the timestamp as a time.Time (the zero Time for 0).
func (t Timestamp) Time() time.Time {
	if t == 0 {
		return time.Time{}
	}
	sec, frac := math.Modf(float64(t))
	return time.Unix(int64(sec), int64(math.Round(frac*1e9)))
}

// ChatResponse is a chat completion answered as a whole.
type ChatResponse struct {
	// ID is the id of the answer.
	ID string `json:"id"`
	// Created is when the answer was made.
	Created Timestamp `json:"created"`
	// Choices holds one completion per requested choice, by Index.
	Choices []ChatChoice `json:"choices"`
	// SessionID is the session the completion belongs to.
	SessionID uuid.UUID `json:"session_id"`
	// Usage counts the tokens of the prompt and the completions.
	Usage Usage `json:"usage"`
}

// ChatChoice is one completion of a ChatResponse.
type ChatChoice struct {
	// Index is the position of the choice among the requested ones.
	Index int `json:"index"`
	// Message is the generated message (role assistant).
	Message ChatMessage `json:"message"`
	// FinishReason says why generation stopped ("stop", "length", ...),
	// when the server says it.
	FinishReason string `json:"finish_reason,omitempty"`
	// CompletionID identifies the completion, for feedback.
	CompletionID uuid.UUID `json:"completion_id"`
	// Model is the model that generated the completion.
	Model string `json:"model"`
}

// Usage counts the tokens of a completion.
type Usage struct {
	// PromptTokens counts the tokens of the messages sent.
	PromptTokens int `json:"prompt_tokens"`
	// CompletionTokens counts the generated tokens, over all choices.
	CompletionTokens int `json:"completion_tokens"`
	// TotalTokens is the sum of both.
	TotalTokens int `json:"total_tokens"`
}

// ChatChunk is one event of a streamed chat completion: a piece of one or
// more choices, or (with include_usage, last) the usage with no choices.
type ChatChunk struct {
	// ID is the id of the answer, the same in every chunk.
	ID string `json:"id"`
	// Created is when the answer was made.
	Created Timestamp `json:"created"`
	// SessionID is the session the completion belongs to.
	SessionID uuid.UUID `json:"session_id"`
	// Choices holds the new pieces, one per choice that advanced.
	Choices []ChatChunkChoice `json:"choices"`
	// Usage is set on the usage chunk only.
	Usage *Usage `json:"usage,omitempty"`
}

// ChatChunkChoice is the piece of one choice carried by a ChatChunk.
type ChatChunkChoice struct {
	// Index is the choice the piece belongs to.
	Index int `json:"index"`
	// Delta is the new text (and, in the first piece, the role).
	Delta ChatDelta `json:"delta"`
	// CompletionID identifies the completion, for feedback.
	CompletionID uuid.UUID `json:"completion_id"`
	// FinishReason is set on the last piece of a choice when the server
	// says it there (it may instead send it as stream metadata).
	FinishReason string `json:"finish_reason,omitempty"`
	// Model is the model generating the choice, when the server says it.
	Model string `json:"model,omitempty"`
}

// ChatDelta is the new part of a message in a ChatChunkChoice.
type ChatDelta struct {
	// Role is set in the first piece of a choice only.
	Role string `json:"role,omitempty"`
	// Content is the text to append to the choice's message.
	Content string `json:"content"`
}

// validate checks what the server would reject, before anything is sent.
func (r *ChatRequest) validate() error {
	if err := validateMessages("ChatRequest.Messages", r.Messages); err != nil {
		return err
	}
	if r.N != nil && *r.N < 1 {
		return invalid("ChatRequest.N", "%d: ask for at least 1 choice (or leave it nil)", *r.N)
	}
	if r.MaxTokens != nil && *r.MaxTokens < 0 {
		return invalid("ChatRequest.MaxTokens", "%d is negative", *r.MaxTokens)
	}
	if r.MaxTTFTMs != nil && *r.MaxTTFTMs < 0 {
		return invalid("ChatRequest.MaxTTFTMs", "%d is negative", *r.MaxTTFTMs)
	}
	for _, f := range []struct {
		name string
		v    *float64
	}{{"ChatRequest.Temperature", r.Temperature}, {"ChatRequest.TopP", r.TopP}} {
		if f.v != nil && (math.IsNaN(*f.v) || math.IsInf(*f.v, 0)) {
			return invalid(f.name, "%v is not a finite number", *f.v)
		}
	}
	for i, t := range r.Tools {
		if !json.Valid(t) {
			return invalid("ChatRequest.Tools", "element %d is not valid JSON", i)
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
// Bad input (no messages, a message without role, no project resolvable,
// N < 1, negative MaxTokens) is a *ValidationError, returned before
// anything is sent. A non-2xx answer is an *APIError. A failed generation is
// retried after a retryable status or a failed connection (see the README's
// retry table); set Store to false to let it also be retried when the
// connection was lost after the request was sent.
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

// chatDecoder decodes the events of a chat stream and follows which
// choices have finished. Each event is decoded once, straight into a
// reused ChatChunk: the hot path costs what decoding the chunk costs.
// Metadata events (no id, choices or usage) and error payloads are told
// apart afterwards: a byte search for the "error" key, and a second small
// decode of the rare events that are not chunks.
type chatDecoder struct {
	chunk    ChatChunk
	choices  map[int]bool     // choice index → finished
	open     int              // choices seen and not finished
	finished bool             // some finish_reason was seen
	acc      *ChatAccumulator // set only when a hook observes the stream
}

func (d *chatDecoder) observe() { d.acc = new(ChatAccumulator) }

func (d *chatDecoder) outcome() any {
	if d.acc == nil {
		return nil
	}
	r := d.acc.Response()
	return &r
}

// chatMeta holds the keys of a metadata or error event that matter here.
type chatMeta struct {
	FinishReason string          `json:"finish_reason"`
	Index        *int            `json:"index"`
	Error        json.RawMessage `json:"error"`
}

var (
	errorKey        = []byte(`"error"`)
	finishReasonKey = []byte(`"finish_reason"`)
)

func (d *chatDecoder) decode(data []byte, dst *ChatChunk) (eventKind, error) {
	d.chunk = ChatChunk{}
	err := json.Unmarshal(data, &d.chunk)
	if bytes.Contains(data, errorKey) && isErrorPayload(data) {
		return eventError, nil
	}
	if err != nil {
		return 0, err
	}
	c := &d.chunk
	if c.Choices == nil && c.Usage == nil && c.ID == "" {
		// A metadata event; {"finish_reason", "index"} finishes one choice,
		// a finish_reason without index the whole answer.
		var m chatMeta
		if bytes.Contains(data, finishReasonKey) && json.Unmarshal(data, &m) == nil && m.FinishReason != "" {
			if m.Index != nil {
				d.see(*m.Index, true)
			} else {
				d.finishAll()
			}
		}
		return eventMeta, nil
	}
	*dst = *c
	if d.acc != nil {
		d.acc.Add(*c)
	}
	for i := range c.Choices {
		d.see(c.Choices[i].Index, c.Choices[i].FinishReason != "" && exactFinishKey(data))
	}
	return eventValue, nil
}

// isErrorPayload reports whether data is an object with a non-null "error".
func isErrorPayload(data []byte) bool {
	var m chatMeta
	return json.Unmarshal(data, &m) == nil && len(m.Error) > 0 && string(m.Error) != "null"
}

// exactFinishKey reports whether data spells the key "finish_reason"
// exactly. encoding/json matches keys without regard to case; a key such
// as "Finish_Reason" must not make a cut stream look complete.
func exactFinishKey(data []byte) bool { return bytes.Contains(data, finishReasonKey) }

// see records that choice index appeared, finished or not.
func (d *chatDecoder) see(index int, finished bool) {
	was, seen := d.choices[index]
	if seen && (was || !finished) {
		return // the common case: one more piece of an open choice
	}
	if d.choices == nil {
		d.choices = map[int]bool{}
	}
	d.choices[index] = finished
	switch {
	case !seen && !finished:
		d.open++
	case seen && finished:
		d.open--
	}
	if finished {
		d.finished = true
	}
}

func (d *chatDecoder) finishAll() {
	for i, done := range d.choices {
		if !done {
			d.choices[i] = true
		}
	}
	d.open, d.finished = 0, true
}

// complete reports whether every choice seen has finished.
func (d *chatDecoder) complete() bool { return d.finished && d.open == 0 }

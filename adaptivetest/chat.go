package adaptivetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
)

// chatState holds the stream faults set for the next streamed completion.
// Each is used once; a negative count means unset.
type chatState struct {
	cutAfter   int
	errAfter   int
	errMessage string
	stallAfter int
	armed      bool // any fault set since the last stream
}

// chatFaults is the set of faults one streamed completion meets.
type chatFaults struct {
	cutAfter, errAfter, stallAfter int
	errMessage                     string
}

func (s *Server) chatRoutes(routes map[string]http.HandlerFunc) {
	routes[RouteChat] = s.handleChat
}

// CutStreamAfter makes the next streamed chat completion send only its
// first n content chunks and then drop the connection, with no [DONE] and
// no finish_reason: a stream cut short.
func (s *Server) CutStreamAfter(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.armChat()
	s.chat.cutAfter = max(n, 0)
}

// SendStreamError makes the next streamed chat completion send its first n
// content chunks, then an "error" event with {"error": message}, and end
// the answer there.
func (s *Server) SendStreamError(n int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.armChat()
	s.chat.errAfter, s.chat.errMessage = max(n, 0), message
}

// StallStream makes the next streamed chat completion send its first n
// content chunks and then send nothing more until the client goes away (or
// the server is closed).
func (s *Server) StallStream(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.armChat()
	s.chat.stallAfter = max(n, 0)
}

// armChat marks the stream faults as set, clearing any left from an
// earlier arming. The caller holds s.mu.
func (s *Server) armChat() {
	if !s.chat.armed {
		s.chat = chatState{cutAfter: -1, errAfter: -1, stallAfter: -1, armed: true}
	}
}

// takeChatFaults returns the faults for a stream, consuming them.
func (s *Server) takeChatFaults() chatFaults {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.chat.armed {
		return chatFaults{cutAfter: -1, errAfter: -1, stallAfter: -1}
	}
	f := chatFaults{s.chat.cutAfter, s.chat.errAfter, s.chat.stallAfter, s.chat.errMessage}
	s.chat = chatState{}
	return f
}

// ChatReply returns the text the server answers to a conversation whose
// last user message is prompt: "You said: " and the prompt, or a greeting
// when the prompt is blank. Choices after the first (with n > 1) are
// prefixed with "[i] ", i being the choice index. Streamed answers send it
// one word per chunk.
func ChatReply(prompt string) string {
	if strings.TrimSpace(prompt) == "" {
		return "Hello! How can I help you today?"
	}
	return "You said: " + strings.Join(strings.Fields(prompt), " ")
}

// chatRequest is what the handler needs from a checked request.
type chatRequest struct {
	model        string
	prompt       string // last user message
	promptTokens int
	n            int
	maxTokens    int // 0: no bound
	stop         []string
	stream       bool
	includeUsage bool
	sessionID    uuid.UUID
}

// maxChoices bounds n: a fake server's limit, not the API's.
const maxChoices = 128

// parseChat reads a request the contract has checked; it answers the error
// itself and reports whether to go on.
func parseChat(w http.ResponseWriter, r *http.Request) (chatRequest, bool) {
	var in struct {
		Model    string `json:"model"`
		Messages []struct {
			Role    string      `json:"role"`
			Content messageText `json:"content"`
		} `json:"messages"`
		N             *count   `json:"n"`
		MaxTokens     *count   `json:"max_tokens"`
		Stop          []string `json:"stop"`
		Stream        bool     `json:"stream"`
		StreamOptions *struct {
			IncludeUsage bool `json:"include_usage"`
		} `json:"stream_options"`
		SessionID *string `json:"session_id"`
	}
	if !decodeChecked(w, r, &in) {
		return chatRequest{}, false
	}
	req := chatRequest{model: in.Model, n: 1, stop: in.Stop, stream: in.Stream, sessionID: uuid.New()}
	// An absent n is 0 to the server (the schema gives it no null and no
	// default), so 0 asks for the default: one choice.
	if in.N != nil && *in.N > 0 {
		req.n = int(*in.N)
	}
	if req.n > maxChoices {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("n: at most %d in this fake server", maxChoices))
		return req, false
	}
	if in.MaxTokens != nil {
		req.maxTokens = int(*in.MaxTokens)
	}
	if in.StreamOptions != nil {
		req.includeUsage = in.StreamOptions.IncludeUsage
	}
	if in.SessionID != nil {
		req.sessionID = uuid.MustParse(*in.SessionID) // a uuid: the contract checked it
	}
	for _, m := range in.Messages {
		req.promptTokens += len(strings.Fields(string(m.Content)))
		if m.Role == "user" {
			req.prompt = string(m.Content)
		}
	}
	return req, true
}

// messageText is the text of a message's content, which is a string or an
// array of parts: then the text of its text parts, joined by spaces (image
// parts are recorded with the request but carry no text).
type messageText string

func (t *messageText) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, (*string)(t))
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(b, &parts); err != nil {
		return err
	}
	var texts []string
	for _, p := range parts {
		if p.Type == "text" {
			texts = append(texts, p.Text)
		}
	}
	*t = messageText(strings.Join(texts, " "))
	return nil
}

// chatChoice is one choice being answered: its words and how it ends.
type chatChoice struct {
	messageID    string
	words        []string
	finishReason string
	completionID uuid.UUID
}

// answer computes the choices of req: the reply, cut at a stop sequence or
// at max_tokens words.
func (req *chatRequest) answer() []chatChoice {
	out := make([]chatChoice, req.n)
	for i := range out {
		text := ChatReply(req.prompt)
		if i > 0 {
			text = fmt.Sprintf("[%d] %s", i, text)
		}
		finish := "stop"
		for _, s := range req.stop {
			if k := strings.Index(text, s); s != "" && k >= 0 {
				text = text[:k]
			}
		}
		words := strings.Fields(text)
		if req.maxTokens > 0 && len(words) > req.maxTokens {
			words, finish = words[:req.maxTokens], "length"
		}
		for k := 1; k < len(words); k++ {
			words[k] = " " + words[k]
		}
		out[i] = chatChoice{messageID: newID("msg-"), words: words, finishReason: finish, completionID: uuid.New()}
	}
	return out
}

// Wire shapes of the answers, written independently of the SDK's types so
// that the SDK's decoding is checked against them.
type (
	wireUsage struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
		TotalTokens      int `json:"total_tokens"`
	}
	// wireMessage is a ChatChoiceMessage: a choice's message, and the
	// delta of a chunk.
	wireMessage struct {
		ID      string `json:"id"`
		Role    string `json:"role"`
		Content string `json:"content"`
	}
	wireChoice struct {
		Index        int         `json:"index"`
		Message      wireMessage `json:"message"`
		FinishReason string      `json:"finish_reason"`
		CompletionID uuid.UUID   `json:"completion_id"`
		Model        string      `json:"model"`
	}
	wireResponse struct {
		ID        string       `json:"id"`
		Created   float64      `json:"created"`
		Choices   []wireChoice `json:"choices"`
		SessionID uuid.UUID    `json:"session_id"`
		Usage     wireUsage    `json:"usage"`
	}
	// wireChunkChoice is a Delta: its finish_reason is set on the last
	// chunk of a choice only.
	wireChunkChoice struct {
		Index        int         `json:"index"`
		Delta        wireMessage `json:"delta"`
		CompletionID uuid.UUID   `json:"completion_id"`
		FinishReason string      `json:"finish_reason,omitempty"`
	}
	wireChunk struct {
		ID        string            `json:"id"`
		Created   float64           `json:"created"`
		SessionID uuid.UUID         `json:"session_id"`
		Choices   []wireChunkChoice `json:"choices"`
		Usage     *wireUsage        `json:"usage,omitempty"`
	}
)

func (s *Server) handleChat(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	req, ok := parseChat(w, r)
	if !ok {
		return
	}
	choices := scriptedChoices(r, req.answer())
	id := newID("chatcmpl-")
	created := float64(start.UnixMilli()) / 1000
	usage := wireUsage{PromptTokens: req.promptTokens}
	for _, c := range choices {
		usage.CompletionTokens += len(c.words)
	}
	usage.TotalTokens = usage.PromptTokens + usage.CompletionTokens
	if !req.stream {
		resp := wireResponse{ID: id, Created: created, SessionID: req.sessionID, Usage: usage}
		for i, c := range choices {
			resp.Choices = append(resp.Choices, wireChoice{Index: i, Message: wireMessage{c.messageID, "assistant", strings.Join(c.words, "")},
				FinishReason: c.finishReason, CompletionID: c.completionID, Model: req.model})
		}
		writeJSON(w, http.StatusOK, resp)
		return
	}
	s.streamChat(w, r, req, choices, chatStreamHeader{id, created, req.sessionID}, usage, start)
}

type chatStreamHeader struct {
	id        string
	created   float64
	sessionID uuid.UUID
}

// streamChat sends the choices as server-sent events: one word of one
// choice per chunk (choices interleaved), a TTFT metadata event after the
// first chunk, a keep-alive comment, then per choice a last chunk with an
// empty delta and the finish_reason (where the schema puts it) and a
// finish_reason metadata event (as the vendor's server sends it), the usage
// chunk when asked for, TotalRequestDuration, and [DONE]. Each event goes
// out in two writes, flushed, so that clients meet events split across
// reads.
func (s *Server) streamChat(w http.ResponseWriter, r *http.Request, req chatRequest, choices []chatChoice, h chatStreamHeader, usage wireUsage, start time.Time) {
	faults := s.streamFaults(r)
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Request-Id", newRequestID())
	w.WriteHeader(http.StatusOK)
	failed := false
	send := func(event string) {
		if failed {
			return
		}
		half := len(event) / 2
		for _, part := range []string{event[:half], event[half:]} {
			if _, err := w.Write([]byte(part)); err != nil || rc.Flush() != nil {
				failed = true // the client went away
				return
			}
		}
	}
	data := func(v any) {
		b, _ := json.Marshal(v)
		send("data: " + string(b) + "\n\n")
	}

	sent := 0
	// fault reports whether a fault ends the stream now, after sent chunks.
	fault := func() bool {
		switch sent {
		case faults.cutAfter:
			dropConnection(w)
			return true
		case faults.errAfter:
			b, _ := json.Marshal(map[string]string{"error": faults.errMessage})
			send("event: error\ndata: " + string(b) + "\n\n")
			return true
		case faults.stallAfter:
			<-r.Context().Done()
			return true
		}
		return false
	}
	for k := 0; ; k++ {
		progressed := false
		for i, c := range choices {
			if k >= len(c.words) {
				continue
			}
			progressed = true
			if fault() {
				return
			}
			data(wireChunk{ID: h.id, Created: h.created, SessionID: h.sessionID,
				Choices: []wireChunkChoice{{Index: i, Delta: wireMessage{c.messageID, "assistant", c.words[k]}, CompletionID: c.completionID}}})
			sent++
			if sent == 1 {
				data(map[string]float64{"TTFT": float64(time.Since(start).Microseconds()) / 1000})
			}
			if sent == 3 {
				send(": keep-alive\n\n")
			}
		}
		if !progressed || failed {
			break
		}
	}
	if fault() {
		return
	}
	for i, c := range choices {
		data(wireChunk{ID: h.id, Created: h.created, SessionID: h.sessionID, Choices: []wireChunkChoice{{Index: i,
			Delta: wireMessage{c.messageID, "assistant", ""}, CompletionID: c.completionID, FinishReason: c.finishReason}}})
		data(map[string]any{"finish_reason": c.finishReason, "index": i, "completion_id": c.completionID})
	}
	if req.includeUsage {
		data(wireChunk{ID: h.id, Created: h.created, SessionID: h.sessionID, Choices: []wireChunkChoice{}, Usage: &usage})
	}
	data(map[string]float64{"TotalRequestDuration": float64(time.Since(start).Microseconds()) / 1000})
	send("data: [DONE]\n\n")
}

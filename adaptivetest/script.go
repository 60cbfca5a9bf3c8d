package adaptivetest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Reply is a scripted answer: what the server sends, instead of its normal
// answer, to the requests of one route that When selects. Give replies to
// Server.Reply, or write them in a script file (see ParseScript).
//
// A request on a route takes the first of the route's replies, in the
// order they were given, that matches it and is not used up; a request that
// no reply takes gets the normal answer. So replies without When queue up
// (each answers one request, in turn), and a reply with When and Always
// answers every request it matches.
//
// The server checks a request (API key, FailNext faults and latency, the
// contract) before it looks for a reply: a request the contract refuses is
// refused, scripted or not.
//
// What a reply answers keeps the documented shapes, except Raw and
// RawEvents, which are sent as given: a script breaks the contract only
// when it says so with them.
type Reply struct {
	// When selects the requests the reply answers; the zero When selects
	// every request of the route.
	When Match
	// Times is the number of requests the reply answers before it is used
	// up; 0 means one.
	Times int
	// Always makes the reply answer every request it matches: it is never
	// used up, and Times is ignored.
	Always bool
	// Delay is waited before the answer (with any other field, or alone to
	// slow the normal answer down).
	Delay time.Duration

	// Error answers a failure instead: a status with {"error": message}
	// and Retry-After headers, or a dropped connection (its Delay adds to
	// the reply's). Any route.
	Error *Fault

	// Text is the content of a chat answer (every choice), streamed one
	// word per chunk like the normal answer; stop sequences and max_tokens
	// do not cut it. Chat only.
	Text string
	// Chunks are the content chunks of a streamed chat answer, sent
	// exactly as given (a plain answer's content is their concatenation).
	// Chat only; not with Text.
	Chunks []string
	// FinishReason is the finish_reason of every choice (default "stop").
	// Chat only.
	FinishReason string
	// StreamFault makes a streamed chat answer fail part way, as
	// CutStreamAfter, SendStreamError and StallStream do. Chat only.
	StreamFault *StreamFault

	// Embedding is the vector of an embeddings answer, of any length,
	// whatever dimensions the request asked for. Embeddings only.
	Embedding []float32

	// Raw is sent as the whole body, with status 200 and Content-Type
	// application/json, whatever it holds: a way to send an answer the
	// contract does not allow. Any route.
	Raw []byte
	// RawEvents are sent as the data of server-sent events, one event
	// each, and nothing else: no [DONE] unless one of them is "[DONE]". For
	// streamed answers that the contract does not allow. Chat only.
	RawEvents []string
}

// Match selects requests of the chat and embeddings routes by what they
// ask. Every field that is set must match; the zero Match matches every
// request. Other routes take only the zero Match.
type Match struct {
	// Model matches the request's model as sent ("project/model"), or the
	// part after its first "/".
	Model string
	// Text matches the text of the last user message of a chat request
	// (its text parts joined by spaces), or the input of an embeddings
	// request, ignoring white space around it.
	Text string
	// Contains matches when that text contains it.
	Contains string
}

// StreamFault makes a streamed chat answer fail after its first After
// content chunks: the connection is cut (Cut), an "error" event carries
// {"error": Error} and ends the answer, or nothing more is sent until the
// client goes away (Stall). Exactly one of Cut, Error and Stall is set.
type StreamFault struct {
	// After is the number of content chunks sent before the fault.
	After int
	// Cut drops the connection.
	Cut bool
	// Error is the message of an "error" event that ends the answer.
	Error string
	// Stall sends nothing more until the client goes away.
	Stall bool
}

// scriptState holds the scripted replies of a server, by route.
type scriptState struct {
	mu      sync.Mutex
	replies map[string][]*queuedReply
}

type queuedReply struct {
	Reply
	left int // uses left, unless Always
}

// WithScript gives a new server the replies of sc, as Reply would. It
// panics on a reply that Reply refuses (ParseScript never returns one).
func WithScript(sc *Script) Option {
	return func(s *Server) {
		for _, r := range sc.Replies {
			s.Reply(r.Route, r.Reply)
		}
	}
}

// Reply adds scripted replies to route (a Route constant, or its short
// name as LookupRoute takes it), after those it has. It panics, as a
// mistake in the test, on an unknown route or a reply that does not fit
// it: chat fields on another route, Embedding off the embeddings route,
// When on a route other than chat and embeddings, Text with Chunks, more
// than one kind of answer (Error, Raw, RawEvents, Text or Chunks,
// Embedding), a negative Times or Delay, or a StreamFault that does not
// set exactly one of its actions.
func (s *Server) Reply(route string, replies ...Reply) {
	pattern, err := LookupRoute(route)
	if err != nil {
		panic("adaptivetest: Reply: " + err.Error())
	}
	for i, r := range replies {
		if err := r.check(pattern); err != nil {
			panic(fmt.Sprintf("adaptivetest: Reply: reply %d on %s: %v", i, route, err))
		}
	}
	st := &s.script
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.replies == nil {
		st.replies = map[string][]*queuedReply{}
	}
	for _, r := range replies {
		st.replies[pattern] = append(st.replies[pattern], &queuedReply{Reply: r, left: max(r.Times, 1)})
	}
}

// ClearReplies removes every scripted reply.
func (s *Server) ClearReplies() {
	s.script.mu.Lock()
	s.script.replies = nil
	s.script.mu.Unlock()
}

// check reports what makes r unfit for route.
func (r *Reply) check(route string) error {
	chat, embeddings := route == RouteChat, route == RouteEmbeddings
	answers := 0
	for _, set := range []bool{r.Error != nil, r.Raw != nil, r.RawEvents != nil, r.Text != "" || r.Chunks != nil, r.Embedding != nil} {
		if set {
			answers++
		}
	}
	switch {
	case r.Times < 0:
		return fmt.Errorf("negative Times %d", r.Times)
	case r.Delay < 0:
		return fmt.Errorf("negative Delay %v", r.Delay)
	case answers > 1:
		return errors.New("more than one of Error, Raw, RawEvents, Text or Chunks, and Embedding")
	case r.Text != "" && r.Chunks != nil:
		return errors.New("both Text and Chunks: give one")
	case !chat && (r.Text != "" || r.Chunks != nil || r.FinishReason != "" || r.StreamFault != nil || r.RawEvents != nil):
		return errors.New("Text, Chunks, FinishReason, StreamFault and RawEvents are for the chat route")
	case !embeddings && r.Embedding != nil:
		return errors.New("Embedding is for the embeddings route")
	case !chat && !embeddings && r.When != (Match{}):
		return errors.New("When selects chat and embeddings requests only")
	case r.Error != nil && r.Error.Status == 0 && !r.Error.Drop:
		return errors.New("Error sets neither Status nor Drop")
	case r.Error != nil && r.Error.Status != 0 && (r.Error.Status < 100 || r.Error.Status > 999):
		return fmt.Errorf("Error.Status %d is not an HTTP status", r.Error.Status)
	}
	if f := r.StreamFault; f != nil {
		actions := 0
		for _, set := range []bool{f.Cut, f.Error != "", f.Stall} {
			if set {
				actions++
			}
		}
		if actions != 1 || f.After < 0 {
			return errors.New("StreamFault must set exactly one of Cut, Error and Stall, with After 0 or more")
		}
	}
	return nil
}

// takeReply returns the reply that answers a request on route with the
// given (checked) body, consuming one use of it, or nil.
func (s *Server) takeReply(route string, body []byte) *Reply {
	st := &s.script
	st.mu.Lock()
	defer st.mu.Unlock()
	q := st.replies[route]
	if len(q) == 0 {
		return nil
	}
	var asked *requestText
	for i, r := range q {
		if r.When != (Match{}) {
			if asked == nil {
				asked = textOf(route, body)
			}
			if !r.When.matches(asked) {
				continue
			}
		}
		if !r.Always {
			r.left--
			if r.left == 0 {
				st.replies[route] = append(q[:i:i], q[i+1:]...)
			}
		}
		rep := r.Reply
		return &rep
	}
	return nil
}

func (m *Match) matches(t *requestText) bool {
	if m.Model != "" {
		_, short, _ := strings.Cut(t.model, "/")
		if m.Model != t.model && m.Model != short {
			return false
		}
	}
	if m.Text != "" && strings.TrimSpace(m.Text) != strings.TrimSpace(t.text) {
		return false
	}
	return m.Contains == "" || strings.Contains(t.text, m.Contains)
}

type replyKey struct{}

// answerScripted answers a request that a scripted reply takes, when the
// reply says everything (a delay interrupted, an error, a raw answer), and
// reports whether it did. Otherwise it returns the request carrying the
// reply, for the route's handler (scriptedReply), or r itself when no reply
// takes it.
func (s *Server) answerScripted(w http.ResponseWriter, r *http.Request, body []byte) (*http.Request, bool) {
	rep := s.takeReply(r.Pattern, body)
	if rep == nil {
		return r, false
	}
	delay := rep.Delay
	if rep.Error != nil {
		delay += rep.Error.Delay
	}
	if delay > 0 && !s.sleep(r, delay) {
		dropConnection(w)
		return r, true
	}
	switch {
	case rep.Error != nil:
		return r, rep.Error.apply(w, r)
	case rep.Raw != nil:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", newRequestID())
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(rep.Raw)
		return r, true
	case rep.RawEvents != nil:
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("X-Request-Id", newRequestID())
		w.WriteHeader(http.StatusOK)
		for _, e := range rep.RawEvents {
			_, _ = w.Write([]byte("data: " + e + "\n\n"))
		}
		return r, true
	}
	return r.WithContext(context.WithValue(r.Context(), replyKey{}, rep)), false
}

// scriptedReply returns the reply a request carries, or nil.
func scriptedReply(r *http.Request) *Reply {
	rep, _ := r.Context().Value(replyKey{}).(*Reply)
	return rep
}

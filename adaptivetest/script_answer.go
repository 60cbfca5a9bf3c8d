package adaptivetest

import (
	"encoding/json"
	"net/http"
	"strings"
)

// requestText is what a Match looks at in a request.
type requestText struct {
	model string
	text  string // the last user message of a chat request, an embeddings input
}

// textOf reads the model and the text of a checked chat or embeddings
// body; other routes have none.
func textOf(route string, body []byte) *requestText {
	var in struct {
		Model    string `json:"model"`
		Input    string `json:"input"`
		Messages []struct {
			Role    string      `json:"role"`
			Content messageText `json:"content"`
		} `json:"messages"`
	}
	t := &requestText{}
	if json.Unmarshal(body, &in) != nil {
		return t // the contract has checked the body: only a bug lands here
	}
	t.model = in.Model
	switch route {
	case RouteEmbeddings:
		t.text = in.Input
	case RouteChat:
		for _, m := range in.Messages {
			if m.Role == "user" {
				t.text = string(m.Content)
			}
		}
	}
	return t
}

// scriptedChoices returns the choices of a chat answer: those of the
// request's scripted reply, when it has text, chunks or a finish reason,
// or else the normal ones.
func scriptedChoices(r *http.Request, choices []chatChoice) []chatChoice {
	rep := scriptedReply(r)
	if rep == nil {
		return choices
	}
	words := rep.Chunks
	if rep.Text != "" {
		words = strings.Fields(rep.Text)
		for k := 1; k < len(words); k++ {
			words[k] = " " + words[k]
		}
	}
	for i := range choices {
		if rep.Text != "" || rep.Chunks != nil {
			choices[i].words = words
			choices[i].finishReason = "stop"
		}
		if rep.FinishReason != "" {
			choices[i].finishReason = rep.FinishReason
		}
	}
	return choices
}

// streamFaults returns the faults of a streamed answer: those set with
// CutStreamAfter, SendStreamError and StallStream (used up here), or the
// request's scripted StreamFault, which wins.
func (s *Server) streamFaults(r *http.Request) chatFaults {
	f := s.takeChatFaults()
	if rep := scriptedReply(r); rep != nil && rep.StreamFault != nil {
		sf := rep.StreamFault
		f = chatFaults{cutAfter: -1, errAfter: -1, stallAfter: -1}
		switch {
		case sf.Cut:
			f.cutAfter = sf.After
		case sf.Error != "":
			f.errAfter, f.errMessage = sf.After, sf.Error
		case sf.Stall:
			f.stallAfter = sf.After
		}
	}
	return f
}

// scriptedEmbedding returns the request's scripted embedding, or vec.
func scriptedEmbedding(r *http.Request, vec []float32) []float32 {
	if rep := scriptedReply(r); rep != nil && rep.Embedding != nil {
		return rep.Embedding
	}
	return vec
}

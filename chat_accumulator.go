package adaptive

import (
	"maps"
	"slices"
	"strings"

	"github.com/google/uuid"
)

// ChatAccumulator folds the chunks of a streamed chat completion into the
// ChatResponse a plain call would have answered: per choice index, the
// message id, the role, the content (joined in time linear in the
// stream's length), the completion id and the finish reason; and the id, creation
// time, session and usage of the answer. The zero value is ready to use.
// It is not safe for concurrent use.
type ChatAccumulator struct {
	resp    ChatResponse
	choices map[int]*accChoice // by choice index; pointers, as a strings.Builder must not be copied
}

type accChoice struct {
	messageID    string
	role         string
	content      strings.Builder
	completionID string
	finishReason string
}

// Add folds one chunk into the response.
func (a *ChatAccumulator) Add(c ChatChunk) {
	if a.resp.ID == "" {
		a.resp.ID = c.ID
	}
	if a.resp.Created == 0 {
		a.resp.Created = c.Created
	}
	if a.resp.SessionID == uuid.Nil {
		a.resp.SessionID = c.SessionID
	}
	if c.Usage != nil {
		a.resp.Usage = *c.Usage
	}
	for i := range c.Choices {
		d := &c.Choices[i]
		ch := a.choices[d.Index]
		if ch == nil {
			if a.choices == nil {
				a.choices = map[int]*accChoice{}
			}
			ch = new(accChoice)
			a.choices[d.Index] = ch
		}
		if ch.messageID == "" {
			ch.messageID = d.Delta.ID
		}
		if d.Delta.Role != "" {
			ch.role = d.Delta.Role
		}
		ch.content.WriteString(d.Delta.Content)
		if d.CompletionID != "" {
			ch.completionID = d.CompletionID
		}
		if d.FinishReason != "" {
			ch.finishReason = d.FinishReason
		}
	}
}

// Response returns the response accumulated so far. Choices are ordered by
// index; an index no chunk mentioned is left out. A choice whose role no
// chunk gave has role RoleAssistant. Model is left empty: stream chunks do
// not carry it.
func (a *ChatAccumulator) Response() ChatResponse {
	r := a.resp
	r.Choices = make([]ChatChoice, 0, len(a.choices))
	for _, i := range slices.Sorted(maps.Keys(a.choices)) {
		ch := a.choices[i]
		role := ch.role
		if role == "" {
			role = RoleAssistant
		}
		r.Choices = append(r.Choices, ChatChoice{
			Index:        i,
			Message:      ChatChoiceMessage{ID: ch.messageID, Role: role, Content: ch.content.String()},
			FinishReason: ch.finishReason,
			CompletionID: ch.completionID,
		})
	}
	return r
}

package adaptive

import (
	"bytes"
	"unicode/utf8"

	"github.com/google/uuid"
)

// The chat answers' fast path: scanChunk and scanResponse decode an
// answer written in the plain form the server writes: one object holding
// each key of the contract's schema at most once and spelled exactly, every
// required key, no other key, strings without escapes, and null only where
// the contract allows it (finish_reason). They report false, leaving dst
// alone, for anything else, which the general decoder (encoding/json over
// the wire forms of chat_response.go) then decodes and judges. So the fast
// path decides nothing that the general decoder would decide otherwise:
// where it accepts, both give the same value (FuzzChunkScan and
// FuzzResponseScan hold it to that). It costs about a tenth of
// encoding/json, and allocates only the answer's strings and choices.

// scanChunk is the fast path of a stream chunk (without usage, which only
// the last chunk carries). Strings repeated from the chunk before (ids,
// role, finish reason) are shared with it.
func (d *chatDecoder) scanChunk(data []byte, dst *ChatChunk) bool {
	s := chunkScanner{b: data}
	var out ChatChunk
	choices := d.scratch[:0]
	var seen uint8
	const (
		hasID = 1 << iota
		hasCreated
		hasSession
		hasChoices
		hasAll = hasID | hasCreated | hasSession | hasChoices
	)
	ok := s.object(func(key []byte) bool {
		switch string(key) {
		case "id":
			v, ok := s.str()
			out.ID = seenStr(&d.last.id, v)
			return ok && first(&seen, hasID)
		case "created":
			f, ok := s.number()
			out.Created = Timestamp(f)
			return ok && first(&seen, hasCreated)
		case "session_id":
			id, ok := s.uuid()
			out.SessionID = id
			return ok && first(&seen, hasSession)
		case "choices":
			if !first(&seen, hasChoices) {
				return false
			}
			return s.array(func() bool {
				var c ChatChunkChoice
				ok := d.scanChunkChoice(&s, &c)
				choices = append(choices, c)
				return ok
			})
		}
		return false
	})
	d.scratch = choices[:0]
	if !ok || !s.end() || seen != hasAll {
		return false
	}
	out.Choices = make([]ChatChunkChoice, len(choices))
	copy(out.Choices, choices)
	*dst = out
	return true
}

// scanChunkChoice reads one choice of a chunk for scanChunk.
func (d *chatDecoder) scanChunkChoice(s *chunkScanner, c *ChatChunkChoice) bool {
	var seen uint8
	const (
		hasIndex = 1 << iota
		hasDelta
		hasCompletion
		hasFinish
		hasAll = hasIndex | hasDelta | hasCompletion
	)
	ok := s.object(func(key []byte) bool {
		switch string(key) {
		case "index":
			n, ok := s.int32()
			c.Index = n
			return ok && first(&seen, hasIndex)
		case "delta":
			return first(&seen, hasDelta) && s.message(&c.Delta, &d.last)
		case "completion_id":
			v, ok := s.str()
			c.CompletionID = seenStr(&d.last.completionID, v)
			return ok && first(&seen, hasCompletion)
		case "finish_reason":
			v, ok := s.strOrNull()
			c.FinishReason = seenStr(&d.last.finishReason, v)
			return ok && first(&seen, hasFinish)
		}
		return false
	})
	return ok && seen&hasAll == hasAll
}

// scanResponse is the fast path of a whole chat answer.
func scanResponse(data []byte, dst *ChatResponse) bool {
	s := chunkScanner{b: data}
	var last lastStrings
	var out ChatResponse
	var seen uint8
	const (
		hasID = 1 << iota
		hasCreated
		hasSession
		hasChoices
		hasUsage
		hasAll = hasID | hasCreated | hasSession | hasChoices | hasUsage
	)
	ok := s.object(func(key []byte) bool {
		switch string(key) {
		case "id":
			v, ok := s.str()
			out.ID = string(v)
			return ok && first(&seen, hasID)
		case "created":
			f, ok := s.number()
			out.Created = Timestamp(f)
			return ok && first(&seen, hasCreated)
		case "session_id":
			id, ok := s.uuid()
			out.SessionID = id
			return ok && first(&seen, hasSession)
		case "usage":
			return first(&seen, hasUsage) && s.usage(&out.Usage)
		case "choices":
			if !first(&seen, hasChoices) {
				return false
			}
			out.Choices = []ChatChoice{}
			return s.array(func() bool {
				var c ChatChoice
				ok := s.responseChoice(&c, &last)
				out.Choices = append(out.Choices, c)
				return ok
			})
		}
		return false
	})
	if !ok || !s.end() || seen != hasAll {
		return false
	}
	*dst = out
	return true
}

// responseChoice reads one choice of a whole answer for scanResponse.
func (s *chunkScanner) responseChoice(c *ChatChoice, last *lastStrings) bool {
	var seen uint8
	const (
		hasIndex = 1 << iota
		hasMessage
		hasCompletion
		hasModel
		hasFinish
		hasAll = hasIndex | hasMessage | hasCompletion | hasModel
	)
	ok := s.object(func(key []byte) bool {
		switch string(key) {
		case "index":
			n, ok := s.int32()
			c.Index = n
			return ok && first(&seen, hasIndex)
		case "message":
			return first(&seen, hasMessage) && s.message(&c.Message, last)
		case "completion_id":
			v, ok := s.str()
			c.CompletionID = seenStr(&last.completionID, v)
			return ok && first(&seen, hasCompletion)
		case "model":
			v, ok := s.str()
			c.Model = seenStr(&last.model, v)
			return ok && first(&seen, hasModel)
		case "finish_reason":
			v, ok := s.strOrNull()
			c.FinishReason = seenStr(&last.finishReason, v)
			return ok && first(&seen, hasFinish)
		}
		return false
	})
	return ok && seen&hasAll == hasAll
}

// message reads a generated message (a choice's message or a chunk's
// delta), all three keys required.
func (s *chunkScanner) message(m *ChatChoiceMessage, last *lastStrings) bool {
	var seen uint8
	const (
		hasID = 1 << iota
		hasRole
		hasContent
		hasAll = hasID | hasRole | hasContent
	)
	ok := s.object(func(key []byte) bool {
		switch string(key) {
		case "id":
			v, ok := s.str()
			m.ID = seenStr(&last.messageID, v)
			return ok && first(&seen, hasID)
		case "role":
			v, ok := s.str()
			m.Role = seenStr(&last.role, v)
			return ok && first(&seen, hasRole)
		case "content":
			v, ok := s.str()
			m.Content = string(v)
			return ok && first(&seen, hasContent)
		}
		return false
	})
	return ok && seen == hasAll
}

// usage reads the token counts, all three required.
func (s *chunkScanner) usage(u *Usage) bool {
	var seen uint8
	const (
		hasPrompt = 1 << iota
		hasCompletion
		hasTotal
		hasAll = hasPrompt | hasCompletion | hasTotal
	)
	ok := s.object(func(key []byte) bool {
		var bit uint8
		var dst *int
		switch string(key) {
		case "prompt_tokens":
			bit, dst = hasPrompt, &u.PromptTokens
		case "completion_tokens":
			bit, dst = hasCompletion, &u.CompletionTokens
		case "total_tokens":
			bit, dst = hasTotal, &u.TotalTokens
		default:
			return false
		}
		n, ok := s.int32()
		*dst = n
		return ok && first(&seen, bit)
	})
	return ok && seen == hasAll
}

// first records bit in seen and reports whether it was not there yet: a
// key given twice is left to the general decoder.
func first(seen *uint8, bit uint8) bool {
	if *seen&bit != 0 {
		return false
	}
	*seen |= bit
	return true
}

// seenStr returns b as a string, the one in *last when it holds the same
// bytes (an id repeated by every chunk), else a new one kept in *last.
func seenStr(last *string, b []byte) string {
	if *last == string(b) {
		return *last
	}
	*last = string(b)
	return *last
}

// chunkScanner reads the JSON of one answer for the fast path. Each
// method skips white space, then reads one item and reports whether it
// was there and in the plain form the fast path accepts.
type chunkScanner struct {
	b []byte
	i int
}

func (s *chunkScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// lit reads the byte c.
func (s *chunkScanner) lit(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// end reports whether only white space is left.
func (s *chunkScanner) end() bool {
	s.ws()
	return s.i == len(s.b)
}

// object reads an object, calling member for each key with the scanner
// at its value, which member must read.
func (s *chunkScanner) object(member func(key []byte) bool) bool {
	if !s.lit('{') {
		return false
	}
	if s.lit('}') {
		return true
	}
	for {
		k, ok := s.str()
		if !ok || !s.lit(':') || !member(k) {
			return false
		}
		if s.lit(',') {
			continue
		}
		return s.lit('}')
	}
}

// array reads an array, calling elem with the scanner at each element,
// which elem must read.
func (s *chunkScanner) array(elem func() bool) bool {
	if !s.lit('[') {
		return false
	}
	if s.lit(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if s.lit(',') {
			continue
		}
		return s.lit(']')
	}
}

// strOrNull reads a string, or null as no bytes.
func (s *chunkScanner) strOrNull() ([]byte, bool) {
	s.ws()
	if bytes.HasPrefix(s.b[s.i:], nullLiteral) {
		s.i += len(nullLiteral)
		return nil, true
	}
	return s.str()
}

var nullLiteral = []byte("null")

// number reads a number as wireNumber decodes it.
func (s *chunkScanner) number() (float64, bool) {
	v, ok := s.num()
	if !ok {
		return 0, false
	}
	f, ok, err := jsonNumber(v)
	return f, ok && err == nil
}

// int32 reads an integer of the int32 format as wireInt decodes it.
func (s *chunkScanner) int32() (int, bool) {
	v, ok := s.num()
	if !ok {
		return 0, false
	}
	n, err := int32Number(v)
	return n, err == nil
}

// uuid reads a string in the uuid format as wireUUID decodes it.
func (s *chunkScanner) uuid() (uuid.UUID, bool) {
	v, ok := s.str()
	if !ok {
		return uuid.UUID{}, false
	}
	id, err := uuid.ParseBytes(v)
	return id, err == nil
}

// str reads a string without escapes and returns its bytes. Control
// characters are not JSON; invalid UTF-8, which encoding/json replaces,
// is left to it.
func (s *chunkScanner) str() ([]byte, bool) {
	if !s.lit('"') {
		return nil, false
	}
	start, ascii := s.i, true
	for ; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '"':
			v := s.b[start:s.i]
			s.i++
			return v, ascii || utf8.Valid(v)
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// num reads a number as JSON writes it (RFC 8259: an optional minus, an
// integer part without leading zeros, then an optional fraction and
// exponent) and returns its text.
func (s *chunkScanner) num() ([]byte, bool) {
	s.ws()
	start := s.i
	s.skip('-')
	if s.skip('0') {
		// no more digits after a leading zero
	} else if s.digits() == 0 {
		return nil, false
	}
	if s.skip('.') && s.digits() == 0 {
		return nil, false
	}
	if s.skip('e') || s.skip('E') {
		if !s.skip('+') {
			s.skip('-')
		}
		if s.digits() == 0 {
			return nil, false
		}
	}
	return s.b[start:s.i], true
}

// skip reads the byte c, with no white space before it.
func (s *chunkScanner) skip(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// digits reads decimal digits and returns how many.
func (s *chunkScanner) digits() int {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i - start
}

package adaptive

import (
	"unicode/utf8"

	"github.com/google/uuid"
)

// scanChunk decodes data into dst when it is a stream chunk in the plain
// form the server writes: one object holding each of the chunk's required
// keys once (id, created, session_id, choices; in each choice index, delta
// with id, role and content, completion_id, and optionally finish_reason),
// spelled exactly, with no other key, strings without escapes, and no
// null. It reports false, leaving dst alone, for anything else, which the
// general decoder (encoding/json over the wire forms) then decodes and
// judges. So the fast path decides nothing the general decoder would
// decide otherwise: where it accepts, both give the same chunk
// (FuzzChunkScan holds it to that). It costs about a tenth of
// encoding/json on a chunk, and makes only the allocations of the chunk's
// new strings: strings repeated from the previous chunk (ids, role) are
// shared with it.
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
			if !ok || !first(&seen, hasID) {
				return false
			}
			out.ID = d.seenStr(&d.last.id, v)
			return true
		case "created":
			v, ok := s.num()
			if !ok || !first(&seen, hasCreated) {
				return false
			}
			f, ok, err := jsonNumber(v)
			out.Created = Timestamp(f)
			return ok && err == nil
		case "session_id":
			v, ok := s.str()
			if !ok || !first(&seen, hasSession) {
				return false
			}
			id, err := uuid.ParseBytes(v)
			out.SessionID = id
			return err == nil
		case "choices":
			if !first(&seen, hasChoices) || !s.lit('[') {
				return false
			}
			if s.lit(']') {
				return true
			}
			for {
				var c ChatChunkChoice
				if !d.scanChoice(&s, &c) {
					return false
				}
				choices = append(choices, c)
				if s.lit(',') {
					continue
				}
				return s.lit(']')
			}
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

// scanChoice decodes one choice of a chunk for scanChunk.
func (d *chatDecoder) scanChoice(s *chunkScanner, c *ChatChunkChoice) bool {
	var seen uint8
	const (
		hasIndex = 1 << iota
		hasDelta
		hasCompletion
		hasFinish
		hasID
		hasRole
		hasContent
		hasChoice   = hasIndex | hasDelta | hasCompletion
		hasDeltaAll = hasID | hasRole | hasContent
	)
	ok := s.object(func(key []byte) bool {
		switch string(key) {
		case "index":
			v, ok := s.num()
			if !ok || !first(&seen, hasIndex) {
				return false
			}
			n, err := int32Number(v)
			c.Index = n
			return err == nil
		case "completion_id":
			v, ok := s.str()
			if !ok || !first(&seen, hasCompletion) {
				return false
			}
			c.CompletionID = d.seenStr(&d.last.completionID, v)
			return true
		case "finish_reason":
			if !first(&seen, hasFinish) {
				return false
			}
			v, ok := s.str()
			c.FinishReason = d.seenStr(&d.last.finishReason, v)
			return ok
		case "delta":
			if !first(&seen, hasDelta) {
				return false
			}
			return s.object(func(key []byte) bool {
				switch string(key) {
				case "id":
					v, ok := s.str()
					c.Delta.ID = d.seenStr(&d.last.messageID, v)
					return ok && first(&seen, hasID)
				case "role":
					v, ok := s.str()
					c.Delta.Role = d.seenStr(&d.last.role, v)
					return ok && first(&seen, hasRole)
				case "content":
					v, ok := s.str()
					c.Delta.Content = string(v)
					return ok && first(&seen, hasContent)
				}
				return false
			})
		}
		return false
	})
	return ok && seen&^hasFinish == hasChoice|hasDeltaAll
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
func (d *chatDecoder) seenStr(last *string, b []byte) string {
	if *last == string(b) {
		return *last
	}
	*last = string(b)
	return *last
}

// chunkScanner reads the JSON of one event for scanChunk. Each method
// skips white space, then reads one item and reports whether it was
// there and in the plain form scanChunk accepts.
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

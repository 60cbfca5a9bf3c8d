package adaptive

import (
	"bytes"
	"encoding/json"
)

// chatDecoder decodes the events of a chat stream and follows which
// choices have finished. A chunk in the server's plain form takes the fast
// path of chat_scan.go; any other event is decoded once, into a reused wire
// form that also tells which required fields were there (see wireString),
// then checked and copied into the chunk. An event is a chunk when it has
// a "choices" array, as the contract requires of every chunk. The rare events without one are
// told apart afterwards: error payloads by a byte search for the "error"
// key, metadata events by their keys (TTFT, TotalRequestDuration,
// finish_reason), with a second small decode.
type chatDecoder struct {
	wire     chunkWire
	scratch  []ChatChunkChoice // the choices of the chunk being scanned
	last     lastStrings
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

// lastStrings are the strings of the chunk scanned last, which the next
// chunk shares when it repeats them (see scanChunk).
type lastStrings struct{ id, messageID, role, completionID, finishReason, model string }

// chatMeta holds the keys of a metadata or error event that matter here.
type chatMeta struct {
	FinishReason string          `json:"finish_reason"`
	Index        *int            `json:"index"`
	Error        json.RawMessage `json:"error"`
}

var (
	errorKey        = []byte(`"error"`)
	finishReasonKey = []byte(`"finish_reason"`)
	// metadataKeys are the keys of the server's metadata events, spelled
	// exactly: encoding/json matches keys without regard to case, so the
	// decision is made on the bytes.
	metadataKeys = [][]byte{[]byte(`"TTFT"`), []byte(`"TotalRequestDuration"`), finishReasonKey}
)

func (d *chatDecoder) decode(data []byte, dst *ChatChunk) (eventKind, error) {
	if d.scanChunk(data, dst) {
		return d.value(dst, true), nil
	}
	return d.decodeGeneral(data, dst)
}

// decodeGeneral decodes any event with encoding/json: the chunks that
// scanChunk leaves to it, metadata and error payloads.
func (d *chatDecoder) decodeGeneral(data []byte, dst *ChatChunk) (eventKind, error) {
	// The wire form's choices start nil every time, so that nil means no
	// choices array (absent or null): reusing their backing array would
	// make an absent key look like [].
	w := &d.wire
	*w = chunkWire{}
	err := json.Unmarshal(data, w)
	if bytes.Contains(data, errorKey) && isErrorPayload(data) {
		return eventError, nil
	}
	if err != nil {
		return 0, err
	}
	if w.Choices == nil {
		return d.other(data)
	}
	if err := w.value(dst); err != nil {
		return 0, err
	}
	return d.value(dst, exactFinishKey(data)), nil
}

// value follows the chunk just decoded into dst; exactKey says whether its
// finish_reason keys (if any) are spelled exactly.
func (d *chatDecoder) value(dst *ChatChunk, exactKey bool) eventKind {
	if d.acc != nil {
		d.acc.Add(*dst)
	}
	for i := range dst.Choices {
		d.see(dst.Choices[i].Index, dst.Choices[i].FinishReason != "" && exactKey)
	}
	return eventValue
}

// other classifies an event without a choices array. One with a metadata
// key is a metadata event: {"finish_reason", "index"} finishes one choice,
// a finish_reason without index the whole answer. One with a chunk's keys
// (id, created, session_id, usage) is a chunk that lacks its required
// choices: an error. Anything else is kept as metadata of a kind the SDK
// does not know.
func (d *chatDecoder) other(data []byte) (eventKind, error) {
	for _, k := range metadataKeys {
		if !bytes.Contains(data, k) {
			continue
		}
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
	if w := &d.wire; w.ID.ok || w.Created.ok || w.SessionID.ok || w.Usage != nil {
		return 0, missingField("choices")
	}
	return eventMeta, nil
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

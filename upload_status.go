package adaptive

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// UploadStatus is the server's account of an upload session. The shape of
// the status answer is not published, so the fields are read from the names
// a server is likely to use (session_id, state or status, total_parts_count,
// received_parts or uploaded_parts as part numbers or objects carrying
// part_number, received_parts_count...), also inside a "session", "upload"
// or "data" object; unknown fields are ignored and kept in Raw.
type UploadStatus struct {
	// SessionID is the session's id, when the answer repeats it.
	SessionID string
	// State is the session's state as the server names it ("pending",
	// "complete"...), or "".
	State string
	// TotalParts is the declared number of parts, or 0 when not reported.
	TotalParts int
	// ReceivedParts lists the part numbers the server holds, ascending; it
	// is nil when the answer lists none (an empty, non-nil slice means the
	// server listed no part).
	ReceivedParts []int
	// ReceivedCount is the number of parts the server holds, or -1 when the
	// answer reports neither a count nor a list.
	ReceivedCount int
	// Raw is the answer as received.
	Raw json.RawMessage
}

// Field names recognised in a status answer, in order of preference.
var (
	statusIDKeys    = []string{"session_id", "sessionId", "upload_id", "uploadId", "id"}
	statusStateKeys = []string{"state", "status"}
	statusTotalKeys = []string{"total_parts_count", "totalPartsCount", "total_parts", "totalParts", "parts_count", "expected_parts"}
	statusListKeys  = []string{"received_parts", "receivedParts", "uploaded_parts", "uploadedParts", "completed_parts", "completedParts", "parts_received", "parts"}
	statusCountKeys = []string{"received_parts_count", "receivedPartsCount", "uploaded_parts_count", "uploadedPartsCount", "completed_parts_count", "parts_received_count", "received_count", "uploaded_count"}
	statusNestKeys  = []string{"session", "upload", "data"}
	partNumberKeys  = []string{"part_number", "partNumber", "number", "part", "index"}
)

// UnmarshalJSON decodes a status answer of any of the recognised shapes. It
// fails only when data is not a JSON object.
func (st *UploadStatus) UnmarshalJSON(data []byte) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return err
	}
	*st = UploadStatus{ReceivedCount: -1, Raw: append(json.RawMessage(nil), data...)}
	fields := top
	for _, k := range statusNestKeys {
		var inner map[string]json.RawMessage
		if json.Unmarshal(top[k], &inner) == nil && inner != nil {
			fields = make(map[string]json.RawMessage, len(top)+len(inner))
			for k, v := range inner {
				fields[k] = v
			}
			for k, v := range top { // the top level wins
				fields[k] = v
			}
			break
		}
	}
	if v, ok := firstString(fields, statusIDKeys); ok {
		st.SessionID = v
	}
	if v, ok := firstString(fields, statusStateKeys); ok {
		st.State = v
	}
	if n, ok := firstInt(fields, statusTotalKeys); ok {
		st.TotalParts = n
	}
	for _, k := range statusListKeys {
		raw, ok := fields[k]
		if !ok {
			continue
		}
		if list, ok := partNumbers(raw); ok {
			st.ReceivedParts = list
			st.ReceivedCount = len(list)
			break
		}
		if n, ok := jsonInt(raw); ok { // a count under a list's name
			st.ReceivedCount = n
			break
		}
	}
	if n, ok := firstInt(fields, statusCountKeys); ok && st.ReceivedParts == nil {
		st.ReceivedCount = n
	}
	return nil
}

// missing returns the part numbers from 1 to total that ReceivedParts does
// not list, or nil, false when the answer lists no parts.
func (st *UploadStatus) missing(total int) ([]int, bool) {
	if st.ReceivedParts == nil {
		return nil, false
	}
	have := make(map[int]bool, len(st.ReceivedParts))
	for _, n := range st.ReceivedParts {
		have[n] = true
	}
	var out []int
	for n := 1; n <= total; n++ {
		if !have[n] {
			out = append(out, n)
		}
	}
	return out, true
}

// dead reports whether State says the session can no longer complete.
func (st *UploadStatus) dead() bool {
	switch strings.ToLower(st.State) {
	case "aborted", "failed", "expired", "cancelled", "canceled", "error":
		return true
	}
	return false
}

func firstString(m map[string]json.RawMessage, keys []string) (string, bool) {
	for _, k := range keys {
		var s string
		if raw, ok := m[k]; ok && json.Unmarshal(raw, &s) == nil {
			return s, true
		}
	}
	return "", false
}

func firstInt(m map[string]json.RawMessage, keys []string) (int, bool) {
	for _, k := range keys {
		if raw, ok := m[k]; ok {
			if n, ok := jsonInt(raw); ok {
				return n, true
			}
		}
	}
	return 0, false
}

// jsonInt reads a whole number given as a JSON number or a string.
func jsonInt(raw json.RawMessage) (int, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return 0, false
		}
		raw = []byte(s)
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		f, ferr := strconv.ParseFloat(string(raw), 64)
		if ferr != nil || f != float64(int(f)) {
			return 0, false
		}
		n = int(f)
	}
	return n, true
}

// partNumbers reads a list of part numbers given as numbers or as objects
// carrying the number, sorted and without duplicates.
func partNumbers(raw json.RawMessage) ([]int, bool) {
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil || items == nil {
		return nil, false
	}
	seen := make(map[int]bool, len(items))
	out := make([]int, 0, len(items))
	for _, it := range items {
		n, ok := jsonInt(it)
		if !ok {
			var obj map[string]json.RawMessage
			if json.Unmarshal(it, &obj) != nil {
				return nil, false
			}
			if n, ok = firstInt(obj, partNumberKeys); !ok {
				return nil, false
			}
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sortInts(out)
	return out, true
}

func sortInts(a []int) {
	// Insertion sort: lists are short and usually sorted already.
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

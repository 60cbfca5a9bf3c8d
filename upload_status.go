package adaptive

import "encoding/json"

// UploadStatus is the server's account of an upload session, the answer of
// POST /api/v1/upload/status. Both fields are required by the API: an
// answer that lacks one fails the call. Unknown fields are ignored.
type UploadStatus struct {
	// CompletedParts lists the numbers of the parts the server holds, as
	// it sent them.
	CompletedParts []int `json:"completed_parts"`
	// TotalPartsCount is the number of parts declared when the session
	// was opened.
	TotalPartsCount int `json:"total_parts_count"`
}

// UnmarshalJSON decodes {"completed_parts": [...], "total_parts_count": n},
// tolerating unknown fields. A missing field, or null, is an error.
func (st *UploadStatus) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nullAnswer("the upload status answer")
	}
	var w struct {
		CompletedParts  []wireInt `json:"completed_parts"`
		TotalPartsCount wireInt   `json:"total_parts_count"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	switch {
	case w.CompletedParts == nil:
		return missingField("completed_parts")
	case !w.TotalPartsCount.ok:
		return missingField("total_parts_count")
	}
	parts := make([]int, len(w.CompletedParts))
	for i, n := range w.CompletedParts {
		if !n.ok {
			return missingField("completed_parts[]: a part number is null")
		}
		parts[i] = n.v
	}
	*st = UploadStatus{CompletedParts: parts, TotalPartsCount: w.TotalPartsCount.v}
	return nil
}

// missing returns the part numbers from 1 to total that CompletedParts
// does not list, in order.
func (st *UploadStatus) missing(total int) []int {
	have := make(map[int]bool, len(st.CompletedParts))
	for _, n := range st.CompletedParts {
		have[n] = true
	}
	var out []int
	for n := 1; n <= total; n++ {
		if !have[n] {
			out = append(out, n)
		}
	}
	return out
}

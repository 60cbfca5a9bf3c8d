package benchmarks

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

// leanUploadServer is a minimal upload server for telling the SDK's own
// cost apart from adaptivetest's: it answers the four upload routes with
// the same shapes as adaptivetest but discards part bytes without hashing
// them, as the post baseline's handler does. On two cores, adaptivetest's
// SHA-256 of every part competes with the client for CPU. Each part
// request waits latency before its body is read, as adaptivetest's
// SetLatency does.
func leanUploadServer(tb testing.TB, latency time.Duration) *httptest.Server {
	var (
		mu       sync.Mutex
		sessions = map[string]map[int]bool{}
		totals   = map[string]int{}
	)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/upload/init", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			TotalParts int `json:"total_parts_count"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		id := uuid.NewString()
		mu.Lock()
		sessions[id], totals[id] = map[int]bool{}, in.TotalParts
		mu.Unlock()
		writeJSON(w, map[string]any{"session_id": id})
	})
	mux.HandleFunc("POST /api/v1/upload/part", func(w http.ResponseWriter, r *http.Request) {
		if latency > 0 {
			select {
			case <-time.After(latency):
			case <-r.Context().Done():
				return
			}
		}
		id := r.URL.Query().Get("session_id")
		n, err := strconv.Atoi(r.URL.Query().Get("part_number"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		size, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			return
		}
		mu.Lock()
		parts, ok := sessions[id]
		if ok {
			parts[n] = true
		}
		mu.Unlock()
		if !ok {
			http.Error(w, `{"error":"upload session not found"}`, http.StatusNotFound)
			return
		}
		writeJSON(w, map[string]any{"session_id": id, "part_number": n, "size": size})
	})
	mux.HandleFunc("POST /api/v1/upload/status", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			SessionID string `json:"session_id"`
		}
		_ = json.NewDecoder(r.Body).Decode(&in)
		mu.Lock()
		received := make([]int, 0, len(sessions[in.SessionID]))
		for n := range sessions[in.SessionID] {
			received = append(received, n)
		}
		total := totals[in.SessionID]
		mu.Unlock()
		slices.Sort(received)
		writeJSON(w, map[string]any{"completed_parts": received, "total_parts_count": total})
	})
	mux.HandleFunc("DELETE /api/v1/upload/abort", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"aborted": true})
	})
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return srv
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

package adaptivetest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
)

// DefaultEmbeddingDimensions is the length of the embeddings the server
// answers when the request does not ask for a number of dimensions.
const DefaultEmbeddingDimensions = 16

// maxEmbeddingDimensions bounds the dimensions a request may ask for.
const maxEmbeddingDimensions = 4096

// inferenceRoutes registers embeddings, comparison, outcome and
// interactions. They keep no state: what they received is in Requests.
func (s *Server) inferenceRoutes(routes map[string]http.HandlerFunc) {
	routes[RouteEmbeddings] = handleEmbeddings
	routes[RouteComparison] = handleComparison
	routes[RouteOutcome] = handleOutcome
	routes[RouteInteractions] = handleInteractions
}

// EmbeddingOf returns the embedding the server answers for input: a unit
// vector of the given number of dimensions derived from a hash of input, so
// that tests can predict it. dimensions <= 0 means
// DefaultEmbeddingDimensions.
func EmbeddingOf(input string, dimensions int) []float32 {
	if dimensions <= 0 {
		dimensions = DefaultEmbeddingDimensions
	}
	sum := sha256.Sum256([]byte(input))
	rng := rand.New(rand.NewPCG(binary.LittleEndian.Uint64(sum[:8]), binary.LittleEndian.Uint64(sum[8:16])))
	v := make([]float64, dimensions)
	var norm float64
	for i := range v {
		v[i] = rng.Float64()*2 - 1
		norm += v[i] * v[i]
	}
	norm = math.Sqrt(norm)
	out := make([]float32, dimensions)
	for i := range v {
		out[i] = float32(v[i] / norm)
	}
	return out
}

func handleEmbeddings(w http.ResponseWriter, r *http.Request) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	input, err := body.str("input", true)
	if err == nil {
		_, err = body.str("model", true)
	}
	var format string
	if err == nil {
		format, err = body.str("encoding_format", false)
	}
	if err == nil && format != "" && format != "Float" && format != "Base64" {
		err = fmt.Errorf("encoding_format: unknown variant `%s`, expected `Float` or `Base64`", format)
	}
	var dims int
	if err == nil {
		dims, err = body.count("dimensions")
	}
	if err == nil {
		err = body.uuids("user", "session_id")
	}
	if err != nil {
		unprocessable(w, err)
		return
	}
	if dims > maxEmbeddingDimensions {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("dimensions must be at most %d", maxEmbeddingDimensions))
		return
	}
	if _, set := body["dimensions"]; set && dims == 0 {
		writeError(w, http.StatusBadRequest, "dimensions must be at least 1")
		return
	}
	vec := EmbeddingOf(input, dims)
	var data any = vec
	if format == "Base64" {
		raw := make([]byte, 4*len(vec))
		for i, f := range vec {
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(f))
		}
		data = base64.StdEncoding.EncodeToString(raw)
	}
	tokens := len(strings.Fields(input))
	writeJSON(w, http.StatusOK, map[string]any{
		"data":  []map[string]any{{"index": 0, "embedding": data}},
		"usage": map[string]int{"prompt_tokens": tokens, "completion_tokens": 0, "total_tokens": tokens},
	})
}

func handleComparison(w http.ResponseWriter, r *http.Request) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	_, err := body.str("metric", true)
	var preferredText, otherText bool
	if err == nil {
		preferredText, err = body.completion("preferred_completion")
	}
	if err == nil {
		otherText, err = body.completion("other_completion")
	}
	var messages int
	if err == nil {
		messages, err = body.messages("messages", false)
	}
	var tied string
	if err == nil {
		tied, err = body.str("tied", false)
	}
	if err == nil && tied != "" && tied != "good" && tied != "bad" {
		err = fmt.Errorf("tied: unknown variant `%s`, expected `good` or `bad`", tied)
	}
	if err == nil {
		_, err = body.str("project", true)
	}
	if err == nil {
		err = body.uuids("user_id")
	}
	if err != nil {
		unprocessable(w, err)
		return
	}
	if (preferredText || otherText) && messages == 0 {
		writeError(w, http.StatusBadRequest, "messages are required when using raw text for completion")
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"comparison_id": uuid.New()})
}

func handleOutcome(w http.ResponseWriter, r *http.Request) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	err := body.metricValue("value")
	if err == nil {
		_, err = body.str("project_id", true)
	}
	if err == nil {
		_, err = body.str("metric", true)
	}
	if err == nil {
		err = body.requiredUUID("session_id")
	}
	if err == nil {
		err = body.uuids("user_id")
	}
	if err != nil {
		unprocessable(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"outcome_id": uuid.New()})
}

func handleInteractions(w http.ResponseWriter, r *http.Request) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	_, err := body.str("project", true)
	if err == nil {
		_, err = body.messages("messages", true)
	}
	if err == nil {
		_, err = body.str("completion", true)
	}
	var feedbacks int
	if err == nil {
		feedbacks, err = body.feedbacks("feedbacks")
	}
	if err == nil {
		err = body.uuids("user", "session_id")
	}
	if err == nil {
		err = body.datetime("created_at")
	}
	for _, name := range []string{"model_service", "ab_campaign"} {
		if err == nil {
			_, err = body.str(name, false)
		}
	}
	if err == nil {
		err = body.labels("labels")
	}
	if err != nil {
		unprocessable(w, err)
		return
	}
	session := uuid.New()
	if raw, ok := body["session_id"]; ok && string(raw) != "null" {
		_ = json.Unmarshal(raw, &session)
	}
	ids := make([]uuid.UUID, feedbacks)
	for i := range ids {
		ids[i] = uuid.New()
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"completion_id": uuid.New(),
		"session_id":    session,
		"feedback_ids":  ids,
	})
}

// readObject decodes the request body as a JSON object the way the real
// server's extractor does: a wrong content type is 415, malformed JSON 400.
// It answers the error itself and reports whether to go on.
func readObject(w http.ResponseWriter, r *http.Request) (object, bool) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "Expected request with `Content-Type: application/json`")
		return nil, false
	}
	// The middleware has already read the body, bounded, into memory.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Failed to buffer the request body")
		return nil, false
	}
	if !json.Valid(body) {
		writeError(w, http.StatusBadRequest, "Failed to parse the request body as JSON")
		return nil, false
	}
	var obj object
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		unprocessable(w, fmt.Errorf("invalid type: expected a JSON object"))
		return nil, false
	}
	return obj, true
}

// unprocessable answers 422 for a body that is JSON but not of the
// expected shape, in the words of the real server's extractor.
func unprocessable(w http.ResponseWriter, err error) {
	writeError(w, http.StatusUnprocessableEntity, "Failed to deserialize the JSON body into the target type: "+err.Error())
}

// object is a decoded JSON object whose fields are checked one by one.
// Absent fields and null are the same for optional fields.
type object map[string]json.RawMessage

// field returns the raw value of name, or nil when it is absent or null.
func (o object) field(name string) json.RawMessage {
	raw, ok := o[name]
	if !ok || string(raw) == "null" {
		return nil
	}
	return raw
}

func missing(name string) error { return fmt.Errorf("missing field `%s`", name) }

func wrongType(name, want string, raw json.RawMessage) error {
	return fmt.Errorf("%s: invalid type: %s, expected %s", name, describe(raw), want)
}

// describe names the JSON type of raw, for error messages.
func describe(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "null"
	}
	switch raw[0] {
	case '"':
		return "string " + string(raw)
	case '{':
		return "map"
	case '[':
		return "sequence"
	case 't', 'f':
		return "boolean `" + string(raw) + "`"
	case 'n':
		return "null"
	}
	return "number " + string(raw)
}

// str returns the string field name; a required field must be present and
// not empty.
func (o object) str(name string, required bool) (string, error) {
	raw := o.field(name)
	if raw == nil {
		if required {
			return "", missing(name)
		}
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", wrongType(name, "a string", raw)
	}
	if required && s == "" {
		return "", fmt.Errorf("%s: must not be empty", name)
	}
	return s, nil
}

// count returns the optional non-negative 32-bit integer field name (0
// when absent).
func (o object) count(name string) (int, error) {
	raw := o.field(name)
	if raw == nil {
		return 0, nil
	}
	var n int32
	if err := json.Unmarshal(raw, &n); err != nil || n < 0 {
		return 0, wrongType(name, "a non-negative 32-bit integer", raw)
	}
	return int(n), nil
}

// uuids checks that the optional fields names, when present, are uuids.
func (o object) uuids(names ...string) error {
	for _, name := range names {
		if raw := o.field(name); raw != nil {
			if err := checkUUID(name, raw); err != nil {
				return err
			}
		}
	}
	return nil
}

func (o object) requiredUUID(name string) error {
	raw := o.field(name)
	if raw == nil {
		return missing(name)
	}
	return checkUUID(name, raw)
}

func checkUUID(name string, raw json.RawMessage) error {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return wrongType(name, "a UUID string", raw)
	}
	if _, err := uuid.Parse(s); err != nil {
		return fmt.Errorf("%s: UUID parsing failed: %v", name, err)
	}
	return nil
}

// metricValue checks the required field name is a bool or a number (0 and
// 1 included), as metric values are.
func (o object) metricValue(name string) error {
	raw := o.field(name)
	if raw == nil {
		return missing(name)
	}
	switch raw[0] {
	case 't', 'f':
		return nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		var f float64
		if err := json.Unmarshal(raw, &f); err != nil {
			return wrongType(name, "a boolean or a number", raw)
		}
		return nil
	}
	return wrongType(name, "a boolean or a number", raw)
}

// completion checks the required field name is a completion id or
// {text, model}, and reports whether it is raw text.
func (o object) completion(name string) (isText bool, err error) {
	raw := o.field(name)
	if raw == nil {
		return false, missing(name)
	}
	switch raw[0] {
	case '"':
		return false, checkUUID(name, raw)
	case '{':
		var t object
		if err := json.Unmarshal(raw, &t); err != nil {
			return false, wrongType(name, "a completion", raw)
		}
		if _, err := t.str("text", false); err != nil {
			return true, fmt.Errorf("%s.%v", name, err)
		}
		if _, ok := t["text"]; !ok {
			return true, fmt.Errorf("%s: %v", name, missing("text"))
		}
		if _, err := t.str("model", true); err != nil {
			return true, fmt.Errorf("%s.%v", name, err)
		}
		return true, nil
	}
	return false, fmt.Errorf("%s: data did not match any variant of untagged enum CompletionIdOrText", name)
}

// messages checks the field name is an array of chat messages and returns
// how many there are; a required array must not be empty.
func (o object) messages(name string, required bool) (int, error) {
	raw := o.field(name)
	if raw == nil {
		if required {
			return 0, missing(name)
		}
		return 0, nil
	}
	var msgs []object
	if err := json.Unmarshal(raw, &msgs); err != nil {
		return 0, wrongType(name, "a sequence of chat messages", raw)
	}
	if required && len(msgs) == 0 {
		return 0, fmt.Errorf("%s: must not be empty", name)
	}
	for i, m := range msgs {
		if m == nil {
			return 0, fmt.Errorf("%s[%d]: invalid type: null, expected a chat message", name, i)
		}
		if _, err := m.str("role", true); err != nil {
			return 0, fmt.Errorf("%s[%d].%v", name, i, err)
		}
		if _, err := m.str("content", false); err != nil {
			return 0, fmt.Errorf("%s[%d].%v", name, i, err)
		}
		if _, ok := m["content"]; !ok {
			return 0, fmt.Errorf("%s[%d]: %v", name, i, missing("content"))
		}
		if _, err := m.str("name", false); err != nil {
			return 0, fmt.Errorf("%s[%d].%v", name, i, err)
		}
		if err := m.uuids("completion_id"); err != nil {
			return 0, fmt.Errorf("%s[%d].%v", name, i, err)
		}
	}
	return len(msgs), nil
}

// feedbacks checks the optional array of interaction feedbacks and returns
// its length.
func (o object) feedbacks(name string) (int, error) {
	raw := o.field(name)
	if raw == nil {
		return 0, nil
	}
	var fs []object
	if err := json.Unmarshal(raw, &fs); err != nil {
		return 0, wrongType(name, "a sequence of feedbacks", raw)
	}
	for i, f := range fs {
		if f == nil {
			return 0, fmt.Errorf("%s[%d]: invalid type: null, expected a feedback", name, i)
		}
		_, err := f.str("metric", true)
		if err == nil {
			err = f.metricValue("value")
		}
		for _, opt := range []string{"reason", "details"} {
			if err == nil {
				_, err = f.str(opt, false)
			}
		}
		if err == nil {
			err = f.datetime("created_at")
		}
		if err != nil {
			return 0, fmt.Errorf("%s[%d].%v", name, i, err)
		}
	}
	return len(fs), nil
}

// datetime checks the optional field name is an RFC 3339 date.
func (o object) datetime(name string) error {
	raw := o.field(name)
	if raw == nil {
		return nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return wrongType(name, "an RFC 3339 date string", raw)
	}
	if _, err := time.Parse(time.RFC3339, s); err != nil {
		return fmt.Errorf("%s: input is not a valid RFC 3339 date: %q", name, s)
	}
	return nil
}

// labels checks the optional field name is an object of strings.
func (o object) labels(name string) error {
	raw := o.field(name)
	if raw == nil {
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		return wrongType(name, "a map of strings", raw)
	}
	return nil
}

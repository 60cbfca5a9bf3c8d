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
	"net/http"
	"strconv"
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
	var in struct {
		Input          string  `json:"input"`
		EncodingFormat *string `json:"encoding_format"`
		Dimensions     *count  `json:"dimensions"`
	}
	if !decodeChecked(w, r, &in) {
		return
	}
	var dims int
	if in.Dimensions != nil {
		dims = int(*in.Dimensions)
	}
	if dims > maxEmbeddingDimensions {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("dimensions: at most %d in this fake server", maxEmbeddingDimensions))
		return
	}
	vec := scriptedEmbedding(r, EmbeddingOf(in.Input, dims))
	var data any = vec
	if in.EncodingFormat != nil && *in.EncodingFormat == "Base64" {
		raw := make([]byte, 4*len(vec))
		for i, f := range vec {
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(f))
		}
		data = base64.StdEncoding.EncodeToString(raw)
	}
	tokens := len(strings.Fields(in.Input))
	writeJSON(w, http.StatusOK, map[string]any{
		"data":  []map[string]any{{"index": 0, "embedding": data}},
		"usage": map[string]int{"prompt_tokens": tokens, "completion_tokens": 0, "total_tokens": tokens},
	})
}

func handleComparison(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Messages            []json.RawMessage `json:"messages"`
		PreferredCompletion json.RawMessage   `json:"preferred_completion"`
		OtherCompletion     json.RawMessage   `json:"other_completion"`
	}
	if !decodeChecked(w, r, &in) {
		return
	}
	// The document: messages are "required when using raw text for
	// completion, ignored if using ids".
	isText := func(c json.RawMessage) bool { return c[0] == '{' }
	if (isText(in.PreferredCompletion) || isText(in.OtherCompletion)) && len(in.Messages) == 0 {
		writeError(w, http.StatusBadRequest, "messages are required when using raw text for completion")
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"comparison_id": uuid.New()})
}

func handleOutcome(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Value json.RawMessage `json:"value"`
	}
	if !decodeChecked(w, r, &in) {
		return
	}
	if err := checkMetricValue("value", in.Value); err != nil {
		unprocessable(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"outcome_id": uuid.New()})
}

func handleInteractions(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Feedbacks []struct {
			Value     json.RawMessage `json:"value"`
			CreatedAt *string         `json:"created_at"`
		} `json:"feedbacks"`
		SessionID *string `json:"session_id"`
		CreatedAt *string `json:"created_at"`
	}
	if !decodeChecked(w, r, &in) {
		return
	}
	err := checkDateTime("created_at", in.CreatedAt)
	for i, f := range in.Feedbacks {
		if err == nil {
			err = checkMetricValue(fmt.Sprintf("feedbacks[%d].value", i), f.Value)
		}
		if err == nil {
			err = checkDateTime(fmt.Sprintf("feedbacks[%d].created_at", i), f.CreatedAt)
		}
	}
	if err != nil {
		unprocessable(w, err)
		return
	}
	session := uuid.New()
	if in.SessionID != nil {
		session = uuid.MustParse(*in.SessionID) // a uuid: the contract checked it
	}
	ids := make([]uuid.UUID, len(in.Feedbacks))
	for i := range ids {
		ids[i] = uuid.New()
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"completion_id": uuid.New(),
		"session_id":    session,
		"feedback_ids":  ids,
	})
}

// decodeChecked decodes the body of r, which the contract has already
// checked, into v. It answers the error itself and reports whether to go
// on: a failure here means the fake's types disagree with the document,
// a bug of the fake, answered 500.
func decodeChecked(w http.ResponseWriter, r *http.Request, v any) bool {
	// The middleware has already read the body, bounded, into memory.
	body, err := io.ReadAll(r.Body)
	if err == nil {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "adaptivetest: decoding a request the contract allows: "+err.Error())
		return false
	}
	return true
}

// count is an integer of a checked body, which JSON may write as 2 or as
// 2.0 (both are integers to JSON Schema).
type count int

func (n *count) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	*n = count(f)
	return nil
}

// unprocessable answers 422 for a body that is JSON but not of the
// expected shape, in the words of the real server's extractor.
func unprocessable(w http.ResponseWriter, err error) {
	writeError(w, http.StatusUnprocessableEntity, "Failed to deserialize the JSON body into the target type: "+err.Error())
}

// checkMetricValue checks a metric value beyond what the schema says (it
// gives the field no type): its description accepts true, false, 0 and 1
// for a Bool metric and a number for a Scalar one, so anything but a
// boolean or a number is refused.
func checkMetricValue(path string, raw json.RawMessage) error {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	switch v.(type) {
	case bool, float64:
		return nil
	}
	return fmt.Errorf("%s: invalid type: %s, expected a boolean or a number", path, describeValue(v))
}

// checkDateTime checks an InputDateTime beyond what the schema says (a
// string): the document calls it a date and gives an RFC 3339 example, so
// a string that is not an RFC 3339 date is refused.
func checkDateTime(path string, s *string) error {
	if s == nil {
		return nil
	}
	if _, err := time.Parse(time.RFC3339, *s); err != nil {
		return fmt.Errorf("%s: input is not a valid RFC 3339 date: %q", path, *s)
	}
	return nil
}

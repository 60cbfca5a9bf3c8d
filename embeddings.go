package adaptive

import (
	"github.com/adaptive-go/adaptive/internal/transport"

	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/google/uuid"
)

// EmbeddingsService creates embeddings of text with a project's embedding
// models.
type EmbeddingsService struct{ service }

// EncodingFormat is how the server encodes the embeddings of its answer.
// Either way, the SDK hands them to the caller as []float32.
type EncodingFormat string

// The documented values of EmbeddingsRequest.EncodingFormat.
const (
	// EncodingFloat asks for JSON arrays of numbers (the server's default).
	EncodingFloat EncodingFormat = "Float"
	// EncodingBase64 asks for base64 strings of little-endian float32s:
	// about a third of the size of EncodingFloat on the wire, and exact.
	EncodingBase64 EncodingFormat = "Base64"
)

// EmbeddingsRequest asks for the embedding of one text.
type EmbeddingsRequest struct {
	// Input is the text to embed. The API takes any string; an empty one
	// has an embedding too, which is seldom useful.
	Input string `json:"input"`
	// Project and Model choose the model; the wire "model" is
	// "Project/Model", or "Project" alone (the project's default embedding
	// model) when Model is empty. Project falls back to the client's
	// default; a Model that already holds a "/" is sent as is.
	Project string `json:"-"`
	Model   string `json:"-"`
	// EncodingFormat optionally chooses the wire encoding of the answer
	// (EncodingFloat or EncodingBase64). It does not change what the caller
	// gets.
	EncodingFormat EncodingFormat `json:"encoding_format,omitempty"`
	// Dimensions optionally asks for shorter embeddings, for models that
	// support it: adaptive.Ptr(256). The API takes 0 or more; 0 asks for
	// an embedding with no dimension.
	Dimensions *int `json:"dimensions,omitempty"`
	// User optionally names the user the embedding is made for.
	User *uuid.UUID `json:"user,omitempty"`
	// SessionID optionally groups the request into a session.
	SessionID *uuid.UUID `json:"session_id,omitempty"`
}

// embeddingsWire is the request as sent: the built model, then the fields
// of the request (whose Project and Model are not sent as such).
type embeddingsWire struct {
	Model string `json:"model"`
	*EmbeddingsRequest
}

// EmbeddingsResponse is the answer to an embeddings request.
type EmbeddingsResponse struct {
	// Data holds the embeddings, in the order of their Index.
	Data []Embedding `json:"data"`
	// Usage counts the tokens of the request, when the server reports it.
	Usage *Usage `json:"usage,omitempty"`
}

// Embedding is one embedding of an answer.
type Embedding struct {
	// Index is the position of the input this embedding is of.
	Index int `json:"index"`
	// Embedding is the vector, decoded from the wire's numbers or base64.
	Embedding []float32 `json:"embedding"`
}

// UnmarshalJSON decodes an embeddings answer, tolerating unknown fields.
// An answer without data (or null) is an error.
func (r *EmbeddingsResponse) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nullAnswer("the embeddings answer")
	}
	var w struct {
		Data  []Embedding `json:"data"`
		Usage *Usage      `json:"usage"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	if w.Data == nil {
		return missingField("data")
	}
	*r = EmbeddingsResponse{Data: w.Data, Usage: w.Usage}
	return nil
}

// UnmarshalJSON decodes an embedding whose vector is either a JSON array of
// numbers or a base64 string of little-endian float32s. Malformed base64 is
// an error, never a vector of zeros; a missing index or vector is an error.
func (e *Embedding) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nullAnswer("an embedding")
	}
	var w struct {
		Index     wireInt    `json:"index"`
		Embedding vectorJSON `json:"embedding"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	switch {
	case !w.Index.ok:
		return missingField("data[].index")
	case w.Embedding == nil:
		return missingField("data[].embedding")
	}
	e.Index, e.Embedding = w.Index.v, w.Embedding
	return nil
}

// vectorJSON is the wire's EmbeddingsData: an array of numbers or a base64
// string.
type vectorJSON []float32

func (v *vectorJSON) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '"' {
		return json.Unmarshal(b, (*[]float32)(v))
	}
	var s []byte
	if bytes.IndexByte(b, '\\') < 0 && len(b) >= 2 {
		// The usual case: base64 needs no JSON escapes, so the bytes
		// between the quotes are the payload.
		s = b[1 : len(b)-1]
	} else {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		s = []byte(str)
	}
	f, err := decodeBase64Floats(s)
	if err != nil {
		return err
	}
	*v = f
	return nil
}

// decodeBase64Floats decodes standard base64 (padded) of little-endian
// float32s. It decodes in chunks through a stack buffer, so that the
// vector is the only allocation.
func decodeBase64Floats(s []byte) ([]float32, error) {
	const chunk = 1024 // base64 characters: 768 bytes, a whole number of float32s
	var buf [chunk / 4 * 3]byte
	out := make([]float32, 0, base64.StdEncoding.DecodedLen(len(s))/4)
	for off := 0; off < len(s); off += chunk {
		end := min(off+chunk, len(s))
		n, err := base64.StdEncoding.Decode(buf[:], s[off:end])
		if err != nil {
			var corrupt base64.CorruptInputError
			if errors.As(err, &corrupt) {
				err = base64.CorruptInputError(int64(corrupt) + int64(off))
			}
			return nil, fmt.Errorf("adaptive: malformed base64 embedding: %w", err)
		}
		if n%4 != 0 {
			return nil, fmt.Errorf("adaptive: malformed base64 embedding: %d bytes is not a whole number of float32s", len(out)*4+n)
		}
		for i := 0; i < n; i += 4 {
			out = append(out, math.Float32frombits(binary.LittleEndian.Uint32(buf[i:])))
		}
	}
	return out, nil
}

// Create returns the embedding of req.Input. It calls
// POST /api/v1/embeddings.
//
// Whatever req.EncodingFormat, each embedding is returned as []float32;
// an answer whose base64 cannot be decoded, or that lacks a field the API
// requires, is an error. Bad input (negative dimensions, an unknown
// encoding format, no project) is a *ValidationError, returned before
// anything is sent. A non-2xx answer is an *APIError.
func (s *EmbeddingsService) Create(ctx context.Context, req EmbeddingsRequest, opts ...Option) (*EmbeddingsResponse, error) {
	cfg, err := s.client.callConfig(opts)
	if err != nil {
		return nil, err
	}
	if req.Dimensions != nil && (*req.Dimensions < 0 || *req.Dimensions > math.MaxInt32) {
		return nil, invalid("EmbeddingsRequest.Dimensions", "%d is not between 0 and %d", *req.Dimensions, math.MaxInt32)
	}
	switch req.EncodingFormat {
	case "", EncodingFloat, EncodingBase64:
	default:
		return nil, invalid("EmbeddingsRequest.EncodingFormat", "%q is not a documented value: use adaptive.EncodingFloat or adaptive.EncodingBase64, or leave it empty", req.EncodingFormat)
	}
	model, err := cfg.wireModel("EmbeddingsRequest", req.Project, req.Model)
	if err != nil {
		return nil, err
	}
	out := new(EmbeddingsResponse)
	// Embeddings create nothing on the server, so a request that may have
	// reached it is safe to send again.
	start := CallStart{Call: "Embeddings.Create", Request: &req, Model: model}
	if err := s.client.postJSON(ctx, cfg, start, "/api/v1/embeddings", transport.RetryAny, embeddingsWire{Model: model, EmbeddingsRequest: &req}, out); err != nil {
		return nil, err
	}
	return out, nil
}

package adaptive_test

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

const infEmbeddingsAnswer = `{"data":[{"index":0,"embedding":[0.5,-1.25,3]}],"usage":{"prompt_tokens":2,"completion_tokens":0,"total_tokens":2},"unknown":1}`

func infBase64Floats(fs ...float32) string {
	raw := make([]byte, 4*len(fs))
	for i, f := range fs {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(f))
	}
	return base64.StdEncoding.EncodeToString(raw)
}

func TestEmbeddingsWireMinimal(t *testing.T) {
	rec := newInfRecorder(t, 200, infEmbeddingsAnswer)
	res, err := rec.client(t, "proj").Embeddings.Create(context.Background(), adaptive.EmbeddingsRequest{Input: "hello world"})
	require.NoError(t, err)

	path, ct, body := rec.last(t)
	assert.Equal(t, "POST /api/v1/embeddings", path)
	assert.Equal(t, "application/json", ct)
	assert.JSONEq(t, `{"model":"proj","input":"hello world"}`, body)

	require.Len(t, res.Data, 1)
	assert.Equal(t, 0, res.Data[0].Index)
	assert.Equal(t, []float32{0.5, -1.25, 3}, res.Data[0].Embedding)
	require.NotNil(t, res.Usage)
	assert.Equal(t, 2, res.Usage.TotalTokens)
}

func TestEmbeddingsWireAllFields(t *testing.T) {
	rec := newInfRecorder(t, 200, infEmbeddingsAnswer)
	user := uuid.MustParse("11111111-1111-4111-8111-111111111111")
	session := uuid.MustParse("22222222-2222-4222-8222-222222222222")
	_, err := rec.client(t, "proj").Embeddings.Create(context.Background(), adaptive.EmbeddingsRequest{
		Input:          "hi",
		Project:        "other",
		Model:          "embedder",
		EncodingFormat: adaptive.EncodingBase64,
		Dimensions:     adaptive.Ptr(0), // a meaningful zero is sent
		User:           &user,
		SessionID:      &session,
	})
	require.NoError(t, err)
	_, _, body := rec.last(t)
	assert.JSONEq(t, `{"model":"other/embedder","input":"hi","encoding_format":"Base64","dimensions":0,
		"user":"11111111-1111-4111-8111-111111111111","session_id":"22222222-2222-4222-8222-222222222222"}`, body)
}

func TestEmbeddingsModelWithSlashNeedsNoProject(t *testing.T) {
	rec := newInfRecorder(t, 200, infEmbeddingsAnswer)
	_, err := rec.client(t, "").Embeddings.Create(context.Background(), adaptive.EmbeddingsRequest{Input: "x", Model: "p/m"})
	require.NoError(t, err)
	_, _, body := rec.last(t)
	assert.JSONEq(t, `{"model":"p/m","input":"x"}`, body)
}

func TestEmbeddingsDecodesBase64(t *testing.T) {
	want := []float32{0.1, -2.5, float32(math.Pi), 0, math.MaxFloat32}
	for name, quoted := range map[string]string{
		"plain":   `"` + infBase64Floats(want...) + `"`,
		"escaped": `"` + infEscapeSlashes(infBase64Floats(want...)) + `"`,
	} {
		t.Run(name, func(t *testing.T) {
			answer := `{"data":[{"index":0,"embedding":` + quoted + `},{"index":1,"embedding":""}]}`
			rec := newInfRecorder(t, 200, answer)
			res, err := rec.client(t, "proj").Embeddings.Create(context.Background(), adaptive.EmbeddingsRequest{Input: "x", EncodingFormat: adaptive.EncodingBase64})
			require.NoError(t, err)
			require.Len(t, res.Data, 2)
			assert.Equal(t, want, res.Data[0].Embedding)
			assert.Empty(t, res.Data[1].Embedding)
			assert.Equal(t, 1, res.Data[1].Index)
			assert.Nil(t, res.Usage)
		})
	}
}

// infEscapeSlashes writes "/" as the JSON escape "\/", which servers may do.
func infEscapeSlashes(s string) string {
	out := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(out)
}

func TestEmbeddingsDecodesLongBase64(t *testing.T) {
	want := adaptivetest.EmbeddingOf("long", 3072) // many decoding chunks
	rec := newInfRecorder(t, 200, `{"data":[{"index":0,"embedding":"`+infBase64Floats(want...)+`"}]}`)
	res, err := rec.client(t, "proj").Embeddings.Create(context.Background(), adaptive.EmbeddingsRequest{Input: "x"})
	require.NoError(t, err)
	assert.Equal(t, want, res.Data[0].Embedding)
}

func TestEmbeddingsMalformedBase64IsAnError(t *testing.T) {
	for name, payload := range map[string]string{
		"bad characters":        `"AAAA*AAA"`,
		"bad character late":    `"` + infBase64Floats(make([]float32, 1000)...)[:3000] + "*" + infBase64Floats(make([]float32, 1000)...)[3001:] + `"`,
		"padding in the middle": `"` + base64.StdEncoding.EncodeToString(make([]byte, 767)) + base64.StdEncoding.EncodeToString([]byte{1}) + `"`,
		"missing padding":       `"AAAAAA"`,
		"not whole float32s":    `"` + base64.StdEncoding.EncodeToString([]byte{1, 2, 3, 4, 5, 6}) + `"`,
		"not a vector at all":   `{"x":1}`,
		"numbers that are not":  `["a"]`,
	} {
		t.Run(name, func(t *testing.T) {
			rec := newInfRecorder(t, 200, `{"data":[{"index":0,"embedding":`+payload+`}]}`)
			res, err := rec.client(t, "proj").Embeddings.Create(context.Background(), adaptive.EmbeddingsRequest{Input: "x"})
			require.Error(t, err)
			assert.Nil(t, res)
			assert.Contains(t, err.Error(), "decoding the answer")
		})
	}
}

func TestEmbeddingsBadInput(t *testing.T) {
	rec := newInfRecorder(t, 200, infEmbeddingsAnswer)
	ctx := context.Background()

	_, err := rec.client(t, "proj").Embeddings.Create(ctx, adaptive.EmbeddingsRequest{Input: "x", Dimensions: adaptive.Ptr(-1)})
	requireInfValidation(t, err, "EmbeddingsRequest.Dimensions")

	_, err = rec.client(t, "proj").Embeddings.Create(ctx, adaptive.EmbeddingsRequest{Input: "x", EncodingFormat: "base64"})
	requireInfValidation(t, err, "EmbeddingsRequest.EncodingFormat")

	_, err = rec.client(t, "").Embeddings.Create(ctx, adaptive.EmbeddingsRequest{Input: "x", Model: "m"})
	requireInfValidation(t, err, "EmbeddingsRequest.Project")

	assert.Zero(t, rec.count(), "bad input must not be sent")
}

func TestEmbeddingsSendWhatTheSchemaAllows(t *testing.T) {
	rec := newInfRecorder(t, 200, infEmbeddingsAnswer)
	_, err := rec.client(t, "proj").Embeddings.Create(context.Background(), adaptive.EmbeddingsRequest{Dimensions: adaptive.Ptr(0)})
	require.NoError(t, err, "an empty input and 0 dimensions are schema-valid")
	_, _, body := rec.last(t)
	assert.JSONEq(t, `{"model":"proj","input":"","dimensions":0}`, body)
}

func TestEmbeddingsAnswerChecks(t *testing.T) {
	for _, tc := range []struct{ answer, want string }{
		{`{}`, "required field data"},
		{`null`, "null"},
		{`{"data":null}`, "required field data"},
		{`{"data":[{"embedding":[1]}]}`, "index"},
		{`{"data":[{"index":0}]}`, "embedding"},
		{`{"data":[{"index":0,"embedding":null}]}`, "embedding"},
		{`{"data":[{"index":0,"embedding":[1]}],"usage":{"prompt_tokens":1}}`, "usage.completion_tokens"},
	} {
		rec := newInfRecorder(t, 200, tc.answer)
		res, err := rec.client(t, "proj").Embeddings.Create(context.Background(), adaptive.EmbeddingsRequest{Input: "x"})
		assert.Nil(t, res, tc.answer)
		require.Error(t, err, tc.answer)
		assert.Contains(t, err.Error(), tc.want, tc.answer)
	}
	rec := newInfRecorder(t, 200, `{"data":[],"usage":null,"x":1}`)
	res, err := rec.client(t, "proj").Embeddings.Create(context.Background(), adaptive.EmbeddingsRequest{Input: "x"})
	require.NoError(t, err, "an empty list and a null usage are schema-valid")
	assert.Equal(t, &adaptive.EmbeddingsResponse{Data: []adaptive.Embedding{}}, res)
}

func TestEmbeddingsAPIError(t *testing.T) {
	rec := newInfRecorder(t, 404, `{"error":"EntityNotFound: model m"}`)
	_, err := rec.client(t, "proj").Embeddings.Create(context.Background(), adaptive.EmbeddingsRequest{Input: "x", Model: "m"})
	require.ErrorIs(t, err, adaptive.ErrNotFound)
	var apiErr *adaptive.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "EntityNotFound: model m", apiErr.Message)
}

func TestEmbeddingsEndToEnd(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	res, err := c.Embeddings.Create(ctx, adaptive.EmbeddingsRequest{Input: "the quick brown fox"})
	require.NoError(t, err)
	require.Len(t, res.Data, 1)
	assert.Equal(t, adaptivetest.EmbeddingOf("the quick brown fox", 0), res.Data[0].Embedding)
	assert.Len(t, res.Data[0].Embedding, adaptivetest.DefaultEmbeddingDimensions)
	require.NotNil(t, res.Usage)
	assert.Equal(t, 4, res.Usage.PromptTokens)

	res64, err := c.Embeddings.Create(ctx, adaptive.EmbeddingsRequest{Input: "the quick brown fox", Model: "embedder", EncodingFormat: adaptive.EncodingBase64, Dimensions: adaptive.Ptr(5)})
	require.NoError(t, err)
	assert.Equal(t, adaptivetest.EmbeddingOf("the quick brown fox", 5), res64.Data[0].Embedding, "base64 carries float32s exactly")

	reqs := srv.RequestsTo(adaptivetest.RouteEmbeddings)
	require.Len(t, reqs, 2)
	assert.JSONEq(t, `{"model":"demo/embedder","input":"the quick brown fox","encoding_format":"Base64","dimensions":5}`, string(reqs[1].Body))

	// Different inputs give different vectors.
	other, err := c.Embeddings.Create(ctx, adaptive.EmbeddingsRequest{Input: "lazy dog"})
	require.NoError(t, err)
	assert.NotEqual(t, res.Data[0].Embedding, other.Data[0].Embedding)
}

func TestEmbeddingsRetriedAfterServerError(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.FailNext(adaptivetest.RouteEmbeddings, 1, adaptivetest.Fault{Status: 503})
	res, err := srv.Client().Embeddings.Create(context.Background(), adaptive.EmbeddingsRequest{Input: "x"})
	require.NoError(t, err)
	assert.Len(t, res.Data[0].Embedding, adaptivetest.DefaultEmbeddingDimensions)
	assert.Len(t, srv.RequestsTo(adaptivetest.RouteEmbeddings), 2)
}

// TestFakeServerChecksEmbeddingsRequests sends what the SDK never would, to
// check that adaptivetest rejects it like the real server.
func TestFakeServerChecksEmbeddingsRequests(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	for name, tc := range map[string]struct {
		body   any
		status int
	}{
		"missing input":       {map[string]any{"model": "demo"}, 422},
		"missing model":       {map[string]any{"input": "x"}, 422},
		"input not a string":  {map[string]any{"input": 3, "model": "demo"}, 422},
		"bad encoding":        {map[string]any{"input": "x", "model": "demo", "encoding_format": "hex"}, 422},
		"dimensions negative": {map[string]any{"input": "x", "model": "demo", "dimensions": -1}, 422},
		"dimensions too many": {map[string]any{"input": "x", "model": "demo", "dimensions": 4097}, 400},
		"user not a uuid":     {map[string]any{"input": "x", "model": "demo", "user": "bob"}, 422},
		"not an object":       {[]int{1}, 422},
	} {
		t.Run(name, func(t *testing.T) {
			err := c.Do(context.Background(), http.MethodPost, "/api/v1/embeddings", tc.body, nil)
			var apiErr *adaptive.APIError
			require.True(t, errors.As(err, &apiErr), "got %v", err)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.NotEmpty(t, apiErr.Message)
		})
	}
}

package adaptive_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
)

func apiErrorFor(t *testing.T, status int, header http.Header, body string) *adaptive.APIError {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, adaptive.WithMaxRetries(0))
	err := c.Do(context.Background(), http.MethodGet, "/api/v1/x", nil, nil)
	var apiErr *adaptive.APIError
	require.ErrorAs(t, err, &apiErr)
	return apiErr
}

func TestAPIErrorMessageDecoding(t *testing.T) {
	cases := []struct{ body, want string }{
		{`{"error":"EntityNotFound: project demo"}`, "EntityNotFound: project demo"},
		{`{"error":{"message":"nested","type":"x"}}`, "nested"},
		{`{"message":"from message"}`, "from message"},
		{`{"detail":"from detail"}`, "from detail"},
		{`{"detail":[{"loc":["body","model"],"msg":"field required"}]}`, `[{"loc":["body","model"],"msg":"field required"}]`},
		{"plain text failure\n", "plain text failure"},
		{``, ""},
		{`{"unrelated":1}`, `{"unrelated":1}`},
	}
	for _, tc := range cases {
		e := apiErrorFor(t, 400, nil, tc.body)
		assert.Equal(t, tc.want, e.Message, tc.body)
		assert.Equal(t, tc.body, string(e.Body))
	}
}

func TestAPIErrorRequestIDVariants(t *testing.T) {
	for _, h := range []string{"X-Request-Id", "Request-Id", "X-Amzn-Requestid", "X-Correlation-Id"} {
		e := apiErrorFor(t, 404, http.Header{h: {"id-123"}}, `{"error":"gone"}`)
		assert.Equal(t, "id-123", e.RequestID, h)
		assert.Contains(t, e.Error(), "(request id id-123)")
	}
}

func TestAPIErrorSentinels(t *testing.T) {
	cases := []struct {
		status int
		is     error
	}{
		{404, adaptive.ErrNotFound}, {401, adaptive.ErrUnauthorized}, {403, adaptive.ErrUnauthorized},
		{429, adaptive.ErrRateLimited}, {500, adaptive.ErrServer}, {501, adaptive.ErrServer}, {503, adaptive.ErrServer},
	}
	all := []error{adaptive.ErrNotFound, adaptive.ErrUnauthorized, adaptive.ErrRateLimited, adaptive.ErrServer}
	for _, tc := range cases {
		e := &adaptive.APIError{StatusCode: tc.status}
		for _, s := range all {
			assert.Equal(t, s == tc.is, errors.Is(e, s), "%d vs %v", tc.status, s)
		}
	}
	assert.False(t, errors.Is(&adaptive.APIError{StatusCode: 400}, adaptive.ErrServer))
}

func TestAPIErrorString(t *testing.T) {
	e := apiErrorFor(t, 422, http.Header{"X-Request-Id": {"r1"}}, `{"error":"model is required"}`)
	msg := e.Error()
	assert.True(t, strings.HasPrefix(msg, "adaptive: GET http://127.0.0.1:"), msg)
	assert.Contains(t, msg, "/api/v1/x: 422 Unprocessable Entity: model is required (request id r1)")
	assert.NotContains(t, msg, secretKey)
}

func TestAPIErrorBodyIsBounded(t *testing.T) {
	huge := strings.Repeat("x", 10<<20)
	e := apiErrorFor(t, 500, nil, huge)
	assert.Len(t, e.Body, 64<<10)
	assert.LessOrEqual(t, len(e.Message), 1100)
}

func TestValidationErrorText(t *testing.T) {
	e := &adaptive.ValidationError{Field: "ChatRequest.Messages", Reason: "no messages"}
	assert.Equal(t, "adaptive: invalid ChatRequest.Messages: no messages", e.Error())
}

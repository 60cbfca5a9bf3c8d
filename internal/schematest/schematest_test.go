package schematest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestValidatorRefusesWhatTheDocumentForbids keeps the oracle honest: the
// answers the tests check would pass a validator that checks nothing.
func TestValidatorRefusesWhatTheDocumentForbids(t *testing.T) {
	doc, err := Load()
	require.NoError(t, err)
	chunk := Component("ChatResponseChunk")
	good := `{"id":"c","created":1,"session_id":"6f1f3bb4-3b70-4d0e-9c55-6f3c3a2d8c11","choices":[{"index":0,"completion_id":"x","delta":{"id":"m","role":"assistant","content":"hi"}}]}`
	require.NoError(t, doc.Validate(chunk, []byte(good)))
	for name, bad := range map[string]string{
		"delta without id": `{"id":"c","created":1,"session_id":"6f1f3bb4-3b70-4d0e-9c55-6f3c3a2d8c11","choices":[{"index":0,"completion_id":"x","delta":{"role":"assistant","content":"hi"}}]}`,
		"session not uuid": `{"id":"c","created":1,"session_id":"s","choices":[]}`,
		"created a string": `{"id":"c","created":"1","session_id":"6f1f3bb4-3b70-4d0e-9c55-6f3c3a2d8c11","choices":[]}`,
		"negative index":   `{"id":"c","created":1,"session_id":"6f1f3bb4-3b70-4d0e-9c55-6f3c3a2d8c11","choices":[{"index":-1,"completion_id":"x","delta":{"id":"m","role":"a","content":""}}]}`,
	} {
		assert.Error(t, doc.Validate(chunk, []byte(bad)), name)
	}

	ptr, hasSchema, declared := doc.Response("POST /api/v1/upload/status", 200, "application/json")
	require.True(t, declared)
	require.True(t, hasSchema)
	assert.NoError(t, doc.Validate(ptr, []byte(`{"completed_parts":[1],"total_parts_count":1}`)))
	assert.Error(t, doc.Validate(ptr, []byte(`{"received_parts":[1],"total_parts_count":1}`)))
	_, _, declared = doc.Response("POST /api/v1/upload/status", 201, "application/json")
	assert.False(t, declared)
	assert.Equal(t, []string{"application/x-ndjson"}, doc.MediaTypes("GET /api/v1/projects/{project}/datasets/{dataset_id}/download", 200))
}

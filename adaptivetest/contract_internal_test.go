package adaptivetest

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEmbeddedDocumentIsTheProjectCopy(t *testing.T) {
	project, err := os.ReadFile("../testdata/adaptive-openapi.json")
	require.NoError(t, err)
	assert.True(t, bytes.Equal(project, openapiJSON),
		"adaptivetest/openapi.json must be a byte-identical copy of testdata/adaptive-openapi.json: cp testdata/adaptive-openapi.json adaptivetest/openapi.json")
}

func TestContractHasEveryRoute(t *testing.T) {
	c := loadContract()
	routes := []string{RouteChat, RouteEmbeddings, RouteComparison, RouteOutcome, RouteInteractions,
		RouteUploadInit, RouteUploadPart, RouteUploadStatus, RouteUploadAbort,
		RouteDatasetDownload, RouteRecipeDownload, RouteArtifactDownload, RouteImage}
	var ops []string
	for route := range c.ops {
		ops = append(ops, route)
	}
	assert.ElementsMatch(t, routes, ops)
	assert.Equal(t, "application/octet-stream", c.ops[RouteUploadPart].mediaType)
	assert.Nil(t, c.ops[RouteUploadPart].body, "the part body is bytes, not the document's array of integers")
	var datasetParams []string
	for _, p := range c.ops[RouteDatasetDownload].params {
		datasetParams = append(datasetParams, p.name)
	}
	slices.Sort(datasetParams)
	assert.Equal(t, []string{"dataset_id", "format", "project"}, datasetParams, "the stray path parameter dataset is left out")
	for _, route := range []string{RouteChat, RouteUploadInit, RouteUploadStatus, RouteUploadAbort} {
		assert.Equal(t, "application/json", c.ops[route].mediaType, route)
		assert.NotNil(t, c.ops[route].body, route)
	}
}

func TestSchemaCompilerRefusesWhatItDoesNotImplement(t *testing.T) {
	for _, raw := range []string{
		`{"type":"string","pattern":"^a"}`,
		`{"type":"string","format":"date-time"}`,
		`{"anyOf":[{"type":"string"}]}`,
		`{"$ref":"other.json#/x"}`,
		`{"enum":[1,2]}`,
	} {
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.UseNumber()
		var v any
		require.NoError(t, dec.Decode(&v))
		_, err := compileSchema(v, "test")
		assert.Error(t, err, raw)
	}
	_, err := compileContract([]byte(`{"paths":{},"components":{"schemas":{"A":{"$ref":"#/components/schemas/B"}}}}`))
	assert.ErrorContains(t, err, `unknown component "B"`)
}

func TestSchemaMessagesNameTheField(t *testing.T) {
	c := loadContract()
	body := c.ops[RouteChat].body
	for raw, want := range map[string]string{
		`{"model":"m","messages":[{"role":"user","content":"x"}],"tied":1}`:                                        "",
		`{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":1}]}]}`:                          "messages[0].content[0].text: invalid type: integer `1`, expected a string",
		`{"model":"m","messages":[{"role":"user","content":"x"}],"ab_campaign":true}`:                              "ab_campaign: invalid type: boolean `true`, expected null or a string",
		`{"model":"m","messages":[{"role":"user","content":7}]}`:                                                   "messages[0].content: invalid type: integer `7`, expected a string or a sequence",
		`{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":2147483648}`:                         "max_tokens: invalid value: integer `2147483648`, expected i32",
		`{"model":"m","messages":[{"role":"user","content":"x"}],"user":"{6f1f3bb4-3b70-4d0e-9c55-6f3c3a2d8c11}"}`: `user: invalid UUID "{6f1f3bb4-3b70-4d0e-9c55-6f3c3a2d8c11}"`,
	} {
		v, err := decodeJSON([]byte(raw))
		require.NoError(t, err)
		ferr := body.validate("", v)
		if want == "" {
			assert.Nil(t, ferr, raw)
			continue
		}
		require.NotNil(t, ferr, raw)
		assert.Contains(t, ferr.Error(), want, raw)
	}
	v, err := decodeJSON([]byte(`{"metric":"m","project":"p","preferred_completion":"x","other_completion":"` + "6f1f3bb4-3b70-4d0e-9c55-6f3c3a2d8c11" + `"}`))
	require.NoError(t, err)
	assert.Equal(t, `preferred_completion: invalid UUID "x": expected the hyphenated form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`,
		c.ops[RouteComparison].body.validate("", v).Error(), "only the id branch takes a string: its error is the one given")
	v, err = decodeJSON([]byte(`{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a","image_url":1},{"type":"image_url","text":"b"}]}]}`))
	require.NoError(t, err)
	assert.Equal(t, "messages[0].content[1]: missing field `image_url`", body.validate("", v).Error(),
		"the part's type tells which branch it meant; unknown fields of the first part are allowed")
}

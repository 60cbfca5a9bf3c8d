package adaptivetest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

// postGraphQL sends body to the fake's GraphQL route and decodes the
// answer.
func postGraphQL(t *testing.T, srv *adaptivetest.Server, contentType string, body []byte) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/graphql", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.APIKey)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

func query(t *testing.T, srv *adaptivetest.Server, q string, vars map[string]any) map[string]any {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": q, "variables": vars})
	require.NoError(t, err)
	status, out := postGraphQL(t, srv, "application/json", body)
	assert.Equal(t, http.StatusOK, status)
	return out
}

// messages returns the messages of an answer's errors.
func messages(answer map[string]any) []string {
	var out []string
	errs, _ := answer["errors"].([]any)
	for _, e := range errs {
		out = append(out, e.(map[string]any)["message"].(string))
	}
	return out
}

const createFromUpload = `mutation C($input: DatasetCreateFromMultipartUpload!) {
  createDatasetFromMultipartUpload(input: $input) { datasetId status totalParts processedParts progress error }
}`

func TestGraphQLCreatesADatasetFromACompleteSession(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	c := srv.Client()
	data := bytes.Repeat([]byte("{\"a\":1}\n"), 1000)

	// Unknown, then incomplete sessions are GraphQL errors with a path.
	input := map[string]any{"project": "demo", "name": "N", "key": "k", "uploadSessionId": "nope"}
	out := query(t, srv, createFromUpload, map[string]any{"input": input})
	assert.Equal(t, []string{"upload session nope not found"}, messages(out))
	assert.Nil(t, out["data"], "a non-null root field that fails nulls the data")
	assert.Equal(t, []any{"createDatasetFromMultipartUpload"}, out["errors"].([]any)[0].(map[string]any)["path"])

	sess, err := c.Uploads.Init(ctx, adaptive.UploadInitRequest{TotalPartsCount: 2})
	require.NoError(t, err)
	require.NoError(t, c.Uploads.UploadPart(ctx, sess.SessionID, 1, data))
	input["uploadSessionId"] = sess.SessionID
	out = query(t, srv, createFromUpload, map[string]any{"input": input})
	assert.Equal(t, []string{"upload session " + sess.SessionID + " is incomplete: it holds 1 of its 2 parts"}, messages(out))

	require.NoError(t, c.Uploads.UploadPart(ctx, sess.SessionID, 2, data))
	out = query(t, srv, createFromUpload, map[string]any{"input": input})
	require.Empty(t, messages(out))
	created := out["data"].(map[string]any)["createDatasetFromMultipartUpload"].(map[string]any)
	assert.Equal(t, "PENDING", created["status"])
	assert.Equal(t, float64(2), created["totalParts"])
	assert.False(t, srv.SessionExists(sess.SessionID), "the session is consumed")

	d, err := c.Datasets.Download(ctx, "", "k", nil)
	require.NoError(t, err)
	got, err := io.ReadAll(d)
	require.NoError(t, err)
	assert.Equal(t, append(append([]byte(nil), data...), data...), got)

	// A second dataset under the key is refused.
	sess2, err := c.Uploads.Init(ctx, adaptive.UploadInitRequest{TotalPartsCount: 1})
	require.NoError(t, err)
	require.NoError(t, c.Uploads.UploadPart(ctx, sess2.SessionID, 1, data))
	input["uploadSessionId"] = sess2.SessionID
	out = query(t, srv, createFromUpload, map[string]any{"input": input})
	assert.Equal(t, []string{`a dataset with key "k" already exists in project "demo"`}, messages(out))
	assert.True(t, srv.SessionExists(sess2.SessionID), "a refused creation leaves the session")

	// Listing, getting, deleting.
	out = query(t, srv, `query L($p: IdOrKey!) { datasets(project: $p) { __typename id key name records source status deleted progress { processedLines totalLines } } }`, map[string]any{"p": "demo"})
	require.Empty(t, messages(out))
	list := out["data"].(map[string]any)["datasets"].([]any)
	require.Len(t, list, 1)
	ds := list[0].(map[string]any)
	assert.Equal(t, "Dataset", ds["__typename"])
	assert.Equal(t, float64(2000), ds["records"])
	assert.Equal(t, "UPLOADED", ds["source"])
	out = query(t, srv, `mutation { deleteDataset(idOrKey: "k", project: "demo") }`, nil)
	assert.Equal(t, map[string]any{"deleteDataset": true}, out["data"])
	out = query(t, srv, `{ dataset(idOrKey: "k", project: "demo") { id } }`, nil)
	assert.Equal(t, map[string]any{"dataset": nil}, out["data"], "an unknown dataset is null")
	_, err = c.Datasets.Download(ctx, "", "k", nil)
	assert.ErrorIs(t, err, adaptive.ErrNotFound)
}

func TestGraphQLValidatesDocumentsBeforeRunningThem(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	for _, tc := range []struct {
		doc  string
		vars map[string]any
		want string
	}{
		{`{ dataset(idOrKey: "k", project: "p") { id nope } }`, nil, `Unknown field "nope" on type "Dataset".`},
		{`{ dataset(idOrKey: "k") { id } }`, nil, `Field "dataset" argument "project" of type "IdOrKey!" is required, but it was not provided.`},
		{`{ dataset(idOrKey: "k", project: "p", x: 1) { id } }`, nil, `Unknown argument "x" on field "dataset" of type "Query".`},
		{`{ dataset(idOrKey: "k", project: "p") }`, nil, `Field "dataset" of type "Dataset" must have a selection of subfields.`},
		{`{ dataset(idOrKey: "k", project: "p") { id { x } } }`, nil, `Field "id" must not have a selection since type "UUID!" has no subfields.`},
		{`query Q($i: DatasetCreateFromMultipartUpload!) { a: datasets(project: "p") { id } }`, nil, `Variable "$i" of required type "DatasetCreateFromMultipartUpload!" was not provided.`},
		{`{ createDataset }`, nil, `Unknown field "createDataset" on type "Query".`},
		{`mutation { createDatasetFromMultipartUpload(input: {project: "p", key: "k", uploadSessionId: "s"}) { datasetId } }`, nil,
			`Invalid value for argument "input": input.name: expected a value of type String!, found null`},
		{`mutation { createDatasetFromMultipartUpload(input: {project: "p", name: "n", uploadSessionId: "s", source: NOPE}) { datasetId } }`, nil,
			`Invalid value for argument "input": input.source: NOPE is not a value of enum DatasetSource`},
		{`query { datasetUploadProcessingStatus(input: {project: "p", datasetId: "not-a-uuid"}) { status } }`, nil,
			`Invalid value for argument "input": input.datasetId: "not-a-uuid" is not a UUID`},
		{`{ dataset(idOrKey: "k", project: "p") { ...F } }`, nil, `Unknown fragment "F".`},
		{`{ dataset(idOrKey: 1 project: "p") { id } }`, nil, `Invalid value for argument "idOrKey": idOrKey: expected type IdOrKey!, found number 1`},
		{`{ dataset(`, nil, `Syntax Error: expected a name, found <EOF>`},
	} {
		out := query(t, srv, tc.doc, tc.vars)
		msgs := messages(out)
		require.NotEmpty(t, msgs, tc.doc)
		assert.Contains(t, msgs[0], tc.want, tc.doc)
	}
	// A mutation that fails validation does not run.
	assert.Equal(t, 0, srv.DatasetCount("p"))

	out := query(t, srv, `query A { a: datasets(project: "p") { id } } query B { b: datasets(project: "p") { id } }`, nil)
	assert.Equal(t, []string{`the document holds 2 operations: give operationName`}, messages(out))

	status, out := postGraphQL(t, srv, "text/plain", []byte("{ a }"))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, messages(out)[0], "expected Content-Type application/json or multipart/form-data")
}

func TestGraphQLMultipartCreateDataset(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	data := []byte("{\"messages\":[]}\n{\"messages\":[]}\n")
	form := func(fields ...[2]string) (string, []byte) {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		for _, f := range fields {
			if f[0] == "0" {
				part, err := w.CreateFormFile("0", "d.jsonl")
				require.NoError(t, err)
				_, _ = part.Write([]byte(f[1]))
				continue
			}
			require.NoError(t, w.WriteField(f[0], f[1]))
		}
		require.NoError(t, w.Close())
		return w.FormDataContentType(), b.Bytes()
	}
	ops := `{"query":"mutation($input: DatasetCreate!, $file: Upload!) { createDataset(input: $input, file: $file) { id key name status } }","variables":{"input":{"project":"demo","name":"Small","key":"small"},"file":null}}`
	ct, body := form([2]string{"operations", ops}, [2]string{"map", `{"0":["variables.file"]}`}, [2]string{"0", string(data)})
	status, out := postGraphQL(t, srv, ct, body)
	require.Equal(t, http.StatusOK, status, "%v", out)
	require.Empty(t, messages(out))
	created := out["data"].(map[string]any)["createDataset"].(map[string]any)
	assert.Equal(t, "small", created["key"])
	assert.Equal(t, "READY", created["status"])
	d, err := srv.Client().Datasets.Download(context.Background(), "", "small", nil)
	require.NoError(t, err)
	got, _ := io.ReadAll(d)
	assert.Equal(t, data, got)

	for _, tc := range []struct {
		fields [][2]string
		want   string
	}{
		{[][2]string{{"map", `{}`}}, `the first field of a multipart request must be "operations"`},
		{[][2]string{{"operations", ops}, {"0", "x"}}, `the second field of a multipart request must be "map"`},
		{[][2]string{{"operations", ops}, {"map", `{"0":["variables.file"]}`}}, `the map names file "0", which the request does not hold`},
		{[][2]string{{"operations", ops}, {"map", `{"0":["variables.input"]}`}, {"0", "x"}}, `does not point at a null variable`},
		{[][2]string{{"operations", ops}, {"map", `{"0":["file"]}`}, {"0", "x"}}, `does not start with "variables."`},
	} {
		ct, body := form(tc.fields...)
		status, out := postGraphQL(t, srv, ct, body)
		assert.Equal(t, http.StatusBadRequest, status)
		require.NotEmpty(t, messages(out))
		assert.True(t, strings.Contains(messages(out)[0], tc.want), "%s: %v", tc.want, messages(out))
	}
}

func TestGraphQLNeedsTheKey(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/api/graphql", "application/json", strings.NewReader(`{"query":"{ datasets(project: \"p\") { id } }"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

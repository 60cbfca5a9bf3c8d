package adaptive_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
)

// seenRequest is one request a raw server received.
type seenRequest struct {
	method, path, auth, contentType string
	body                            []byte
	// For GraphQL requests (JSON or the multipart "operations" field).
	query, operation string
	variables        map[string]any
	// For multipart requests: the fields in order and the file.
	fields   []string
	file     []byte
	fileType string
}

// rawServer records every request and answers with answer; the upload
// routes answer a session "s1" whose status lists parts 1 to parts.
type rawServer struct {
	t      *testing.T
	url    string
	mu     sync.Mutex
	seen   []seenRequest
	parts  int
	answer func(r seenRequest, nth int) (status int, body string) // GraphQL answers; nth counts the requests of this operation from 1
	counts map[string]int
}

func newRawServer(t *testing.T, answer func(r seenRequest, nth int) (int, string)) *rawServer {
	rs := &rawServer{t: t, answer: answer, counts: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(rs.serve))
	t.Cleanup(srv.Close)
	rs.url = srv.URL
	return rs
}

func (rs *rawServer) client(opts ...adaptive.Option) *adaptive.Client {
	base := []adaptive.Option{adaptive.WithBaseURL(rs.url), adaptive.WithAPIKey("sk-test-key-123456"), adaptive.WithProject("proj"), adaptive.WithRetryWait(time.Millisecond, 2*time.Millisecond)}
	c, err := adaptive.NewClient(append(base, opts...)...)
	require.NoError(rs.t, err)
	return c
}

func (rs *rawServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s := seenRequest{method: r.Method, path: r.URL.Path, auth: r.Header.Get("Authorization"), contentType: r.Header.Get("Content-Type"), body: body}
	if r.URL.Path == "/api/graphql" {
		rs.decodeGraphQL(&s)
	}
	rs.mu.Lock()
	rs.seen = append(rs.seen, s)
	rs.counts[s.operation]++
	nth := rs.counts[s.operation]
	rs.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/api/v1/upload/init":
		var in struct {
			N int `json:"total_parts_count"`
		}
		_ = json.Unmarshal(body, &in)
		rs.mu.Lock()
		rs.parts = in.N
		rs.mu.Unlock()
		_, _ = io.WriteString(w, `{"session_id":"s1"}`)
	case "/api/v1/upload/status":
		rs.mu.Lock()
		n := rs.parts
		rs.mu.Unlock()
		parts := make([]int, n)
		for i := range parts {
			parts[i] = i + 1
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"completed_parts": parts, "total_parts_count": n})
	case "/api/graphql":
		status, answer := rs.answer(s, nth)
		if status < 0 { // drop the connection
			conn, _, _ := http.NewResponseController(w).Hijack()
			_ = conn.Close()
			return
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	default:
		_, _ = io.WriteString(w, `{}`)
	}
}

func (rs *rawServer) decodeGraphQL(s *seenRequest) {
	var req struct {
		Query     string         `json:"query"`
		Operation string         `json:"operationName"`
		Variables map[string]any `json:"variables"`
	}
	ops := s.body
	if mt, params, _ := mime.ParseMediaType(s.contentType); mt == "multipart/form-data" {
		mr := multipart.NewReader(bytes.NewReader(s.body), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			data, _ := io.ReadAll(p)
			s.fields = append(s.fields, p.FormName()+"="+p.FileName())
			switch p.FormName() {
			case "operations":
				ops = data
			case "map":
				s.fields[len(s.fields)-1] += " " + string(data)
			default:
				s.file, s.fileType = data, p.Header.Get("Content-Type")
			}
		}
	}
	require.NoError(rs.t, json.Unmarshal(ops, &req), "%s", ops)
	s.query, s.operation, s.variables = req.Query, req.Operation, req.Variables
}

func (rs *rawServer) requests() []seenRequest {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return append([]seenRequest(nil), rs.seen...)
}

func (rs *rawServer) operations() []string {
	var ops []string
	for _, r := range rs.requests() {
		switch {
		case r.path == "/api/graphql":
			ops = append(ops, r.operation)
		case strings.HasPrefix(r.path, "/api/v1/upload/"):
			ops = append(ops, r.method+" "+strings.TrimPrefix(r.path, "/api/v1/upload/"))
		}
	}
	return ops
}

const datasetID = "0b6b8d34-6a9e-4a47-9c3c-6f0f1c2d3e4f"

// datasetAnswers answers the look-up with null before the creation and the
// dataset after, and the mutation with PENDING; other operations, or
// overrides, come from more.
func datasetAnswers(more func(r seenRequest, nth int) (int, string, bool)) func(seenRequest, int) (int, string) {
	var mu sync.Mutex
	created := false
	return func(r seenRequest, nth int) (int, string) {
		if more != nil {
			if status, body, ok := more(r, nth); ok {
				if r.operation != "GetDataset" {
					mu.Lock()
					created = true
					mu.Unlock()
				}
				return status, body
			}
		}
		mu.Lock()
		defer mu.Unlock()
		switch r.operation {
		case "GetDataset":
			if !created {
				return 200, `{"data":{"dataset":null}}`
			}
			return 200, `{"data":{"dataset":{"id":"` + datasetID + `","key":"k1","name":"Name","status":"PROCESSING","progress":{"processedParts":1,"totalParts":3,"progress":0.33}}}}`
		case "CreateDatasetFromMultipartUpload":
			created = true
			return 200, `{"data":{"createDatasetFromMultipartUpload":{"datasetId":"` + datasetID + `","status":"PENDING","totalParts":3,"processedParts":0,"progress":0,"error":null}}}`
		case "CreateDataset":
			created = true
			return 200, `{"data":{"createDataset":{"id":"` + datasetID + `","key":"k1","name":"Name","status":"READY","progress":null}}}`
		case "DatasetUploadProcessingStatus":
			return 200, `{"data":{"datasetUploadProcessingStatus":{"datasetId":"` + datasetID + `","status":"DONE","totalParts":3,"processedParts":3,"progress":1,"error":null}}}`
		}
		return 200, `{"errors":[{"message":"unexpected operation"}]}`
	}
}

func TestDatasetUploadMutationWire(t *testing.T) {
	rs := newRawServer(t, datasetAnswers(nil))
	c := rs.client()
	data := uploadData(11 * mib)
	d, err := c.Datasets.Upload(context.Background(), bytes.NewReader(data), adaptive.DatasetUploadRequest{Key: "k1", Name: "Name"}, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"GetDataset", "POST init", "POST part", "POST part", "POST part", "POST status", "CreateDatasetFromMultipartUpload"}, rs.operations(),
		"the key is checked first, then the upload, then the mutation")
	assert.Equal(t, &adaptive.Dataset{ID: datasetID, Key: "k1", Name: "Name", Project: "proj", Status: adaptive.DatasetStatusPending, TotalParts: 3,
		Upload: &adaptive.UploadResult{SessionID: "s1", Parts: 3, Bytes: int64(len(data)), PartCRC32C: partCRCs(data, 5*mib)}}, d)

	for _, r := range rs.requests() {
		assert.Equal(t, "Bearer sk-test-key-123456", r.auth, r.path)
		if r.path != "/api/graphql" {
			continue
		}
		assert.Equal(t, http.MethodPost, r.method)
		assert.Equal(t, "application/json", r.contentType)
		switch r.operation {
		case "GetDataset":
			assert.Equal(t, map[string]any{"idOrKey": "k1", "project": "proj"}, r.variables)
			assert.Contains(t, r.query, "dataset(idOrKey: $idOrKey, project: $project)")
		case "CreateDatasetFromMultipartUpload":
			assert.Equal(t, map[string]any{"input": map[string]any{"project": "proj", "name": "Name", "key": "k1", "uploadSessionId": "s1"}}, r.variables)
			assert.True(t, strings.HasPrefix(r.query, "mutation CreateDatasetFromMultipartUpload($input: DatasetCreateFromMultipartUpload!)"), r.query)
			assert.Contains(t, r.query, "createDatasetFromMultipartUpload(input: $input) { datasetId status totalParts processedParts progress error }")
		}
	}

	// Processing is polled with the status query the vendor's SDK uses.
	d, err = c.Datasets.Wait(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, adaptive.DatasetStatusDone, d.Status)
	assert.Equal(t, 1.0, d.Progress)
	last := rs.requests()[len(rs.requests())-1]
	assert.Equal(t, "DatasetUploadProcessingStatus", last.operation)
	assert.Equal(t, map[string]any{"input": map[string]any{"project": "proj", "datasetId": datasetID}}, last.variables)
}

func TestSmallDatasetIsOneMultipartRequest(t *testing.T) {
	rs := newRawServer(t, datasetAnswers(nil))
	c := rs.client()
	data := []byte("{\"messages\":[]}\n")
	d, err := c.Datasets.Upload(context.Background(), bytes.NewReader(data), adaptive.DatasetUploadRequest{Key: "k1", Name: "Name"}, &adaptive.UploadOptions{
		OnCheckpoint: func(adaptive.UploadCheckpoint) { t.Error("a single request has no checkpoint") },
		OnSession:    func(string) { t.Error("a single request has no session") },
	})
	require.NoError(t, err)
	assert.Equal(t, adaptive.DatasetStatusReady, d.Status)
	assert.Equal(t, &adaptive.UploadResult{Parts: 1, Bytes: int64(len(data)), PartCRC32C: partCRCs(data, len(data))}, d.Upload)
	assert.Equal(t, []string{"GetDataset", "CreateDataset"}, rs.operations(), "no upload session")
	r := rs.requests()[1]
	assert.Equal(t, "Bearer sk-test-key-123456", r.auth)
	assert.Equal(t, []string{"operations=", `map= {"0":["variables.file"]}`, "0=k1.jsonl"}, r.fields, "operations, map, then the file")
	assert.Equal(t, data, r.file)
	assert.Equal(t, "application/jsonl", r.fileType)
	assert.Equal(t, map[string]any{"input": map[string]any{"project": "proj", "name": "Name", "key": "k1"}, "file": nil}, r.variables)
	assert.True(t, strings.HasPrefix(r.query, "mutation CreateDataset($input: DatasetCreate!, $file: Upload!)"), r.query)
}

func TestGraphQLWire(t *testing.T) {
	rs := newRawServer(t, func(r seenRequest, _ int) (int, string) {
		return 200, `{"data":{"datasets":[{"id":"a"},{"id":"b"}]},"extensions":{"cost":1}}`
	})
	var out struct {
		Datasets []struct{ ID string } `json:"datasets"`
	}
	err := rs.client().GraphQL(context.Background(), `query List($p: IdOrKey!) { datasets(project: $p) { id } }`, map[string]string{"p": "proj"}, &out)
	require.NoError(t, err)
	assert.Len(t, out.Datasets, 2)
	r := rs.requests()[0]
	assert.Equal(t, "POST", r.method)
	assert.Equal(t, "/api/graphql", r.path)
	assert.Equal(t, "Bearer sk-test-key-123456", r.auth)
	assert.JSONEq(t, `{"query":"query List($p: IdOrKey!) { datasets(project: $p) { id } }","variables":{"p":"proj"}}`, string(r.body))

	var ve *adaptive.ValidationError
	require.ErrorAs(t, rs.client().GraphQL(context.Background(), " \n", nil, nil), &ve)
	assert.Equal(t, "query", ve.Field)
	assert.Len(t, rs.requests(), 1, "nothing sent")
}

func TestGraphQLErrorsAreErrorsWithEveryMessageAndPath(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		status     int
		want       string
		data       bool
		apiStatus  int
	}{
		{"errors without data", `{"errors":[{"message":"upload session s1 not found","path":["createDatasetFromMultipartUpload"],"locations":[{"line":2,"column":3}],"extensions":{"code":"NOT_FOUND"}}],"data":null}`, 200,
			"adaptive: GraphQL Op: createDatasetFromMultipartUpload: upload session s1 not found (code NOT_FOUND)", false, 0},
		{"errors with data", `{"data":{"datasets":[{"id":"a","name":null}]},"errors":[{"message":"name failed","path":["datasets",0,"name"]},{"message":"second","path":["datasets",1]}]}`, 200,
			"adaptive: GraphQL Op: datasets[0].name: name failed; datasets[1]: second", true, 0},
		{"errors in a 400", `{"errors":[{"message":"Unknown field \"nope\" on type \"Dataset\"."}]}`, 400,
			"adaptive: GraphQL Op (400 Bad Request): Unknown field \"nope\" on type \"Dataset\".", false, 400},
		{"the key echoed", `{"errors":[{"message":"bad token sk-test-key-123456"}]}`, 401,
			"adaptive: GraphQL Op (401 Unauthorized): bad token [REDACTED]", false, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := newRawServer(t, func(seenRequest, int) (int, string) { return tc.status, tc.body })
			var out map[string]any
			err := rs.client().GraphQL(context.Background(), `query Op { datasets(project: "p") { id name } }`, nil, &out)
			var gerr *adaptive.GraphQLError
			require.ErrorAs(t, err, &gerr)
			assert.Nil(t, out, "errors are never data")
			assert.Equal(t, tc.want, err.Error())
			assert.NotContains(t, err.Error(), "sk-test-key-123456")
			assert.Equal(t, tc.data, gerr.Data != nil)
			assert.Equal(t, "Op", gerr.Operation)
			var apiErr *adaptive.APIError
			if tc.apiStatus != 0 {
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, tc.apiStatus, apiErr.StatusCode)
			} else {
				assert.False(t, errors.As(err, &apiErr))
			}
		})
	}
	gerr := &adaptive.GraphQLError{}
	assert.NoError(t, gerr.Unwrap())

	rs := newRawServer(t, func(seenRequest, int) (int, string) { return 401, `{"errors":[{"message":"no"}]}` })
	assert.ErrorIs(t, rs.client().GraphQL(context.Background(), `{ a }`, nil, nil), adaptive.ErrUnauthorized)
	rs = newRawServer(t, func(seenRequest, int) (int, string) { return 200, `{"data":null}` })
	assert.ErrorContains(t, rs.client().GraphQL(context.Background(), `{ a }`, nil, nil), "neither data nor errors")
	rs = newRawServer(t, func(seenRequest, int) (int, string) { return 502, `Bad Gateway` })
	var apiErr *adaptive.APIError
	require.ErrorAs(t, rs.client(adaptive.WithMaxRetries(0)).GraphQL(context.Background(), `{ a }`, nil, nil), &apiErr)
	assert.Equal(t, 502, apiErr.StatusCode)
}

func TestGraphQLRetriesQueriesButNotMutations(t *testing.T) {
	for _, tc := range []struct {
		doc      string
		attempts int
	}{
		{`query Q { datasets(project: "p") { id } }`, 3},
		{`{ datasets(project: "p") { id } }`, 3},
		{`mutation M { deleteDataset(idOrKey: "k", project: "p") }`, 1},
		{`query Q { a } mutation M { b }`, 1},
		{`not graphql at all {`, 1},
	} {
		rs := newRawServer(t, func(seenRequest, int) (int, string) { return 503, `{"error":"unavailable"}` })
		err := rs.client().GraphQL(context.Background(), tc.doc, nil, nil)
		require.Error(t, err)
		assert.Len(t, rs.requests(), tc.attempts, tc.doc)
	}
}

func TestDatasetCreationsLostAnswerIsLookedUpByKey(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
	}{{"a gateway's 504", 504}, {"a dropped connection", -1}} {
		t.Run(tc.name, func(t *testing.T) {
			rs := newRawServer(t, datasetAnswers(func(r seenRequest, _ int) (int, string, bool) {
				if r.operation == "CreateDatasetFromMultipartUpload" {
					return tc.status, `{"error":"gateway timeout"}`, true
				}
				return 0, "", false
			}))
			data := uploadData(6 * mib)
			d, err := rs.client().Datasets.Upload(context.Background(), bytes.NewReader(data), adaptive.DatasetUploadRequest{Key: "k1"}, nil)
			require.NoError(t, err, "found by key after the answer was lost")
			assert.Equal(t, datasetID, d.ID)
			assert.Equal(t, adaptive.DatasetStatusProcessing, d.Status)
			assert.Equal(t, "s1", d.Upload.SessionID)
			ops := rs.operations()
			assert.Equal(t, []string{"CreateDatasetFromMultipartUpload", "GetDataset"}, ops[len(ops)-2:], "sent once, then looked up")
		})
	}
}

func TestDatasetCreationFailuresSayWhetherTheDatasetExists(t *testing.T) {
	cases := []struct {
		name      string
		answer    func(r seenRequest) (int, string, bool)
		keep      bool
		existence adaptive.DatasetExistence
		aborted   bool
		contains  string
	}{
		{"refused with GraphQL errors", func(r seenRequest) (int, string, bool) {
			if r.operation == "CreateDatasetFromMultipartUpload" {
				return 200, `{"data":null,"errors":[{"message":"a dataset with key \"k1\" already exists","path":["createDatasetFromMultipartUpload"]}]}`, true
			}
			return 0, "", false
		}, false, adaptive.DatasetAbsent, true, `GraphQL CreateDatasetFromMultipartUpload: createDatasetFromMultipartUpload: a dataset with key "k1" already exists (the dataset was not created) (session aborted)`},
		{"refused, KeepOnError", func(r seenRequest) (int, string, bool) {
			if r.operation == "CreateDatasetFromMultipartUpload" {
				return 200, `{"errors":[{"message":"invalid key"}]}`, true
			}
			return 0, "", false
		}, true, adaptive.DatasetAbsent, false, "(session kept for Resume)"},
		{"errors beside a created dataset", func(r seenRequest) (int, string, bool) {
			if r.operation == "CreateDatasetFromMultipartUpload" {
				return 200, `{"data":{"createDatasetFromMultipartUpload":{"datasetId":"` + datasetID + `","status":"PENDING","totalParts":2,"processedParts":0,"progress":0,"error":null}},"errors":[{"message":"notification failed","path":["createDatasetFromMultipartUpload","status"]}]}`, true
			}
			return 0, "", false
		}, false, adaptive.DatasetExists, false, "the dataset exists nonetheless: id " + datasetID},
		{"lost, and not found", func(r seenRequest) (int, string, bool) {
			switch r.operation {
			case "CreateDatasetFromMultipartUpload":
				return 502, `bad gateway`, true
			case "GetDataset":
				return 200, `{"data":{"dataset":null}}`, true
			}
			return 0, "", false
		}, false, adaptive.DatasetAbsent, true, "(the dataset was not created) (session aborted)"},
		{"lost, and the look-up fails too", func(r seenRequest) (int, string, bool) {
			if r.operation == "CreateDatasetFromMultipartUpload" {
				return 504, `gateway timeout`, true
			}
			return 0, "", false // the look-up after it fails: see below
		}, false, adaptive.DatasetUnknown, false, "whether the dataset exists is unknown"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var lookups int
			var mu sync.Mutex
			rs := newRawServer(t, datasetAnswers(func(r seenRequest, nth int) (int, string, bool) {
				if r.operation == "GetDataset" {
					mu.Lock()
					lookups++
					n := lookups
					mu.Unlock()
					if tc.existence == adaptive.DatasetUnknown && n > 1 {
						return 503, `{"error":"unavailable"}`, true
					}
				}
				return tc.answer(r)
			}))
			_, err := rs.client().Datasets.Upload(context.Background(), bytes.NewReader(uploadData(6*mib)), adaptive.DatasetUploadRequest{Key: "k1"}, &adaptive.UploadOptions{KeepOnError: tc.keep})
			var dsErr *adaptive.DatasetError
			require.ErrorAs(t, err, &dsErr)
			assert.Equal(t, tc.existence, dsErr.Existence)
			var upErr *adaptive.UploadError
			require.ErrorAs(t, err, &upErr)
			assert.Equal(t, tc.aborted, upErr.Aborted)
			assert.Contains(t, err.Error(), tc.contains)
			creations := 0
			for _, op := range rs.operations() {
				if op == "CreateDatasetFromMultipartUpload" {
					creations++
				}
			}
			assert.Equal(t, 1, creations, "the mutation is sent once")
			ops := rs.operations()
			assert.Equal(t, tc.aborted, ops[len(ops)-1] == "DELETE abort", "%v", ops)
		})
	}
}

package adaptivetest_test

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive/adaptivetest"
	"github.com/adaptive-go/adaptive/internal/schematest"
)

// answer sends a raw request and returns the answer with its body read.
func answer(t *testing.T, srv *adaptivetest.Server, method, path, contentType, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.APIKey)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, b
}

// requireDocumented checks that the answer's status and media type are
// ones the document gives the route, and that a JSON body validates
// against the documented schema (with an independent validator). It
// returns the media type.
func requireDocumented(t *testing.T, doc *schematest.Doc, route string, resp *http.Response, body []byte) string {
	t.Helper()
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	documented := doc.MediaTypes(route, resp.StatusCode)
	ptr, hasSchema, declared := doc.Response(route, resp.StatusCode, mt)
	require.True(t, declared, "%s: status %d is not documented: %s", route, resp.StatusCode, body)
	if len(documented) == 0 {
		assert.Empty(t, body, "%s: the document gives the answer no content", route)
		return ""
	}
	if !slices.Contains(documented, mt) {
		wildcard := slices.ContainsFunc(documented, func(d string) bool {
			prefix, ok := strings.CutSuffix(d, "/*")
			return ok && strings.HasPrefix(mt, prefix+"/")
		})
		require.True(t, wildcard, "%s: media type %q, the document has %v", route, mt, documented)
	}
	if hasSchema && mt == "application/json" {
		require.NoError(t, doc.Validate(ptr, body), "%s: %s", route, body)
	}
	return mt
}

// isMetadata tells the stream's metadata events (deliberately not chunks)
// by their keys.
func isMetadata(event map[string]json.RawMessage) bool {
	_, ttft := event["TTFT"]
	_, total := event["TotalRequestDuration"]
	_, finish := event["finish_reason"]
	_, choices := event["choices"]
	return ttft || total || (finish && !choices)
}

func TestFakeAnswersFollowTheDocument(t *testing.T) {
	doc, err := schematest.Load()
	require.NoError(t, err)
	srv := adaptivetest.NewServer()
	defer srv.Close()
	const js, bin = "application/json", "application/octet-stream"
	msgs := `"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"a b c"},{"type":"image_url","image_url":"https://example.com/a.png"}]}]`

	for _, tc := range []struct{ name, route, path, body string }{
		{"chat", adaptivetest.RouteChat, "/api/v1/chat/completions", `{"model":"demo",` + msgs + `}`},
		{"chat, n 3, stop, max_tokens", adaptivetest.RouteChat, "/api/v1/chat/completions", `{"model":"demo/m","n":3,"stop":[" b"],"max_tokens":1,` + msgs + `}`},
		{"chat, no messages", adaptivetest.RouteChat, "/api/v1/chat/completions", `{"model":"demo","messages":[]}`},
		{"embeddings", adaptivetest.RouteEmbeddings, "/api/v1/embeddings", `{"input":"a b","model":"demo","dimensions":4}`},
		{"embeddings, base64", adaptivetest.RouteEmbeddings, "/api/v1/embeddings", `{"input":"a b","model":"demo","encoding_format":"Base64"}`},
		{"comparison", adaptivetest.RouteComparison, "/api/v1/comparison", `{"metric":"m","project":"p","preferred_completion":"` + uuid.NewString() + `","other_completion":{"text":"x","model":"m"},` + msgs + `}`},
		{"outcome", adaptivetest.RouteOutcome, "/api/v1/outcome", `{"value":0.5,"project_id":"p","metric":"m","session_id":"` + uuid.NewString() + `"}`},
		{"interactions", adaptivetest.RouteInteractions, "/api/v1/interactions", `{"project":"p",` + msgs + `,"completion":"x","feedbacks":[{"metric":"m","value":true},{"metric":"n","value":1}]}`},
		{"upload init", adaptivetest.RouteUploadInit, "/api/v1/upload/init", `{"total_parts_count":2,"metadata":{"k":"v"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := answer(t, srv, "POST", tc.path, js, tc.body)
			require.Less(t, resp.StatusCode, 300, "%s", body)
			assert.Equal(t, js, requireDocumented(t, doc, tc.route, resp, body))
		})
	}

	t.Run("chat stream", func(t *testing.T) {
		resp, body := answer(t, srv, "POST", "/api/v1/chat/completions", js, `{"model":"demo","n":2,"stream":true,"stream_options":{"include_usage":true},`+msgs+`}`)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "text/event-stream", requireDocumented(t, doc, adaptivetest.RouteChat, resp, body))
		ptr := schematest.Component("ChatResponseChunk")
		var chunks, meta, finishes int
		for _, data := range events(t, string(body)) {
			if data == "[DONE]" {
				continue
			}
			var event map[string]json.RawMessage
			require.NoError(t, json.Unmarshal([]byte(data), &event), data)
			if isMetadata(event) {
				meta++
				continue
			}
			require.NoError(t, doc.Validate(ptr, []byte(data)), data)
			chunks++
			if strings.Contains(data, `"finish_reason"`) {
				finishes++
			}
		}
		assert.Equal(t, 5+6+2+1, chunks, "5 and 6 words, a last chunk per choice, the usage chunk")
		assert.Equal(t, 2, finishes)
		assert.Equal(t, 1+2+1, meta, "TTFT, a finish_reason per choice, TotalRequestDuration")
	})

	t.Run("upload session", func(t *testing.T) {
		resp, body := answer(t, srv, "POST", "/api/v1/upload/init", js, `{"total_parts_count":2}`)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var sess struct {
			SessionID string `json:"session_id"`
		}
		require.NoError(t, json.Unmarshal(body, &sess))
		q := "?session_id=" + sess.SessionID + "&part_number="
		resp, body = answer(t, srv, "POST", "/api/v1/upload/part"+q+"2", bin, "data")
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
		requireDocumented(t, doc, adaptivetest.RouteUploadPart, resp, body)
		idBody := `{"session_id":"` + sess.SessionID + `"}`
		resp, body = answer(t, srv, "POST", "/api/v1/upload/status", js, idBody)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		requireDocumented(t, doc, adaptivetest.RouteUploadStatus, resp, body)
		assert.JSONEq(t, `{"completed_parts":[2],"total_parts_count":2}`, string(body))
		resp, body = answer(t, srv, "DELETE", "/api/v1/upload/abort", js, idBody)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		requireDocumented(t, doc, adaptivetest.RouteUploadAbort, resp, body)
	})

	t.Run("downloads", func(t *testing.T) {
		artifact, project := uuid.New(), uuid.New()
		srv.AddDataset("demo", "ds", "", []byte("{}\n"))
		srv.AddRecipe("demo", "r", []byte("PK"))
		srv.AddArtifact(artifact, "w.bin", []byte("w"))
		srv.AddImage(project, "a.png", []byte("\x89PNG"))
		for route, path := range map[string]string{
			adaptivetest.RouteDatasetDownload:  "/api/v1/projects/demo/datasets/ds/download?format=original",
			adaptivetest.RouteRecipeDownload:   "/api/v1/projects/demo/recipes/r/download",
			adaptivetest.RouteArtifactDownload: "/artifacts/" + artifact.String() + "/download",
			adaptivetest.RouteImage:            "/images/" + project.String() + "/a.png",
		} {
			resp, body := answer(t, srv, "GET", path, "", "")
			require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", route, body)
			assert.NotEmpty(t, requireDocumented(t, doc, route, resp, body), route)
		}
	})
}

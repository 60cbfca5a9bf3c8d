package conformance_test

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive/adaptivetest"
)

// target is a server the corpus is sent to: the fake or Prism.
type target struct {
	name string
	url  string
	key  string
	// session returns an upload session id for a {session} placeholder:
	// a fresh session of 10,000 parts on the fake, any string on Prism.
	session func(t *testing.T) string
	hc      *http.Client
}

// answer is what a target answered to one case.
type answer struct {
	status    int
	mediaType string
	body      []byte
}

// send sends c to the target, its placeholders filled.
func (tg *target) send(t *testing.T, c reqCase) answer {
	t.Helper()
	method, path := c.method, c.path
	routeMethod, routePath, _ := strings.Cut(c.route, " ")
	if method == "" {
		method = routeMethod
	}
	if path == "" {
		path = routePath
	}
	body := c.body
	if strings.Contains(path+body, "{session}") {
		id := tg.session(t)
		path, body = strings.ReplaceAll(path, "{session}", id), strings.ReplaceAll(body, "{session}", id)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, tg.url+path, strings.NewReader(body))
	require.NoError(t, err)
	if body == "" {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	if c.contentType != "-" {
		req.Header.Set("Content-Type", c.contentType)
	}
	if !c.noAuth {
		req.Header.Set("Authorization", "Bearer "+tg.key)
	}
	resp, err := tg.hc.Do(req)
	require.NoError(t, err, "%s: %s %s", tg.name, method, path)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return answer{resp.StatusCode, mt, b}
}

// fakeTarget starts the fake with the content the corpus downloads.
func fakeTarget(t *testing.T) *target {
	srv := adaptivetest.NewServer()
	t.Cleanup(srv.Close)
	srv.AddDataset("demo", "ds", "original", []byte("{}\n"))
	srv.AddDataset("demo", "ds", "recipe", []byte("{}\n"))
	srv.AddRecipe("demo", "r", []byte("PK"))
	srv.AddArtifact(uuid.MustParse(artifactID), "w.bin", []byte("w"))
	srv.AddImage(uuid.MustParse(imageProject), "a.png", []byte("\x89PNG"))
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	tg := &target{name: "fake", url: srv.URL, key: srv.APIKey, hc: &http.Client{Transport: tr}}
	tg.session = func(t *testing.T) string {
		a := tg.send(t, reqCase{route: adaptivetest.RouteUploadInit, contentType: "application/json", body: `{"total_parts_count":10000}`})
		require.Equal(t, http.StatusOK, a.status, "%s", a.body)
		var s struct {
			SessionID string `json:"session_id"`
		}
		require.NoError(t, json.Unmarshal(a.body, &s))
		return s.SessionID
	}
	return tg
}

// prismTarget is the Prism mock at url; any session id will do there.
func prismTarget(t *testing.T, url string) *target {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	var n atomic.Int64
	return &target{name: "prism", url: url, key: "prism-key", hc: &http.Client{Transport: tr},
		session: func(*testing.T) string { return "prism-session-" + strconv.FormatInt(n.Add(1), 10) }}
}

// fakeVerdict reports whether the fake accepted the request (2xx) and
// fails the test on an answer that is neither 2xx nor 4xx.
func fakeVerdict(t *testing.T, c reqCase, a answer) bool {
	t.Helper()
	require.True(t, a.status < 300 || (a.status >= 400 && a.status < 500), "%s: the fake answered %d: %s", c.name, a.status, a.body)
	return a.status < 300
}

// wantAccepted is what the real server does with c: accept what the
// document allows, unless it refuses it for a reason the schemas do not
// state.
func (c reqCase) wantAccepted() bool { return c.valid && c.semantic == "" }

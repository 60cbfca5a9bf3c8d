package conformance_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive/adaptivetest"
	"github.com/adaptive-go/adaptive/internal/schematest"
)

var routes = []string{
	adaptivetest.RouteChat, adaptivetest.RouteEmbeddings, adaptivetest.RouteComparison, adaptivetest.RouteOutcome,
	adaptivetest.RouteInteractions, adaptivetest.RouteUploadInit, adaptivetest.RouteUploadPart, adaptivetest.RouteUploadStatus,
	adaptivetest.RouteUploadAbort, adaptivetest.RouteDatasetDownload, adaptivetest.RouteRecipeDownload,
	adaptivetest.RouteArtifactDownload, adaptivetest.RouteImage,
}

func TestCorpusCoversEveryRoute(t *testing.T) {
	doc, err := schematest.Load()
	require.NoError(t, err)
	var documented []string
	for path, ops := range doc.Tree["paths"].(map[string]any) {
		for method := range ops.(map[string]any) {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	assert.ElementsMatch(t, documented, routes, "the routes of the document are the fake's")
	names := map[string]bool{}
	for _, c := range corpus() {
		require.Contains(t, routes, c.route, c.name)
		key := c.route + " " + c.name
		require.False(t, names[key], "two cases named %q", key)
		names[key] = true
	}
	for _, r := range routes {
		var accepted, refused int
		for _, c := range corpus() {
			if c.route == r && c.wantAccepted() {
				accepted++
			} else if c.route == r {
				refused++
			}
		}
		assert.Positive(t, accepted, "%s: no request to accept", r)
		assert.Positive(t, refused, "%s: no request to refuse", r)
	}
}

// TestCorpusLabelsAgreeWithAnIndependentValidator checks each JSON body's
// label against santhosh-tekuri/jsonschema, so that neither the fake nor
// Prism is judged by a mislabelled case.
func TestCorpusLabelsAgreeWithAnIndependentValidator(t *testing.T) {
	doc, err := schematest.Load()
	require.NoError(t, err)
	var judged, skipped int
	for _, c := range corpus() {
		if !json.Valid([]byte(c.body)) || !strings.HasPrefix(c.contentType, "application/json") && c.contentType != "-" {
			continue
		}
		method, path, _ := strings.Cut(c.route, " ")
		ptr := "/paths/" + strings.ReplaceAll(path, "/", "~1") + "/" + strings.ToLower(method) + "/requestBody/content/application~1json/schema"
		if _, err := doc.Schema(ptr); err != nil {
			continue // a route without a JSON body
		}
		if c.noOracle != "" {
			skipped++
			continue
		}
		judged++
		bodyValid := c.valid || c.in != ""
		err := doc.Validate(ptr, []byte(c.body))
		if bodyValid {
			assert.NoError(t, err, "%s %s: %s", c.route, c.name, c.body)
		} else {
			assert.Error(t, err, "%s %s: %s", c.route, c.name, c.body)
		}
	}
	t.Logf("%d JSON bodies judged by the independent validator; %d left to the fake and Prism (formats it does not check)", judged, skipped)
	assert.Greater(t, judged, 150)
}

// TestCorpusAgainstTheFake runs the whole corpus against the fake alone:
// it accepts what the document allows, refuses the rest with a message
// naming the field, and refuses what the real server refuses for reasons
// the schemas do not state.
func TestCorpusAgainstTheFake(t *testing.T) {
	fake := fakeTarget(t)
	doc, err := schematest.Load()
	require.NoError(t, err)
	counts := map[string]int{}
	for _, c := range corpus() {
		a := fake.send(t, c)
		accepted := fakeVerdict(t, c, a)
		what := fmt.Sprintf("%s %s: %d %s", c.route, c.name, a.status, a.body)
		switch {
		case c.wantAccepted():
			counts["accepted"]++
			require.True(t, accepted, what)
			if ptr, hasSchema, _ := doc.Response(c.route, a.status, a.mediaType); hasSchema && a.mediaType == "application/json" {
				assert.NoError(t, doc.Validate(ptr, a.body), what)
			}
		case c.valid:
			counts["refused for a reason the schemas do not state"]++
			assert.False(t, accepted, what)
		default:
			counts["refused"]++
			require.False(t, accepted, what)
			var e struct{ Error string }
			require.NoError(t, json.Unmarshal(a.body, &e), what)
			assert.Contains(t, e.Error, c.field, what)
		}
	}
	keys := slices.Sorted(maps.Keys(counts))
	for _, k := range keys {
		t.Logf("%s: %d", k, counts[k])
	}
}

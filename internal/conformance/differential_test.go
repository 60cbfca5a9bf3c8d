package conformance_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
)

// prismURL returns the URL of the Prism mock that .ci/run starts, or skips
// the test when there is none.
func prismURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("ADAPTIVE_PRISM_URL")
	if u == "" {
		t.Skip("ADAPTIVE_PRISM_URL is not set: no Prism mock to test against (bash .ci/run starts one and sets it)")
	}
	return strings.TrimSuffix(u, "/")
}

// prismVerdict reports whether Prism accepted the request: a 2xx, or the
// 500 with which it says that it validated the request but cannot make up
// an answer of a media type with no schema (the binary downloads). Any
// other answer fails the test.
func prismVerdict(t *testing.T, c reqCase, a answer) bool {
	t.Helper()
	switch {
	case a.status < 300:
		return true
	case a.status >= 400 && a.status < 500:
		return false
	case a.status == http.StatusInternalServerError:
		var p struct{ Type, Title string }
		if json.Unmarshal(a.body, &p) == nil && strings.HasSuffix(p.Type, "#UNKNOWN") && strings.Contains(p.Title, "schema is not defined") {
			return true
		}
	}
	t.Fatalf("%s %s: Prism answered %d: %s", c.route, c.name, a.status, a.body)
	return false
}

// TestDifferentialFakeAndPrism sends the corpus to the fake and to Prism:
// both accept what the document allows and refuse what it forbids; the
// requests the real server refuses for reasons the schemas do not state
// (listed in the corpus with the reason) are refused by the fake and
// accepted by Prism. Malformed JSON is left out: Prism 5.16 never answers
// it (the connection hangs); the fake's 400 is tested alone.
func TestDifferentialFakeAndPrism(t *testing.T) {
	prism := prismTarget(t, prismURL(t))
	fake := fakeTarget(t)
	var agreed, semantic int
	var disagreements []string
	for _, c := range corpus() {
		fa, pa := fake.send(t, c), prism.send(t, c)
		fakeOK, prismOK := fakeVerdict(t, c, fa), prismVerdict(t, c, pa)
		wantFake, wantPrism := c.wantAccepted(), c.valid
		if fakeOK == wantFake && prismOK == wantPrism {
			if c.semantic != "" {
				semantic++
			} else {
				agreed++
			}
			continue
		}
		disagreements = append(disagreements, fmt.Sprintf("%s %s: fake %d (want accepted %t), Prism %d (want accepted %t)\n    fake:  %s\n    Prism: %s",
			c.route, c.name, fa.status, wantFake, pa.status, wantPrism, fa.body, pa.body))
	}
	t.Logf("%d requests answered alike by the fake and Prism; %d refused by the fake only, for the reasons the corpus gives; %d disagreements",
		agreed, semantic, len(disagreements))
	if len(disagreements) > 0 {
		t.Errorf("the fake and Prism disagree:\n  %s", strings.Join(disagreements, "\n  "))
	}
}

package adaptive

// Fuzz targets for the decoders that read what a server sends: error
// bodies, Content-Disposition file names, and the JSON unions. Their seed
// corpora (the f.Add calls and testdata/fuzz/<Fuzz...>/) run with plain
// `go test`; `go test -run=^$ -fuzz=FuzzX` explores further. See
// RELIABILITY.md for what they have been run for.

import (
	"github.com/adaptive-go/adaptive/internal/transport"

	"bytes"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzErrorBody feeds arbitrary bytes to the error decoding of a non-2xx
// answer: newAPIError must never panic, must keep at most maxErrorBody
// bytes, and must find the message of the usual {"error": "..."} shape.
func FuzzErrorBody(f *testing.F) {
	for _, s := range []string{
		``,
		`{"error":"EntityNotFound: project demo"}`,
		`{"error":{"message":"nested","type":"x"}}`,
		`{"error":{"error":{"detail":{"msg":"deep"}}}}`,
		`{"message":"m"}`,
		`{"detail":[{"loc":["body","model"],"msg":"field required"}]}`,
		`{"error":null,"message":""}`,
		`{"error":12.5}`,
		`{"error":"\ud800"}`,
		"{\"error\":{\"x\":\"\xff\"}}",
		"plain text \xff\xfe failure",
		"   \n\t",
		`[1,2,3]`,
		`{`,
		strings.Repeat("x", 2000),
		strings.Repeat("é", 700) + "\xe2\x82",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, _ := http.NewRequest(http.MethodPost, "http://user:s3cr3t-pw@example.test/api/v1/x", nil)
		resp := &http.Response{
			StatusCode: http.StatusBadRequest,
			Header:     http.Header{"X-Request-Id": {"r1"}},
			Body:       io.NopCloser(bytes.NewReader(body)),
			Request:    req,
		}
		cfg := &config{transport: &transport.Settings{BaseURL: &url.URL{Scheme: "http", Host: "example.test"}}}
		e := newAPIError(cfg, &transport.Response{Response: resp}, 0)
		require.LessOrEqual(t, len(e.Body), maxErrorBody)
		require.True(t, bytes.Equal(body[:min(len(body), maxErrorBody)], e.Body))
		require.Equal(t, "r1", e.RequestID)
		require.Equal(t, "http://example.test/api/v1/x", e.URL, "user info is redacted")
		msg := e.Error()
		if !bytes.Contains(body, []byte("s3cr3t")) {
			require.NotContains(t, msg, "s3cr3t")
		}
		require.Contains(t, msg, "400 Bad Request")

		// Whatever the body, the message fits on one line of an error:
		// valid UTF-8 and at most about 1 KiB.
		require.True(t, utf8.ValidString(e.Message), "%q", e.Message)
		require.LessOrEqual(t, len(e.Message), 1024+len("…"))
		// A body with a non-empty string "error" field has that message
		// (as JSON decodes it, clipped).
		// (Decoded through a map: field names are matched exactly, unlike
		// struct fields.)
		var fields map[string]json.RawMessage
		var errText string
		if json.Unmarshal(body, &fields) == nil && json.Unmarshal(fields["error"], &errText) == nil && errText != "" && len(body) <= maxErrorBody {
			require.Equal(t, clip(errText), e.Message)
		}
	})
}

// FuzzErrorMessageIsValidUTF8 checks that a message decoded from any body is
// valid UTF-8, whatever the body's shape: it ends up in error strings and
// logs, which must not carry broken text.
func FuzzErrorMessageIsValidUTF8(f *testing.F) {
	for _, s := range []string{
		`{"error":"ok"}`,
		"plain \xff",
		`{"detail":[1,"a"]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		msg := errorMessage(body)
		if !utf8.ValidString(msg) {
			t.Fatalf("errorMessage(%q) = %q: not valid UTF-8", body, msg)
		}
	})
}

// FuzzContentDispositionFilename checks that whatever a server puts in
// Content-Disposition, the suggested file name is never a path: joined to
// a directory it stays a direct child of that directory.
func FuzzContentDispositionFilename(f *testing.F) {
	for _, s := range []string{
		"attachment; filename=data.jsonl",
		`attachment; filename="../../etc/passwd"`,
		"attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd",
		"attachment; filename*=UTF-8''%2E%2E",
		"attachment; filename*=UTF-8''a%00b",
		`attachment; filename="C:\\Windows\\x.dll"`,
		`attachment; filename="\\\\server\\share\\x"`,
		`attachment; filename=" .. "`,
		`attachment; filename="..\u0000"`,
		"attachment; filename=..\x00",
		"attachment; filename=.\x7f.",
		"attachment; filename=\x85..",
		"attachment; filename=my data.jsonl",
		`attachment; filename="a"; filename*=UTF-8''b%2Fc`,
		"attachment; filename*=ISO-8859-1''%E9t%E9.txt",
		"attachment; FILENAME=x; filename=y",
		"attachment; filename=\"" + strings.Repeat("é", 300) + "\"",
		"attachment; filename=",
		";;;=;filename",
	} {
		f.Add(s)
	}
	dir := filepath.Join(string(filepath.Separator)+"downloads", "inbox")
	f.Fuzz(func(t *testing.T, header string) {
		name := filenameFromDisposition(header)
		if name == "" {
			return
		}
		require.False(t, strings.ContainsAny(name, "/\\\x00"), "%q -> %q has a separator or NUL", header, name)
		require.NotEqual(t, "..", name)
		require.NotEqual(t, ".", name)
		require.False(t, strings.Contains(name, ":"), "%q -> %q has a drive separator", header, name)
		require.True(t, filepath.IsLocal(name), "%q -> %q is not local", header, name)
		require.Equal(t, dir, filepath.Dir(filepath.Join(dir, name)), "%q -> %q leaves the directory", header, name)
		require.LessOrEqual(t, len(name), maxFilename)
		require.True(t, utf8.ValidString(name))
		for _, r := range name {
			require.False(t, unicode.IsControl(r), "%q -> %q has a control character", header, name)
		}
	})
}

// FuzzCompletionJSON decodes arbitrary JSON as a Completion: a value that
// decodes must encode again and decode to the same Completion; and a
// Completion built from any id or valid text round-trips exactly.
func FuzzCompletionJSON(f *testing.F) {
	f.Add([]byte(`"6f1c2f8e-2a5b-4c3d-9e8f-0123456789ab"`), "hello", "model", []byte("0123456789abcdef"))
	f.Add([]byte(`{"text":"hi","model":"m"}`), "", "", []byte{})
	f.Add([]byte(`{"text":"\u00e9\ud800","model":null,"x":1}`), "a\"b\\c\n", "p/m", []byte{1})
	f.Add([]byte(`null`), "\u2028", "", []byte("short"))
	f.Add([]byte(`"not-a-uuid"`), "", "m", []byte{})
	f.Add([]byte(`"{6f1c2f8e-2a5b-4c3d-9e8f-0123456789ab}"`), "", "m", []byte{})
	f.Add([]byte(`"urn:uuid:6f1c2f8e-2a5b-4c3d-9e8f-0123456789ab"`), "", "m", []byte{})
	f.Add([]byte(` 12 `), "", "m", []byte{})
	f.Fuzz(func(t *testing.T, wire []byte, text, model string, idBytes []byte) {
		var c Completion
		if err := json.Unmarshal(wire, &c); err == nil && !c.IsZero() {
			out, err := json.Marshal(c)
			require.NoError(t, err, "%q decoded to %v", wire, c)
			var again Completion
			require.NoError(t, json.Unmarshal(out, &again), "%s", out)
			require.Equal(t, c, again, "%q -> %s", wire, out)
		}

		if len(idBytes) >= 16 {
			id, err := uuid.FromBytes(idBytes[:16])
			require.NoError(t, err)
			assertCompletionRoundTrip(t, CompletionID(id.String()))
		}
		if utf8.ValidString(text) {
			assertCompletionRoundTrip(t, CompletionID(text)) // any string round-trips; only sending checks the uuid form
		}
		if utf8.ValidString(text) && utf8.ValidString(model) {
			assertCompletionRoundTrip(t, CompletionText(text, model))
		}
	})
}

func assertCompletionRoundTrip(t *testing.T, c Completion) {
	t.Helper()
	// Inside a request, as the API sees it.
	out, err := json.Marshal(struct {
		P Completion `json:"preferred_completion"`
	}{c})
	require.NoError(t, err)
	var back struct {
		P Completion `json:"preferred_completion"`
	}
	require.NoError(t, json.Unmarshal(out, &back), "%s", out)
	require.Equal(t, c, back.P, "%s", out)
}

// FuzzMetricValueJSON decodes arbitrary JSON as a MetricValue (a decoded
// value re-encodes to the same value), and round-trips every bool and
// every finite number; a non-finite number never encodes.
func FuzzMetricValueJSON(f *testing.F) {
	for _, s := range []string{"true", "false", "0", "1", "-0", "1e308", "1e309", "-1.5e-320", "0.1", "null", `"1"`, "[true]", "01", "1.", "+1", " 2 ", "NaN", "-"} {
		f.Add([]byte(s), 0.5, true)
	}
	f.Add([]byte("3"), math.Inf(1), false)
	f.Add([]byte("3"), math.NaN(), false)
	f.Add([]byte("3"), math.SmallestNonzeroFloat64, false)
	f.Add([]byte("3"), -math.MaxFloat64, false)
	f.Fuzz(func(t *testing.T, wire []byte, num float64, b bool) {
		var v MetricValue
		if err := json.Unmarshal(wire, &v); err == nil && !v.IsZero() {
			out, err := json.Marshal(v)
			require.NoError(t, err, "%q decoded to %v", wire, v)
			var again MetricValue
			require.NoError(t, json.Unmarshal(out, &again), "%s", out)
			require.Equal(t, v, again, "%q -> %s", wire, out)
		}

		bv := MetricBool(b)
		out, err := json.Marshal(bv)
		require.NoError(t, err)
		var back MetricValue
		require.NoError(t, json.Unmarshal(out, &back))
		require.Equal(t, bv, back)

		nv := MetricNumber(num)
		out, err = json.Marshal(nv)
		if math.IsNaN(num) || math.IsInf(num, 0) {
			require.Error(t, err, "a non-finite number must not encode")
			require.Error(t, nv.validate("Value"))
			return
		}
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(out, &back), "%s", out)
		got, ok := back.Number()
		require.True(t, ok, "%s", out)
		require.Equal(t, math.Float64bits(num), math.Float64bits(got), "%v -> %s -> %v", num, out, got)
	})
}

// FuzzPathSegment checks that an identifier given by a caller stays exactly
// one path segment: escaped, it contains no '/', never resolves to a dot
// segment, and unescapes back to itself.
func FuzzPathSegment(f *testing.F) {
	for _, s := range []string{"ds-1", "..", ".", "../x", "a/b", "%2e%2e", "a?b#c", "a;b", "a%2Fb", "\x00", " ", "é", "..%2F"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		seg, err := pathSegment("id", value)
		if err != nil {
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, "id", ve.Field)
			require.Contains(t, []string{"", ".", ".."}, value)
			return
		}
		require.NotContains(t, seg, "/")
		require.NotContains(t, seg, "?")
		require.NotContains(t, seg, "#")
		require.NotEqual(t, ".", seg)
		require.NotEqual(t, "..", seg)
		back, err := url.PathUnescape(seg)
		require.NoError(t, err)
		require.Equal(t, value, back)
		// Resolved against a base, the segment stays under it.
		base, _ := url.Parse("http://h/api/v1/projects/p/datasets/")
		ref, err := url.Parse("./" + seg)
		if err == nil {
			assert.True(t, strings.HasPrefix(base.ResolveReference(ref).EscapedPath(), "/api/v1/projects/p/datasets/"), "%q -> %q", value, seg)
		}
	})
}

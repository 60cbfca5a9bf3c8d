package adaptive

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFilenameFromDisposition(t *testing.T) {
	for _, tc := range []struct {
		name, header, want string
	}{
		{"none", "", ""},
		{"no filename", "attachment", ""},
		{"plain token", "attachment; filename=data.jsonl", "data.jsonl"},
		{"quoted", `attachment; filename="my data.jsonl"`, "my data.jsonl"},
		{"quoted with escapes", `attachment; filename="say \"hi\".txt"`, `say "hi".txt`},
		{"inline", `inline; filename="a.png"`, "a.png"},
		{"RFC 5987", "attachment; filename*=UTF-8''na%C3%AFve%20r%C3%A9sum%C3%A9.jsonl", "naïve résumé.jsonl"},
		{"RFC 5987 wins over filename", `attachment; filename="fallback.txt"; filename*=UTF-8''%E2%82%AC.txt`, "€.txt"},
		{"RFC 5987 first", `attachment; filename*=UTF-8''%E2%82%AC.txt; filename="fallback.txt"`, "€.txt"},
		{"unquoted with spaces", "attachment; filename=my data.jsonl", "my data.jsonl"},
		{"unquoted with spaces and RFC 5987", "attachment; filename=my data.jsonl; filename*=UTF-8'en'm%C3%BC.jsonl", "mü.jsonl"},
		{"unquoted, RFC 5987 in another charset", "attachment; filename=a b.txt; filename*=ISO-8859-1''%E9.txt", "a b.txt"},
		{"unquoted, RFC 5987 badly escaped", "attachment; filename=a b.txt; filename*=UTF-8''%zz.txt", "a b.txt"},
		{"unquoted hostile", "attachment; filename=../../a b", "a b"},
		{"traversal", `attachment; filename="../../x"`, "x"},
		{"traversal in RFC 5987", "attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd", "passwd"},
		{"absolute", `attachment; filename="/etc/passwd"`, "passwd"},
		{"windows path", `attachment; filename="C:\\Windows\\x.dll"`, "x.dll"},
		{"windows drive relative", `attachment; filename="C:x.dll"`, "x.dll"},
		{"dot dot only", `attachment; filename=".."`, ""},
		{"dot only", `attachment; filename="."`, ""},
		{"trailing slash", `attachment; filename="dir/"`, ""},
		{"NUL and controls", "attachment; filename*=UTF-8''a%00b%0Ac%7F.txt", "abc.txt"},
		{"invalid UTF-8", "attachment; filename*=UTF-8''a%FFb.txt", "ab.txt"},
		{"spaces trimmed", `attachment; filename="  a.txt  "`, "a.txt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, filenameFromDisposition(tc.header))
		})
	}
}

func TestSafeFilenameBoundsLength(t *testing.T) {
	got := safeFilename(strings.Repeat("é", 200)) // 400 bytes
	assert.LessOrEqual(t, len(got), maxFilename)
	assert.Equal(t, strings.Repeat("é", maxFilename/2), got, "cut on a rune boundary")
}

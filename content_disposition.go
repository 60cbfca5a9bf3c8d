package adaptive

import (
	"mime"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxFilename bounds a suggested file name, in bytes (the usual limit of
// file systems).
const maxFilename = 255

// filenameFromDisposition returns the file name suggested by a
// Content-Disposition header (filename*, RFC 5987, wins over filename),
// reduced by safeFilename to a bare base name, or "" when there is none.
func filenameFromDisposition(header string) string {
	if header == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(header)
	if err != nil {
		// Servers do send unquoted names with spaces, which the strict parser
		// rejects; take the plain value as it stands.
		return safeFilename(looseFilename(header))
	}
	return safeFilename(params["filename"])
}

// looseFilename finds the file name in a header that mime.ParseMediaType
// rejected: a filename* value in the RFC 5987 UTF-8 form when one decodes, else
// filename=value without its surrounding quotes.
func looseFilename(header string) string {
	var plain string
	for _, part := range strings.Split(header, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case strings.EqualFold(k, "filename*"):
			charset, rest, _ := strings.Cut(v, "'")
			_, encoded, ok := strings.Cut(rest, "'") // skip the language tag
			if !ok || !strings.EqualFold(charset, "UTF-8") {
				continue
			}
			if name, err := url.PathUnescape(encoded); err == nil {
				return name
			}
		case strings.EqualFold(k, "filename") && plain == "":
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			plain = v
		}
	}
	return plain
}

// safeFilename reduces a name chosen by the server to something safe to
// join to a directory: the part after the last separator ('/', '\\', or a
// Windows drive's ':'), without control characters or invalid UTF-8, not
// "." or "..", at most maxFilename bytes. It returns "" when nothing usable
// is left.
func safeFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\:`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.ToValidUTF8(name, "")
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "." || name == ".." {
		return ""
	}
	if len(name) > maxFilename {
		cut := maxFilename
		for cut > 0 && !utf8.RuneStart(name[cut]) {
			cut--
		}
		name = name[:cut]
	}
	return name
}

// Package graphql parses GraphQL executable documents (operations and
// fragments, as clients send them): the SDK reads an operation's type to
// decide how safely it may be retried, and adaptivetest executes documents
// against its fake datasets. It follows the October 2021 specification for
// the executable subset; type system definitions are refused.
package graphql

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// kind is the kind of a token.
type kind uint8

const (
	tokEOF kind = iota
	tokPunct
	tokName
	tokInt
	tokFloat
	tokString
)

type token struct {
	kind      kind
	text      string // the punctuator, the name, the number as written, or the string's value
	line, col int
}

func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "<EOF>"
	case tokString:
		return fmt.Sprintf("string %q", t.text)
	case tokName:
		return fmt.Sprintf("name %q", t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

// SyntaxError is a document that does not parse, with the position
// (1-based line and column) where it stops making sense.
type SyntaxError struct {
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("syntax error at %d:%d: %s", e.Line, e.Column, e.Msg)
}

type lexer struct {
	src       string
	pos       int
	line, col int // of src[pos]
}

func (l *lexer) fail(line, col int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

func (l *lexer) advance(n int) {
	for _, r := range l.src[l.pos : l.pos+n] {
		if r == '\n' {
			l.line, l.col = l.line+1, 1
		} else {
			l.col++
		}
	}
	l.pos += n
}

// skip passes over what the grammar ignores: white space, line
// terminators, commas, comments and a byte order mark.
func (l *lexer) skip() {
	for l.pos < len(l.src) {
		switch c := l.src[l.pos]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			l.advance(1)
		case c == '#':
			end := strings.IndexAny(l.src[l.pos:], "\r\n")
			if end < 0 {
				end = len(l.src) - l.pos
			}
			l.advance(end)
		case strings.HasPrefix(l.src[l.pos:], "\uFEFF"):
			l.advance(len("\uFEFF"))
		default:
			return
		}
	}
}

func (l *lexer) next() (token, error) {
	l.skip()
	if l.pos >= len(l.src) {
		return token{kind: tokEOF, line: l.line, col: l.col}, nil
	}
	line, col := l.line, l.col
	rest := l.src[l.pos:]
	c := rest[0]
	switch {
	case strings.HasPrefix(rest, "..."):
		l.advance(3)
		return token{tokPunct, "...", line, col}, nil
	case strings.IndexByte("!$&():=@[]{|}", c) >= 0:
		l.advance(1)
		return token{tokPunct, string(c), line, col}, nil
	case c == '_' || isLetter(c):
		n := 1
		for n < len(rest) && (rest[n] == '_' || isLetter(rest[n]) || isDigit(rest[n])) {
			n++
		}
		l.advance(n)
		return token{tokName, rest[:n], line, col}, nil
	case c == '-' || isDigit(c):
		return l.number(line, col)
	case strings.HasPrefix(rest, `"""`):
		return l.blockString(line, col)
	case c == '"':
		return l.string(line, col)
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return token{}, l.fail(line, col, "unexpected character %q", r)
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }

func (l *lexer) number(line, col int) (token, error) {
	rest := l.src[l.pos:]
	n := 0
	if rest[n] == '-' {
		n++
	}
	start := n
	for n < len(rest) && isDigit(rest[n]) {
		n++
	}
	switch {
	case n == start:
		return token{}, l.fail(line, col, "a number needs a digit after %q", rest[:n])
	case n-start > 1 && rest[start] == '0':
		return token{}, l.fail(line, col, "a number may not start with 0: %q", rest[:n])
	}
	k := tokInt
	if n < len(rest) && rest[n] == '.' {
		k, n = tokFloat, n+1
		d := n
		for n < len(rest) && isDigit(rest[n]) {
			n++
		}
		if n == d {
			return token{}, l.fail(line, col, "a number needs a digit after its decimal point")
		}
	}
	if n < len(rest) && (rest[n] == 'e' || rest[n] == 'E') {
		k, n = tokFloat, n+1
		if n < len(rest) && (rest[n] == '+' || rest[n] == '-') {
			n++
		}
		d := n
		for n < len(rest) && isDigit(rest[n]) {
			n++
		}
		if n == d {
			return token{}, l.fail(line, col, "a number needs a digit in its exponent")
		}
	}
	if n < len(rest) && (rest[n] == '.' || rest[n] == '_' || isLetter(rest[n])) {
		return token{}, l.fail(line, col, "invalid number %q", rest[:n+1])
	}
	l.advance(n)
	return token{k, rest[:n], line, col}, nil
}

func (l *lexer) string(line, col int) (token, error) {
	var b strings.Builder
	i := l.pos + 1
	for i < len(l.src) {
		c := l.src[i]
		switch {
		case c == '"':
			l.advance(i + 1 - l.pos)
			return token{tokString, b.String(), line, col}, nil
		case c == '\n' || c == '\r':
			return token{}, l.fail(line, col, "unterminated string")
		case c == '\\':
			if i+1 >= len(l.src) {
				return token{}, l.fail(line, col, "unterminated string")
			}
			esc := l.src[i+1]
			switch esc {
			case '"', '\\', '/':
				b.WriteByte(esc)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, n, ok := unicodeEscape(l.src[i:])
				if !ok {
					return token{}, l.fail(line, col, "invalid unicode escape in string")
				}
				b.WriteRune(r)
				i += n
				continue
			default:
				return token{}, l.fail(line, col, "invalid escape \\%c in string", esc)
			}
			i += 2
		default:
			b.WriteByte(c)
			i++
		}
	}
	return token{}, l.fail(line, col, "unterminated string")
}

// unicodeEscape reads \uXXXX, \u{X...} or a surrogate pair of \uXXXX at the
// start of s, returning the rune and the bytes used.
func unicodeEscape(s string) (rune, int, bool) {
	hex := func(h string) (rune, bool) {
		var r rune
		if h == "" || len(h) > 6 {
			return 0, false
		}
		for i := 0; i < len(h); i++ {
			c := h[i]
			switch {
			case isDigit(c):
				r = r*16 + rune(c-'0')
			case 'a' <= c && c <= 'f':
				r = r*16 + rune(c-'a'+10)
			case 'A' <= c && c <= 'F':
				r = r*16 + rune(c-'A'+10)
			default:
				return 0, false
			}
		}
		return r, true
	}
	if strings.HasPrefix(s, `\u{`) {
		end := strings.IndexByte(s, '}')
		if end < 0 {
			return 0, 0, false
		}
		r, ok := hex(s[3:end])
		return r, end + 1, ok && utf8.ValidRune(r)
	}
	if len(s) < 6 {
		return 0, 0, false
	}
	r, ok := hex(s[2:6])
	if !ok {
		return 0, 0, false
	}
	if 0xD800 <= r && r <= 0xDBFF && len(s) >= 12 && s[6:8] == `\u` {
		lo, ok := hex(s[8:12])
		if ok && 0xDC00 <= lo && lo <= 0xDFFF {
			return (r-0xD800)<<10 + (lo - 0xDC00) + 0x10000, 12, true
		}
	}
	return r, 6, utf8.ValidRune(r)
}

// blockString reads a """block string""", removing its common indentation
// as the specification's BlockStringValue does.
func (l *lexer) blockString(line, col int) (token, error) {
	var raw strings.Builder
	i := l.pos + 3
	for {
		if i >= len(l.src) {
			return token{}, l.fail(line, col, "unterminated block string")
		}
		switch {
		case strings.HasPrefix(l.src[i:], `\"""`):
			raw.WriteString(`"""`)
			i += 4
		case strings.HasPrefix(l.src[i:], `"""`):
			l.advance(i + 3 - l.pos)
			return token{tokString, blockValue(raw.String()), line, col}, nil
		default:
			raw.WriteByte(l.src[i])
			i++
		}
	}
}

func blockValue(raw string) string {
	lines := strings.Split(strings.ReplaceAll(strings.ReplaceAll(raw, "\r\n", "\n"), "\r", "\n"), "\n")
	common := -1
	for _, ln := range lines[1:] {
		indent := len(ln) - len(strings.TrimLeft(ln, " \t"))
		if indent < len(ln) && (common < 0 || indent < common) {
			common = indent
		}
	}
	if common > 0 {
		for i := 1; i < len(lines); i++ {
			lines[i] = lines[i][min(common, len(lines[i])):]
		}
	}
	for len(lines) > 0 && strings.TrimLeft(lines[0], " \t") == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimLeft(lines[len(lines)-1], " \t") == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

package adaptivetest

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// jsonSchema is one schema of the contract, compiled from the embedded
// OpenAPI 3.1 document. It implements the part of JSON Schema 2020-12 that
// the document uses ($ref, type, required, properties,
// additionalProperties, propertyNames, items, oneOf, allOf, enum, minimum
// and the formats uuid, int32, int64 and float); compileSchema refuses any
// other keyword, so that a new document cannot be checked half-way without
// a failing test saying so.
type jsonSchema struct {
	name       string // the component's name, for messages
	ref        string // the component a $ref names, resolved into target
	target     *jsonSchema
	types      []string // nil: any type
	required   []string
	properties map[string]*jsonSchema
	additional *jsonSchema // nil: any value
	keys       *jsonSchema // propertyNames
	items      *jsonSchema
	oneOf      []*jsonSchema
	allOf      []*jsonSchema
	enum       []any
	format     string
	minimum    *float64
}

// annotations are the keywords that do not constrain a value.
var annotations = []string{"description", "examples", "title", "default"}

var knownFormats = []string{"uuid", "int32", "int64", "float"}

// compileSchema compiles the decoded schema raw; where names its place in
// the document, for errors.
func compileSchema(raw any, where string) (*jsonSchema, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: a schema must be an object, not %T", where, raw)
	}
	s := &jsonSchema{}
	for k, v := range m {
		var err error
		switch k {
		case "$ref":
			ref, _ := v.(string)
			name, ok := strings.CutPrefix(ref, "#/components/schemas/")
			if !ok {
				return nil, fmt.Errorf("%s: $ref %q is not a component schema", where, ref)
			}
			s.ref = name
		case "type":
			switch t := v.(type) {
			case string:
				s.types = []string{t}
			case []any:
				for _, e := range t {
					name, _ := e.(string)
					s.types = append(s.types, name)
				}
			}
		case "required":
			for _, e := range v.([]any) {
				s.required = append(s.required, e.(string))
			}
		case "properties":
			s.properties = map[string]*jsonSchema{}
			for name, p := range v.(map[string]any) {
				if s.properties[name], err = compileSchema(p, where+"."+name); err != nil {
					return nil, err
				}
			}
		case "additionalProperties":
			s.additional, err = compileSchema(v, where+".additionalProperties")
		case "propertyNames":
			s.keys, err = compileSchema(v, where+".propertyNames")
		case "items":
			s.items, err = compileSchema(v, where+"[]")
		case "oneOf", "allOf":
			for i, e := range v.([]any) {
				sub, err := compileSchema(e, fmt.Sprintf("%s.%s[%d]", where, k, i))
				if err != nil {
					return nil, err
				}
				if k == "oneOf" {
					s.oneOf = append(s.oneOf, sub)
				} else {
					s.allOf = append(s.allOf, sub)
				}
			}
		case "enum":
			s.enum = v.([]any)
			for _, e := range s.enum {
				if _, ok := e.(string); !ok {
					return nil, fmt.Errorf("%s: enum values other than strings are not implemented", where)
				}
			}
		case "format":
			s.format, _ = v.(string)
			if !slices.Contains(knownFormats, s.format) {
				return nil, fmt.Errorf("%s: format %q is not implemented", where, s.format)
			}
		case "minimum":
			f, err := strconv.ParseFloat(string(v.(json.Number)), 64)
			if err != nil {
				return nil, fmt.Errorf("%s: minimum: %w", where, err)
			}
			s.minimum = &f
		default:
			if !slices.Contains(annotations, k) {
				return nil, fmt.Errorf("%s: keyword %q is not implemented", where, k)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

// resolve points every $ref of s, and of the schemas inside it, at its
// component.
func (s *jsonSchema) resolve(components map[string]*jsonSchema) error {
	if s == nil {
		return nil
	}
	if s.ref != "" {
		if s.target = components[s.ref]; s.target == nil {
			return fmt.Errorf("$ref to the unknown component %q", s.ref)
		}
	}
	subs := []*jsonSchema{s.additional, s.keys, s.items}
	subs = append(subs, s.oneOf...)
	subs = append(subs, s.allOf...)
	for _, p := range s.properties {
		subs = append(subs, p)
	}
	for _, sub := range subs {
		if err := sub.resolve(components); err != nil {
			return err
		}
	}
	return nil
}

// fieldError is a value that breaks the contract, at path (empty for the
// whole body): "messages[0].content", "tools[1].id".
type fieldError struct {
	path, msg string
}

func (e *fieldError) Error() string {
	if e.path == "" {
		return e.msg
	}
	return e.path + ": " + e.msg
}

func failAt(path, format string, args ...any) *fieldError {
	return &fieldError{path, fmt.Sprintf(format, args...)}
}

// validate checks v, a value decoded with json.Decoder.UseNumber, against
// s, and returns the first violation, in a fixed order (required fields in
// the schema's order, then fields by name), or nil.
func (s *jsonSchema) validate(path string, v any) *fieldError {
	if s.target != nil {
		return s.target.validate(path, v)
	}
	if s.types != nil && !slices.ContainsFunc(s.types, func(t string) bool { return hasType(v, t) }) {
		return failAt(path, "invalid type: %s, expected %s", describeValue(v), expectedTypes(s.types))
	}
	for _, sub := range s.allOf {
		if err := sub.validate(path, v); err != nil {
			return err
		}
	}
	if s.oneOf != nil {
		if err := s.validateOneOf(path, v); err != nil {
			return err
		}
	}
	if s.enum != nil && !slices.Contains(s.enum, v) {
		return failAt(path, "unknown variant %s, expected %s", describeValue(v), oneOfList(s.enum))
	}
	if err := s.validateFormat(path, v); err != nil {
		return err
	}
	if n, ok := v.(json.Number); ok && s.minimum != nil {
		if f, _ := strconv.ParseFloat(string(n), 64); f < *s.minimum {
			return failAt(path, "invalid value: %s, expected at least %v", n, *s.minimum)
		}
	}
	switch v := v.(type) {
	case map[string]any:
		return s.validateObject(path, v)
	case []any:
		if s.items != nil {
			for i, e := range v {
				if err := s.items.validate(fmt.Sprintf("%s[%d]", path, i), e); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (s *jsonSchema) validateObject(path string, v map[string]any) *fieldError {
	for _, name := range s.required {
		if _, ok := v[name]; !ok {
			return failAt(path, "missing field `%s`", name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(v)) {
		at := join(path, name)
		if s.keys != nil {
			if err := s.keys.validate(at, name); err != nil {
				return err
			}
		}
		sub, ok := s.properties[name]
		if !ok {
			sub = s.additional
		}
		if sub != nil {
			if err := sub.validate(at, v[name]); err != nil {
				return err
			}
		}
	}
	return nil
}

// validateOneOf requires v to match exactly one branch. When it matches
// none, the error says which types were expected when no branch takes v's
// type; else it is the error of the branch v was evidently meant for (the
// only one of its type, or the one its tag names, as "type" does for
// message parts), or else names the union.
func (s *jsonSchema) validateOneOf(path string, v any) *fieldError {
	var matched int
	for _, b := range s.oneOf {
		if b.validate(path, v) == nil {
			matched++
		}
	}
	switch {
	case matched == 1:
		return nil
	case matched > 1:
		return failAt(path, "data matched more than one variant of %s", s.unionName())
	}
	var candidates []*jsonSchema
	for _, b := range s.oneOf {
		if b.admits(v) {
			candidates = append(candidates, b)
		}
	}
	if len(candidates) == 1 {
		return candidates[0].validate(path, v)
	}
	if len(candidates) == 0 {
		var types []string
		for _, b := range s.oneOf {
			types = append(types, b.deref().types...)
		}
		return failAt(path, "invalid type: %s, expected %s", describeValue(v), expectedTypes(slices.Compact(types)))
	}
	if obj, ok := v.(map[string]any); ok {
		if err, ok := s.byTag(path, obj); ok {
			return err
		}
	}
	return failAt(path, "data did not match any variant of untagged enum %s", s.unionName())
}

// byTag handles a union of objects told apart by a property whose value is
// fixed in each branch (a single-value enum): it returns the error of the
// branch v's tag names, or says which tags exist. ok is false when the
// branches have no such property.
func (s *jsonSchema) byTag(path string, v map[string]any) (err *fieldError, ok bool) {
	tag := ""
	for _, name := range slices.Sorted(maps.Keys(s.oneOf[0].deref().properties)) {
		if !slices.ContainsFunc(s.oneOf, func(b *jsonSchema) bool { _, ok := b.fixedValue(name); return !ok }) {
			tag = name
			break
		}
	}
	if tag == "" {
		return nil, false
	}
	var tags []any
	for _, b := range s.oneOf {
		want, _ := b.fixedValue(tag)
		if v[tag] == want {
			return b.validate(path, v), true
		}
		tags = append(tags, want)
	}
	if _, present := v[tag]; !present {
		return failAt(path, "missing field `%s`", tag), true
	}
	return failAt(join(path, tag), "unknown variant %s, expected %s", describeValue(v[tag]), oneOfList(tags)), true
}

// fixedValue returns the only value the object schema s allows for its
// property name (a single-value enum); ok is false when there is none.
func (s *jsonSchema) fixedValue(name string) (v any, ok bool) {
	p := s.deref().properties[name].deref()
	if p == nil || len(p.enum) != 1 {
		return nil, false
	}
	return p.enum[0], true
}

// deref returns the schema a $ref names, or s itself; nil stays nil.
func (s *jsonSchema) deref() *jsonSchema {
	if s != nil && s.target != nil {
		return s.target
	}
	return s
}

// admits reports whether the type of v is one the schema allows, looking
// no deeper.
func (s *jsonSchema) admits(v any) bool {
	s = s.deref()
	if s.types == nil {
		return true
	}
	return slices.ContainsFunc(s.types, func(t string) bool { return hasType(v, t) })
}

func (s *jsonSchema) unionName() string {
	if s.name != "" {
		return s.name
	}
	return "the allowed forms"
}

var uuidPattern = regexp.MustCompile(`^(?i:urn:uuid:)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// validateFormat checks the formats of the document: uuid in the
// hyphenated form (with the optional urn:uuid: prefix that OpenAPI tools
// accept), int32 and int64 as integer ranges, float as a finite value in
// the range of a 32-bit float.
func (s *jsonSchema) validateFormat(path string, v any) *fieldError {
	switch v := v.(type) {
	case string:
		if s.format == "uuid" && !uuidPattern.MatchString(v) {
			return failAt(path, "invalid UUID %q: expected the hyphenated form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", v)
		}
	case json.Number:
		f, _ := strconv.ParseFloat(string(v), 64)
		switch s.format {
		case "int32":
			if f < math.MinInt32 || f > math.MaxInt32 {
				return failAt(path, "invalid value: integer `%s`, expected i32", v)
			}
		case "int64":
			if _, err := strconv.ParseInt(string(v), 10, 64); err != nil && (f < math.MinInt64 || f >= math.MaxInt64) {
				return failAt(path, "invalid value: integer `%s`, expected i64", v)
			}
		case "float":
			if math.IsInf(f, 0) || math.Abs(f) > math.MaxFloat32 {
				return failAt(path, "invalid value: %s, expected f32", v)
			}
		}
	}
	return nil
}

// hasType reports whether v is of the JSON Schema type t; an integer is a
// number with no fractional part (2.0 included).
func hasType(v any, t string) bool {
	switch v := v.(type) {
	case nil:
		return t == "null"
	case bool:
		return t == "boolean"
	case string:
		return t == "string"
	case map[string]any:
		return t == "object"
	case []any:
		return t == "array"
	case json.Number:
		if t == "number" {
			return true
		}
		if t != "integer" {
			return false
		}
		if _, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return true
		}
		f, err := strconv.ParseFloat(string(v), 64)
		return err == nil && f == math.Trunc(f)
	}
	return false
}

// describeValue names v the way the real server's messages do: `string
// "x"`, `integer 5`, `boolean true`, `map`, `sequence`, `null`.
func describeValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return fmt.Sprintf("boolean `%t`", v)
	case string:
		return "string " + strconv.Quote(v)
	case map[string]any:
		return "map"
	case []any:
		return "sequence"
	case json.Number:
		if hasType(v, "integer") {
			return "integer `" + string(v) + "`"
		}
		return "floating point `" + string(v) + "`"
	}
	return fmt.Sprintf("%T", v)
}

func expectedTypes(types []string) string {
	words := make([]string, len(types))
	for i, t := range types {
		words[i] = map[string]string{
			"string": "a string", "integer": "an integer", "number": "a number", "boolean": "a boolean",
			"object": "a map", "array": "a sequence", "null": "null",
		}[t]
	}
	return strings.Join(words, " or ")
}

// oneOfList formats the allowed values: "`a` or `b`", "one of `a`, `b`, `c`".
func oneOfList(values []any) string {
	words := make([]string, len(values))
	for i, v := range values {
		words[i] = fmt.Sprintf("`%v`", v)
	}
	if len(words) == 2 {
		return words[0] + " or " + words[1]
	}
	return "one of " + strings.Join(words, ", ")
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

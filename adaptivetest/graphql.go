package adaptivetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/adaptive-go/adaptive/internal/graphql"
)

// RouteGraphQL is the GraphQL endpoint, for FailNext, SetLatency and
// RequestsTo. The fake serves these fields of the vendor's schema, with
// their arguments and types as it has them (project-era spelling):
//
//	query    dataset(idOrKey: IdOrKey!, project: IdOrKey!): Dataset
//	query    datasets(project: IdOrKey!): [Dataset!]!
//	query    datasetUploadProcessingStatus(input: DatasetUploadProcessingStatusInput!): DatasetUploadProcessingStatus!
//	mutation createDatasetFromMultipartUpload(input: DatasetCreateFromMultipartUpload!): DatasetUploadProcessingStatus!
//	mutation createDataset(input: DatasetCreate!, file: Upload!): Dataset!
//	mutation deleteDataset(idOrKey: IdOrKey!, project: IdOrKey!): Boolean!
//
// Dataset has id, key, name, records, source, status (PENDING,
// PROCESSING, READY, FAILED), deleted and progress {processedParts
// totalParts progress processedLines totalLines};
// DatasetUploadProcessingStatus has datasetId, status (PENDING, DONE,
// ERROR), totalParts, processedParts, progress and error.
//
// Requests are JSON ({"query", "operationName", "variables"}) or, for
// createDataset's file, a GraphQL multipart request (fields "operations",
// "map", then the files). Documents are parsed and validated before they
// run (unknown fields and arguments, missing required arguments and
// variables, sub-selections, input types), and errors are answered the
// GraphQL way: status 200 with {"errors": [{"message", "locations",
// "path"}]}, and "data" once execution started (null when a non-null root
// field failed). A dataset is created from a complete session, which it
// consumes, and downloads by key or id; an unknown or incomplete session
// and a key taken in the project are errors.
const RouteGraphQL = "POST /api/graphql"

func (s *Server) graphqlRoutes(routes map[string]http.HandlerFunc) {
	s.datasets.init()
	routes[RouteGraphQL] = s.handleGraphQL
}

// gqlError is one entry of an answer's "errors".
type gqlError struct {
	Message   string        `json:"message"`
	Locations []gqlLocation `json:"locations,omitempty"`
	Path      []any         `json:"path,omitempty"`
}

type gqlLocation struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

func errorAt(line, col int, format string, args ...any) *gqlError {
	e := &gqlError{Message: fmt.Sprintf(format, args...)}
	if line > 0 {
		e.Locations = []gqlLocation{{line, col}}
	}
	return e
}

// gqlRequest is a decoded GraphQL request.
type gqlRequest struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
}

// upload is a file of a multipart request, the value of an Upload
// variable.
type upload struct {
	filename, contentType string
	data                  []byte
}

func (s *Server) handleGraphQL(w http.ResponseWriter, r *http.Request) {
	req, err := readGraphQLRequest(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []*gqlError{{Message: err.Error()}}})
		return
	}
	answer, root := s.executeGraphQL(req)
	if status, lost := s.datasets.takeLoss(root); lost {
		// Executed, then the answer is lost: as a gateway that timed out
		// after forwarding the request, or a connection cut.
		if status == 0 {
			dropConnection(w)
			return
		}
		writeError(w, status, http.StatusText(status))
		return
	}
	writeJSON(w, http.StatusOK, answer)
}

// readGraphQLRequest decodes a JSON request or a GraphQL multipart request.
func readGraphQLRequest(r *http.Request) (*gqlRequest, error) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
		req := &gqlRequest{}
		dec := json.NewDecoder(r.Body)
		dec.UseNumber()
		if err := dec.Decode(req); err != nil {
			return nil, fmt.Errorf("the body is not a GraphQL request: %v", err)
		}
		if req.Query == "" {
			return nil, errors.New("the request has no query")
		}
		return req, nil
	case "multipart/form-data":
		return readMultipart(r, params["boundary"])
	}
	return nil, fmt.Errorf("expected Content-Type application/json or multipart/form-data, got %q", r.Header.Get("Content-Type"))
}

// readMultipart reads a request of the GraphQL multipart request
// convention: "operations" first, then "map", then the files it names.
func readMultipart(r *http.Request, boundary string) (*gqlRequest, error) {
	if boundary == "" {
		return nil, errors.New("multipart request without a boundary")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, err
	}
	var req *gqlRequest
	var paths map[string][]string
	files := map[string]*upload{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading the multipart request: %v", err)
		}
		body, err := io.ReadAll(p)
		if err != nil {
			return nil, fmt.Errorf("reading the multipart request: %v", err)
		}
		switch name := p.FormName(); {
		case req == nil:
			if name != "operations" {
				return nil, fmt.Errorf("the first field of a multipart request must be \"operations\", not %q", name)
			}
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.UseNumber()
			req = &gqlRequest{}
			if err := dec.Decode(req); err != nil || req.Query == "" {
				return nil, fmt.Errorf("the operations field is not one GraphQL request (batches are not supported): %v", err)
			}
		case paths == nil:
			if name != "map" {
				return nil, fmt.Errorf("the second field of a multipart request must be \"map\", not %q", name)
			}
			if err := json.Unmarshal(body, &paths); err != nil {
				return nil, fmt.Errorf("the map field is not an object of paths: %v", err)
			}
		default:
			if _, ok := paths[name]; !ok {
				return nil, fmt.Errorf("file field %q is not in the map", name)
			}
			files[name] = &upload{filename: p.FileName(), contentType: p.Header.Get("Content-Type"), data: body}
		}
	}
	if req == nil || paths == nil {
		return nil, errors.New("a multipart request needs the operations and map fields")
	}
	for name, targets := range paths {
		f := files[name]
		if f == nil {
			return nil, fmt.Errorf("the map names file %q, which the request does not hold", name)
		}
		for _, target := range targets {
			if err := placeFile(req, target, f); err != nil {
				return nil, err
			}
		}
	}
	return req, nil
}

// placeFile puts f at a path of the map ("variables.file",
// "variables.files.0").
func placeFile(req *gqlRequest, path string, f *upload) error {
	parts := strings.Split(path, ".")
	if len(parts) < 2 || parts[0] != "variables" {
		return fmt.Errorf("map path %q does not start with \"variables.\"", path)
	}
	if req.Variables == nil {
		req.Variables = map[string]any{}
	}
	var cur any = req.Variables
	for i, p := range parts[1:] {
		last := i == len(parts)-2
		switch c := cur.(type) {
		case map[string]any:
			if last {
				if v, ok := c[p]; !ok || v != nil {
					return fmt.Errorf("map path %q does not point at a null variable", path)
				}
				c[p] = f
				return nil
			}
			cur = c[p]
		case []any:
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 || n >= len(c) {
				return fmt.Errorf("map path %q has no element %q", path, p)
			}
			if last {
				c[n] = f
				return nil
			}
			cur = c[n]
		default:
			return fmt.Errorf("map path %q does not point into the variables", path)
		}
	}
	return nil
}

// executeGraphQL runs a request and returns its answer, and the name of
// its first root field ("" when it did not run).
func (s *Server) executeGraphQL(req *gqlRequest) (map[string]any, string) {
	doc, err := graphql.Parse(req.Query)
	if err != nil {
		var se *graphql.SyntaxError
		if errors.As(err, &se) {
			return errorsAnswer(errorAt(se.Line, se.Column, "Syntax Error: %s", se.Msg)), ""
		}
		return errorsAnswer(&gqlError{Message: err.Error()}), ""
	}
	op, err := doc.Operation(req.OperationName)
	if err != nil {
		return errorsAnswer(&gqlError{Message: err.Error()}), ""
	}
	x := &executor{s: s, doc: doc}
	root := "Query"
	switch op.Type {
	case "mutation":
		root = "Mutation"
	case "subscription":
		return errorsAnswer(errorAt(op.Line, op.Col, "the fake serves no subscriptions")), ""
	}
	if errs := x.bindVariables(op, req.Variables); len(errs) > 0 {
		return errorsAnswer(errs...), ""
	}
	fields, errs := x.collect(root, op.Selections)
	if len(errs) == 0 {
		errs = x.validate(root, fields)
	}
	if len(errs) > 0 {
		return errorsAnswer(errs...), ""
	}
	data := &object{}
	nullData := false
	for _, f := range fields {
		if f.Name == "__typename" {
			data.set(f.ResponseKey(), root)
			continue
		}
		def := schemaObjects[root][f.Name]
		v, gerr := x.resolveRoot(f, def)
		if gerr == nil {
			var cerr *gqlError
			v, cerr = x.complete(v, def.typ, f, []any{f.ResponseKey()})
			gerr = cerr
		}
		if gerr != nil {
			if gerr.Path == nil {
				gerr.Path = []any{f.ResponseKey()}
			}
			if gerr.Locations == nil {
				gerr.Locations = []gqlLocation{{f.Line, f.Col}}
			}
			x.errs = append(x.errs, gerr)
			if nonNull(def.typ) {
				nullData = true
			}
			v = nil
		}
		data.set(f.ResponseKey(), v)
	}
	answer := map[string]any{"data": data}
	if nullData {
		answer["data"] = nil
	}
	if len(x.errs) > 0 {
		answer["errors"] = x.errs
	}
	return answer, fields[0].Name
}

func errorsAnswer(errs ...*gqlError) map[string]any { return map[string]any{"errors": errs} }

// object is a JSON object that keeps its keys in the order of the
// selection, as GraphQL answers do.
type object struct {
	keys []string
	vals map[string]any
}

func (o *object) set(k string, v any) {
	if o.vals == nil {
		o.vals = map[string]any{}
	}
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

func (o *object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// executor runs one operation.
type executor struct {
	s    *Server
	doc  *graphql.Document
	vars map[string]any
	errs []*gqlError
}

// bindVariables checks the variables the operation declares against
// those given: a required one must be given and not null; a default
// applies to one not given.
func (x *executor) bindVariables(op *graphql.Operation, given map[string]any) []*gqlError {
	x.vars = map[string]any{}
	var errs []*gqlError
	for _, v := range op.Vars {
		val, ok := given[v.Name]
		if !ok && v.Default != nil {
			val, ok = x.value(v.Default), true
		}
		if (!ok || val == nil) && v.Type.NonNull {
			errs = append(errs, errorAt(op.Line, op.Col, "Variable \"$%s\" of required type \"%s\" was not provided.", v.Name, v.Type))
			continue
		}
		x.vars[v.Name] = val
	}
	return errs
}

// value turns a literal of the document into the JSON-like value of a
// variable: strings, json.Number, bools, nil, []any, map[string]any.
func (x *executor) value(v graphql.Value) any {
	switch v := v.(type) {
	case graphql.Variable:
		return x.vars[string(v)]
	case graphql.Int:
		return json.Number(v)
	case graphql.Float:
		return json.Number(v)
	case graphql.String:
		return string(v)
	case graphql.Enum:
		return enumValue(v)
	case graphql.Bool:
		return bool(v)
	case graphql.List:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = x.value(e)
		}
		return out
	case graphql.Object:
		out := map[string]any{}
		for _, f := range v {
			out[f.Name] = x.value(f.Value)
		}
		return out
	}
	return nil
}

// enumValue is an enum literal, told apart from a string literal.
type enumValue string

// collect flattens a selection set on typeName: fragments expanded, @skip
// and @include applied, fields of one response key merged.
func (x *executor) collect(typeName string, sels []graphql.Selection) ([]*graphql.Field, []*gqlError) {
	var out []*graphql.Field
	byKey := map[string]*graphql.Field{}
	var errs []*gqlError
	var walk func([]graphql.Selection, map[string]bool)
	walk = func(sels []graphql.Selection, seen map[string]bool) {
		for _, sel := range sels {
			switch s := sel.(type) {
			case *graphql.Field:
				if !x.included(s.Directives) {
					continue
				}
				if prev := byKey[s.ResponseKey()]; prev != nil {
					if prev.Name != s.Name {
						errs = append(errs, errorAt(s.Line, s.Col, "Fields %q conflict because %s and %s are different fields.", s.ResponseKey(), prev.Name, s.Name))
						continue
					}
					merged := *prev
					merged.Selections = append(append([]graphql.Selection(nil), prev.Selections...), s.Selections...)
					*prev = merged
					continue
				}
				f := *s
				byKey[s.ResponseKey()] = &f
				out = append(out, &f)
			case *graphql.FragmentSpread:
				if !x.included(s.Directives) || seen[s.Name] {
					continue
				}
				fr := x.doc.Fragments[s.Name]
				if fr == nil {
					errs = append(errs, errorAt(s.Line, s.Col, "Unknown fragment %q.", s.Name))
					continue
				}
				if fr.On != typeName {
					errs = append(errs, errorAt(s.Line, s.Col, "Fragment %q cannot be spread here as objects of type %q can never be of type %q.", s.Name, typeName, fr.On))
					continue
				}
				seen[s.Name] = true
				walk(fr.Selections, seen)
				delete(seen, s.Name)
			case *graphql.InlineFragment:
				if !x.included(s.Directives) || (s.On != "" && s.On != typeName) {
					continue
				}
				walk(s.Selections, seen)
			}
		}
	}
	walk(sels, map[string]bool{})
	return out, errs
}

// included applies @skip(if:) and @include(if:).
func (x *executor) included(ds []*graphql.Directive) bool {
	for _, d := range ds {
		if d.Name != "skip" && d.Name != "include" {
			continue
		}
		cond := false
		for _, a := range d.Args {
			if a.Name == "if" {
				cond, _ = x.value(a.Value).(bool)
			}
		}
		if (d.Name == "skip") == cond {
			return false
		}
	}
	return true
}

// validate checks fields against the schema of typeName, recursively.
func (x *executor) validate(typeName string, fields []*graphql.Field) []*gqlError {
	var errs []*gqlError
	for _, f := range fields {
		if f.Name == "__typename" {
			continue
		}
		def, ok := schemaObjects[typeName][f.Name]
		if !ok {
			errs = append(errs, errorAt(f.Line, f.Col, "Unknown field %q on type %q.", f.Name, typeName))
			continue
		}
		for _, a := range f.Args {
			if _, ok := def.args[a.Name]; !ok {
				errs = append(errs, errorAt(f.Line, f.Col, "Unknown argument %q on field %q of type %q.", a.Name, f.Name, typeName))
			}
		}
		for name, typ := range def.args {
			given := false
			for _, a := range f.Args {
				given = given || a.Name == name
			}
			if !given && nonNull(typ) {
				errs = append(errs, errorAt(f.Line, f.Col, "Field %q argument %q of type %q is required, but it was not provided.", f.Name, name, typ))
			}
		}
		named := namedType(def.typ)
		_, isObject := schemaObjects[named]
		switch {
		case isObject && len(f.Selections) == 0:
			errs = append(errs, errorAt(f.Line, f.Col, "Field %q of type %q must have a selection of subfields.", f.Name, def.typ))
		case !isObject && len(f.Selections) > 0:
			errs = append(errs, errorAt(f.Line, f.Col, "Field %q must not have a selection since type %q has no subfields.", f.Name, def.typ))
		case isObject:
			sub, cerrs := x.collect(named, f.Selections)
			errs = append(errs, cerrs...)
			errs = append(errs, x.validate(named, sub)...)
		}
	}
	return errs
}

// resolveRoot coerces the arguments of a root field and runs its resolver.
func (x *executor) resolveRoot(f *graphql.Field, def fieldDef) (any, *gqlError) {
	args := map[string]any{}
	for _, a := range f.Args {
		v, err := coerce(x.value(a.Value), def.args[a.Name], a.Name)
		if err != nil {
			return nil, errorAt(f.Line, f.Col, "Invalid value for argument %q: %v", a.Name, err)
		}
		args[a.Name] = v
	}
	return def.resolve(x.s, args)
}

// complete shapes a resolved value by the selection of f, and checks that
// a non-null type got a value.
func (x *executor) complete(v any, typ string, f *graphql.Field, path []any) (any, *gqlError) {
	if v == nil {
		if nonNull(typ) {
			return nil, &gqlError{Message: fmt.Sprintf("Cannot return null for non-nullable field %q.", f.Name), Path: path}
		}
		return nil, nil
	}
	t := strings.TrimSuffix(typ, "!")
	if strings.HasPrefix(t, "[") {
		list, _ := v.([]any)
		out := make([]any, len(list))
		for i, e := range list {
			c, err := x.complete(e, t[1:len(t)-1], f, append(path[:len(path):len(path)], i))
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	fields, isObject := v.(map[string]any)
	if !isObject {
		return v, nil
	}
	sub, _ := x.collect(t, f.Selections) // validated already
	o := &object{}
	for _, sf := range sub {
		if sf.Name == "__typename" {
			o.set(sf.ResponseKey(), t)
			continue
		}
		c, err := x.complete(fields[sf.Name], schemaObjects[t][sf.Name].typ, sf, append(path[:len(path):len(path)], sf.ResponseKey()))
		if err != nil {
			return nil, err
		}
		o.set(sf.ResponseKey(), c)
	}
	return o, nil
}

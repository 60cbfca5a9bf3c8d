package adaptivetest

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// openapiJSON is the vendor's OpenAPI 3.1 document, the contract the fake
// checks requests against. It is a byte-identical copy of the project's
// testdata/adaptive-openapi.json (go:embed cannot reach outside the
// package; a test keeps the two equal).
//
//go:embed openapi.json
var openapiJSON []byte

// operation is the request contract of one route of the document.
type operation struct {
	params []parameter
	// mediaType is the one content type the route's body may have, "" for
	// a route without a body.
	mediaType string
	// body is the schema of a JSON body; nil for other media types, whose
	// schema in the document describes no JSON (the part body is published
	// as an array of integers, an artifact of the generator).
	body *jsonSchema
}

type parameter struct {
	name, in string
	required bool
	schema   *jsonSchema
}

// contract holds the operations by route pattern ("POST /api/v1/outcome")
// and the component schemas by name, which $refs point to.
type contract struct {
	ops        map[string]*operation
	components map[string]*jsonSchema
}

var (
	contractOnce sync.Once
	theContract  *contract
)

// loadContract returns the contract compiled from the embedded document.
// The document is fixed at build time and tested, so failing to compile it
// is a bug in the package and panics.
func loadContract() *contract {
	contractOnce.Do(func() {
		c, err := compileContract(openapiJSON)
		if err != nil {
			panic("adaptivetest: compiling the embedded OpenAPI document: " + err.Error())
		}
		theContract = c
	})
	return theContract
}

// openapiDoc is the part of an OpenAPI document the fake reads.
type openapiDoc struct {
	Paths map[string]map[string]struct {
		Parameters []struct {
			Name     string `json:"name"`
			In       string `json:"in"`
			Required bool   `json:"required"`
			Schema   any    `json:"schema"`
		} `json:"parameters"`
		RequestBody *struct {
			Content map[string]struct {
				Schema any `json:"schema"`
			} `json:"content"`
		} `json:"requestBody"`
	} `json:"paths"`
	Components struct {
		Schemas map[string]any `json:"schemas"`
	} `json:"components"`
}

func compileContract(doc []byte) (*contract, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var d openapiDoc
	if err := dec.Decode(&d); err != nil {
		return nil, err
	}
	c := &contract{ops: map[string]*operation{}, components: map[string]*jsonSchema{}}
	var all []*jsonSchema
	for name, raw := range d.Components.Schemas {
		s, err := compileSchema(raw, name)
		if err != nil {
			return nil, err
		}
		s.name = name
		c.components[name] = s
		all = append(all, s)
	}
	for path, methods := range d.Paths {
		for method, o := range methods {
			route := strings.ToUpper(method) + " " + path
			op := &operation{}
			for _, p := range o.Parameters {
				// A path parameter that the path does not contain cannot be
				// sent: the document's dataset route names one ("dataset")
				// beside the real one ("dataset_id").
				if p.In == "path" && !strings.Contains(path, "{"+p.Name+"}") {
					continue
				}
				s, err := compileSchema(p.Schema, route+" "+p.Name)
				if err != nil {
					return nil, err
				}
				op.params = append(op.params, parameter{p.Name, p.In, p.Required, s})
				all = append(all, s)
			}
			if o.RequestBody != nil {
				if len(o.RequestBody.Content) != 1 {
					return nil, fmt.Errorf("%s: a body of %d media types is not implemented", route, len(o.RequestBody.Content))
				}
				for mt, content := range o.RequestBody.Content {
					op.mediaType = mt
					if mt == "application/json" {
						s, err := compileSchema(content.Schema, route+" body")
						if err != nil {
							return nil, err
						}
						op.body = s
						all = append(all, s)
					}
				}
			}
			c.ops[route] = op
		}
	}
	for _, s := range all {
		if err := s.resolve(c.components); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// rejection is a request the contract refuses: the status and the message
// of the {"error": ...} answer.
type rejection struct {
	status int
	msg    string
}

// checkRequest checks r, whose JSON body (if any) is body, against the
// operation of its route, the way the document says: path and query
// parameters (400), the content type (415), JSON syntax (400), then the
// body's schema (422, naming the field). It returns nil for a request the
// contract allows, and also for routes the document does not have.
func (c *contract) checkRequest(r *http.Request, body []byte) *rejection {
	op := c.ops[r.Pattern]
	if op == nil {
		return nil
	}
	if rej := op.checkParams(r); rej != nil {
		return rej
	}
	if op.mediaType == "" {
		return nil
	}
	if rej := op.checkContentType(r.Header.Get("Content-Type")); rej != nil {
		return rej
	}
	if op.body == nil {
		return nil
	}
	v, err := decodeJSON(body)
	if err != nil {
		return &rejection{http.StatusBadRequest, "Failed to parse the request body as JSON: " + err.Error()}
	}
	if ferr := op.body.validate("", v); ferr != nil {
		return &rejection{http.StatusUnprocessableEntity, "Failed to deserialize the JSON body into the target type: " + ferr.Error()}
	}
	return nil
}

func (op *operation) checkParams(r *http.Request) *rejection {
	query := r.URL.Query()
	for _, p := range op.params {
		var values []string
		switch p.in {
		case "path":
			values = []string{r.PathValue(p.name)}
		case "query":
			values = query[p.name]
		}
		var err *fieldError
		switch {
		case len(values) == 0 || values[0] == "":
			if p.required {
				err = failAt("", "missing field `%s`", p.name)
			}
		case len(values) > 1:
			err = failAt("", "duplicate field `%s`", p.name)
		default:
			err = p.schema.validate(p.name, paramValue(p.schema, values[0]))
		}
		if err == nil {
			continue
		}
		if p.in == "path" {
			return &rejection{http.StatusBadRequest, "Invalid URL: " + err.Error()}
		}
		return &rejection{http.StatusBadRequest, "Failed to deserialize query string: " + err.Error()}
	}
	return nil
}

// paramValue reads the text of a parameter as the JSON value its schema
// expects: a number for an integer parameter whose text is a whole number
// (out of range ones included, so that their format check names the
// range), else the text, which then fails as a string where an integer was
// expected.
func paramValue(s *jsonSchema, text string) any {
	if !slices.Contains(s.deref().types, "integer") {
		return text
	}
	n, err := strconv.ParseInt(text, 10, 64)
	switch {
	case err == nil:
		return json.Number(strconv.FormatInt(n, 10))
	case errors.Is(err, strconv.ErrRange):
		return json.Number(strings.TrimPrefix(text, "+"))
	}
	return text
}

// checkContentType requires the route's media type. A part sent with no
// Content-Type is taken as application/octet-stream, as HTTP lets a
// recipient assume (RFC 9110, section 8.3); a JSON body must say it is
// JSON, as the real server's extractor requires.
func (op *operation) checkContentType(header string) *rejection {
	mt, _, _ := mime.ParseMediaType(header)
	if mt == op.mediaType || (header == "" && op.mediaType == "application/octet-stream") {
		return nil
	}
	return &rejection{http.StatusUnsupportedMediaType, "Expected request with `Content-Type: " + op.mediaType + "`"}
}

// decodeJSON decodes one JSON value, numbers kept as json.Number; data
// after it is an error.
func decodeJSON(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("EOF while parsing a value")
		}
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing characters after the JSON value")
	}
	return v, nil
}

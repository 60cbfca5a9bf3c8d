// Package conformance tests the SDK and the fake server (adaptivetest)
// against the contract, the vendor's OpenAPI document in
// testdata/adaptive-openapi.json: a corpus of raw requests against the fake
// alone and, when .ci/run has started Stoplight Prism, against both (the
// differential test); every single-request SDK method against Prism; and,
// opt-in, every method against a real instance.
//
// The package's one non-test part is PrismDocument, the copy of the
// document given to Prism, which .ci/run writes with the prismdoc command.
package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// PrismOverride is a generator artifact of the document that Prism trips
// on, and how Prism's copy fixes it. Nothing else differs between the two.
type PrismOverride struct {
	// Pointer is the JSON pointer of what the override changes.
	Pointer string
	// Artifact says what the document has there, and why it is wrong.
	Artifact string
	// Fix says what Prism's copy has instead.
	Fix string
	// apply checks that the value at Pointer, held by parent under key,
	// is still the artifact, and fixes it.
	apply func(tree, parent map[string]any, key string) error
}

const (
	partPointer    = "/paths/~1api~1v1~1upload~1part/post"
	datasetPointer = "/paths/~1api~1v1~1projects~1{project}~1datasets~1{dataset_id}~1download/get/parameters"
)

// PrismOverrides are the four generator artifacts of the document.
var PrismOverrides = []PrismOverride{
	{
		Pointer:  partPointer + "/requestBody/content/application~1octet-stream/schema",
		Artifact: "the part body is published as an array of integers for application/octet-stream, where the body is the raw bytes",
		Fix:      `{"type": "string", "format": "binary"}`,
		apply: func(_, parent map[string]any, key string) error {
			if s, _ := parent[key].(map[string]any); s["type"] != "array" {
				return fmt.Errorf("the part body's schema is no longer an array: %v", s)
			}
			parent[key] = map[string]any{"type": "string", "format": "binary"}
			return nil
		},
	},
	{
		Pointer:  datasetPointer,
		Artifact: `the dataset download route requires a path parameter "dataset" that its path does not have (beside the real "dataset_id")`,
		Fix:      `the parameter "dataset" removed`,
		apply: func(_, parent map[string]any, key string) error {
			params, _ := parent[key].([]any)
			var kept []any
			for _, p := range params {
				if m, _ := p.(map[string]any); m["name"] != "dataset" || m["in"] != "path" {
					kept = append(kept, p)
				}
			}
			if len(kept) == len(params) {
				return fmt.Errorf(`the dataset download route no longer has a path parameter "dataset"`)
			}
			parent[key] = kept
			return nil
		},
	},
	{
		Pointer:  "/components/securitySchemes",
		Artifact: "two routes (artifacts, images) name the security scheme bearer_auth, which the document does not define",
		Fix:      "bearer_auth defined as HTTP bearer authentication, which the API uses on every route",
		apply: func(_, parent map[string]any, key string) error {
			if _, ok := parent[key]; ok {
				return fmt.Errorf("the document now defines securitySchemes")
			}
			parent[key] = map[string]any{"bearer_auth": map[string]any{"type": "http", "scheme": "bearer"}}
			return nil
		},
	},
	{
		Pointer:  partPointer + "/parameters/1/schema/minimum",
		Artifact: "the query parameter part_number has minimum 0, where UploadPartQuery (the server's type; parts are numbered from 1) has 1",
		Fix:      "minimum 1",
		apply: func(tree, parent map[string]any, key string) error {
			params, _ := valueAt(tree, partPointer+"/parameters").([]any)
			if len(params) < 2 || params[1].(map[string]any)["name"] != "part_number" {
				return fmt.Errorf("the second parameter of the part route is no longer part_number")
			}
			query := valueAt(tree, "/components/schemas/UploadPartQuery/properties/part_number/minimum")
			if parent[key] != json.Number("0") || query != json.Number("1") {
				return fmt.Errorf("part_number's minimum is no longer 0 against 1 in UploadPartQuery: %v, %v", parent[key], query)
			}
			parent[key] = json.Number("1")
			return nil
		},
	},
}

// PrismDocument returns the copy of the OpenAPI document doc to give to
// Prism: doc with PrismOverrides applied. It fails when the document no
// longer has one of the artifacts (then that override must go).
func PrismDocument(doc []byte) ([]byte, error) {
	tree, err := decode(doc)
	if err != nil {
		return nil, err
	}
	for _, o := range PrismOverrides {
		parent, key, err := parentOf(tree, o.Pointer)
		if err == nil {
			err = o.apply(tree, parent, key)
		}
		if err != nil {
			return nil, fmt.Errorf("override of %s: %w", o.Pointer, err)
		}
	}
	return json.MarshalIndent(tree, "", "  ")
}

// Diff returns the JSON pointers where a and b differ: the topmost ones
// (a value changed, added or removed, an array resized).
func Diff(a, b []byte) ([]string, error) {
	x, err := decode(a)
	if err != nil {
		return nil, err
	}
	y, err := decode(b)
	if err != nil {
		return nil, err
	}
	var out []string
	diff("", x, y, &out)
	return out, nil
}

func diff(at string, x, y any, out *[]string) {
	xm, xok := x.(map[string]any)
	ym, yok := y.(map[string]any)
	if xok && yok {
		for k, v := range xm {
			diff(at+"/"+escape(k), v, ym[k], out)
		}
		for k, v := range ym {
			if _, ok := xm[k]; !ok {
				diff(at+"/"+escape(k), nil, v, out)
			}
		}
		return
	}
	xs, xok := x.([]any)
	ys, yok := y.([]any)
	if xok && yok && len(xs) == len(ys) {
		for i := range xs {
			diff(fmt.Sprintf("%s/%d", at, i), xs[i], ys[i], out)
		}
		return
	}
	if !reflect.DeepEqual(x, y) {
		*out = append(*out, at)
	}
}

func decode(doc []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var tree map[string]any
	if err := dec.Decode(&tree); err != nil {
		return nil, fmt.Errorf("decoding the OpenAPI document: %w", err)
	}
	return tree, nil
}

// parentOf returns the object holding the value at pointer, and the
// value's key in it.
func parentOf(tree map[string]any, pointer string) (map[string]any, string, error) {
	i := strings.LastIndexByte(pointer, '/')
	parent, ok := valueAt(tree, pointer[:i]).(map[string]any)
	if !ok {
		return nil, "", fmt.Errorf("nothing at %s", pointer[:i])
	}
	return parent, unescape(pointer[i+1:]), nil
}

// valueAt returns the value at the JSON pointer, or nil.
func valueAt(tree map[string]any, pointer string) any {
	var cur any = tree
	if pointer == "" {
		return cur
	}
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[unescape(tok)]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

func escape(tok string) string   { return strings.NewReplacer("~", "~0", "/", "~1").Replace(tok) }
func unescape(tok string) string { return strings.NewReplacer("~1", "/", "~0", "~").Replace(tok) }

// Package schematest checks JSON against the schemas of the project's copy
// of the OpenAPI document (testdata/adaptive-openapi.json), with an
// independent JSON Schema 2020-12 validator
// (github.com/santhosh-tekuri/jsonschema/v6). Only tests import it: the
// fake server's own checks (package adaptivetest) do not depend on it, and
// these tests hold them to it.
package schematest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// DocPath returns the path of testdata/adaptive-openapi.json in the
// module's source tree.
func DocPath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "adaptive-openapi.json")
}

// Doc is the OpenAPI document, with its schemas compiled on demand.
type Doc struct {
	// Raw is the document as read.
	Raw []byte
	// Tree is the document decoded, numbers as json.Number.
	Tree map[string]any

	mu       sync.Mutex
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema
}

const resource = "file:///adaptive-openapi.json"

var (
	loadOnce sync.Once
	loaded   *Doc
	loadErr  error
)

// Load reads and decodes the document once per test binary.
func Load() (*Doc, error) {
	loadOnce.Do(func() { loaded, loadErr = load(DocPath()) })
	return loaded, loadErr
}

func load(path string) (*Doc, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	tree, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(resource, tree); err != nil {
		return nil, err
	}
	m, _ := tree.(map[string]any)
	return &Doc{Raw: raw, Tree: m, compiler: c, schemas: map[string]*jsonschema.Schema{}}, nil
}

// Schema returns the schema at the JSON pointer ptr of the document
// ("/components/schemas/ChatResponse").
func (d *Doc) Schema(ptr string) (*jsonschema.Schema, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s := d.schemas[ptr]; s != nil {
		return s, nil
	}
	s, err := d.compiler.Compile(resource + "#" + ptr)
	if err != nil {
		return nil, err
	}
	d.schemas[ptr] = s
	return s, nil
}

// Component returns the pointer of the component schema name.
func Component(name string) string { return "/components/schemas/" + name }

// Response returns the pointer of the schema the document gives the answer
// of route ("POST /api/v1/chat/completions") with status and media type,
// and whether the document declares that answer with a schema. declared is
// false when the status is not documented at all.
func (d *Doc) Response(route string, status int, mediaType string) (ptr string, hasSchema, declared bool) {
	method, path, _ := strings.Cut(route, " ")
	base := "/paths/" + escape(path) + "/" + strings.ToLower(method) + "/responses/" + strconv.Itoa(status)
	resp, ok := d.at(base).(map[string]any)
	if !ok {
		return "", false, false
	}
	content, _ := resp["content"].(map[string]any)
	media, ok := content[mediaType].(map[string]any)
	if !ok {
		return "", false, true
	}
	_, hasSchema = media["schema"]
	return base + "/content/" + escape(mediaType) + "/schema", hasSchema, true
}

// MediaTypes returns the media types the document declares for the answer
// of route with status.
func (d *Doc) MediaTypes(route string, status int) []string {
	method, path, _ := strings.Cut(route, " ")
	resp, _ := d.at("/paths/" + escape(path) + "/" + strings.ToLower(method) + "/responses/" + strconv.Itoa(status)).(map[string]any)
	content, _ := resp["content"].(map[string]any)
	var out []string
	for mt := range content {
		out = append(out, mt)
	}
	return out
}

// Validate checks the JSON text data against the schema at ptr.
func (d *Doc) Validate(ptr string, data []byte) error {
	s, err := d.Schema(ptr)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return s.Validate(v)
}

// ValidateValue checks v, any value encoding/json can encode, against the
// schema at ptr.
func (d *Doc) ValidateValue(ptr string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return d.Validate(ptr, data)
}

// at returns the value at the JSON pointer ptr, or nil.
func (d *Doc) at(ptr string) any {
	var cur any = d.Tree
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)]
	}
	return cur
}

func escape(tok string) string { return strings.NewReplacer("~", "~0", "/", "~1").Replace(tok) }

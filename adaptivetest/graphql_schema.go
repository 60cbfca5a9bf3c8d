package adaptivetest

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/google/uuid"
)

// fieldDef is a field of the fake's schema: its type as GraphQL writes it
// ("Dataset", "[Dataset!]!"), its arguments' types, and for root fields
// the resolver.
type fieldDef struct {
	typ     string
	args    map[string]string
	resolve func(s *Server, args map[string]any) (any, *gqlError)
}

// schemaObjects is the part of the vendor's schema the fake serves: the
// root types and the object types of the dataset operations.
var schemaObjects map[string]map[string]fieldDef

func init() {
	schemaObjects = map[string]map[string]fieldDef{
		"Query": {
			"dataset":                       {typ: "Dataset", args: map[string]string{"idOrKey": "IdOrKey!", "project": "IdOrKey!"}, resolve: (*Server).gqlDataset},
			"datasets":                      {typ: "[Dataset!]!", args: map[string]string{"project": "IdOrKey!"}, resolve: (*Server).gqlDatasets},
			"datasetUploadProcessingStatus": {typ: "DatasetUploadProcessingStatus!", args: map[string]string{"input": "DatasetUploadProcessingStatusInput!"}, resolve: (*Server).gqlProcessingStatus},
		},
		"Mutation": {
			"createDatasetFromMultipartUpload": {typ: "DatasetUploadProcessingStatus!", args: map[string]string{"input": "DatasetCreateFromMultipartUpload!"}, resolve: (*Server).gqlCreateFromUpload},
			"createDataset":                    {typ: "Dataset!", args: map[string]string{"input": "DatasetCreate!", "file": "Upload!"}, resolve: (*Server).gqlCreateDataset},
			"deleteDataset":                    {typ: "Boolean!", args: map[string]string{"idOrKey": "IdOrKey!", "project": "IdOrKey!"}, resolve: (*Server).gqlDeleteDataset},
		},
		"Dataset": {
			"id": {typ: "UUID!"}, "key": {typ: "String"}, "name": {typ: "String!"},
			"records": {typ: "Int"}, "source": {typ: "DatasetSource!"},
			"status": {typ: "DatasetStatus"}, "deleted": {typ: "Boolean!"}, "progress": {typ: "DatasetProgress"},
		},
		"DatasetProgress": {
			"processedParts": {typ: "Int!"}, "totalParts": {typ: "Int!"}, "progress": {typ: "Float!"},
			"processedLines": {typ: "Int!"}, "totalLines": {typ: "Int!"},
		},
		"DatasetUploadProcessingStatus": {
			"datasetId": {typ: "UUID!"}, "status": {typ: "SessionStatus!"}, "totalParts": {typ: "Int!"},
			"processedParts": {typ: "Int!"}, "progress": {typ: "Float!"}, "error": {typ: "String"},
		},
	}
}

// schemaInputs are the input object types: field name to type.
var schemaInputs = map[string]map[string]string{
	"DatasetCreate":                      {"project": "IdOrKey!", "name": "String!", "key": "String", "source": "DatasetSource"},
	"DatasetCreateFromMultipartUpload":   {"project": "IdOrKey!", "name": "String!", "key": "String", "source": "DatasetSource", "uploadSessionId": "String!"},
	"DatasetUploadProcessingStatusInput": {"project": "IdOrKey!", "datasetId": "UUID!"},
}

var schemaEnums = map[string][]string{
	"DatasetSource": {"UPLOADED", "GENERATED", "GENERATING", "FILTERED"},
}

func nonNull(typ string) bool { return strings.HasSuffix(typ, "!") }

// namedType strips the list and non-null wrappers: "[Dataset!]!" is
// "Dataset".
func namedType(typ string) string { return strings.Trim(typ, "[]!") }

// coerce checks an argument's value against its type, as GraphQL's input
// coercion does, and returns it with input objects as maps, enums as
// strings and files as *upload.
func coerce(v any, typ, path string) (any, error) {
	if v == nil {
		if nonNull(typ) {
			return nil, fmt.Errorf("%s: expected a value of type %s, found null", path, typ)
		}
		return nil, nil
	}
	t := strings.TrimSuffix(typ, "!")
	if strings.HasPrefix(t, "[") {
		elem := t[1 : len(t)-1]
		list, ok := v.([]any)
		if !ok {
			list = []any{v}
		}
		out := make([]any, len(list))
		for i, e := range list {
			c, err := coerce(e, elem, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	if fields, ok := schemaInputs[t]; ok {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: expected an object of type %s", path, t)
		}
		out := map[string]any{}
		for name := range obj {
			if _, ok := fields[name]; !ok {
				return nil, fmt.Errorf("%s: unknown field %q of input type %s", path, name, t)
			}
		}
		for name, ft := range fields {
			c, err := coerce(obj[name], ft, path+"."+name)
			if err != nil {
				return nil, err
			}
			if c != nil {
				out[name] = c
			}
		}
		return out, nil
	}
	if values, ok := schemaEnums[t]; ok {
		var s string
		switch e := v.(type) {
		case enumValue:
			s = string(e)
		case string:
			s = e
		}
		if !slices.Contains(values, s) {
			return nil, fmt.Errorf("%s: %v is not a value of enum %s (%s)", path, v, t, strings.Join(values, ", "))
		}
		return s, nil
	}
	switch t {
	case "String", "IdOrKey", "ID":
		if s, ok := v.(string); ok {
			return s, nil
		}
	case "UUID":
		if s, ok := v.(string); ok {
			if _, err := uuid.Parse(s); err != nil {
				return nil, fmt.Errorf("%s: %q is not a UUID", path, s)
			}
			return s, nil
		}
	case "Int":
		if n, ok := v.(json.Number); ok {
			if i, err := n.Int64(); err == nil && i >= math.MinInt32 && i <= math.MaxInt32 {
				return int(i), nil
			}
		}
	case "Boolean":
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case "Upload":
		if u, ok := v.(*upload); ok {
			return u, nil
		}
		return nil, fmt.Errorf("%s: expected a file of the multipart request", path)
	}
	return nil, fmt.Errorf("%s: expected type %s, found %s", path, typ, describe(v))
}

func describe(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("string %q", v)
	case enumValue:
		return "enum value " + string(v)
	case json.Number:
		return "number " + string(v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%T", v)
	}
	return string(b)
}

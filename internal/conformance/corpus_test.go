package conformance_test

import (
	"encoding/json"
	"maps"

	"github.com/adaptive-go/adaptive/adaptivetest"
)

// reqCase is one raw HTTP request of the corpus, with what the document
// says of it.
type reqCase struct {
	name  string
	route string // the document's route, an adaptivetest Route constant
	// method and path (with its query) are those of route unless set; the
	// path may hold the placeholders of expand.
	method, path string
	// contentType is sent as the Content-Type header; "-" sends none.
	contentType string
	body        string
	noAuth      bool // send no Authorization header

	// valid says the document allows the request.
	valid bool
	// in says where an invalid request breaks the document: "" for the
	// body's schema, "syntax" for a body that is not JSON, "header",
	// "query" or "path".
	in string
	// field is what the fake's error message must name for an invalid
	// request.
	field string
	// semantic, for a request the document allows, is why the real server
	// refuses it all the same (state, or a rule the document states in
	// words): the fake answers 4xx and Prism, which knows only the
	// schemas, 2xx.
	semantic string
	// noOracle says why the independent JSON Schema validator cannot judge
	// the body (formats it does not check).
	noOracle string
}

const (
	uuidA = "6f1f3bb4-3b70-4d0e-9c55-6f3c3a2d8c11"
	uuidB = "0b8f4c7e-2d5a-4c1e-9f3b-7a6d5e4c3b2a"
	// artifactID and imageProject are registered in the fake; otherID is
	// registered nowhere.
	artifactID   = "1c9e5d8f-3e6b-4d2f-8a4c-8b7e6f5d4c3b"
	imageProject = "2a7d4c6e-8f1b-4e3a-9c5d-7b6a5f4e3d2c"
	otherID      = "3b8e5d7f-9a2c-4f4b-8d6e-8c7b6a5f4e3d"
)

// obj is a JSON object under construction; values are Go values or
// json.RawMessage for exact JSON text (2.0, 1e39).
type obj map[string]any

// with returns a copy of o with the given key/value pairs set; a nil
// value of type deleteKey removes the key.
func (o obj) with(kv ...any) obj {
	out := maps.Clone(o)
	for i := 0; i < len(kv); i += 2 {
		k := kv[i].(string)
		if _, del := kv[i+1].(deleteKey); del {
			delete(out, k)
			continue
		}
		out[k] = kv[i+1]
	}
	return out
}

func (o obj) json() string {
	b, err := json.Marshal(o)
	if err != nil {
		panic(err)
	}
	return string(b)
}

type deleteKey struct{}

var del deleteKey

func raw(s string) json.RawMessage { return json.RawMessage(s) }

// good and bad build cases of a route with a JSON body.
func good(route, name string, body obj) reqCase {
	return reqCase{name: name, route: route, contentType: "application/json", body: body.json(), valid: true}
}

func bad(route, name, field string, body obj) reqCase {
	return reqCase{name: name, route: route, contentType: "application/json", body: body.json(), field: field}
}

func semantic(route, name, why string, body obj) reqCase {
	c := good(route, name, body)
	c.semantic = why
	return c
}

func noOracle(c reqCase, why string) reqCase {
	c.noOracle = why
	return c
}

const (
	int32Range = "the validator does not check the OpenAPI format int32 (a 32-bit range)"
	int64Range = "the validator does not check the OpenAPI format int64 (a 64-bit range)"
	floatRange = "the validator does not check the OpenAPI format float (a 32-bit float)"
	uuidURN    = "the validator reads format uuid as the hyphenated form only; OpenAPI tools (ajv-formats, Prism) and the fake also take the urn:uuid: prefix"
)

// corpus returns the requests of every route that the fake and Prism must
// answer alike.
func corpus() []reqCase {
	var cs []reqCase
	cs = append(cs, chatCases()...)
	cs = append(cs, embeddingsCases()...)
	cs = append(cs, feedbackCases()...)
	cs = append(cs, interactionCases()...)
	cs = append(cs, uploadCases()...)
	cs = append(cs, downloadCases()...)
	return cs
}

var userMsg = []any{obj{"role": "user", "content": "hi"}}

func chatCases() []reqCase {
	r := adaptivetest.RouteChat
	base := obj{"model": "demo", "messages": userMsg}
	msg := func(m obj) obj { return base.with("messages", []any{m}) }
	parts := func(p ...any) obj { return msg(obj{"role": "user", "content": append([]any{}, p...)}) }
	full := base.with(
		"stop", []string{"\n"}, "max_tokens", 0, "temperature", 0.7, "top_p", 1, "max_ttft_ms", 500,
		"stream", false, "stream_options", obj{"include_usage": true}, "session_id", uuidA, "user", uuidB,
		"ab_campaign", "camp", "n", 2, "labels", obj{"env": "test"}, "metadata", obj{"k": "v"},
		"system_prompt_args", obj{"a": []any{1, obj{"b": nil}}}, "tags", []string{"t"}, "use_tools", true,
		"tools", []any{obj{"id": "search", "enabled": false}}, "store", true)
	cs := []reqCase{
		good(r, "minimal", base),
		good(r, "every field", full),
		good(r, "no messages, empty model", obj{"model": "", "messages": []any{}}),
		good(r, "stream", base.with("stream", true)),
		good(r, "nulls where allowed", base.with("stop", nil, "max_tokens", nil, "temperature", nil, "top_p", nil,
			"max_ttft_ms", nil, "stream_options", nil, "session_id", nil, "user", nil, "ab_campaign", nil,
			"labels", nil, "metadata", nil, "system_prompt_args", nil, "tags", nil, "tools", nil, "store", nil)),
		good(r, "n 0, max_tokens 0", base.with("n", 0, "max_tokens", 0)),
		good(r, "n written 2.0", base.with("n", raw("2.0"))),
		good(r, "int32 and float bounds", base.with("max_tokens", 2147483647, "temperature", raw("3.4e38"))),
		good(r, "max_ttft_ms beyond int32", base.with("max_ttft_ms", raw("9007199254740991"))),
		good(r, "an unknown field", base.with("unknown", obj{"x": 1})),
		good(r, "stream_options empty", base.with("stream_options", obj{})),
		good(r, "uppercase uuid", base.with("session_id", "6F1F3BB4-3B70-4D0E-9C55-6F3C3A2D8C11")),
		noOracle(good(r, "urn uuid", base.with("session_id", "urn:uuid:"+uuidA)), uuidURN),
		good(r, "text and image parts", parts(obj{"type": "text", "text": "what is this?"}, obj{"type": "image_url", "image_url": "https://example.com/a.png"})),
		good(r, "image as a data URI", parts(obj{"type": "image_url", "image_url": "data:image/png;base64,iVBORw0KGgo="})),
		good(r, "no parts", parts()),
		good(r, "message name, completion id and metadata", msg(obj{"role": "assistant", "content": "x", "name": "ann", "completion_id": uuidA, "metadata": obj{"any": []any{1, "json"}}})),
		good(r, "message metadata not an object", msg(obj{"role": "user", "content": "x", "metadata": []any{1, true, nil}})),
		good(r, "message nulls", msg(obj{"role": "user", "content": "x", "name": nil, "completion_id": nil, "metadata": nil})),

		bad(r, "missing messages", "messages", base.with("messages", del)),
		bad(r, "missing model", "model", base.with("model", del)),
		bad(r, "model a number", "model", base.with("model", 1)),
		bad(r, "messages a string", "messages", base.with("messages", "hi")),
		bad(r, "messages null", "messages", base.with("messages", nil)),
		bad(r, "message a number", "messages[0]", base.with("messages", []any{1})),
		bad(r, "message without role", "messages[0]", msg(obj{"content": "x"})),
		bad(r, "role a number", "messages[0].role", msg(obj{"role": 1, "content": "x"})),
		bad(r, "message without content", "messages[0]", msg(obj{"role": "user"})),
		bad(r, "content null", "messages[0].content", msg(obj{"role": "user", "content": nil})),
		bad(r, "content a number", "messages[0].content", msg(obj{"role": "user", "content": 7})),
		bad(r, "part of an unknown type", "messages[0].content[0].type", parts(obj{"type": "video", "text": "x"})),
		bad(r, "part without type", "messages[0].content[0]", parts(obj{"text": "x"})),
		bad(r, "text part without text", "messages[0].content[0]", parts(obj{"type": "text"})),
		bad(r, "image part without image_url", "messages[0].content[0]", parts(obj{"type": "image_url"})),
		bad(r, "image_url as an object", "messages[0].content[0].image_url", parts(obj{"type": "image_url", "image_url": obj{"url": "https://example.com/a.png"}})),
		bad(r, "part a string", "messages[0].content[0]", parts("hi")),
		bad(r, "message name a number", "messages[0].name", msg(obj{"role": "user", "content": "x", "name": 1})),
		bad(r, "message completion id not a uuid", "messages[0].completion_id", msg(obj{"role": "user", "content": "x", "completion_id": "c1"})),
		bad(r, "temperature a string", "temperature", base.with("temperature", "hot")),
		noOracle(bad(r, "temperature beyond float32", "temperature", base.with("temperature", raw("1e39"))), floatRange),
		bad(r, "top_p a string", "top_p", base.with("top_p", "1")),
		bad(r, "max_ttft_ms a fraction", "max_ttft_ms", base.with("max_ttft_ms", 1.5)),
		bad(r, "max_ttft_ms negative", "max_ttft_ms", base.with("max_ttft_ms", -1)),
		noOracle(bad(r, "max_ttft_ms beyond int64", "max_ttft_ms", base.with("max_ttft_ms", raw("9223372036854775808"))), int64Range),
		bad(r, "max_tokens negative", "max_tokens", base.with("max_tokens", -1)),
		noOracle(bad(r, "max_tokens beyond int32", "max_tokens", base.with("max_tokens", raw("2147483648"))), int32Range),
		bad(r, "n negative", "n", base.with("n", -1)),
		bad(r, "n a fraction", "n", base.with("n", 1.5)),
		bad(r, "n null", "n", base.with("n", nil)),
		bad(r, "stream a string", "stream", base.with("stream", "yes")),
		bad(r, "stream null", "stream", base.with("stream", nil)),
		bad(r, "include_usage a string", "stream_options.include_usage", base.with("stream_options", obj{"include_usage": "yes"})),
		bad(r, "stream_options an array", "stream_options", base.with("stream_options", []any{})),
		bad(r, "session_id not a uuid", "session_id", base.with("session_id", "s1")),
		bad(r, "session_id without hyphens", "session_id", base.with("session_id", "6f1f3bb43b704d0e9c556f3c3a2d8c11")),
		bad(r, "session_id a number", "session_id", base.with("session_id", 5)),
		bad(r, "user not a uuid", "user", base.with("user", "bob")),
		bad(r, "ab_campaign a number", "ab_campaign", base.with("ab_campaign", 5)),
		bad(r, "labels of numbers", "labels.a", base.with("labels", obj{"a": 1})),
		bad(r, "labels an array", "labels", base.with("labels", []any{})),
		bad(r, "metadata of booleans", "metadata.a", base.with("metadata", obj{"a": true})),
		bad(r, "system_prompt_args an array", "system_prompt_args", base.with("system_prompt_args", []any{})),
		bad(r, "system_prompt_args a string", "system_prompt_args", base.with("system_prompt_args", "x")),
		bad(r, "tags a string", "tags", base.with("tags", "t")),
		bad(r, "tags of numbers", "tags[0]", base.with("tags", []any{1})),
		bad(r, "use_tools a string", "use_tools", base.with("use_tools", "yes")),
		bad(r, "use_tools null", "use_tools", base.with("use_tools", nil)),
		bad(r, "tools of numbers", "tools[0]", base.with("tools", []any{1})),
		bad(r, "tools an object", "tools", base.with("tools", obj{"id": "a", "enabled": true})),
		bad(r, "tool without enabled", "tools[0]", base.with("tools", []any{obj{"id": "a"}})),
		bad(r, "tool with a name, not an id", "tools[0]", base.with("tools", []any{obj{"name": "a", "enabled": true}})),
		bad(r, "tool id a number", "tools[0].id", base.with("tools", []any{obj{"id": 1, "enabled": true}})),
		bad(r, "tool enabled a string", "tools[0].enabled", base.with("tools", []any{obj{"id": "a", "enabled": "yes"}})),
		bad(r, "store a string", "store", base.with("store", "yes")),
		bad(r, "stop a string", "stop", base.with("stop", "x")),
		bad(r, "stop of numbers", "stop[0]", base.with("stop", []any{1})),
		{name: "body an array", route: r, contentType: "application/json", body: `[]`, field: "expected a map"},
		{name: "body null", route: r, contentType: "application/json", body: `null`, field: "expected a map"},
		{name: "no Content-Type", route: r, contentType: "-", body: base.json(), in: "header", field: "Content-Type"},
		{name: "Content-Type text/plain", route: r, contentType: "text/plain", body: base.json(), in: "header", field: "Content-Type"},
		{name: "no API key", route: r, contentType: "application/json", body: base.json(), noAuth: true, valid: true,
			semantic: "the server checks the API key on every route; the document names bearer_auth on two only"},
	}
	return cs
}

func embeddingsCases() []reqCase {
	r := adaptivetest.RouteEmbeddings
	base := obj{"input": "hello", "model": "demo"}
	return []reqCase{
		good(r, "minimal", base),
		good(r, "every field", base.with("encoding_format", "Float", "dimensions", 8, "user", uuidA, "session_id", uuidB)),
		good(r, "base64", base.with("encoding_format", "Base64")),
		good(r, "nulls", base.with("encoding_format", nil, "dimensions", nil, "user", nil, "session_id", nil)),
		good(r, "dimensions 0, empty input", base.with("dimensions", 0, "input", "")),
		semantic(r, "5000 dimensions", "a limit of the fake (4096 dimensions), not of the API", base.with("dimensions", 5000)),
		bad(r, "missing input", "input", base.with("input", del)),
		bad(r, "missing model", "model", base.with("model", del)),
		bad(r, "input a number", "input", base.with("input", 3)),
		bad(r, "input an array", "input", base.with("input", []string{"a"})),
		bad(r, "encoding_format lowercase", "encoding_format", base.with("encoding_format", "float")),
		bad(r, "encoding_format unknown", "encoding_format", base.with("encoding_format", "hex")),
		bad(r, "dimensions negative", "dimensions", base.with("dimensions", -1)),
		bad(r, "dimensions a string", "dimensions", base.with("dimensions", "8")),
		bad(r, "user not a uuid", "user", base.with("user", "bob")),
		{name: "no Content-Type", route: r, contentType: "-", body: base.json(), in: "header", field: "Content-Type"},
	}
}

func feedbackCases() []reqCase {
	c := adaptivetest.RouteComparison
	cmp := obj{"metric": "m", "project": "p", "preferred_completion": uuidA, "other_completion": uuidB}
	text := obj{"text": "Paris.", "model": "m"}
	o := adaptivetest.RouteOutcome
	out := obj{"value": true, "project_id": "p", "metric": "m", "session_id": uuidA}
	return []reqCase{
		good(c, "minimal", cmp),
		good(c, "raw text with messages", cmp.with("preferred_completion", text, "other_completion", text, "messages", userMsg)),
		good(c, "tied good, user", cmp.with("tied", "good", "user_id", uuidA)),
		good(c, "tied bad", cmp.with("tied", "bad")),
		good(c, "nulls", cmp.with("tied", nil, "user_id", nil, "messages", nil)),
		good(c, "messages with image parts", cmp.with("messages", []any{obj{"role": "user", "content": []any{obj{"type": "image_url", "image_url": "https://example.com/a.png"}}}})),
		semantic(c, "raw text without messages", "the document: messages are required when using raw text", cmp.with("preferred_completion", text)),
		bad(c, "missing metric", "metric", cmp.with("metric", del)),
		bad(c, "missing project", "project", cmp.with("project", del)),
		bad(c, "missing preferred_completion", "preferred_completion", cmp.with("preferred_completion", del)),
		bad(c, "completion id not a uuid", "preferred_completion", cmp.with("preferred_completion", "c1")),
		bad(c, "completion a number", "preferred_completion", cmp.with("preferred_completion", 1)),
		bad(c, "raw text without model", "other_completion", cmp.with("other_completion", obj{"text": "x"}, "messages", userMsg)),
		bad(c, "raw text without text", "other_completion", cmp.with("other_completion", obj{"model": "m"}, "messages", userMsg)),
		bad(c, "tied unknown", "tied", cmp.with("tied", "meh")),
		bad(c, "tied a boolean", "tied", cmp.with("tied", true)),
		bad(c, "messages a string", "messages", cmp.with("messages", "x")),
		bad(c, "user_id not a uuid", "user_id", cmp.with("user_id", "u")),

		good(o, "minimal", out),
		good(o, "false", out.with("value", false)),
		good(o, "0 and a user", out.with("value", 0, "user_id", uuidB)),
		good(o, "a scalar", out.with("value", -0.5, "user_id", nil)),
		semantic(o, "value a string", "the document: a value is true, false, 0, 1 or a number", out.with("value", "yes")),
		semantic(o, "value null", "the document: a value is true, false, 0, 1 or a number", out.with("value", nil)),
		bad(o, "missing value", "value", out.with("value", del)),
		bad(o, "missing project_id", "project_id", out.with("project_id", del)),
		bad(o, "missing metric", "metric", out.with("metric", del)),
		bad(o, "missing session_id", "session_id", out.with("session_id", del)),
		bad(o, "session_id null", "session_id", out.with("session_id", nil)),
		bad(o, "session_id not a uuid", "session_id", out.with("session_id", "s")),
		bad(o, "metric a number", "metric", out.with("metric", 1)),
		bad(o, "user_id not a uuid", "user_id", out.with("user_id", "u")),
		{name: "no Content-Type", route: o, contentType: "-", body: out.json(), in: "header", field: "Content-Type"},
	}
}

func interactionCases() []reqCase {
	r := adaptivetest.RouteInteractions
	base := obj{"project": "p", "messages": userMsg, "completion": "hello"}
	fb := obj{"metric": "m", "value": true}
	return []reqCase{
		good(r, "minimal", base),
		good(r, "empty completion, no messages", base.with("completion", "", "messages", []any{})),
		good(r, "every field", base.with("model_service", "svc", "feedbacks", []any{fb.with("reason", "r", "details", "d", "created_at", "2024-02-21T09:51:03Z"), fb.with("value", 0.5)},
			"user", uuidA, "session_id", uuidB, "created_at", "2024-02-21T09:51:03Z", "ab_campaign", "camp", "labels", obj{"k": "v"})),
		good(r, "nulls", base.with("model_service", nil, "user", nil, "session_id", nil, "created_at", nil, "ab_campaign", nil, "labels", nil,
			"feedbacks", []any{fb.with("reason", nil, "details", nil, "created_at", nil)})),
		good(r, "image parts", base.with("messages", []any{obj{"role": "user", "content": []any{obj{"type": "text", "text": "this?"}, obj{"type": "image_url", "image_url": "data:image/png;base64,iVBORw0KGgo="}}}})),
		semantic(r, "created_at not a date", "the document: created_at is a date (example 2024-02-21T09:51:03Z)", base.with("created_at", "yesterday")),
		semantic(r, "feedback value a string", "the document: a value is true, false, 0, 1 or a number", base.with("feedbacks", []any{fb.with("value", "good")})),
		bad(r, "missing project", "project", base.with("project", del)),
		bad(r, "missing messages", "messages", base.with("messages", del)),
		bad(r, "missing completion", "completion", base.with("completion", del)),
		bad(r, "completion a number", "completion", base.with("completion", 1)),
		bad(r, "completion null", "completion", base.with("completion", nil)),
		bad(r, "messages null", "messages", base.with("messages", nil)),
		bad(r, "feedbacks null", "feedbacks", base.with("feedbacks", nil)),
		bad(r, "feedback without metric", "feedbacks[0]", base.with("feedbacks", []any{obj{"value": true}})),
		bad(r, "feedback without value", "feedbacks[0]", base.with("feedbacks", []any{obj{"metric": "m"}})),
		bad(r, "feedback reason a number", "feedbacks[0].reason", base.with("feedbacks", []any{fb.with("reason", 1)})),
		bad(r, "labels of numbers", "labels.k", base.with("labels", obj{"k": 1})),
		bad(r, "session_id not a uuid", "session_id", base.with("session_id", "s1")),
		bad(r, "created_at a number", "created_at", base.with("created_at", 5)),
		bad(r, "model_service a number", "model_service", base.with("model_service", 5)),
		{name: "no Content-Type", route: r, contentType: "-", body: base.json(), in: "header", field: "Content-Type"},
	}
}

func uploadCases() []reqCase {
	i := adaptivetest.RouteUploadInit
	init := obj{"total_parts_count": 1}
	p := adaptivetest.RouteUploadPart
	part := func(name, query, contentType, body string, valid bool, in, field string) reqCase {
		return reqCase{name: name, route: p, path: "/api/v1/upload/part" + query, contentType: contentType, body: body, valid: valid, in: in, field: field}
	}
	const bin = "application/octet-stream"
	st, ab := adaptivetest.RouteUploadStatus, adaptivetest.RouteUploadAbort
	sess := obj{"session_id": "{session}"}
	cs := []reqCase{
		good(i, "minimal", init),
		good(i, "every field", init.with("content_type", "application/jsonl", "metadata", obj{"name": "train"})),
		good(i, "nulls", init.with("content_type", nil, "metadata", nil)),
		good(i, "10000 parts, empty metadata", init.with("total_parts_count", 10000, "metadata", obj{})),
		good(i, "count written 2.0", init.with("total_parts_count", raw("2.0"))),
		semantic(i, "10001 parts", "the vendor's part rules: at most 10,000 parts", init.with("total_parts_count", 10001)),
		bad(i, "missing count", "total_parts_count", obj{}),
		bad(i, "0 parts", "total_parts_count", init.with("total_parts_count", 0)),
		bad(i, "negative count", "total_parts_count", init.with("total_parts_count", -1)),
		bad(i, "count a fraction", "total_parts_count", init.with("total_parts_count", 1.5)),
		bad(i, "count a string", "total_parts_count", init.with("total_parts_count", "1")),
		bad(i, "count null", "total_parts_count", init.with("total_parts_count", nil)),
		noOracle(bad(i, "count beyond int32", "total_parts_count", init.with("total_parts_count", raw("2147483648"))), int32Range),
		bad(i, "metadata of numbers", "metadata.k", init.with("metadata", obj{"k": 1})),
		bad(i, "metadata an array", "metadata", init.with("metadata", []any{})),
		bad(i, "content_type a number", "content_type", init.with("content_type", 1)),
		{name: "no Content-Type", route: i, contentType: "-", body: init.json(), in: "header", field: "Content-Type"},
		{name: "Content-Type text/plain", route: i, contentType: "text/plain", body: init.json(), in: "header", field: "Content-Type"},

		part("part 1", "?session_id={session}&part_number=1", bin, "data", true, "", ""),
		part("part 10000, Content-Type with a parameter", "?part_number=10000&session_id={session}", bin+"; x=y", "data", true, "", ""),
		part("no Content-Type (taken as octet-stream)", "?session_id={session}&part_number=1", "-", "data", true, "", ""),
		part("an unknown query parameter", "?session_id={session}&part_number=1&x=y", bin, "data", true, "", ""),
		part("part number +1", "?session_id={session}&part_number=%2B1", bin, "data", true, "", ""),
		part("part 0", "?session_id={session}&part_number=0", bin, "data", false, "query", "part_number"),
		part("negative part", "?session_id={session}&part_number=-1", bin, "data", false, "query", "part_number"),
		part("part not a number", "?session_id={session}&part_number=one", bin, "data", false, "query", "part_number"),
		part("part a fraction", "?session_id={session}&part_number=1.5", bin, "data", false, "query", "part_number"),
		part("part beyond int32", "?session_id={session}&part_number=2147483648", bin, "data", false, "query", "part_number"),
		part("two part numbers", "?session_id={session}&part_number=1&part_number=2", bin, "data", false, "query", "part_number"),
		part("no part number", "?session_id={session}", bin, "data", false, "query", "part_number"),
		part("no session", "?part_number=1", bin, "data", false, "query", "session_id"),
		part("empty session", "?session_id=&part_number=1", bin, "data", false, "query", "session_id"),
		part("empty part", "?session_id={session}&part_number=1", bin, "", false, "", "part"),
		part("Content-Type text/plain", "?session_id={session}&part_number=1", "text/plain", "data", false, "header", "Content-Type"),
		part("Content-Type application/json", "?session_id={session}&part_number=1", "application/json", `"data"`, false, "header", "Content-Type"),

		good(st, "a session", sess),
		bad(st, "missing session_id", "session_id", obj{}),
		bad(st, "session_id a number", "session_id", obj{"session_id": 1}),
		bad(st, "session_id null", "session_id", obj{"session_id": nil}),
		{name: "no Content-Type", route: st, contentType: "-", body: sess.json(), in: "header", field: "Content-Type"},
		good(ab, "a session", sess),
		bad(ab, "missing session_id", "session_id", obj{}),
		bad(ab, "session_id a number", "session_id", obj{"session_id": 1}),
		{name: "no body", route: ab, contentType: "application/json", body: "", in: "syntax", field: "EOF"},
		{name: "no Content-Type", route: ab, contentType: "-", body: sess.json(), in: "header", field: "Content-Type"},

		why(part("unknown session", "?session_id=nope&part_number=1", bin, "data", true, "", ""), unknownSession),
		why(part("part beyond the session's count", "?session_id={session}&part_number=10001", bin, "data", true, "", ""),
			"the session declared 10,000 parts: state the document cannot say"),
		semantic(st, "unknown session", unknownSession, obj{"session_id": "nope"}),
		semantic(ab, "unknown session", unknownSession, obj{"session_id": "nope"}),
	}
	return cs
}

const unknownSession = "the server knows no such session: state the document cannot say"

func why(c reqCase, semantic string) reqCase {
	c.semantic = semantic
	return c
}

func downloadCases() []reqCase {
	get := func(route, name, path string, valid bool, in, field, semantic string) reqCase {
		return reqCase{name: name, route: route, method: "GET", path: path, contentType: "-", valid: valid, in: in, field: field, semantic: semantic}
	}
	ds, rc := adaptivetest.RouteDatasetDownload, adaptivetest.RouteRecipeDownload
	ar, im := adaptivetest.RouteArtifactDownload, adaptivetest.RouteImage
	missing := "nothing is stored under that id: state the document cannot say"
	return []reqCase{
		get(ds, "default format", "/api/v1/projects/demo/datasets/ds/download", true, "", "", ""),
		get(ds, "original", "/api/v1/projects/demo/datasets/ds/download?format=original", true, "", "", ""),
		get(ds, "recipe", "/api/v1/projects/demo/datasets/ds/download?format=recipe", true, "", "", ""),
		get(ds, "an unknown format", "/api/v1/projects/demo/datasets/ds/download?format=zip", true, "", "",
			"the document: format is 'recipe' or 'original'"),
		get(ds, "two formats", "/api/v1/projects/demo/datasets/ds/download?format=original&format=recipe", false, "query", "format", ""),
		get(ds, "an unknown dataset", "/api/v1/projects/demo/datasets/nope/download", true, "", "", missing),
		get(rc, "a recipe", "/api/v1/projects/demo/recipes/r/download", true, "", "", ""),
		get(rc, "an unknown recipe", "/api/v1/projects/demo/recipes/nope/download", true, "", "", missing),
		get(ar, "an artifact", "/artifacts/"+artifactID+"/download", true, "", "", ""),
		get(ar, "an unknown artifact", "/artifacts/"+otherID+"/download", true, "", "", missing),
		get(ar, "artifact id not a uuid", "/artifacts/nope/download", false, "path", "artifact_id", ""),
		get(im, "an image", "/images/"+imageProject+"/a.png", true, "", "", ""),
		get(im, "an unknown image", "/images/"+imageProject+"/nope.png", true, "", "", missing),
		get(im, "project id not a uuid", "/images/nope/a.png", false, "path", "project_id", ""),
		{name: "no API key", route: im, method: "GET", path: "/images/" + imageProject + "/a.png", contentType: "-", noAuth: true, in: "header", field: "API key"},
	}
}

package adaptivetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Script is a list of scripted replies, each for one route: what
// WithScript gives a server, and what a script file holds (ParseScript).
type Script struct {
	// Replies are the scripted replies, in the order they are queued.
	Replies []ScriptedReply
}

// ScriptedReply is a reply for one route.
type ScriptedReply struct {
	// Route is a Route constant or its short name (see LookupRoute).
	Route string
	Reply
}

// ParseScript reads a script file: a JSON object whose "replies" array
// holds one object per reply, in order, with "route" (a short name such
// as "chat", or a Route constant) and the fields of Reply in snake case:
//
//	{"replies": [
//	  {"route": "chat", "when": {"contains": "capital of France"}, "always": true, "text": "Paris."},
//	  {"route": "chat", "chunks": ["Hel", "lo"], "finish_reason": "length"},
//	  {"route": "chat", "stream_fault": {"after": 2, "error": "model overloaded"}},
//	  {"route": "embeddings", "when": {"text": "cat"}, "embedding": [0.6, 0.8]},
//	  {"route": "outcome", "times": 2, "error": {"status": 503, "retry_after": "0"}},
//	  {"route": "interactions", "delay": "250ms"},
//	  {"route": "chat", "when": {"model": "nope"}, "always": true,
//	   "error": {"status": 404, "message": "EntityNotFound: model nope"}},
//	  {"route": "embeddings", "raw": {"data": "not a list"}},
//	  {"route": "chat", "raw_events": ["{\"oops\": true}"]}
//	]}
//
// "when" has "model", "text" and "contains"; "error" has "status",
// "message", "retry_after", "retry_after_ms", "drop" and "delay";
// "stream_fault" has "after" and one of "cut", "error" and "stall";
// durations are Go durations ("250ms", "2s"); "raw" is any JSON value,
// sent as it is written. It returns an error naming the reply and the
// field for malformed JSON, an unknown field or route, and a reply that
// Server.Reply would refuse.
func ParseScript(data []byte) (*Script, error) {
	var file struct {
		Replies []json.RawMessage `json:"replies"`
	}
	if err := strictDecode(data, &file); err != nil {
		return nil, fmt.Errorf("adaptivetest: script: %w", err)
	}
	if file.Replies == nil {
		return nil, errors.New(`adaptivetest: script: no "replies" array`)
	}
	sc := &Script{}
	for i, raw := range file.Replies {
		r, err := parseScriptedReply(raw)
		if err != nil {
			return nil, fmt.Errorf("adaptivetest: script: replies[%d]: %w", i, err)
		}
		sc.Replies = append(sc.Replies, r)
	}
	return sc, nil
}

// scriptDuration is a Go duration written as a string.
type scriptDuration time.Duration

func (d *scriptDuration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is a string such as \"250ms\", not %s", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = scriptDuration(v)
	return nil
}

func parseScriptedReply(raw json.RawMessage) (ScriptedReply, error) {
	var in struct {
		Route  string         `json:"route"`
		When   *scriptMatch   `json:"when"`
		Times  int            `json:"times"`
		Always bool           `json:"always"`
		Delay  scriptDuration `json:"delay"`
		Error  *struct {
			Status       int            `json:"status"`
			Message      string         `json:"message"`
			RetryAfter   string         `json:"retry_after"`
			RetryAfterMS string         `json:"retry_after_ms"`
			Drop         bool           `json:"drop"`
			Delay        scriptDuration `json:"delay"`
		} `json:"error"`
		Text         string   `json:"text"`
		Chunks       []string `json:"chunks"`
		FinishReason string   `json:"finish_reason"`
		StreamFault  *struct {
			After int    `json:"after"`
			Cut   bool   `json:"cut"`
			Error string `json:"error"`
			Stall bool   `json:"stall"`
		} `json:"stream_fault"`
		Embedding []float32       `json:"embedding"`
		Raw       json.RawMessage `json:"raw"`
		RawEvents []string        `json:"raw_events"`
	}
	if err := strictDecode(raw, &in); err != nil {
		return ScriptedReply{}, err
	}
	if in.Route == "" {
		return ScriptedReply{}, errors.New(`no "route"`)
	}
	route, err := LookupRoute(in.Route)
	if err != nil {
		return ScriptedReply{}, err
	}
	r := Reply{Times: in.Times, Always: in.Always, Delay: time.Duration(in.Delay), Text: in.Text, Chunks: in.Chunks,
		FinishReason: in.FinishReason, Embedding: in.Embedding, RawEvents: in.RawEvents}
	if in.When != nil {
		r.When = Match(*in.When)
	}
	if e := in.Error; e != nil {
		r.Error = &Fault{Status: e.Status, Message: e.Message, RetryAfter: e.RetryAfter, RetryAfterMS: e.RetryAfterMS, Drop: e.Drop, Delay: time.Duration(e.Delay)}
	}
	if f := in.StreamFault; f != nil {
		r.StreamFault = &StreamFault{After: f.After, Cut: f.Cut, Error: f.Error, Stall: f.Stall}
	}
	if in.Raw != nil {
		r.Raw = slices.Clone(in.Raw)
	}
	if err := r.check(route); err != nil {
		return ScriptedReply{}, err
	}
	return ScriptedReply{Route: route, Reply: r}, nil
}

// scriptMatch is Match as a script writes it.
type scriptMatch struct {
	Model    string `json:"model"`
	Text     string `json:"text"`
	Contains string `json:"contains"`
}

// strictDecode decodes one JSON value into v, refusing unknown fields and
// trailing data.
func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON object")
	}
	return nil
}

// routeNames are the short names of the routes, for scripts and for the
// adaptive command's fake server flags.
var routeNames = []struct{ name, route string }{
	{"chat", RouteChat},
	{"embeddings", RouteEmbeddings},
	{"comparison", RouteComparison},
	{"outcome", RouteOutcome},
	{"interactions", RouteInteractions},
	{"upload_init", RouteUploadInit},
	{"upload_part", RouteUploadPart},
	{"upload_status", RouteUploadStatus},
	{"upload_abort", RouteUploadAbort},
	{"dataset_download", RouteDatasetDownload},
	{"recipe_download", RouteRecipeDownload},
	{"artifact_download", RouteArtifactDownload},
	{"image", RouteImage},
	{"graphql", RouteGraphQL},
}

// Routes returns the Route constants, in the order LookupRoute lists
// their short names.
func Routes() []string {
	out := make([]string, len(routeNames))
	for i, r := range routeNames {
		out[i] = r.route
	}
	return out
}

// LookupRoute returns the Route constant named by name: the constant
// itself ("POST /api/v1/chat/completions") or its short name ("chat",
// "embeddings", "comparison", "outcome", "interactions", "upload_init",
// "upload_part", "upload_status", "upload_abort", "dataset_download",
// "recipe_download", "artifact_download", "image", "graphql"). An unknown
// name is an error that lists the short names.
func LookupRoute(name string) (string, error) {
	var names []string
	for _, r := range routeNames {
		if name == r.name || name == r.route {
			return r.route, nil
		}
		names = append(names, r.name)
	}
	return "", fmt.Errorf("unknown route %q: use one of %s, or a Route constant", name, strings.Join(names, ", "))
}

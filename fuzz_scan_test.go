package adaptive

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sse "github.com/tmaxmax/go-sse"
)

// chunksTaken are chunks in the plain form that scanChunk decodes itself.
var chunksTaken = []string{
	`{"id":"c","created":1.5,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[{"index":0,"delta":{"id":"m","role":"assistant","content":"Hi"},"completion_id":"x"}]}`,
	` { "id" : "c" , "created" : 1 , "session_id" : "dddddddd-dddd-4ddd-8ddd-dddddddddddd" , "choices" : [ ] } `,
	`{"id":"c","created":-0.5e+3,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[{"index":1,"delta":{"id":"m","role":"assistant","content":"a"},"completion_id":"x","finish_reason":"stop"},{"index":0,"delta":{"id":"m","role":"assistant","content":"b"},"completion_id":"y"}]}`,
	`{"id":"c","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[{"index":0,"delta":{"id":"m","role":"assistant","content":"€ ok"},"completion_id":"x"}]}`,
	`{"id":"c","created":1,"session_id":"{dddddddd-dddd-4ddd-8ddd-dddddddddddd}","choices":[{"index":1.0,"delta":{"id":"m","role":"assistant","content":"Hi"},"completion_id":"x"}]}`,
	`{"id":"c","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[{"index":0,"delta":{"id":"m","role":"assistant","content":"Hi"},"completion_id":"x","finish_reason":null}]}`,
}

// chunksLeft are events near the fast path's edge that scanChunk leaves
// to encoding/json: other spellings of keys, duplicates, escapes, invalid
// UTF-8, null, numbers out of range, missing or unknown keys, bad syntax.
var chunksLeft = []string{
	`{"ID":"c","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[]}`,
	`{"id":"c","id":"d","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[]}`,
	`{"id":"c","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[{"Index":0,"delta":{"id":"m","role":"assistant","content":"Hi"},"completion_id":"x"}]}`,
	`{"id":"c","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[{"index":0,"delta":{"id":"m","role":"assistant","content":"Hi"},"completion_id":"x","Finish_Reason":"stop"}]}`,
	`{"id":"c","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[{"index":0,"delta":{"id":"m","role":"assistant","content":"a\"b\u00e9\n"},"completion_id":"x"}]}`,
	"{\"id\":\"c\",\"created\":1,\"session_id\":\"dddddddd-dddd-4ddd-8ddd-dddddddddddd\",\"choices\":[{\"index\":0,\"delta\":{\"id\":\"m\",\"role\":\"assistant\",\"content\":\"\xff\xc3\"},\"completion_id\":\"x\"}]}",
	`{"id":null,"created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[]}`,
	`{"id":"c","created":01,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[]}`,
	`{"id":"c","created":1e999,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[]}`,
	`{"id":"c","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[{"index":2147483648,"delta":{"id":"m","role":"assistant","content":"Hi"},"completion_id":"x"}]}`,
	`{"id":"c","created":1,"session_id":"not-a-uuid","choices":[]}`,
	`{"id":"c","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}`,
	`{"id":"c","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"completion_id":"x"}]}`,
	`{"id":"c","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[]}x`,
	`{"id":"c","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[],}`,
	`{"id":"c","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[{}]}`,
	`{"id":"c","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[],"error":"boom"}`,
}

// FuzzChunkScan holds the stream's fast path (scanChunk) to encoding/json:
// a decoder with it and one that decodes every event with encoding/json
// (decodeGeneral) read the same stream and must agree on every event
// (kind, chunk, whether it failed) and on whether the answer is complete.
// The seeds are the stream corpus (chatStreamSeeds and the files of
// testdata/fuzz/FuzzChatStream) and the chunks of chunksTaken and
// chunksLeft.
func FuzzChunkScan(f *testing.F) {
	bodies := chatStreamSeeds()
	bodies = append(bodies, corpusBodies(f, filepath.Join("testdata", "fuzz", "FuzzChatStream"))...)
	for _, v := range append(chunksTaken[:len(chunksTaken):len(chunksTaken)], chunksLeft...) {
		bodies = append(bodies, "data: "+v+"\n\n")
	}
	for _, b := range bodies {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var fast, general chatDecoder
		events := 0
		for ev, err := range sse.Read(bytes.NewReader(body), &sse.ReadConfig{MaxEventSize: fuzzMaxEvent}) {
			if err != nil || events > 64 {
				break
			}
			events++
			data := []byte(ev.Data)
			var a, b ChatChunk
			ka, ea := fast.decode(data, &a)
			kb, eb := general.decodeGeneral(data, &b)
			require.Equal(t, eb == nil, ea == nil, "%q: fast %v, encoding/json %v", data, ea, eb)
			require.Equal(t, kb, ka, "%q", data)
			require.Equal(t, b, a, "%q", data)
			require.Equal(t, general.complete(), fast.complete(), "%q", data)
		}
	})
}

// corpusBodies reads the []byte arguments of a fuzz target's corpus files.
func corpusBodies(tb testing.TB, dir string) []string {
	entries, err := os.ReadDir(dir)
	require.NoError(tb, err)
	var out []string
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(tb, err)
		for line := range strings.Lines(string(raw)) {
			if q, ok := strings.CutPrefix(strings.TrimSpace(line), "[]byte("); ok {
				s, err := strconv.Unquote(strings.TrimSuffix(q, ")"))
				require.NoError(tb, err, "%s", e.Name())
				out = append(out, s)
			}
		}
	}
	require.NotEmpty(tb, out, "no corpus in %s", dir)
	return out
}

// The fast path must take the chunks the server sends, or FuzzChunkScan
// would compare encoding/json with itself; it must leave the others.
func TestScanChunkTakesThePlainForm(t *testing.T) {
	var d chatDecoder
	var c ChatChunk
	for _, v := range chunksTaken {
		assert.True(t, d.scanChunk([]byte(v), &c), "%s", v)
	}
	require.True(t, d.scanChunk([]byte(chunksTaken[0]), &c))
	assert.Equal(t, ChatChunk{ID: "c", Created: 1.5, SessionID: uuid.MustParse("dddddddd-dddd-4ddd-8ddd-dddddddddddd"),
		Choices: []ChatChunkChoice{{Index: 0, Delta: ChatChoiceMessage{ID: "m", Role: RoleAssistant, Content: "Hi"}, CompletionID: "x"}}}, c)
	require.True(t, d.scanChunk([]byte(chunksTaken[1]), &c))
	assert.NotNil(t, c.Choices, "an empty choices array is not a missing one")
	assert.Empty(t, c.Choices)
	require.True(t, d.scanChunk([]byte(chunksTaken[2]), &c))
	assert.Equal(t, Timestamp(-500), c.Created)
	assert.Equal(t, "stop", c.Choices[0].FinishReason)
	assert.Equal(t, 1, c.Choices[0].Index)

	for _, v := range chunksLeft {
		before := c
		assert.False(t, d.scanChunk([]byte(v), &c), "%s", v)
		assert.Equal(t, before, c, "left alone")
	}
}

// A chunk that repeats the previous one's ids costs two allocations: its
// content and its choices.
func TestScanChunkAllocations(t *testing.T) {
	var d chatDecoder
	var c ChatChunk
	data := []byte(chunksTaken[0])
	allocs := testing.AllocsPerRun(100, func() {
		if !d.scanChunk(data, &c) {
			t.Fatal("not taken")
		}
	})
	assert.Equal(t, 2.0, allocs)
}

// responsesTaken are whole answers in the plain form that scanResponse
// decodes itself.
var responsesTaken = []string{
	`{"id":"r","created":1764190000.123,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[{"index":0,"message":{"id":"m","role":"assistant","content":"Hi"},"finish_reason":"stop","completion_id":"x","model":"p/m"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}`,
	" {\"usage\":{\"total_tokens\":3,\"prompt_tokens\":1,\"completion_tokens\":2},\"choices\":[],\"session_id\":\"dddddddd-dddd-4ddd-8ddd-dddddddddddd\",\"created\":0,\"id\":\"\"}\n",
	`{"id":"r","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[{"index":1,"message":{"id":"m","role":"assistant","content":"a"},"finish_reason":null,"completion_id":"x","model":"p/m"},{"index":0,"message":{"id":"m2","role":"assistant","content":"b"},"completion_id":"y","model":"p/m"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}`,
}

// responsesLeft are answers that scanResponse leaves to encoding/json.
var responsesLeft = []string{
	`null`,
	`{}`,
	`{"id":"r","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[],"usage":null}`,
	`{"id":"r","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[]}`,
	`{"id":"r","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}`,
	`{"id":"r","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3},"object":"chat.completion"}`,
	`{"id":"r","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[{"index":0,"message":{"id":"m","role":"assistant","content":"Hi"},"completion_id":"x"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}`,
	`{"id":"r","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[{"index":0,"message":{"id":"m","role":"assistant","content":"Hi"},"completion_id":"x","model":"p/m","logprobs":null}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}`,
	`{"id":"r","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[{"index":0,"message":{"id":"m","role":"assistant","content":"H\u0069"},"completion_id":"x","model":"p/m"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}`,
	`{"id":"r","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[],"Usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}`,
	`{"id":"r","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[],"usage":{"prompt_tokens":1.5,"completion_tokens":2,"total_tokens":3}}`,
	`{"id":"r","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[],"usage":{"prompt_tokens":1,"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}`,
	`{"id":"r","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}} {}`,
}

// FuzzResponseScan holds the fast path of whole chat answers
// (scanResponse) to encoding/json: whenever it accepts a body, decoding
// the same body with encoding/json into the wire form (decodeResponse)
// succeeds with the same answer.
func FuzzResponseScan(f *testing.F) {
	for _, v := range append(responsesTaken[:len(responsesTaken):len(responsesTaken)], responsesLeft...) {
		f.Add([]byte(v))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var fast, general ChatResponse
		if !scanResponse(body, &fast) {
			return
		}
		require.NoError(t, general.decodeWire(body), "%q", body)
		require.Equal(t, general, fast, "%q", body)
	})
}

func TestScanResponseTakesThePlainForm(t *testing.T) {
	var r ChatResponse
	for _, v := range responsesTaken {
		assert.True(t, scanResponse([]byte(v), &r), "%s", v)
	}
	require.True(t, scanResponse([]byte(responsesTaken[0]), &r))
	assert.Equal(t, ChatResponse{ID: "r", Created: 1764190000.123, SessionID: uuid.MustParse("dddddddd-dddd-4ddd-8ddd-dddddddddddd"),
		Choices: []ChatChoice{{Index: 0, Message: ChatChoiceMessage{ID: "m", Role: RoleAssistant, Content: "Hi"}, FinishReason: "stop", CompletionID: "x", Model: "p/m"}},
		Usage:   Usage{PromptTokens: 1, CompletionTokens: 2, TotalTokens: 3}}, r)
	require.True(t, scanResponse([]byte(responsesTaken[1]), &r), "keys in any order, white space around")
	assert.NotNil(t, r.Choices)
	assert.Empty(t, r.Choices)

	for _, v := range responsesLeft {
		before := r
		assert.False(t, scanResponse([]byte(v), &r), "%s", v)
		assert.Equal(t, before, r, "left alone")
	}
	// What the fast path leaves is still decoded (or refused) as before.
	require.NoError(t, json.Unmarshal([]byte(responsesLeft[len(responsesLeft)-6]), &r), "an unknown key")
	assert.Equal(t, "p/m", r.Choices[0].Model)
	assert.ErrorContains(t, json.Unmarshal([]byte(responsesLeft[6]), &r), "required field choices[0].model")
}

package adaptive

import (
	"bytes"
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
	`{"id":"c","created":1,"session_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","choices":[{"index":0,"delta":{"id":"m","role":"assistant","content":"Hi"},"completion_id":"x","finish_reason":null}]}`,
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

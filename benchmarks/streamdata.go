// Package benchmarks measures the SDK side by side with raw net/http
// baselines and the peer Go SDKs (openai-go, go-openai). It is its own
// module so that the SDK's go.mod keeps only the SDK's dependencies.
package benchmarks

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strings"

	"github.com/google/uuid"
)

// StreamChunks is the number of content chunks in the recorded stream.
const StreamChunks = 10000

var words = strings.Fields(`the model answers with short tokens and sometimes longer words such as
	configuration observability throughput latency distributed reinforcement evaluation
	a an of to in is it for on with as by at be this that from or`)

// RecordedStream returns the bytes of an Adaptive chat completion stream
// with n content chunks, shaped the way the server sends it: one JSON chunk
// per data line (id, created in fractional seconds, session_id, choices
// with index, completion_id and a delta that carries the id, role and
// content the contract requires in every chunk), a few metadata events interleaved
// (TTFT after the first chunk, a finish_reason per choice near the end,
// TotalRequestDuration last), keep-alive comments, a usage chunk with no
// choices, and data: [DONE]. A data event is about 270 bytes, as on the
// wire. The same n always gives the same bytes.
func RecordedStream(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	session := uuid.NewSHA1(uuid.NameSpaceOID, []byte("session"))
	completion := uuid.NewSHA1(uuid.NameSpaceOID, []byte("completion"))
	id := "chatcmpl-" + strings.ReplaceAll(uuid.NewSHA1(uuid.NameSpaceOID, []byte("id")).String(), "-", "")[:12]
	messageID := "msg-" + strings.ReplaceAll(uuid.NewSHA1(uuid.NameSpaceOID, []byte("message")).String(), "-", "")[:12]
	var b bytes.Buffer
	b.Grow(n * 270)
	created := 1764190000.123
	for i := range n {
		// Tokens are one to a few words, like a model's deltas.
		var content strings.Builder
		for k := 1 + rng.IntN(4); k > 0; k-- {
			content.WriteByte(' ')
			content.WriteString(words[rng.IntN(len(words))])
		}
		fmt.Fprintf(&b, "data: {\"id\":%q,\"created\":%.3f,\"session_id\":%q,\"choices\":[{\"index\":0,\"delta\":{\"id\":%q,\"role\":\"assistant\",\"content\":%q},\"completion_id\":%q}]}\n\n",
			id, created, session, messageID, content.String(), completion)
		switch {
		case i == 0:
			b.WriteString("data: {\"TTFT\":183.4}\n\n")
		case i%2500 == 1249:
			b.WriteString(": keep-alive\n\n")
		}
	}
	fmt.Fprintf(&b, "data: {\"finish_reason\":\"stop\",\"index\":0,\"completion_id\":%q}\n\n", completion)
	fmt.Fprintf(&b, "data: {\"id\":%q,\"created\":%.3f,\"session_id\":%q,\"choices\":[],\"usage\":{\"prompt_tokens\":42,\"completion_tokens\":%d,\"total_tokens\":%d}}\n\n",
		id, created, session, n, n+42)
	b.WriteString("data: {\"TotalRequestDuration\":5123.7}\n\n")
	b.WriteString("data: [DONE]\n\n")
	return b.Bytes()
}

// ServeBytes returns a handler that drains the request body and answers
// 200 with body as the given content type, the same bytes every time.
func ServeBytes(contentType string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(body)
	}
}

// IntegerCreated returns stream with every "created" timestamp cut to
// whole seconds. go-openai decodes created into an int64 and fails on the
// fractional seconds Adaptive sends, so it is served this variant, 4 bytes
// shorter per event.
func IntegerCreated(stream []byte) []byte {
	return fractionalCreated.ReplaceAll(stream, []byte(`"created":$1,`))
}

var fractionalCreated = regexp.MustCompile(`"created":(\d+)\.\d+,`)

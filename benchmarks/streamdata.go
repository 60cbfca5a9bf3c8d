// Package benchmarks measures the SDK side by side with raw net/http
// baselines and the peer Go SDKs (openai-go, go-openai). It is its own
// module so that the SDK's go.mod keeps only the SDK's dependencies.
package benchmarks

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/google/uuid"
)

// StreamChunks is the number of chat chunks in the recorded stream.
const StreamChunks = 10000

var words = strings.Fields(`the model answers with short tokens and sometimes longer words such as
	configuration observability throughput latency distributed reinforcement evaluation
	a an of to in is it for on with as by at be this that from or`)

// RecordedStream returns the bytes of an Adaptive chat completion stream of
// n chunks, the way the server sends it: one JSON chunk per data line (id,
// created in fractional seconds, session_id, choices with delta and
// completion_id), metadata events interleaved (TTFT near the start,
// finish_reason and TotalRequestDuration at the end), a usage chunk, and
// data: [DONE]. The same seed gives the same bytes.
func RecordedStream(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	session := uuid.NewSHA1(uuid.NameSpaceOID, []byte("session"))
	completion := uuid.NewSHA1(uuid.NameSpaceOID, []byte("completion"))
	id := "chatcmpl-" + strings.ReplaceAll(uuid.NewSHA1(uuid.NameSpaceOID, []byte("id")).String(), "-", "")
	var b bytes.Buffer
	b.Grow(n * 240)
	created := 1764190000.123456
	for i := range n {
		var content strings.Builder
		for content.Len() < 12+rng.IntN(24) {
			content.WriteString(words[rng.IntN(len(words))])
			content.WriteByte(' ')
		}
		role := ""
		if i == 0 {
			role = `"role":"assistant",`
		}
		fmt.Fprintf(&b, "data: {\"id\":%q,\"created\":%.6f,\"session_id\":%q,\"choices\":[{\"index\":0,\"delta\":{%s\"content\":%q},\"completion_id\":%q}]}\n\n",
			id, created, session, role, content.String(), completion)
		if i == 0 {
			b.WriteString("data: {\"TTFT\":183.4}\n\n")
		}
		if i%2500 == 1249 {
			b.WriteString(": keep-alive\n\n")
		}
	}
	fmt.Fprintf(&b, "data: {\"finish_reason\":\"stop\",\"completion_id\":%q}\n\n", completion)
	fmt.Fprintf(&b, "data: {\"id\":%q,\"created\":%.6f,\"session_id\":%q,\"choices\":[],\"usage\":{\"prompt_tokens\":42,\"completion_tokens\":%d,\"total_tokens\":%d}}\n\n", id, created, session, n, n+42)
	b.WriteString("data: {\"TotalRequestDuration\":5123.7}\n\n")
	b.WriteString("data: [DONE]\n\n")
	return b.Bytes()
}

package benchmarks

import (
	"bytes"
	"encoding/json"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// BenchmarkChunkJSON decodes the data of the recorded stream's chunks, one
// after the other, with encoding/json (as the raw baseline does) and with
// github.com/go-json-experiment/json (the mirror of encoding/json/v2, which
// aliases the standard library's on Go 1.27), both into plainChunk, the v2
// side with the leniency the SDK would need to decode what encoding/json
// decodes (duplicate names, invalid UTF-8). It is the measurement behind
// the decision not to adopt v2 for streams (ANALYSIS.md): the SDK's own
// cost per chunk is BenchmarkStreamDecode/sdk, framing (BenchmarkSSEParse)
// included.
func BenchmarkChunkJSON(b *testing.B) {
	var chunks [][]byte
	for line := range bytes.Lines(recorded()) {
		if data, ok := bytes.CutPrefix(line, []byte("data: ")); ok && bytes.Contains(data, []byte(`"delta"`)) {
			chunks = append(chunks, bytes.TrimSpace(data))
		}
	}
	lenient := jsonv2.JoinOptions(jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	for _, side := range []struct {
		name      string
		unmarshal func([]byte, *plainChunk) error
	}{
		{"encoding-json", func(b []byte, c *plainChunk) error { return json.Unmarshal(b, c) }},
		{"go-json-experiment", func(b []byte, c *plainChunk) error { return jsonv2.Unmarshal(b, c, lenient) }},
	} {
		b.Run(side.name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				var c plainChunk
				if err := side.unmarshal(chunks[n%len(chunks)], &c); err != nil || len(c.Choices) != 1 {
					b.Fatal(err)
				}
				n++
			}
		})
	}
}

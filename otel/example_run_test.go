package adaptiveotel_test

import (
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExamplePrintsTheSpan runs Example, whose output (ids, times, ports)
// differs on every run, and checks that it printed the chat span.
func TestExamplePrintsTheSpan(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	stdout := os.Stdout
	os.Stdout = w
	done := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		done <- b
	}()
	func() {
		defer func() { os.Stdout = stdout }()
		Example()
	}()
	require.NoError(t, w.Close())
	out := <-done

	// The span's JSON object comes first, then the answer.
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var span struct {
		Name       string
		Attributes []struct {
			Key   string
			Value struct{ Value any }
		}
	}
	require.NoError(t, dec.Decode(&span), "%s", out)
	assert.Equal(t, "chat demo", span.Name)
	got := map[string]any{}
	for _, a := range span.Attributes {
		got[a.Key] = a.Value.Value
	}
	assert.Equal(t, "chat", got["gen_ai.operation.name"])
	assert.Equal(t, 0.2, got["gen_ai.request.temperature"])
	rest, err := io.ReadAll(dec.Buffered())
	require.NoError(t, err)
	assert.NotEmpty(t, strings.TrimSpace(string(rest)), "the answer follows the span")
}

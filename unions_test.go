package adaptive_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
)

func TestCompletionJSON(t *testing.T) {
	b, err := json.Marshal(adaptive.CompletionID(infIDA.String()))
	require.NoError(t, err)
	assert.Equal(t, `"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"`, string(b))

	b, err = json.Marshal(adaptive.CompletionText("Paris \"ok\"", "m1"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"text":"Paris \"ok\"","model":"m1"}`, string(b))

	_, err = json.Marshal(adaptive.Completion{})
	require.Error(t, err, "an unset completion is never sent as null")

	var c adaptive.Completion
	require.NoError(t, json.Unmarshal([]byte(` "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"`), &c))
	id, ok := c.ID()
	assert.True(t, ok)
	assert.Equal(t, infIDA.String(), id)
	_, _, isText := c.Text()
	assert.False(t, isText)

	require.NoError(t, json.Unmarshal([]byte(`{"text":"t","model":"m","other":1}`), &c))
	text, model, ok := c.Text()
	assert.True(t, ok)
	assert.Equal(t, "t", text)
	assert.Equal(t, "m", model)
	_, isID := c.ID()
	assert.False(t, isID)
	assert.Equal(t, `m: "t"`, c.String())

	require.NoError(t, json.Unmarshal([]byte(`null`), &c))
	assert.True(t, c.IsZero())
	assert.Equal(t, "<unset>", c.String())

	require.NoError(t, json.Unmarshal([]byte(`"cmpl-1"`), &c), "an id decodes as given; sending checks its form")
	assert.Equal(t, adaptive.CompletionID("cmpl-1"), c)
	for _, bad := range []string{`3`, `[]`, `true`, `{"text":1}`} {
		assert.Error(t, json.Unmarshal([]byte(bad), &c), bad)
	}
}

func TestMetricValueJSON(t *testing.T) {
	for _, tc := range []struct {
		v    adaptive.MetricValue
		want string
	}{
		{adaptive.MetricBool(true), `true`},
		{adaptive.MetricBool(false), `false`},
		{adaptive.MetricNumber(0), `0`},
		{adaptive.MetricNumber(-2.5), `-2.5`},
		{adaptive.MetricNumber(1e21), `1e+21`},
	} {
		b, err := json.Marshal(tc.v)
		require.NoError(t, err)
		assert.Equal(t, tc.want, string(b))
	}

	for _, bad := range []adaptive.MetricValue{{}, adaptive.MetricNumber(math.NaN()), adaptive.MetricNumber(math.Inf(1)), adaptive.MetricNumber(math.Inf(-1))} {
		_, err := json.Marshal(bad)
		assert.Error(t, err, "%v must not be encoded", bad)
	}
}

func TestMetricValueDecoding(t *testing.T) {
	for in, want := range map[string]adaptive.MetricValue{
		`true`:   adaptive.MetricBool(true),
		`false`:  adaptive.MetricBool(false),
		`0`:      adaptive.MetricNumber(0),
		`1`:      adaptive.MetricNumber(1),
		` 0.25 `: adaptive.MetricNumber(0.25),
		`-3e2`:   adaptive.MetricNumber(-300),
		`null`:   {},
	} {
		var got adaptive.MetricValue
		require.NoError(t, json.Unmarshal([]byte(in), &got), in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{`"1"`, `"true"`, `{}`, `[1]`, `1e999`} {
		var got adaptive.MetricValue
		assert.Error(t, json.Unmarshal([]byte(bad), &got), bad)
	}

	// A value inside a struct round-trips.
	var f adaptive.InteractionFeedback
	require.NoError(t, json.Unmarshal([]byte(`{"metric":"m","value":1}`), &f))
	n, ok := f.Value.Number()
	assert.True(t, ok)
	assert.Equal(t, 1.0, n)
	_, isBool := f.Value.Bool()
	assert.False(t, isBool)
}

func TestMetricValueAccessors(t *testing.T) {
	b, ok := adaptive.MetricBool(true).Bool()
	assert.True(t, ok)
	assert.True(t, b)
	_, ok = adaptive.MetricBool(true).Number()
	assert.False(t, ok)
	assert.Equal(t, "true", adaptive.MetricBool(true).String())
	assert.Equal(t, "0.5", adaptive.MetricNumber(0.5).String())
	assert.Equal(t, "<unset>", adaptive.MetricValue{}.String())
	assert.True(t, adaptive.MetricValue{}.IsZero())
	assert.False(t, adaptive.MetricNumber(0).IsZero(), "zero is a value")
	assert.False(t, adaptive.CompletionID("").IsZero(), "set, though rejected at validation")
}

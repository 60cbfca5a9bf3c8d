package graphql

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTheSDKsDocuments(t *testing.T) {
	d, err := Parse(`
# a comment, then commas that mean nothing
mutation CreateDatasetFromMultipartUpload($input: DatasetCreateFromMultipartUpload!, ) {
  created: createDatasetFromMultipartUpload(input: $input) { datasetId status totalParts processedParts progress error }
}`)
	require.NoError(t, err)
	assert.True(t, d.Mutates())
	op, err := d.Operation("")
	require.NoError(t, err)
	assert.Equal(t, "mutation", op.Type)
	assert.Equal(t, "CreateDatasetFromMultipartUpload", op.Name)
	require.Len(t, op.Vars, 1)
	assert.Equal(t, "input", op.Vars[0].Name)
	assert.Equal(t, "DatasetCreateFromMultipartUpload!", op.Vars[0].Type.String())
	f := op.Selections[0].(*Field)
	assert.Equal(t, "created", f.ResponseKey())
	assert.Equal(t, "createDatasetFromMultipartUpload", f.Name)
	assert.Equal(t, []*Arg{{Name: "input", Value: Variable("input")}}, f.Args)
	assert.Len(t, f.Selections, 6)
}

func TestParseValuesFragmentsAndDirectives(t *testing.T) {
	d, err := Parse(`query Q($n: [Int!] = [1, -2], $on: Boolean!) @x {
  dataset(idOrKey: "k\u00e9\n", project: """
      block
        text
  """, kind: PROMPT, f: 1.5e3, o: {a: null, b: [true, false]}) {
    ...F @include(if: $on)
    ... on Dataset { id }
    ... @skip(if: true) { key }
  }
}
fragment F on Dataset { name }`)
	require.NoError(t, err)
	assert.False(t, d.Mutates())
	op, err := d.Operation("Q")
	require.NoError(t, err)
	assert.Equal(t, "[Int!]", op.Vars[0].Type.String())
	assert.Equal(t, List{Int("1"), Int("-2")}, op.Vars[0].Default)
	f := op.Selections[0].(*Field)
	assert.Equal(t, String("ké\n"), f.Args[0].Value)
	assert.Equal(t, String("block\n  text"), f.Args[1].Value)
	assert.Equal(t, Enum("PROMPT"), f.Args[2].Value)
	assert.Equal(t, Float("1.5e3"), f.Args[3].Value)
	assert.Equal(t, Object{{Name: "a", Value: Null{}}, {Name: "b", Value: List{Bool(true), Bool(false)}}}, f.Args[4].Value)
	require.Len(t, f.Selections, 3)
	assert.Equal(t, "F", f.Selections[0].(*FragmentSpread).Name)
	assert.Equal(t, "Dataset", f.Selections[1].(*InlineFragment).On)
	assert.Equal(t, "skip", f.Selections[2].(*InlineFragment).Directives[0].Name)
	assert.Equal(t, "Dataset", d.Fragments["F"].On)

	d, err = Parse(`{ datasets(project: "p") { id } }`)
	require.NoError(t, err)
	assert.Equal(t, "query", d.Operations[0].Type, "the shorthand is a query")
}

func TestParseRefusesBadDocuments(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{``, "no operation"},
		{`query { }`, "expected a selection"},
		{`query Q { a } query Q { b }`, `two operations named "Q"`},
		{`{ a } query Q { b }`, "anonymous operation"},
		{`{ a(x: 1, x: 2) }`, `argument "x" is given twice`},
		{`{ a(x: "open) }`, "unterminated string"},
		{`{ a(x: 01) }`, "may not start with 0"},
		{`{ a(x: 1.) }`, "decimal point"},
		{`query ($v: Int = $w) { a }`, "expected a constant value"},
		{`type T { a: Int }`, "expected an operation or a fragment"},
		{`{ a } ?`, "unexpected character '?'"},
		{`{ a(x: "\q") }`, `invalid escape \q`},
	} {
		_, err := Parse(tc.doc)
		require.Error(t, err, tc.doc)
		assert.Contains(t, err.Error(), tc.want, tc.doc)
		var se *SyntaxError
		assert.ErrorAs(t, err, &se, tc.doc)
	}
}

func TestOperationSelection(t *testing.T) {
	d, err := Parse(`query A { a } mutation B { b }`)
	require.NoError(t, err)
	assert.True(t, d.Mutates(), "one mutation is enough")
	_, err = d.Operation("")
	assert.ErrorContains(t, err, "give operationName")
	op, err := d.Operation("B")
	require.NoError(t, err)
	assert.Equal(t, "mutation", op.Type)
	_, err = d.Operation("C")
	assert.ErrorContains(t, err, `unknown operation named "C"`)
}

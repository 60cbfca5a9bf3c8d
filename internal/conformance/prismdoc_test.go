package conformance_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive/internal/conformance"
	"github.com/adaptive-go/adaptive/internal/schematest"
)

// prismOverridden lists every place where Prism's copy of the document
// differs from the document, each a generator artifact Prism trips on:
//   - the part body, published as an array of integers for
//     application/octet-stream (the body is the raw bytes);
//   - the stray required path parameter "dataset" of the dataset download
//     route (its path has only {project} and {dataset_id});
//   - the security scheme bearer_auth, named by the artifact and image
//     routes but defined nowhere;
//   - part_number's minimum 0 in the part route's query, against 1 in
//     UploadPartQuery.
var prismOverridden = []string{
	"/paths/~1api~1v1~1upload~1part/post/requestBody/content/application~1octet-stream/schema",
	"/paths/~1api~1v1~1projects~1{project}~1datasets~1{dataset_id}~1download/get/parameters",
	"/components/securitySchemes",
	"/paths/~1api~1v1~1upload~1part/post/parameters/1/schema/minimum",
}

func TestPrismDocumentOverridesOnlyTheArtifacts(t *testing.T) {
	doc, err := os.ReadFile(schematest.DocPath())
	require.NoError(t, err)
	prism, err := conformance.PrismDocument(doc)
	require.NoError(t, err)
	var pointers []string
	for _, o := range conformance.PrismOverrides {
		pointers = append(pointers, o.Pointer)
		assert.NotEmpty(t, o.Artifact)
		assert.NotEmpty(t, o.Fix)
	}
	assert.Equal(t, prismOverridden, pointers)

	diffs, err := conformance.Diff(doc, prism)
	require.NoError(t, err)
	touched := map[string]bool{}
	for _, d := range diffs {
		i := indexOfPrefix(prismOverridden, d)
		require.GreaterOrEqual(t, i, 0, "Prism's copy differs at %s, which is no listed artifact", d)
		touched[prismOverridden[i]] = true
	}
	assert.Len(t, touched, len(prismOverridden), "every override changes something: %v", diffs)

	_, err = conformance.PrismDocument(prism)
	assert.Error(t, err, "an override refuses a document that no longer has its artifact")

	// .ci/run says which file it gave Prism: it must be this copy.
	if path := os.Getenv("ADAPTIVE_PRISM_DOCUMENT"); path != "" {
		given, err := os.ReadFile(path)
		require.NoError(t, err)
		diffs, err := conformance.Diff(prism, given)
		require.NoError(t, err)
		assert.Empty(t, diffs, "Prism was started on another document than PrismDocument's")
	}
}

func indexOfPrefix(prefixes []string, pointer string) int {
	for i, p := range prefixes {
		if pointer == p || strings.HasPrefix(pointer, p+"/") {
			return i
		}
	}
	return -1
}

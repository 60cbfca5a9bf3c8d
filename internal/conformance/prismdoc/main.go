// Command prismdoc writes the copy of the OpenAPI document that .ci/run
// gives to Stoplight Prism: the document with its generator artifacts
// fixed (conformance.PrismOverrides).
//
//	go run ./internal/conformance/prismdoc testdata/adaptive-openapi.json prism-openapi.json
package main

import (
	"fmt"
	"os"

	"github.com/adaptive-go/adaptive/internal/conformance"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: prismdoc DOCUMENT OUTPUT")
		os.Exit(2)
	}
	doc, err := os.ReadFile(os.Args[1])
	if err == nil {
		doc, err = conformance.PrismDocument(doc)
	}
	if err == nil {
		err = os.WriteFile(os.Args[2], doc, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "prismdoc:", err)
		os.Exit(1)
	}
}

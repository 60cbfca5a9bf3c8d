package adaptive_test

import (
	"context"
	"fmt"
	"log"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

func ExampleEmbeddingsService_Create() {
	srv := adaptivetest.NewServer() // a fake Adaptive instance; use adaptive.NewClient for a real one
	defer srv.Close()
	client := srv.Client()

	res, err := client.Embeddings.Create(context.Background(), adaptive.EmbeddingsRequest{
		Input:          "The quick brown fox",
		Model:          "embedder",              // sent as "<default project>/embedder"
		EncodingFormat: adaptive.EncodingBase64, // smaller on the wire; decoded for you
		Dimensions:     adaptive.Ptr(8),
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range res.Data { // one per input
		fmt.Println("dimensions:", len(e.Embedding))
	}
	fmt.Println("tokens:", res.Usage.TotalTokens)
	// Output:
	// dimensions: 8
	// tokens: 4
}

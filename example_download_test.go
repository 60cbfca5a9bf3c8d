package adaptive_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

func ExampleDatasetsService_Download() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.AddDataset("demo", "support-tickets", "", []byte(`{"messages":[{"role":"user","content":"Hi"}]}`+"\n"))
	client := srv.Client()

	dir, err := os.MkdirTemp("", "datasets")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// An empty project means the client's default ("demo" here).
	d, err := client.Datasets.Download(context.Background(), "", "support-tickets",
		&adaptive.DatasetDownloadOptions{Format: adaptive.DatasetFormatOriginal})
	if err != nil {
		log.Fatal(err)
	}
	// Filename is already a bare base name, safe to join to a directory.
	// SaveFile writes atomically, checks the length and closes d.
	n, err := d.SaveFile(filepath.Join(dir, d.Filename))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Filename, d.ContentType, n, "bytes")
	// Output: support-tickets.jsonl application/x-ndjson 46 bytes
}

func ExampleDownload_WriteTo() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.AddRecipe("demo", "summarize", []byte("PK\x03\x04 recipe archive"))
	client := srv.Client()

	d, err := client.Recipes.Download(context.Background(), "", "summarize")
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	// io.Copy uses WriteTo: bytes flow from the connection to the writer
	// through one buffer, and a body cut short is an error, never a clean end.
	h := sha256.New()
	n, err := io.Copy(h, d)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d bytes, sha256 %x...\n", d.Filename, n, h.Sum(nil)[:4])
	// Output: summarize.zip: 19 bytes, sha256 222032b7...
}

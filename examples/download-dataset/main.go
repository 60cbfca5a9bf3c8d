// Command download-dataset saves a dataset of a project to a file, streaming
// it to disk and renaming it into place only once it is complete.
//
//	go run ./examples/download-dataset -project my-project -dataset my-dataset -o data.jsonl
//
// Without ADAPTIVE_BASE_URL it runs against the embedded fake server, with a
// small dataset registered there for the demonstration.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/examples/internal/demo"
)

func main() {
	project := flag.String("project", "", "project id or key (default: the client's default project)")
	dataset := flag.String("dataset", "demo-dataset", "dataset id or key")
	format := flag.String("format", "original", "file format: original or recipe")
	out := flag.String("o", "", "output file (default: the server's file name in the current directory)")
	flag.Parse()

	env, err := demo.Connect(os.Stdout)
	if err != nil {
		demo.Fail("connecting", err)
	}
	defer env.Close()
	if env.Fake != nil {
		env.Fake.AddDataset(env.Client.Project(), *dataset, "", []byte("{\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],\"completion\":\"hi\"}\n"))
	}

	d, err := env.Client.Datasets.Download(context.Background(), *project, *dataset,
		&adaptive.DatasetDownloadOptions{Format: adaptive.DatasetFormat(*format)})
	if err != nil {
		demo.Fail("downloading", err)
	}
	path := *out
	if path == "" {
		path = d.Filename
		if path == "" {
			path = *dataset + ".jsonl"
		}
	}
	n, err := d.SaveFile(path)
	if err != nil {
		demo.Fail("saving", err)
	}
	abs, _ := filepath.Abs(path)
	fmt.Printf("Saved %d bytes (%s) to %s\n", n, d.ContentType, abs)
}

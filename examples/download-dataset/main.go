// Command download-dataset downloads a dataset of a project: to a file with
// -o, streamed to disk and renamed into place only once it is complete, or
// else to standard output.
//
//	go run ./examples/download-dataset -project my-project -dataset my-dataset -o data.jsonl
//	go run ./examples/download-dataset -dataset my-dataset | head
//
// Messages go to standard error, so that standard output holds only the
// data. Without ADAPTIVE_BASE_URL it runs against the embedded fake server,
// with a small dataset registered there for the demonstration.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/examples/internal/demo"
)

const usage = `usage: download-dataset [-project PROJECT] [-dataset DATASET] [-format FORMAT] [-o FILE]

Downloads a dataset: with -o, saved atomically to FILE (replaced only once the
download is complete); without -o, written to standard output.

`

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	fs := demo.Flags("download-dataset", usage)
	project := fs.String("project", "", "project id or key (default: the client's default project)")
	dataset := fs.String("dataset", "demo-dataset", "dataset id or key")
	format := fs.String("format", "original", "file format: original or recipe")
	out := fs.String("o", "", "save to `FILE` (default: write to standard output)")
	if code, ok := demo.Parse(fs, args, 0); !ok {
		return code
	}

	env, err := demo.Connect(os.Stderr)
	if err != nil {
		return demo.Fail("connecting", err)
	}
	defer env.Close()
	if env.Fake != nil {
		env.Fake.AddDataset(env.Client.Project(), *dataset, "", []byte("{\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],\"completion\":\"hi\"}\n"))
	}

	d, err := env.Client.Datasets.Download(context.Background(), *project, *dataset,
		&adaptive.DatasetDownloadOptions{Format: adaptive.DatasetFormat(*format)})
	if err != nil {
		return demo.Fail("downloading", err)
	}
	defer d.Close()
	if *out == "" {
		n, err := d.WriteTo(os.Stdout)
		if err != nil {
			return demo.Fail("writing to standard output", err)
		}
		fmt.Fprintf(os.Stderr, "Wrote %d bytes (%s) to standard output\n", n, d.ContentType)
		return 0
	}
	n, err := d.SaveFile(*out)
	if err != nil {
		return demo.Fail("saving", err)
	}
	abs, _ := filepath.Abs(*out)
	fmt.Fprintf(os.Stderr, "Saved %d bytes (%s) to %s\n", n, d.ContentType, abs)
	return 0
}

// Command upload-dataset uploads a JSONL file to Adaptive and makes it a
// dataset of the project, with a live progress line, then waits for the
// dataset to be processed and prints its id.
//
//	go run ./examples/upload-dataset data.jsonl
//	go run ./examples/upload-dataset -key support-chats -name "Support chats" data.jsonl
//	go run ./examples/upload-dataset -resume data.jsonl.checkpoint.json data.jsonl
//
// An upload in parts (above 5 MiB) writes its checkpoint next to the file
// (FILE.checkpoint.json) after each part; if it fails or the program dies,
// -resume continues from it, checking the file against it and sending only
// the parts the server lacks (against a real instance: the embedded fake
// server used when ADAPTIVE_BASE_URL is not set forgets its sessions when
// the program ends).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/examples/internal/demo"
)

const usage = `usage: upload-dataset [-key KEY] [-name NAME] [-resume CHECKPOINT] [-concurrency N] FILE

Uploads FILE, creates a dataset of it, waits for its processing and prints
its id. An upload in parts saves its checkpoint to FILE.checkpoint.json; on
failure the session is kept, for -resume.

`

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	fs := demo.Flags("upload-dataset", usage)
	key := fs.String("key", "", "the dataset's `KEY` (default: from the file name)")
	name := fs.String("name", "", "the dataset's `NAME` (default: the key)")
	resume := fs.String("resume", "", "resume the upload saved in the checkpoint file `CHECKPOINT`")
	concurrency := fs.Int("concurrency", 4, "parts sent at once")
	if code, ok := demo.Parse(fs, args, 1); !ok {
		return code
	}
	path := fs.Arg(0)
	if *key == "" {
		*key = keyOf(path)
	}

	// Checked before anything is sent: os.Open opens a directory too, and
	// what the SDK would make of it says nothing about the mistake.
	f, err := os.Open(path)
	if err != nil {
		return demo.Fail("opening the dataset", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return demo.Fail("reading the dataset's size", err)
	}
	if info.IsDir() {
		return demo.Fail("opening the dataset", fmt.Errorf("%s is a directory: give the path of a file", path))
	}
	var cp adaptive.UploadCheckpoint
	if *resume != "" {
		b, err := os.ReadFile(*resume)
		if err == nil {
			err = json.Unmarshal(b, &cp)
		}
		if err != nil {
			return demo.Fail("reading the checkpoint", err)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	env, err := demo.Connect(os.Stdout)
	if err != nil {
		return demo.Fail("connecting", err)
	}
	defer env.Close()

	saved := path + ".checkpoint.json"
	opts := &adaptive.UploadOptions{
		Concurrency: *concurrency,
		Progress:    demo.Progress(os.Stdout),
		KeepOnError: true,
		OnCheckpoint: func(cp adaptive.UploadCheckpoint) {
			if err := saveCheckpoint(saved, cp); err != nil {
				fmt.Fprintf(os.Stderr, "\nwarning: saving the checkpoint: %v\n", err)
			}
		},
	}
	req := adaptive.DatasetUploadRequest{Key: *key, Name: *name}
	var d *adaptive.Dataset
	if *resume != "" {
		fmt.Printf("Resuming the upload of %s (%d bytes) as dataset %q: %d of %d parts were sent\n", path, info.Size(), *key, cp.Acknowledged(), cp.Parts)
		d, err = env.Client.Datasets.Resume(ctx, cp, f, req, opts)
	} else {
		fmt.Printf("Uploading %s (%d bytes) as dataset %q\n", path, info.Size(), *key)
		d, err = env.Client.Datasets.Upload(ctx, f, req, opts)
	}
	if err != nil {
		var upErr *adaptive.UploadError
		if errors.As(err, &upErr) && !upErr.Aborted {
			fmt.Fprintf(os.Stderr, "\nThe upload failed; the server keeps session %s.\nResume it with:\n  go run ./examples/upload-dataset -resume %s -key %s %s\n", upErr.SessionID, saved, *key, path)
		}
		return demo.Fail("uploading", err)
	}
	_ = os.Remove(saved) // done with: the dataset exists
	fmt.Printf("Dataset %s (key %s): %d bytes in %d part(s), status %s\n", d.ID, d.Key, d.Upload.Bytes, d.Upload.Parts, d.Status)

	d, err = env.Client.Datasets.Wait(ctx, d)
	if err != nil {
		return demo.Fail("processing the dataset", err)
	}
	fmt.Printf("Processed: status %s\n", d.Status)
	return 0
}

// keyOf makes a dataset key of a file name: its base name without the
// extension, in lowercase letters, digits and dashes.
func keyOf(path string) string {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(base) {
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	if k := strings.TrimSuffix(b.String(), "-"); k != "" {
		return k
	}
	return "dataset"
}

// saveCheckpoint writes cp to path atomically, so that a crash leaves the
// previous checkpoint or this one, never half of one.
func saveCheckpoint(path string, cp adaptive.UploadCheckpoint) error {
	b, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Command upload-dataset uploads a file to Adaptive in parts, with a live
// progress line, and prints the session id to hand to dataset creation.
//
//	go run ./examples/upload-dataset data.jsonl
//	go run ./examples/upload-dataset -resume SESSION data.jsonl
//
// The upload keeps its session on failure, so that it can be resumed with
// -resume (against a real instance: the embedded fake server used when
// ADAPTIVE_BASE_URL is not set forgets its sessions when the program ends).
package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/signal"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/examples/internal/demo"
)

const usage = `usage: upload-dataset [-resume SESSION] [-concurrency N] FILE

Uploads FILE in parts with a progress line and prints the session id. On
failure the session is kept, for -resume.

`

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	fs := demo.Flags("upload-dataset", usage)
	resume := fs.String("resume", "", "resume the upload session `SESSION` instead of starting a new one")
	concurrency := fs.Int("concurrency", 4, "parts sent at once")
	if code, ok := demo.Parse(fs, args, 1); !ok {
		return code
	}
	path := fs.Arg(0)

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

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	env, err := demo.Connect(os.Stdout)
	if err != nil {
		return demo.Fail("connecting", err)
	}
	defer env.Close()

	opts := &adaptive.UploadOptions{
		Concurrency: *concurrency,
		Progress:    demo.Progress(os.Stdout),
		KeepOnError: true,
		OnSession:   func(id string) { fmt.Printf("Upload session %s\n", id) },
	}
	var res *adaptive.UploadResult
	if *resume != "" {
		fmt.Printf("Resuming session %s with %s (%d bytes)\n", *resume, path, info.Size())
		res, err = env.Client.Uploads.Resume(ctx, *resume, f, info.Size(), opts)
	} else {
		fmt.Printf("Uploading %s (%d bytes)\n", path, info.Size())
		res, err = env.Client.Uploads.Upload(ctx, f, opts)
	}
	if err != nil {
		var upErr *adaptive.UploadError
		if errors.As(err, &upErr) && upErr.SessionID != "" && !upErr.Aborted {
			fmt.Fprintf(os.Stderr, "\nThe upload failed; the server keeps session %s.\nResume it with:\n  go run ./examples/upload-dataset -resume %s %s\n", upErr.SessionID, upErr.SessionID, path)
		}
		return demo.Fail("uploading", err)
	}
	fmt.Printf("Uploaded %d bytes in %d parts to session %s\nSHA-256 %s\n", res.Bytes, res.Parts, res.SessionID, hex.EncodeToString(res.SHA256[:]))
	return 0
}

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
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/examples/internal/demo"
)

func main() {
	resume := flag.String("resume", "", "resume the upload session `SESSION` instead of starting a new one")
	concurrency := flag.Int("concurrency", 4, "parts sent at once")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: upload-dataset [-resume SESSION] [-concurrency N] FILE")
		os.Exit(2)
	}
	path := flag.Arg(0)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	env, err := demo.Connect(os.Stdout)
	if err != nil {
		demo.Fail("connecting", err)
	}
	defer env.Close()

	f, err := os.Open(path)
	if err != nil {
		demo.Fail("opening the dataset", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		demo.Fail("reading the dataset's size", err)
	}

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
		demo.Fail("uploading", err)
	}
	fmt.Printf("Uploaded %d bytes in %d parts to session %s\nSHA-256 %s\n", res.Bytes, res.Parts, res.SessionID, hex.EncodeToString(res.SHA256[:]))
}

package adaptive_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"strings"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

func ExampleUploadsService_Upload() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()

	// Any io.Reader: a file, a pipe, a gzip stream. Files and byte readers
	// are sent in parallel straight from the source.
	dataset := strings.NewReader(`{"messages":[{"role":"user","content":"Hi"}],"completion":"Hello!"}` + "\n")
	res, err := client.Uploads.Upload(context.Background(), dataset, &adaptive.UploadOptions{
		Metadata: map[string]string{"name": "greetings"},
		// Persist the id to resume after a crash.
		OnSession: func(id string) { _ = id },
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("uploaded %d bytes in %d part(s), sha256 %x...\n", res.Bytes, res.Parts, res.SHA256[:4])
	// Output: uploaded 68 bytes in 1 part(s), sha256 8d5e0594...
}

func ExampleUploadsService_Resume() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	// 13.6 MB: 3 parts, and the server refuses part 2 once.
	data := bytes.Repeat([]byte(`{"messages":[],"completion":"ok"}`+"\n"), 400_000)
	srv.FailPart(2, 1, 400)

	_, err := client.Uploads.Upload(ctx, bytes.NewReader(data), &adaptive.UploadOptions{KeepOnError: true})
	var upErr *adaptive.UploadError
	if !errors.As(err, &upErr) {
		log.Fatal(err)
	}
	fmt.Println("upload failed, session kept:", !upErr.Aborted)

	// Later, perhaps in another process: send only what the server lacks.
	res, err := client.Uploads.Resume(ctx, upErr.SessionID, bytes.NewReader(data), int64(len(data)), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("resumed:", res.Parts, "parts,", res.Bytes, "bytes")
	// Output:
	// upload failed, session kept: true
	// resumed: 3 parts, 13600000 bytes
}

package adaptive_test

import (
	"bytes"
	"context"
	"encoding/json"
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
		Checksum: adaptive.ChecksumSHA256, // the per-part CRC-32C comes anyway
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("uploaded %d bytes in %d part(s), crc32c %08x, sha256 %x...\n", res.Bytes, res.Parts, res.PartCRC32C[0], res.SHA256[:4])
	// Output: uploaded 68 bytes in 1 part(s), crc32c 43e296a9, sha256 8d5e0594...
}

func ExampleUploadsService_Resume() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	// 13.6 MB: 3 parts, and the server refuses part 2 once.
	data := bytes.Repeat([]byte(`{"messages":[],"completion":"ok"}`+"\n"), 400_000)
	srv.FailPart(2, 1, 400)

	var saved []byte // a checkpoint file, in real life
	_, err := client.Uploads.Upload(ctx, bytes.NewReader(data), &adaptive.UploadOptions{
		KeepOnError: true,
		Concurrency: 1, // so that the output is the same every time
		OnCheckpoint: func(cp adaptive.UploadCheckpoint) {
			saved, _ = json.Marshal(cp)
		},
	})
	var upErr *adaptive.UploadError
	if !errors.As(err, &upErr) {
		log.Fatal(err)
	}
	fmt.Println("upload failed, session kept:", !upErr.Aborted)

	// Later, perhaps in another process: check the source against the
	// checkpoint and send only what the server lacks.
	var cp adaptive.UploadCheckpoint
	if err := json.Unmarshal(saved, &cp); err != nil {
		log.Fatal(err)
	}
	fmt.Println("acknowledged before the failure:", cp.Acknowledged(), "of", cp.Parts, "parts")
	res, err := client.Uploads.Resume(ctx, cp, bytes.NewReader(data), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("resumed:", res.Parts, "parts,", res.Bytes, "bytes")
	// Output:
	// upload failed, session kept: true
	// acknowledged before the failure: 1 of 3 parts
	// resumed: 3 parts, 13600000 bytes
}

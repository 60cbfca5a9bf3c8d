package adaptive_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"slices"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

// The low-level calls, one per route, for callers who drive the protocol
// themselves. Uploads.Upload does all of it (sizing, concurrency, retries,
// verification, abort on failure) and is what most programs want.

func ExampleUploadsService_Init() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()

	session, err := client.Uploads.Init(context.Background(), adaptive.UploadInitRequest{
		ContentType:     "application/jsonl",
		Metadata:        map[string]string{"name": "greetings"},
		TotalPartsCount: 2, // every part but the last holds 5 to 100 MiB
	})
	if err != nil {
		log.Fatal(err)
	}
	// Persist session.SessionID to resume or abort the upload later.
	contentType, _, _ := srv.UploadMetadata(session.SessionID)
	fmt.Println("session open:", srv.SessionExists(session.SessionID))
	fmt.Println("content type:", contentType)
	// Output:
	// session open: true
	// content type: application/jsonl
}

func ExampleUploadsService_UploadPart() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	session, err := client.Uploads.Init(ctx, adaptive.UploadInitRequest{TotalPartsCount: 2})
	if err != nil {
		log.Fatal(err)
	}
	// Parts are numbered from 1 and may be sent in any order; sending one
	// again replaces it. (Parts this small are fine on the fake only.)
	parts := [][]byte{[]byte(`{"completion":"a"}` + "\n"), []byte(`{"completion":"b"}` + "\n")}
	for i := len(parts) - 1; i >= 0; i-- {
		if err := client.Uploads.UploadPart(ctx, session.SessionID, i+1, parts[i]); err != nil {
			log.Fatal(err)
		}
	}
	data, _ := srv.UploadedBytes(session.SessionID)
	fmt.Printf("%s", data)
	// Output:
	// {"completion":"a"}
	// {"completion":"b"}
}

func ExampleUploadsService_Status() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	session, err := client.Uploads.Init(ctx, adaptive.UploadInitRequest{TotalPartsCount: 3})
	if err != nil {
		log.Fatal(err)
	}
	for _, n := range []int{1, 3} {
		if err := client.Uploads.UploadPart(ctx, session.SessionID, n, []byte("part")); err != nil {
			log.Fatal(err)
		}
	}
	// Status tells which parts to send (again) before the upload is whole.
	status, err := client.Uploads.Status(ctx, session.SessionID)
	if err != nil {
		log.Fatal(err)
	}
	received := slices.Sorted(slices.Values(status.CompletedParts))
	fmt.Println("received:", received, "of", status.TotalPartsCount)
	// Output:
	// received: [1 3] of 3
}

func ExampleUploadsService_Abort() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	session, err := client.Uploads.Init(ctx, adaptive.UploadInitRequest{TotalPartsCount: 1})
	if err != nil {
		log.Fatal(err)
	}
	// Give up: the server deletes the session and its parts.
	if err := client.Uploads.Abort(ctx, session.SessionID); err != nil {
		log.Fatal(err)
	}
	_, err = client.Uploads.Status(ctx, session.SessionID)
	fmt.Println("session gone:", errors.Is(err, adaptive.ErrNotFound))
	// Output: session gone: true
}

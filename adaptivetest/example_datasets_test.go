package adaptivetest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

// A dataset upload on the fake: the upload session becomes a dataset that
// downloads by key or id.
func ExampleServer_SetDatasetProcessing() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.SetDatasetProcessing(0) // done at once: no Wait needed
	client := srv.Client()
	d, err := client.Datasets.Upload(context.Background(), bytes.NewReader(make([]byte, 6<<20)), adaptive.DatasetUploadRequest{Key: "quick"}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Status, srv.DatasetCount(srv.Project))
	// Output: DONE 1
}

func ExampleServer_FailDatasetProcessing() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.FailDatasetProcessing("broken", "line 3: not JSON")
	client := srv.Client()
	ctx := context.Background()
	d, err := client.Datasets.Upload(ctx, bytes.NewReader(make([]byte, 6<<20)), adaptive.DatasetUploadRequest{Key: "broken"}, nil)
	if err != nil {
		log.Fatal(err)
	}
	d, err = client.Datasets.Wait(ctx, d)
	fmt.Println(errors.Is(err, adaptive.ErrDatasetFailed), d.Status, d.Error)
	// Output: true ERROR line 3: not JSON
}

// The creation runs, and its answer is lost: the SDK looks the dataset up
// by key instead of sending the mutation again.
func ExampleServer_LoseGraphQLAnswer() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.LoseGraphQLAnswer("createDatasetFromMultipartUpload", 1, 504)
	client := srv.Client()
	d, err := client.Datasets.Upload(context.Background(), bytes.NewReader(make([]byte, 6<<20)), adaptive.DatasetUploadRequest{Key: "lost"}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Key, srv.DatasetCount(srv.Project))
	// Output: lost 1
}

func ExampleServer_DatasetCount() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()
	for _, key := range []string{"a", "b"} {
		if _, err := client.Datasets.Upload(context.Background(), bytes.NewReader([]byte("{}\n")), adaptive.DatasetUploadRequest{Key: key}, nil); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println(srv.DatasetCount(srv.Project), srv.DatasetCount("other"))
	// Output: 2 0
}

package adaptive_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

func ExampleDatasetsService_Upload() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	// Any io.Reader: here a pipe, whose size is unknown (it is spooled to
	// a temporary file that does not outlive the process).
	pr, pw := io.Pipe()
	go func() {
		line := []byte(`{"messages":[{"role":"user","content":"Hi"}],"completion":"Hello!"}` + "\n")
		for range 100_000 { // 6.8 MB: above 5 MiB, so an upload in parts
			if _, err := pw.Write(line); err != nil {
				return
			}
		}
		pw.Close()
	}()
	d, err := client.Datasets.Upload(ctx, pr, adaptive.DatasetUploadRequest{Key: "greetings", Name: "Greetings"}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created", d.Key, "from", d.Upload.Parts, "parts:", d.Status)

	d, err = client.Datasets.Wait(ctx, d)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("processed:", d.Status)

	dl, err := client.Datasets.Download(ctx, "", d.Key, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer dl.Close()
	n, _ := io.Copy(io.Discard, dl)
	fmt.Println("downloaded", n, "bytes")
	// Output:
	// created greetings from 2 parts: PENDING
	// processed: DONE
	// downloaded 6800000 bytes
}

func ExampleDatasetsService_Resume() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	data := bytes.Repeat([]byte(`{"messages":[],"completion":"ok"}`+"\n"), 400_000) // 13.6 MB
	req := adaptive.DatasetUploadRequest{Key: "resumable"}
	srv.FailPart(3, 1, 400) // the first attempt fails for good at part 3

	var saved []byte // a checkpoint file, in real life
	_, err := client.Datasets.Upload(ctx, bytes.NewReader(data), req, &adaptive.UploadOptions{
		KeepOnError:  true,
		Concurrency:  1,
		OnCheckpoint: func(cp adaptive.UploadCheckpoint) { saved, _ = json.Marshal(cp) },
	})
	fmt.Println("failed:", err != nil)

	// Later, perhaps in another process, with the same file.
	var cp adaptive.UploadCheckpoint
	if err := json.Unmarshal(saved, &cp); err != nil {
		log.Fatal(err)
	}
	d, err := client.Datasets.Resume(ctx, cp, bytes.NewReader(data), req, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created", d.Key, "after", cp.Acknowledged(), "of", cp.Parts, "parts were sent before")
	// Output:
	// failed: true
	// created resumable after 2 of 3 parts were sent before
}

func ExampleDatasetsService_Get() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	if _, err := client.Datasets.Upload(ctx, strings.NewReader("{}\n"), adaptive.DatasetUploadRequest{Key: "tiny"}, nil); err != nil {
		log.Fatal(err)
	}

	d, err := client.Datasets.Get(ctx, "", "tiny") // "" is the client's project; an id works too
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Key, d.Name, d.Status)
	_, err = client.Datasets.Get(ctx, "", "missing")
	fmt.Println(errors.Is(err, adaptive.ErrNotFound))
	// Output:
	// tiny tiny READY
	// true
}

func ExampleDatasetsService_Wait() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.SetDatasetProcessing(3) // the fake processes over three polls
	client := srv.Client()
	ctx := context.Background()
	d, err := client.Datasets.Upload(ctx, bytes.NewReader(make([]byte, 11<<20)), adaptive.DatasetUploadRequest{Key: "big"}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Status, d.ProcessedParts, "of", d.TotalParts)
	d, err = client.Datasets.Wait(ctx, d)
	if errors.Is(err, adaptive.ErrDatasetFailed) {
		log.Fatal(d.Error)
	} else if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Status, d.ProcessedParts, "of", d.TotalParts)
	// Output:
	// PENDING 0 of 3
	// DONE 3 of 3
}

func ExampleClient_GraphQL() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	for _, key := range []string{"a", "b"} {
		if _, err := client.Datasets.Upload(ctx, strings.NewReader("{}\n{}\n"), adaptive.DatasetUploadRequest{Key: key}, nil); err != nil {
			log.Fatal(err)
		}
	}

	// Listing datasets is GraphQL-only: the escape hatch has the client's
	// auth, retries (queries only) and errors.
	var out struct {
		Datasets []struct {
			Key     string `json:"key"`
			Records int    `json:"records"`
		} `json:"datasets"`
	}
	err := client.GraphQL(ctx, `query List($project: IdOrKey!) { datasets(project: $project) { key records } }`,
		map[string]string{"project": client.Project()}, &out)
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range out.Datasets {
		fmt.Println(d.Key, d.Records)
	}
	// Output:
	// a 2
	// b 2
}

func ExampleGraphQLError() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	err := srv.Client().GraphQL(context.Background(), `query { datasets(project: "demo") { id color } }`, nil, nil)
	var gerr *adaptive.GraphQLError
	if errors.As(err, &gerr) {
		for _, e := range gerr.Errors {
			fmt.Println(e.Message)
		}
	}
	// Output: Unknown field "color" on type "Dataset".
}

func ExampleDatasetError() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	// The key is free when the upload starts, and taken by the time the
	// dataset is created (by another program, say).
	upload := func(key string) error {
		_, err := client.Datasets.Upload(ctx, bytes.NewReader(make([]byte, 6<<20)), adaptive.DatasetUploadRequest{Key: key}, &adaptive.UploadOptions{
			OnSession: func(string) {
				_, _ = client.Datasets.Upload(ctx, strings.NewReader("{}\n"), adaptive.DatasetUploadRequest{Key: key}, nil)
			},
		})
		return err
	}
	err := upload("contested")
	var dsErr *adaptive.DatasetError
	var upErr *adaptive.UploadError
	if errors.As(err, &dsErr) && errors.As(err, &upErr) {
		fmt.Println("existence:", dsErr.Existence)
		fmt.Println("session aborted:", upErr.Aborted)
	}
	// Output:
	// existence: absent
	// session aborted: true
}

func ExampleUploadCheckpoint() {
	cp := adaptive.UploadCheckpoint{
		Version: adaptive.CheckpointVersion, SessionID: "s1", Instance: "https://adaptive.example:443",
		Size: 12 << 20, PartSize: 5 << 20, Parts: 3,
		Acked: []adaptive.CheckpointPart{{Part: 1, CRC32C: 0x1234}, {Part: 3, CRC32C: 0x5678}},
	}
	fmt.Println(cp.Acknowledged(), "parts,", cp.AcknowledgedBytes(), "bytes; complete:", cp.Complete())
	b, _ := json.Marshal(cp)
	fmt.Println(string(b))
	// Output:
	// 2 parts, 7340032 bytes; complete: false
	// {"version":1,"session_id":"s1","instance":"https://adaptive.example:443","size":12582912,"part_size":5242880,"parts":3,"acked":[{"part":1,"crc32c":4660},{"part":3,"crc32c":22136}]}
}

func ExampleDatasetStatus() {
	for _, s := range []adaptive.DatasetStatus{adaptive.DatasetStatusPending, adaptive.DatasetStatusDone, adaptive.DatasetStatusFailed, "VALIDATING"} {
		fmt.Println(s, s.Finished(), s.Succeeded(), s.Failed())
	}
	// Output:
	// PENDING false false false
	// DONE true true false
	// FAILED true false true
	// VALIDATING false false false
}

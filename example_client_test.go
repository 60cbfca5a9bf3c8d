package adaptive_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"

	"github.com/google/uuid"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

func ExampleNewClient() {
	srv := adaptivetest.NewServer()
	defer srv.Close()

	// Options win over ADAPTIVE_BASE_URL, ADAPTIVE_API_KEY and
	// ADAPTIVE_PROJECT; a trailing /api/v1 is accepted.
	client, err := adaptive.NewClient(
		adaptive.WithBaseURL(srv.URL+"/api/v1"),
		adaptive.WithAPIKey(srv.APIKey),
		adaptive.WithProject("demo"),
		adaptive.WithMaxRetries(3),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.Project(), client.BaseURL() == srv.URL)
	// Output: demo true
}

func ExampleClient_Do() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()

	// A route the SDK does not wrap, with the same auth, retries and errors.
	var out struct {
		OutcomeID uuid.UUID `json:"outcome_id"`
	}
	err := client.Do(context.Background(), http.MethodPost, "/api/v1/outcome", map[string]any{
		"project_id": "demo", "metric": "resolved", "value": true, "session_id": uuid.New(),
	}, &out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.OutcomeID != uuid.Nil)

	err = client.Do(context.Background(), http.MethodGet, "/api/v1/no-such-route", nil, nil)
	fmt.Println(errors.Is(err, adaptive.ErrNotFound))
	// Output:
	// true
	// true
}

func ExampleRecipesService_Download() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	srv.AddRecipe("demo", "summarize", []byte("PK\x03\x04 recipe archive"))
	client := srv.Client()

	d, err := client.Recipes.Download(context.Background(), "", "summarize")
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(d); err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Filename, d.ContentType, buf.Len(), "bytes")
	// Output: summarize.zip application/zip 19 bytes
}

func ExampleArtifactsService_Download() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	id := uuid.MustParse("6f1c2b7a-9e10-4b6f-9d8e-3f2c8e528a0e")
	srv.AddArtifact(id, "model-card.md", []byte("# Model card\n"))
	client := srv.Client()

	d, err := client.Artifacts.Download(context.Background(), id)
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(d); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s %q\n", d.Filename, buf.String())
	// Output: model-card.md "# Model card\n"
}

func ExampleImagesService_Get() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	project := uuid.MustParse("0b7d9c62-3b4e-4c8e-9a51-6f0d2b1e7a44")
	srv.AddImage(project, "3f2c8e52.png", []byte("\x89PNG\r\n\x1a\n"))
	client := srv.Client()

	img, err := client.Images.Get(context.Background(), project, "3f2c8e52.png")
	if err != nil {
		log.Fatal(err)
	}
	defer img.Close()
	fmt.Println(img.ContentType, img.Size)

	// A file name with a separator is refused before anything is sent.
	_, err = client.Images.Get(context.Background(), project, "../secrets.png")
	var verr *adaptive.ValidationError
	fmt.Println(errors.As(err, &verr))
	// Output:
	// image/png 8
	// true
}

package adaptivetest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

var hello = []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "hello there"}}

func ExampleNewServer() {
	srv := adaptivetest.NewServer(adaptivetest.WithProject("support-bot"))
	defer srv.Close()
	client := srv.Client() // the server's URL and key, project "support-bot"

	resp, err := client.Chat.Create(context.Background(), adaptive.ChatRequest{Messages: hello})
	if err != nil {
		log.Fatal(err)
	}
	for _, choice := range resp.Choices {
		fmt.Println(choice.Message.Content)
		fmt.Println("as ChatReply says:", choice.Message.Content == adaptivetest.ChatReply("hello there"))
	}
	fmt.Println("requests seen:", len(srv.RequestsTo(adaptivetest.RouteChat)))
	// Output:
	// You said: hello there
	// as ChatReply says: true
	// requests seen: 1
}

func ExampleServer_Client() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	// Options apply on top of the server's URL, key and project.
	client := srv.Client(adaptive.WithMaxRetries(0), adaptive.WithProject("other"))

	srv.FailNext(adaptivetest.RouteChat, 1, adaptivetest.Fault{Status: 429, RetryAfter: "0"})
	_, err := client.Chat.Create(context.Background(), adaptive.ChatRequest{Messages: hello})
	fmt.Println("rate limited:", errors.Is(err, adaptive.ErrRateLimited))
	fmt.Println("attempts:", len(srv.RequestsTo(adaptivetest.RouteChat)))
	fmt.Println("project:", client.Project())
	// Output:
	// rate limited: true
	// attempts: 1
	// project: other
}

func ExampleServer_FailNext() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client() // retries quickly: tests stay fast

	// The next two chat calls meet 429 with Retry-After: 0; the third goes
	// through.
	srv.FailNext(adaptivetest.RouteChat, 2, adaptivetest.Fault{Status: 429, RetryAfter: "0"})
	resp, err := client.Chat.Create(context.Background(), adaptive.ChatRequest{Messages: hello})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("attempts:", len(srv.RequestsTo(adaptivetest.RouteChat)), "choices:", len(resp.Choices))

	// A fault that retrying cannot cure is the caller's error.
	srv.FailNext(adaptivetest.RouteOutcome, 1, adaptivetest.Fault{Status: 422, Message: "unknown metric"})
	_, err = client.Feedback.Outcome(context.Background(), adaptive.OutcomeRequest{
		Metric: "nope", Value: adaptive.MetricBool(true), SessionID: uuid.New(),
	})
	var apiErr *adaptive.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Message)
	}
	// Output:
	// attempts: 3 choices: 1
	// 422 unknown metric
}

// dataset is 11 MB of JSONL: three parts of an upload (5, 5 and 1 MiB).
var dataset = bytes.Repeat([]byte(`{"messages":[],"completion":"ok"}`+"\n"), 11<<20/34)

// partRequests counts the requests the server received for part k.
func partRequests(srv *adaptivetest.Server, k int) int {
	n := 0
	for _, r := range srv.RequestsTo(adaptivetest.RouteUploadPart) {
		if r.Query.Get("part_number") == fmt.Sprint(k) {
			n++
		}
	}
	return n
}

func ExampleServer_FailPart() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()

	srv.FailPart(2, 1, 503) // part 2 fails once, then gets through
	res, err := client.Uploads.Upload(context.Background(), bytes.NewReader(dataset), nil)
	if err != nil {
		log.Fatal(err)
	}
	got, _ := srv.UploadedBytes(res.SessionID)
	fmt.Println("parts:", res.Parts, "whole:", bytes.Equal(got, dataset), "part 2 sent:", partRequests(srv, 2), "times")
	// Output: parts: 3 whole: true part 2 sent: 2 times
}

func ExampleServer_DropPartMidway() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()

	srv.DropPartMidway(1) // the connection dies halfway through part 1
	res, err := client.Uploads.Upload(context.Background(), bytes.NewReader(dataset), nil)
	if err != nil {
		log.Fatal(err)
	}
	got, _ := srv.UploadedBytes(res.SessionID)
	fmt.Println("whole:", bytes.Equal(got, dataset), "part 1 sent:", partRequests(srv, 1), "times")
	// Output: whole: true part 1 sent: 2 times
}

func ExampleServer_LosePart() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()

	// Part 3 is acknowledged, then lost: Upload sees the gap in the
	// session's status and sends it again.
	srv.LosePart(3)
	res, err := client.Uploads.Upload(context.Background(), bytes.NewReader(dataset), nil)
	if err != nil {
		log.Fatal(err)
	}
	got, _ := srv.UploadedBytes(res.SessionID)
	fmt.Println("whole:", bytes.Equal(got, dataset), "part 3 sent:", partRequests(srv, 3), "times")
	// Output: whole: true part 3 sent: 2 times
}

// streamText reads a stream to its end and returns the text received and
// the stream's error.
func streamText(stream *adaptive.ChatStream) (string, error) {
	var text strings.Builder
	for chunk, err := range stream.All() {
		if err != nil {
			return text.String(), err
		}
		for _, choice := range chunk.Choices {
			text.WriteString(choice.Delta.Content)
		}
	}
	return text.String(), nil
}

func ExampleServer_CutStreamAfter() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()

	srv.CutStreamAfter(2) // two chunks, then the connection drops
	stream, err := client.Chat.Stream(context.Background(), adaptive.ChatRequest{Messages: hello})
	if err != nil {
		log.Fatal(err)
	}
	text, err := streamText(stream)
	fmt.Printf("%q\n", text)
	fmt.Println("cut short:", errors.Is(err, io.ErrUnexpectedEOF))
	// Output:
	// "You said:"
	// cut short: true
}

func ExampleServer_SendStreamError() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()

	srv.SendStreamError(1, "model overloaded") // one chunk, then an error event
	stream, err := client.Chat.Stream(context.Background(), adaptive.ChatRequest{Messages: hello})
	if err != nil {
		log.Fatal(err)
	}
	text, err := streamText(stream)
	fmt.Printf("%q\n", text)
	var apiErr *adaptive.APIError
	fmt.Println(errors.As(err, &apiErr) && apiErr.Message == "model overloaded")
	// Output:
	// "You"
	// true
}

func ExampleServer_StallStream() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()

	srv.StallStream(1) // one chunk, then silence until the client gives up
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	stream, err := client.Chat.Stream(ctx, adaptive.ChatRequest{Messages: hello})
	if err != nil {
		log.Fatal(err)
	}
	text, err := streamText(stream)
	fmt.Printf("%q\n", text)
	fmt.Println("gave up:", errors.Is(err, context.DeadlineExceeded))
	// Output:
	// "You"
	// gave up: true
}

func ExampleServer_AddDataset() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()

	// Registered content is served by Datasets.Download ("" is the default
	// format, "original").
	srv.AddDataset(srv.Project, "greetings", "", []byte(`{"completion":"hi"}`+"\n"))
	d, err := client.Datasets.Download(context.Background(), "", "greetings", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	data, err := io.ReadAll(d)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %s", d.Filename, data)
	// Output: greetings.jsonl: {"completion":"hi"}
}

func ExampleServer_CutDownloadAfter() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()

	srv.AddDataset(srv.Project, "big", "", bytes.Repeat([]byte("x"), 1000))
	srv.CutDownloadAfter(100) // the next download stops after 100 bytes
	d, err := client.Datasets.Download(context.Background(), "", "big", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	n, err := io.Copy(io.Discard, d)
	fmt.Println(n, "bytes, cut short:", errors.Is(err, io.ErrUnexpectedEOF))
	// Output: 100 bytes, cut short: true
}

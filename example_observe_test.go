package adaptive_test

import (
	"context"
	"fmt"
	"log"
	"net/http"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

func ExampleWithMiddleware() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	// A middleware sees each attempt's request before the key is attached.
	tag := func(req *http.Request, next adaptive.MiddlewareNext) (*http.Response, error) {
		req.Header.Set("X-Team", "search")
		fmt.Println("sending", req.Method, req.URL.Path, "with Authorization:", req.Header.Get("Authorization") != "")
		return next(req)
	}
	client := srv.Client(adaptive.WithMiddleware(tag))
	if _, err := client.Embeddings.Create(context.Background(), adaptive.EmbeddingsRequest{Input: "hello"}); err != nil {
		log.Fatal(err)
	}
	fmt.Println("the server got X-Team:", srv.Requests()[0].Header.Get("X-Team"))
	// Output:
	// sending POST /api/v1/embeddings with Authorization: false
	// the server got X-Team: search
}

func ExampleWithCallInfo() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	client := srv.Client()
	// One 429 first: the call is retried, and the info says so.
	srv.FailNext(adaptivetest.RouteEmbeddings, 1, adaptivetest.Fault{Status: 429, RetryAfterMS: "1"})
	var info adaptive.CallInfo
	var resp *http.Response
	_, err := client.Embeddings.Create(context.Background(), adaptive.EmbeddingsRequest{Input: "hello"},
		adaptive.WithCallInfo(&info), adaptive.WithResponseInto(&resp))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("status", info.StatusCode, "after", info.Attempts, "attempts; request id set:", info.RequestID != "")
	fmt.Println("content type:", resp.Header.Get("Content-Type"))
	// Output:
	// status 200 after 2 attempts; request id set: true
	// content type: application/json
}

func ExampleWithHook() {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	// A hook sees each call's typed request and result; the OpenTelemetry
	// module (github.com/adaptive-go/adaptive/otel) is built on it.
	hook := func(ctx context.Context, start *adaptive.CallStart) (context.Context, func(*adaptive.CallEnd)) {
		return ctx, func(end *adaptive.CallEnd) {
			if resp, ok := end.Response.(*adaptive.ChatResponse); ok {
				fmt.Printf("%s %s: %d choice(s), %d tokens\n", start.Call, start.Model, len(resp.Choices), resp.Usage.TotalTokens)
			}
		}
	}
	client := srv.Client(adaptive.WithHook(hook))
	_, err := client.Chat.Create(context.Background(), adaptive.ChatRequest{
		Messages: []adaptive.ChatMessage{{Role: adaptive.RoleUser, Content: "one two"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// Chat.Create demo: 1 choice(s), 6 tokens
}

func ExampleParseRateLimit() {
	h := http.Header{"X-Ratelimit-Limit-Requests": {"60"}, "X-Ratelimit-Remaining-Requests": {"0"}, "X-Ratelimit-Reset-Requests": {"20s"}}
	if rl, ok := adaptive.ParseRateLimit(h); ok {
		fmt.Println(rl.Remaining, "of", rl.Limit, "left; resets in", rl.Reset)
	}
	// Output:
	// 0 of 60 left; resets in 20s
}

package adaptiveotel_test

import (
	"bytes"
	"context"
	"io"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
	adaptiveotel "github.com/adaptive-go/adaptive/otel"
)

func TestChatSpan(t *testing.T) {
	f := newFixture(t, nil)
	ctx, parent := f.tp.Tracer("test").Start(t.Context(), "parent")
	req := adaptive.ChatRequest{Model: "m", Messages: userHi.Messages, Temperature: adaptive.Ptr(0.25),
		MaxTokens: adaptive.Ptr(64), TopP: adaptive.Ptr(0.9), Stop: []string{"END"}, N: adaptive.Ptr(2)}
	resp, err := f.client.Chat.Create(ctx, req)
	require.NoError(t, err)
	parent.End()

	spans := f.ended()
	require.Len(t, spans, 2, "the chat call and the parent")
	s := spans[0]
	assert.Equal(t, "chat demo/m", s.Name())
	assert.Equal(t, trace.SpanKindClient, s.SpanKind())
	assert.Equal(t, parent.SpanContext().SpanID(), s.Parent().SpanID(), "the call's span is a child of the caller's")
	assert.Equal(t, codes.Unset, s.Status().Code)
	assert.Equal(t, adaptiveotel.ScopeName, s.InstrumentationScope().Name)
	assert.Equal(t, adaptiveotel.Version, s.InstrumentationScope().Version)
	assert.Equal(t, "https://opentelemetry.io/schemas/1.41.0", s.InstrumentationScope().SchemaURL)
	u, err := url.Parse(f.srv.URL)
	require.NoError(t, err)
	port, err := strconv.Atoi(u.Port())
	require.NoError(t, err)
	a := attrs(s.Attributes())
	assert.Equal(t, map[string]any{
		"gen_ai.operation.name":          "chat",
		"gen_ai.provider.name":           "adaptive",
		"gen_ai.request.model":           "demo/m",
		"gen_ai.request.temperature":     0.25,
		"gen_ai.request.max_tokens":      int64(64),
		"gen_ai.request.top_p":           0.9,
		"gen_ai.request.stop_sequences":  []string{"END"},
		"gen_ai.request.choice.count":    int64(2),
		"gen_ai.response.id":             resp.ID,
		"gen_ai.response.model":          resp.Choices[0].Model,
		"gen_ai.response.finish_reasons": []string{resp.Choices[0].FinishReason, resp.Choices[1].FinishReason},
		"gen_ai.conversation.id":         resp.SessionID.String(),
		"gen_ai.usage.input_tokens":      int64(resp.Usage.PromptTokens),
		"gen_ai.usage.output_tokens":     int64(resp.Usage.CompletionTokens),
		"server.address":                 u.Hostname(),
		"server.port":                    int64(port),
	}, a)
	assert.NotEmpty(t, resp.Choices[0].FinishReason)

	// The request carried the trace context: the server's span would be a
	// child of the call's.
	sent := f.srv.RequestsTo(adaptivetest.RouteChat)
	require.Len(t, sent, 1)
	sc := trace.SpanContextFromContext(propagation.TraceContext{}.Extract(context.Background(), propagation.HeaderCarrier(sent[0].Header)))
	assert.Equal(t, s.SpanContext().TraceID(), sc.TraceID())
	assert.Equal(t, s.SpanContext().SpanID(), sc.SpanID())

	m := f.metrics(t)
	base := map[string]any{"gen_ai.operation.name": "chat", "gen_ai.provider.name": "adaptive",
		"gen_ai.request.model": "demo/m", "gen_ai.response.model": resp.Choices[0].Model,
		"server.address": u.Hostname(), "server.port": int64(port)}
	require.Len(t, m["gen_ai.client.operation.duration"], 1)
	d := m["gen_ai.client.operation.duration"][0]
	assert.Equal(t, base, d.attrs)
	assert.Equal(t, uint64(1), d.count)
	assert.Greater(t, d.sum, 0.0)
	assert.Less(t, d.sum, float64(s.EndTime().Sub(s.StartTime()))/1e9+0.001, "the call's duration, in seconds")
	tokens := map[any]float64{}
	for _, p := range m["gen_ai.client.token.usage"] {
		tt := p.attrs["gen_ai.token.type"]
		delete(p.attrs, "gen_ai.token.type")
		assert.Equal(t, base, p.attrs)
		tokens[tt] = p.sum
	}
	assert.Equal(t, map[any]float64{"input": float64(resp.Usage.PromptTokens), "output": float64(resp.Usage.CompletionTokens)}, tokens)
}

func TestStreamSpanEndsWithTheStream(t *testing.T) {
	f := newFixture(t, nil)
	req := userHi
	req.StreamOptions = &adaptive.StreamOptions{IncludeUsage: true}
	st, err := f.client.Chat.Stream(t.Context(), req)
	require.NoError(t, err)
	require.True(t, st.Next())
	assert.Empty(t, f.ended(), "the span lasts as long as the stream")
	var acc adaptive.ChatAccumulator
	acc.Add(st.Current())
	for st.Next() {
		acc.Add(st.Current())
	}
	require.NoError(t, st.Err())
	got := acc.Response()

	s := f.only(t)
	assert.Equal(t, "chat demo", s.Name())
	a := attrs(s.Attributes())
	assert.Equal(t, true, a["gen_ai.request.stream"])
	assert.Equal(t, got.ID, a["gen_ai.response.id"])
	assert.Equal(t, []string{got.Choices[0].FinishReason}, a["gen_ai.response.finish_reasons"])
	assert.Equal(t, int64(got.Usage.CompletionTokens), a["gen_ai.usage.output_tokens"])
	assert.Greater(t, got.Usage.CompletionTokens, 0)
	ttft, ok := a["gen_ai.response.time_to_first_chunk"].(float64)
	require.True(t, ok, "the server's TTFT is recorded: %v", a)
	assert.Greater(t, ttft, 0.0)
	assert.Less(t, ttft, float64(s.EndTime().Sub(s.StartTime()))/1e9)
	st.Close()
	assert.Len(t, f.ended(), 1, "Close after the end ends nothing more")

	// A stream closed early ends its span then, as a success.
	st, err = f.client.Chat.Stream(t.Context(), userHi)
	require.NoError(t, err)
	require.True(t, st.Next())
	st.Close()
	spans := f.ended()
	require.Len(t, spans, 2)
	assert.Equal(t, codes.Unset, spans[1].Status().Code)
	assert.NotContains(t, attrs(spans[1].Attributes()), "gen_ai.usage.input_tokens", "no usage was reported")
	var tokenPoints int
	for _, p := range f.metrics(t)["gen_ai.client.token.usage"] {
		tokenPoints += int(p.count)
	}
	assert.Equal(t, 2, tokenPoints, "the first stream's input and output tokens, none for the second")
}

func TestEmbeddingsSpan(t *testing.T) {
	f := newFixture(t, nil)
	resp, err := f.client.Embeddings.Create(t.Context(), adaptive.EmbeddingsRequest{Input: "hello there",
		Dimensions: adaptive.Ptr(8), EncodingFormat: adaptive.EncodingBase64})
	require.NoError(t, err)
	require.NotNil(t, resp.Usage)

	s := f.only(t)
	assert.Equal(t, "embeddings demo", s.Name())
	assert.Equal(t, trace.SpanKindClient, s.SpanKind())
	a := attrs(s.Attributes())
	assert.Equal(t, "embeddings", a["gen_ai.operation.name"])
	assert.Equal(t, "adaptive", a["gen_ai.provider.name"])
	assert.Equal(t, "demo", a["gen_ai.request.model"])
	assert.Equal(t, int64(8), a["gen_ai.embeddings.dimension.count"])
	assert.Equal(t, []string{"Base64"}, a["gen_ai.request.encoding_formats"])
	assert.Equal(t, int64(resp.Usage.PromptTokens), a["gen_ai.usage.input_tokens"])
	assert.NotContains(t, a, "gen_ai.usage.output_tokens")

	m := f.metrics(t)
	require.Len(t, m["gen_ai.client.token.usage"], 1, "input tokens only")
	assert.Equal(t, "input", m["gen_ai.client.token.usage"][0].attrs["gen_ai.token.type"])
	assert.Equal(t, "embeddings", m["gen_ai.client.operation.duration"][0].attrs["gen_ai.operation.name"])
}

func TestUploadSpanPerPart(t *testing.T) {
	f := newFixture(t, nil)
	_, err := f.client.Uploads.Upload(t.Context(), bytes.NewReader(make([]byte, 11<<20)), &adaptive.UploadOptions{Concurrency: 2})
	require.NoError(t, err)

	spans := f.ended()
	upload := spans[len(spans)-1]
	assert.Equal(t, "Uploads.Upload", upload.Name(), "the upload ends last")
	assert.Equal(t, trace.SpanKindInternal, upload.SpanKind())
	var parts []int64
	names := map[string]int{}
	for _, s := range spans[:len(spans)-1] {
		names[s.Name()]++
		assert.Equal(t, upload.SpanContext().SpanID(), s.Parent().SpanID(), "%s is under the upload", s.Name())
		assert.Equal(t, trace.SpanKindClient, s.SpanKind())
		a := attrs(s.Attributes())
		assert.Equal(t, "POST", a["http.request.method"])
		assert.Equal(t, int64(200), a["http.response.status_code"])
		assert.NotContains(t, a, "gen_ai.operation.name")
		if s.Name() == "Uploads.UploadPart" {
			assert.Equal(t, "/api/v1/upload/part", a["url.template"])
			parts = append(parts, a["adaptive.upload.part_number"].(int64))
		}
	}
	assert.ElementsMatch(t, []int64{1, 2, 3}, parts, "one span per part")
	assert.Equal(t, map[string]int{"Uploads.Init": 1, "Uploads.UploadPart": 3, "Uploads.Status": 1}, names)
	assert.Empty(t, f.metrics(t)["gen_ai.client.operation.duration"], "an upload is no GenAI operation")
}

func TestErrorSpans(t *testing.T) {
	f := newFixture(t, nil)

	// A chat call that fails after its retry: one span, not one per attempt.
	f.srv.FailNext(adaptivetest.RouteChat, 2, adaptivetest.Fault{Status: 503, RetryAfterMS: "1", Message: "busy"})
	_, err := f.client.Chat.Create(t.Context(), userHi)
	require.Error(t, err)
	s := f.only(t)
	assert.Equal(t, codes.Error, s.Status().Code)
	assert.Contains(t, s.Status().Description, "busy")
	a := attrs(s.Attributes())
	assert.Equal(t, "503", a["error.type"])
	assert.NotContains(t, a, "gen_ai.response.id")
	m := f.metrics(t)
	require.Len(t, m["gen_ai.client.operation.duration"], 1)
	assert.Equal(t, "503", m["gen_ai.client.operation.duration"][0].attrs["error.type"])
	assert.Empty(t, m["gen_ai.client.token.usage"], "no usage without an answer")

	// Another call, retried once before it succeeded.
	f.srv.FailNext(adaptivetest.RouteOutcome, 1, adaptivetest.Fault{Status: 429, RetryAfterMS: "1"})
	_, err = f.client.Feedback.Outcome(t.Context(), outcome())
	require.NoError(t, err)
	s = f.ended()[1]
	assert.Equal(t, "Feedback.Outcome", s.Name())
	a = attrs(s.Attributes())
	assert.Equal(t, int64(201), a["http.response.status_code"])
	assert.Equal(t, int64(1), a["http.request.resend_count"])
	assert.Equal(t, "/api/v1/outcome", a["url.template"])
	assert.NotContains(t, a, "error.type")

	// A non-GenAI call that fails.
	f.srv.FailNext(adaptivetest.RouteOutcome, 1, adaptivetest.Fault{Status: 400, Message: "bad metric"})
	_, err = f.client.Feedback.Outcome(t.Context(), outcome())
	require.Error(t, err)
	s = f.ended()[2]
	assert.Equal(t, codes.Error, s.Status().Code)
	a = attrs(s.Attributes())
	assert.Equal(t, "400", a["error.type"])
	assert.Equal(t, int64(400), a["http.response.status_code"])

	// Errors that end a stream.
	streamErr := func(fault func()) (string, map[string]any) {
		t.Helper()
		fault()
		st, err := f.client.Chat.Stream(t.Context(), userHi)
		require.NoError(t, err)
		_, err = st.Accumulate()
		require.Error(t, err)
		spans := f.ended()
		s := spans[len(spans)-1]
		assert.Equal(t, codes.Error, s.Status().Code)
		a := attrs(s.Attributes())
		return a["error.type"].(string), a
	}
	typ, a := streamErr(func() { f.srv.SendStreamError(2, "model crashed") })
	assert.Equal(t, "stream_error", typ)
	assert.NotEmpty(t, a["gen_ai.response.id"], "what the stream gave before its error is kept")
	typ, _ = streamErr(func() { f.srv.CutStreamAfter(2) })
	assert.Equal(t, "unexpected_eof", typ)

	// A cancelled call.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = f.client.Embeddings.Create(ctx, adaptive.EmbeddingsRequest{Input: "x"})
	require.Error(t, err)
	spans := f.ended()
	assert.Equal(t, "canceled", attrs(spans[len(spans)-1].Attributes())["error.type"])
}

func TestDownloadSpanEndsWithTheBody(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.AddDataset(f.srv.Project, "ds-secret-id", "", []byte("{}\n{}\n"))
	d, err := f.client.Datasets.Download(t.Context(), "", "ds-secret-id", nil)
	require.NoError(t, err)
	assert.Empty(t, f.ended())
	_, err = io.ReadAll(d)
	require.NoError(t, err)
	require.NoError(t, d.Close())
	s := f.only(t)
	assert.Equal(t, "Datasets.Download", s.Name())
	a := attrs(s.Attributes())
	assert.Equal(t, "/api/v1/projects/{project}/datasets/{dataset_id}/download", a["url.template"])
	assert.Equal(t, "GET", a["http.request.method"])
	assert.Equal(t, int64(200), a["http.response.status_code"])

	// Client.Do's path is no template: left out.
	require.NoError(t, f.client.Do(t.Context(), "POST", "/api/v1/embeddings", map[string]any{"model": "demo", "input": "x"}, nil))
	s = f.ended()[1]
	assert.Equal(t, "Client.Do", s.Name())
	assert.NotContains(t, attrs(s.Attributes()), "url.template")
	assert.Equal(t, "POST", attrs(s.Attributes())["http.request.method"])
}

func TestHookAloneAndMiddlewareAlone(t *testing.T) {
	srv := adaptivetest.NewServer()
	defer srv.Close()
	f := newFixture(t, nil) // for its providers
	prop := adaptiveotel.WithPropagators(propagation.TraceContext{})

	// The hook alone: spans, but no trace context on the wire and no
	// server address, which the middleware records.
	c := srv.Client(adaptive.WithHook(adaptiveotel.Hook(adaptiveotel.WithTracerProvider(f.tp), prop)))
	_, err := c.Chat.Create(t.Context(), userHi)
	require.NoError(t, err)
	s := f.only(t)
	assert.NotContains(t, attrs(s.Attributes()), "server.address")
	assert.Empty(t, srv.RequestsTo(adaptivetest.RouteChat)[0].Header.Get("Traceparent"))

	// The middleware alone propagates the caller's span.
	ctx, parent := f.tp.Tracer("test").Start(t.Context(), "parent")
	c = srv.Client(adaptive.WithMiddleware(adaptiveotel.Middleware(prop)))
	_, err = c.Chat.Create(ctx, userHi)
	require.NoError(t, err)
	parent.End()
	tp := srv.RequestsTo(adaptivetest.RouteChat)[1].Header.Get("Traceparent")
	assert.True(t, strings.Contains(tp, parent.SpanContext().SpanID().String()), "traceparent %q names the caller's span", tp)
}

func outcome() adaptive.OutcomeRequest {
	return adaptive.OutcomeRequest{Metric: "m", Value: adaptive.MetricBool(true), SessionID: uuid.New()}
}

// TestUnsampledCallsAreStillMeasured: a sampler that leaves the spans out
// leaves the metrics and the propagation alone.
func TestUnsampledCallsAreStillMeasured(t *testing.T) {
	f := newFixture(t, nil)
	never := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()), sdktrace.WithSpanProcessor(f.spans))
	f.reader = sdkmetric.NewManualReader() // a reader serves one provider
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(f.reader))
	c := f.srv.Client(adaptiveotel.ClientOptions(adaptiveotel.WithTracerProvider(never), adaptiveotel.WithMeterProvider(mp),
		adaptiveotel.WithPropagators(propagation.TraceContext{}), adaptiveotel.WithMessageContent(true))...)
	_, err := c.Chat.Create(t.Context(), userHi)
	require.NoError(t, err)
	assert.Empty(t, f.ended())
	m := f.metrics(t)
	require.Len(t, m["gen_ai.client.operation.duration"], 1)
	assert.Contains(t, m["gen_ai.client.operation.duration"][0].attrs, "server.address")
	assert.Len(t, m["gen_ai.client.token.usage"], 2)
	assert.Regexp(t, `^00-[0-9a-f]{32}-[0-9a-f]{16}-00$`, f.srv.RequestsTo(adaptivetest.RouteChat)[0].Header.Get("Traceparent"), "not sampled, and said so")
}

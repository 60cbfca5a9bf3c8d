package adaptiveotel

import (
	"context"
	"errors"
	"io"
	"strconv"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/semconv/v1.41.0/genaiconv"

	"github.com/adaptive-go/adaptive"
)

// requestAttributes describes the request of a GenAI call, as the GenAI
// conventions name its settings.
func requestAttributes(op genaiconv.OperationNameAttr, s *adaptive.CallStart) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 8)
	attrs = append(attrs,
		semconv.GenAIOperationNameKey.String(string(op)),
		semconv.GenAIProviderNameKey.String(string(provider)),
		semconv.GenAIRequestModel(s.Model))
	switch req := s.Request.(type) {
	case *adaptive.ChatRequest:
		if req.Temperature != nil {
			attrs = append(attrs, semconv.GenAIRequestTemperature(*req.Temperature))
		}
		if req.MaxTokens != nil {
			attrs = append(attrs, semconv.GenAIRequestMaxTokens(*req.MaxTokens))
		}
		if req.TopP != nil {
			attrs = append(attrs, semconv.GenAIRequestTopP(*req.TopP))
		}
		if len(req.Stop) > 0 {
			attrs = append(attrs, semconv.GenAIRequestStopSequences(req.Stop...))
		}
		if req.N != nil && *req.N != 1 {
			attrs = append(attrs, semconv.GenAIRequestChoiceCount(*req.N))
		}
		if req.SessionID != nil {
			attrs = append(attrs, semconv.GenAIConversationID(req.SessionID.String()))
		}
		if s.Call == "Chat.Stream" {
			attrs = append(attrs, semconv.GenAIRequestStream(true))
		}
	case *adaptive.EmbeddingsRequest:
		if req.Dimensions != nil {
			attrs = append(attrs, semconv.GenAIEmbeddingsDimensionCount(*req.Dimensions))
		}
		if req.EncodingFormat != "" {
			attrs = append(attrs, semconv.GenAIRequestEncodingFormats(string(req.EncodingFormat)))
		}
	}
	return attrs
}

// responseAttributes describes the outcome of a GenAI call; it also returns
// the usage the answer reported (nil when none) and the model that
// answered (empty when unknown), which the metrics need.
func responseAttributes(e *adaptive.CallEnd) ([]attribute.KeyValue, *adaptive.Usage, string) {
	var attrs []attribute.KeyValue
	var usage *adaptive.Usage
	var model string
	switch resp := e.Response.(type) {
	case *adaptive.ChatResponse:
		if resp.ID != "" {
			attrs = append(attrs, semconv.GenAIResponseID(resp.ID))
		}
		if resp.SessionID != uuid.Nil {
			attrs = append(attrs, semconv.GenAIConversationID(resp.SessionID.String()))
		}
		reasons := make([]string, 0, len(resp.Choices))
		for _, ch := range resp.Choices {
			if ch.FinishReason != "" {
				reasons = append(reasons, ch.FinishReason)
			}
			if model == "" {
				model = ch.Model
			}
		}
		if len(reasons) > 0 {
			attrs = append(attrs, semconv.GenAIResponseFinishReasons(reasons...))
		}
		// A stream without include_usage reports none: its usage is zero.
		if resp.Usage != (adaptive.Usage{}) {
			usage = &resp.Usage
		}
	case *adaptive.EmbeddingsResponse:
		usage = resp.Usage
	}
	if model != "" {
		attrs = append(attrs, semconv.GenAIResponseModel(model))
	}
	if usage != nil {
		attrs = append(attrs, semconv.GenAIUsageInputTokens(usage.PromptTokens))
		if _, chat := e.Response.(*adaptive.ChatResponse); chat {
			attrs = append(attrs, semconv.GenAIUsageOutputTokens(usage.CompletionTokens))
		}
	}
	if e.TTFT > 0 {
		attrs = append(attrs, semconv.GenAIResponseTimeToFirstChunk(e.TTFT.Seconds()))
	}
	return attrs, usage, model
}

// errorType classes err for error.type, with the values the package doc
// lists.
func errorType(err error) string {
	var apiErr *adaptive.APIError
	switch {
	case errors.As(err, &apiErr):
		if apiErr.StatusCode < 300 {
			// The server reported the error inside a stream that had
			// started with a 2xx status.
			return "stream_error"
		}
		return strconv.Itoa(apiErr.StatusCode)
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected_eof"
	}
	return semconv.ErrorType(err).Value.AsString()
}

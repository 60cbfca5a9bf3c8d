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

// outcome is what both the span and the metrics need of the answer of a
// GenAI call.
type outcome struct {
	usage *adaptive.Usage // nil when the answer reported none
	model string          // the model that answered, when known
}

// outcomeOf reads the outcome of the answer e holds, if any.
func outcomeOf(e *adaptive.CallEnd) outcome {
	var o outcome
	switch resp := e.Response.(type) {
	case *adaptive.ChatResponse:
		for _, ch := range resp.Choices {
			if ch.Model != "" {
				o.model = ch.Model
				break
			}
		}
		// A stream without include_usage reports none: its usage is zero.
		if resp.Usage != (adaptive.Usage{}) {
			o.usage = &resp.Usage
		}
	case *adaptive.EmbeddingsResponse:
		o.usage = resp.Usage
	}
	return o
}

// responseAttributes appends to attrs the description of the answer of a
// GenAI call.
func responseAttributes(attrs []attribute.KeyValue, e *adaptive.CallEnd, o outcome) []attribute.KeyValue {
	resp, chat := e.Response.(*adaptive.ChatResponse)
	if chat {
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
		}
		if len(reasons) > 0 {
			attrs = append(attrs, semconv.GenAIResponseFinishReasons(reasons...))
		}
	}
	if o.model != "" {
		attrs = append(attrs, semconv.GenAIResponseModel(o.model))
	}
	if o.usage != nil {
		attrs = append(attrs, semconv.GenAIUsageInputTokens(o.usage.PromptTokens))
		if chat {
			attrs = append(attrs, semconv.GenAIUsageOutputTokens(o.usage.CompletionTokens))
		}
	}
	if e.TTFT > 0 {
		attrs = append(attrs, semconv.GenAIResponseTimeToFirstChunk(e.TTFT.Seconds()))
	}
	return attrs
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

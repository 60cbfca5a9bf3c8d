package adaptiveotel

import (
	"strings"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"

	"github.com/adaptive-go/adaptive"
)

// inputMessages returns gen_ai.input.messages for msgs, in the structured
// form of the conventions' input messages schema: each message a map of
// role, parts and (when set) name; text parts as {type: text, content},
// images sent as data as {type: blob, modality: image, mime_type, content}
// and images sent by URL as {type: uri, modality: image, uri}.
func inputMessages(msgs []adaptive.ChatMessage) attribute.KeyValue {
	vals := make([]attribute.Value, 0, len(msgs))
	for _, m := range msgs {
		var parts []attribute.Value
		if len(m.Parts) > 0 {
			parts = make([]attribute.Value, 0, len(m.Parts))
			for _, p := range m.Parts {
				parts = append(parts, contentPart(p))
			}
		} else {
			parts = []attribute.Value{textPart(m.Content)}
		}
		kvs := []attribute.KeyValue{attribute.String("role", m.Role), attribute.Slice("parts", parts...)}
		if m.Name != "" {
			kvs = append(kvs, attribute.String("name", m.Name))
		}
		vals = append(vals, attribute.MapValue(kvs...))
	}
	return attribute.Slice(string(semconv.GenAIInputMessagesKey), vals...)
}

func textPart(text string) attribute.Value {
	return attribute.MapValue(attribute.String("type", "text"), attribute.String("content", text))
}

func contentPart(p adaptive.ContentPart) attribute.Value {
	if text, ok := p.Text(); ok {
		return textPart(text)
	}
	url, _ := p.ImageURL()
	// A base64 data: URI is the image itself: a blob part. Anything else
	// (an http(s) URL, a data: URI in another encoding) refers to it.
	if rest, ok := strings.CutPrefix(url, "data:"); ok {
		meta, data, _ := strings.Cut(rest, ",")
		if mediaType, ok := strings.CutSuffix(meta, ";base64"); ok {
			return attribute.MapValue(attribute.String("type", "blob"), attribute.String("modality", "image"),
				attribute.String("mime_type", mediaType), attribute.String("content", data))
		}
	}
	return attribute.MapValue(attribute.String("type", "uri"), attribute.String("modality", "image"), attribute.String("uri", url))
}

// outputMessages returns gen_ai.output.messages for the choices of resp,
// in the structured form of the conventions' output messages schema: one
// message per choice, with its role, its text part and its finish reason
// ("error" for a choice a failed stream left unfinished).
func outputMessages(resp *adaptive.ChatResponse, failed bool) attribute.KeyValue {
	vals := make([]attribute.Value, 0, len(resp.Choices))
	for _, ch := range resp.Choices {
		role := ch.Message.Role
		if role == "" {
			role = adaptive.RoleAssistant
		}
		reason := ch.FinishReason
		if reason == "" && failed {
			reason = "error"
		}
		vals = append(vals, attribute.MapValue(
			attribute.String("role", role),
			attribute.Slice("parts", textPart(ch.Message.Content)),
			attribute.String("finish_reason", reason)))
	}
	return attribute.Slice(string(semconv.GenAIOutputMessagesKey), vals...)
}

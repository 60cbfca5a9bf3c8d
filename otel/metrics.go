package adaptiveotel

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/semconv/v1.41.0/genaiconv"

	"github.com/adaptive-go/adaptive"
)

// record records the GenAI metrics of a call that ended: its duration and,
// when the answer reported it, its token usage.
func (c *call) record(e *adaptive.CallEnd, errType, responseModel string, usage *adaptive.Usage) {
	d, t := c.in.duration, c.in.tokens
	attrs := make([]attribute.KeyValue, 0, 5)
	attrs = append(attrs, d.AttrRequestModel(c.model))
	if responseModel != "" {
		attrs = append(attrs, d.AttrResponseModel(responseModel))
	}
	if c.server != nil {
		attrs = append(attrs, d.AttrServerAddress(c.server.host), d.AttrServerPort(c.server.port))
	}
	if usage != nil {
		t.Record(c.ctx, int64(usage.PromptTokens), c.op, provider, genaiconv.TokenTypeInput, attrs...)
		if c.op == genaiconv.OperationNameChat {
			t.Record(c.ctx, int64(usage.CompletionTokens), c.op, provider, genaiconv.TokenTypeOutput, attrs...)
		}
	}
	if errType != "" {
		attrs = append(attrs, d.AttrErrorType(genaiconv.ErrorTypeAttr(errType)))
	}
	d.Record(c.ctx, e.Info.Duration.Seconds(), c.op, provider, attrs...)
}

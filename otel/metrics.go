package adaptiveotel

import (
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/semconv/v1.41.0/genaiconv"
)

// record records the GenAI metrics of a call that ended: its duration and,
// when the answer reported it, its token usage.
func (c *call) record(duration time.Duration, errType string, o outcome) {
	d, t := c.in.duration, c.in.tokens
	if !d.Enabled(c.ctx) && !t.Enabled(c.ctx) {
		return
	}
	attrs := make([]attribute.KeyValue, 0, 5)
	attrs = append(attrs, d.AttrRequestModel(c.model))
	if o.model != "" {
		attrs = append(attrs, d.AttrResponseModel(o.model))
	}
	if srv := c.server.Load(); srv != nil {
		attrs = append(attrs, d.AttrServerAddress(srv.host), d.AttrServerPort(srv.port))
	}
	if o.usage != nil {
		t.Record(c.ctx, int64(o.usage.PromptTokens), c.op, provider, genaiconv.TokenTypeInput, attrs...)
		if c.op == genaiconv.OperationNameChat {
			t.Record(c.ctx, int64(o.usage.CompletionTokens), c.op, provider, genaiconv.TokenTypeOutput, attrs...)
		}
	}
	if errType != "" {
		attrs = append(attrs, d.AttrErrorType(genaiconv.ErrorTypeAttr(errType)))
	}
	d.Record(c.ctx, duration.Seconds(), c.op, provider, attrs...)
}

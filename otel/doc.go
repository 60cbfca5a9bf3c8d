// Package adaptiveotel instruments the Adaptive Go SDK with OpenTelemetry:
// one span per SDK call, following the GenAI semantic conventions for chat
// and embeddings, and the GenAI client metrics.
//
// Install it on a client with ClientOptions, which adds the call hook (the
// spans and metrics) and a middleware that puts the trace context on every
// outgoing request:
//
//	client, err := adaptive.NewClient(adaptiveotel.ClientOptions()...)
//
// Without options it uses the global tracer and meter providers and the
// global propagator (otel.GetTracerProvider, otel.GetMeterProvider,
// otel.GetTextMapPropagator); WithTracerProvider, WithMeterProvider and
// WithPropagators choose others.
//
// # Spans
//
// Each call is one span, whatever its retries: a span of kind client, or
// internal for Uploads.Upload and Uploads.Resume, whose requests are spans
// of their own under it (each part of an upload is one). A span ends when
// the call ends: for a stream, when it was read to its end, failed or was
// closed; for a download, when its body was read or closed.
//
// Chat.Create and Chat.Stream spans are named "chat {model}", and
// Embeddings.Create spans "embeddings {model}", where the model is the one
// sent ("project/model", or the project alone for its default model). They
// carry the attributes of the GenAI conventions (semconv v1.41.0):
// gen_ai.operation.name, gen_ai.provider.name ("adaptive"),
// gen_ai.request.model, gen_ai.request.temperature, .max_tokens, .top_p,
// .stop_sequences, .choice.count (when not 1), .stream,
// gen_ai.conversation.id (the Adaptive session), gen_ai.response.id,
// .model, .finish_reasons, gen_ai.usage.input_tokens and .output_tokens,
// server.address and server.port; for embeddings,
// gen_ai.embeddings.dimension.count and gen_ai.request.encoding_formats.
// A stream's gen_ai.response.time_to_first_chunk is the time to first
// token the server reported in the stream's metadata, in seconds.
//
// Other calls are named for the SDK method ("Feedback.Outcome",
// "Uploads.UploadPart", "Datasets.Download", "Client.Do") and carry
// http.request.method, url.template (the route with its parameters
// unfilled; not for Client.Do, whose path is the caller's),
// http.response.status_code, http.request.resend_count when the call was
// retried, server.address and server.port; an upload part also carries
// adaptive.upload.part_number.
//
// Message content is recorded only with WithMessageContent: it is likely
// to hold personal data. The API key, which the SDK adds to requests after
// every middleware, never reaches a span.
//
// # Errors
//
// A failed call sets the span's status to error, with the error's text,
// and the error.type attribute to one of:
//
//   - the HTTP status of an *adaptive.APIError ("429", "503", ...);
//   - "stream_error" for an error the server sent inside a stream;
//   - "timeout" for a deadline or an idle timeout;
//   - "canceled" for a cancelled context;
//   - "unexpected_eof" for an answer cut short;
//   - otherwise the Go type of the error ("*net.OpError", ...).
//
// # Metrics
//
// Chat and embeddings calls record gen_ai.client.operation.duration (in
// seconds, the whole call including retries and, for a stream, its
// reading) and gen_ai.client.token.usage (one value per token type, input
// and output, when the answer reported its usage), with the attributes the
// conventions name: the operation, the provider, the request and response
// models, server.address and server.port, and error.type on failure.
package adaptiveotel

// ScopeName is the instrumentation scope of the tracer and the meter: the
// import path of this package.
const ScopeName = "github.com/adaptive-go/adaptive/otel"

// Version is the version of this module, reported as the instrumentation
// scope's version.
const Version = "0.2.0"

// Package adaptive is the Go client for the Adaptive REST API: chat
// completions (plain and streamed), embeddings, feedback and interactions,
// chunked uploads of large datasets, and streaming downloads.
//
// # Configuration
//
// NewClient reads ADAPTIVE_BASE_URL, ADAPTIVE_API_KEY and ADAPTIVE_PROJECT;
// options win over them:
//
//	client, err := adaptive.NewClient(
//		adaptive.WithBaseURL("https://your-adaptive-instance"),
//		adaptive.WithAPIKey(key),
//		adaptive.WithProject("support-bot"),
//	)
//
// The same Option values can be passed to any call to override the client's
// settings for that call (WithTimeout, WithMaxRetries, WithHeader,
// WithProject, ...). A Client is safe for concurrent use; its API key never
// appears in errors, logs or formatted values.
//
// # Services
//
// One service per endpoint group, all on one transport:
//
//	resp, err := client.Chat.Create(ctx, adaptive.ChatRequest{Messages: msgs})
//	stream, err := client.Chat.Stream(ctx, adaptive.ChatRequest{Messages: msgs})
//	emb, err := client.Embeddings.Create(ctx, adaptive.EmbeddingsRequest{Input: "text"})
//	out, err := client.Feedback.Outcome(ctx, adaptive.OutcomeRequest{Metric: "resolved", Value: adaptive.MetricBool(true), SessionID: id})
//	cmp, err := client.Feedback.Comparison(ctx, adaptive.ComparisonRequest{...})
//	added, err := client.Interactions.Add(ctx, adaptive.InteractionRequest{...})
//	res, err := client.Uploads.Upload(ctx, file, &adaptive.UploadOptions{Concurrency: 4})
//	ds, err := client.Datasets.Upload(ctx, file, adaptive.DatasetUploadRequest{Key: "support-chats"}, nil)
//	d, err := client.Datasets.Download(ctx, "", "my-dataset", nil)
//
// Recipes.Download, Artifacts.Download and Images.Get return the same
// *Download as Datasets.Download. Client.Do calls any route the SDK does not
// wrap yet, with the same auth, retries and errors.
//
// # Streaming
//
// A ChatStream is read with Next, Current, Err and Close, or with the All
// iterator:
//
//	defer stream.Close()
//	for chunk, err := range stream.All() {
//		if err != nil {
//			return err
//		}
//		for _, choice := range chunk.Choices { // none in the usage chunk
//			fmt.Print(choice.Delta.Content)
//		}
//	}
//
// A stream ends cleanly only at data: [DONE]; a cut connection is an error
// wrapping io.ErrUnexpectedEOF, and an error event is an *APIError. Metadata
// events (TTFT, TotalRequestDuration) are kept on the stream, not yielded as
// chunks. ChatAccumulator folds chunks into the ChatResponse a plain call
// would give.
//
// # Uploads
//
// Uploads.Upload splits any io.Reader into parts (5 to 100 MiB, at most
// 10,000), sends them concurrently with bounded memory (no part buffer at all
// for files), verifies with the server that every part arrived, and returns
// the session id with the CRC-32C of each part (the whole SHA-256 on
// request). OnCheckpoint hands out a checkpoint from which Uploads.Resume
// continues, even in another process; UploadError documents when a session
// is aborted. Datasets.Upload makes a dataset of the upload (a GraphQL
// mutation), and Client.GraphQL reaches the rest of the GraphQL API.
//
// # Errors and retries
//
// A non-2xx answer is an *APIError (status, message, request id); errors.Is
// matches it against ErrNotFound, ErrUnauthorized, ErrRateLimited and
// ErrServer. Bad input is a *ValidationError, returned before anything is
// sent. Calls are retried (2 retries by default), honouring Retry-After and
// retry-after-ms, with exponential backoff and jitter otherwise, as far as it
// is safe for what they do: writes that record something (feedback,
// interactions, dataset creation) only on a 429 or a connection that failed
// before the request was sent, so they are never recorded twice; chat
// generations and upload sessions also on 408, 409 and 5xx except 501;
// idempotent calls (reads, parts, embeddings) also when the connection or
// the answer was lost after sending. The README has the table per call.
//
// # Testing
//
// Package adaptivetest runs a fake Adaptive server in-process, with fault
// injection, for tests that need no real instance.
package adaptive

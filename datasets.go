package adaptive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/adaptive-go/adaptive/internal/transport"
)

// DatasetsService creates datasets from uploads, looks them up, waits for
// their processing, and downloads them. Dataset creation and look-ups are
// GraphQL calls (POST /api/graphql, beside the REST API); downloads are
// REST.
type DatasetsService struct{ service }

// smallDatasetSize is the largest dataset sent in one GraphQL multipart
// request: the vendor's clients refuse the chunked upload at or below
// 5 MiB ("too small for chunked upload") and send such files whole.
const smallDatasetSize = 5 << 20

// DatasetUploadRequest names the dataset that Datasets.Upload creates.
type DatasetUploadRequest struct {
	// Project is the project of the dataset; empty means the client's
	// default project.
	Project string
	// Key is the dataset's key, by which it is downloaded and looked up
	// (Datasets.Download, Datasets.Get). Required, and not taken in the
	// project. The GraphQL schema sets no rule on keys beyond being a
	// string: the SDK refuses an empty key, one with white space or
	// control characters, "." and "..", and one that reads as a uuid
	// (look-ups take an id or a key, so it would find the wrong dataset).
	// The vendor's tools make keys of lowercase letters, digits and
	// dashes. Anything else the server refuses comes back as a
	// *GraphQLError with its message.
	Key string
	// Name is the name shown in the platform's interface; empty means Key.
	Name string
}

// datasetInput is a checked DatasetUploadRequest with its defaults.
type datasetInput struct{ Project, Key, Name string }

func (req DatasetUploadRequest) resolve(cfg *config) (datasetInput, error) {
	p, err := cfg.resolveProject("DatasetUploadRequest.Project", req.Project)
	if err != nil {
		return datasetInput{}, err
	}
	k := req.Key
	switch {
	case k == "":
		return datasetInput{}, invalid("DatasetUploadRequest.Key", "empty: give the key the dataset will be known by, for example \"support-chats-2024\"")
	case k == "." || k == "..":
		return datasetInput{}, invalid("DatasetUploadRequest.Key", "%q cannot be downloaded: it would change the request path", k)
	}
	if i := strings.IndexFunc(k, func(r rune) bool { return r <= ' ' || r == 0x7f || r == 0x85 || r == 0xa0 }); i >= 0 {
		return datasetInput{}, invalid("DatasetUploadRequest.Key", "%q has a space or control character at byte %d: use letters, digits and dashes", k, i)
	}
	if _, err := uuid.Parse(k); err == nil {
		return datasetInput{}, invalid("DatasetUploadRequest.Key", "%q reads as a uuid: look-ups take an id or a key, and would take it for an id", k)
	}
	name := req.Name
	if name == "" {
		name = k
	}
	if i := strings.IndexFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }); i >= 0 {
		return datasetInput{}, invalid("DatasetUploadRequest.Name", "%q has a control character at byte %d", name, i)
	}
	return datasetInput{Project: p, Key: k, Name: name}, nil
}

// DatasetStatus is the server's processing state of a dataset, as sent.
// The processing status (of Upload, Resume and Wait) takes the values
// DatasetStatusPending, DatasetStatusDone and DatasetStatusError; a
// dataset looked up (Get) DatasetStatusPending, DatasetStatusProcessing,
// DatasetStatusReady and DatasetStatusFailed, or "" when the server gives
// none. Other values are kept as sent.
type DatasetStatus string

// The statuses the vendor's GraphQL schema names.
const (
	DatasetStatusPending    DatasetStatus = "PENDING"
	DatasetStatusProcessing DatasetStatus = "PROCESSING"
	DatasetStatusReady      DatasetStatus = "READY"
	DatasetStatusFailed     DatasetStatus = "FAILED"
	DatasetStatusDone       DatasetStatus = "DONE"
	DatasetStatusError      DatasetStatus = "ERROR"
)

// Succeeded reports a dataset processed and ready: DONE or READY.
func (s DatasetStatus) Succeeded() bool { return s == DatasetStatusDone || s == DatasetStatusReady }

// Failed reports a dataset whose processing failed: ERROR or FAILED.
func (s DatasetStatus) Failed() bool { return s == DatasetStatusError || s == DatasetStatusFailed }

// Finished reports a processing that ended, either way. Unknown values
// count as not finished.
func (s DatasetStatus) Finished() bool { return s.Succeeded() || s.Failed() }

// Dataset is a dataset of a project, as the server described it last.
type Dataset struct {
	// ID is the dataset's id (a uuid).
	ID string
	// Key is the dataset's key ("" for a dataset that has none).
	Key string
	// Name is the dataset's name.
	Name string
	// Project is the project of the dataset.
	Project string
	// Status is the processing state (see DatasetStatus).
	Status DatasetStatus
	// Progress is the fraction of the processing done, from 0 to 1, as
	// the server reports it.
	Progress float64
	// TotalParts and ProcessedParts count the parts to process and
	// processed.
	TotalParts, ProcessedParts int
	// Error is the server's message when processing failed.
	Error string
	// Upload describes the upload that made the dataset; nil for a
	// dataset only looked up. A dataset of at most 5 MiB is sent in one
	// request, with no session: its SessionID is then "".
	Upload *UploadResult
}

// ErrDatasetExists is matched (errors.Is) by the error of Datasets.Upload
// and Datasets.Resume when the key is taken in the project: nothing was
// uploaded.
var ErrDatasetExists = errors.New("adaptive: a dataset with this key exists")

// ErrDatasetFailed is matched (errors.Is) by the error of Datasets.Wait
// (and of Upload and Resume) when the server reports that processing the
// dataset failed; the Dataset returned with it holds Status and Error.
var ErrDatasetFailed = errors.New("adaptive: processing the dataset failed")

type keyTakenError struct {
	in     datasetInput
	id     string
	resume bool
}

func (e *keyTakenError) Error() string {
	fix := "choose another key"
	if e.resume {
		fix = "if the upload being resumed created it, it is that one (Datasets.Get); otherwise resume under another key"
	}
	return fmt.Sprintf("adaptive: dataset key %q is taken in project %q, by dataset %s: %s", e.in.Key, e.in.Project, e.id, fix)
}

func (e *keyTakenError) Is(target error) bool { return target == ErrDatasetExists }

type datasetFailedError struct{ d *Dataset }

func (e *datasetFailedError) Error() string {
	msg := e.d.Error
	if msg == "" {
		msg = "the server gave no reason"
	}
	return fmt.Sprintf("adaptive: processing dataset %s (%q) failed (status %s): %s", e.d.ID, e.d.Key, e.d.Status, msg)
}

func (e *datasetFailedError) Is(target error) bool { return target == ErrDatasetFailed }

// DatasetExistence says what is known of a dataset whose creation failed.
type DatasetExistence string

const (
	// DatasetAbsent: the server refused to create the dataset, or has no
	// dataset under its key after the creation's answer was lost.
	DatasetAbsent DatasetExistence = "absent"
	// DatasetExists: the server created the dataset although its answer
	// reported errors.
	DatasetExists DatasetExistence = "exists"
	// DatasetUnknown: the creation's answer was lost and looking the
	// dataset up by key failed too: it may exist.
	DatasetUnknown DatasetExistence = "unknown"
)

// DatasetError is the error of Datasets.Upload and Datasets.Resume when the
// data reached the server but the dataset could not be created. For an
// upload in parts it is the cause of an *UploadError, whose session the
// abort rules settle by Existence: KeepOnError decides when the dataset is
// absent; the session is kept when the dataset exists or may exist.
type DatasetError struct {
	// Project and Key name the dataset that was being created.
	Project, Key string
	// Existence says whether the dataset exists.
	Existence DatasetExistence
	// ID is the dataset's id when it exists.
	ID string
	// Err is the failure: a *GraphQLError when the server refused, else
	// what lost the answer.
	Err error
}

// Error describes the failure and what is known of the dataset.
func (e *DatasetError) Error() string {
	var fate string
	switch e.Existence {
	case DatasetExists:
		fate = "the dataset exists nonetheless: id " + e.ID
	case DatasetUnknown:
		fate = "whether the dataset exists is unknown: look it up with Datasets.Get before creating it again"
	default:
		fate = "the dataset was not created"
	}
	return fmt.Sprintf("adaptive: creating dataset %q in project %q: %s (%s)", e.Key, e.Project, strings.TrimPrefix(fmt.Sprint(e.Err), "adaptive: "), fate)
}

// Unwrap returns the failure.
func (e *DatasetError) Unwrap() error { return e.Err }

// Upload uploads r and creates from it the dataset req describes, as the
// vendor's clients do: above 5 MiB it runs the chunked upload (as
// Uploads.Upload, with the same options, checkpoints and progress, then
// in phase "creating") and calls the GraphQL mutation
// createDatasetFromMultipartUpload(input: {project, name, key,
// uploadSessionId}); at or below 5 MiB it sends the file in one GraphQL
// multipart request (the "operations", "map" and file fields of the GraphQL
// multipart request convention) calling createDataset(input: {project,
// name, key}, file), with no upload session, so OnSession and OnCheckpoint
// are never called. Both go to POST /api/graphql with the client's key.
// First it looks the key up (the dataset(idOrKey, project) query), so that
// a taken key fails before anything is uploaded. callOpts apply to every
// request, as for Uploads.Upload.
//
// The returned Dataset is as the server reported it: processing may not be
// finished (see Wait). The mutation is never sent twice blindly: it is
// retried only when the server certainly did not receive it, and when its
// answer is lost (a cut connection, a gateway's 5xx, a timeout) the dataset
// is looked up by key before anything is reported: found, it is returned.
//
// Bad input (a nil reader, an empty source, no project, a missing or
// unusable key, bad options) is a *ValidationError and a taken key an error
// matching ErrDatasetExists, both before any byte of r is sent. A failure
// of the upload is an *UploadError (see the abort rules on UploadError); a
// failure to create the dataset is a *DatasetError saying whether it
// exists, wrapped in an *UploadError for an upload in parts. A GraphQL
// answer with errors is never taken for a dataset. A dataset whose
// processing already failed is returned with an error matching
// ErrDatasetFailed.
func (s *DatasetsService) Upload(ctx context.Context, r io.Reader, req DatasetUploadRequest, opts *UploadOptions, callOpts ...Option) (d *Dataset, err error) {
	o, cfg, err := s.client.prepareUpload(ctx, r == nil, opts, callOpts)
	if err != nil {
		return nil, err
	}
	in, err := req.resolve(cfg)
	if err != nil {
		return nil, err
	}
	op := s.client.Uploads.startOp(ctx, cfg, "Datasets.Upload", &req, o)
	defer func() { op.end(d, err) }()
	if err := s.checkKeyFree(op, in, false); err != nil {
		return nil, err
	}
	src, err := openSource(op.ctx, r, o.Size, smallDatasetSize, op.progress, o.Checksum == ChecksumSHA256)
	if err != nil {
		return nil, err
	}
	defer src.close()
	if src.size <= smallDatasetSize {
		return s.createSmall(op, src, in)
	}
	u, err := op.send(src)
	if err != nil {
		return nil, err
	}
	return s.createFromUpload(op, u, in)
}

// Resume completes the upload that cp describes from r, as Uploads.Resume
// does (with its checks of the checkpoint and of r, before anything is
// sent), then creates the dataset req describes from it, as Upload does.
// The key is looked up first: a dataset that has it already fails the call
// with an error matching ErrDatasetExists, the session left as it was (it
// may be the dataset this very upload created before its process died).
// Errors are those of Uploads.Resume and Upload.
func (s *DatasetsService) Resume(ctx context.Context, cp UploadCheckpoint, r io.ReaderAt, req DatasetUploadRequest, opts *UploadOptions, callOpts ...Option) (d *Dataset, err error) {
	o, cfg, err := s.client.prepareUpload(ctx, r == nil, opts, callOpts)
	if err != nil {
		return nil, err
	}
	in, err := req.resolve(cfg)
	if err != nil {
		return nil, err
	}
	if err := checkResumable(cp, cfg, o, r); err != nil {
		return nil, err
	}
	op := s.client.Uploads.startOp(ctx, cfg, "Datasets.Resume", &req, o)
	defer func() { op.end(d, err) }()
	if err := s.checkKeyFree(op, in, true); err != nil {
		return nil, err
	}
	u, err := op.resume(cp, r)
	if err != nil {
		return nil, err
	}
	return s.createFromUpload(op, u, in)
}

// Get looks up the dataset idOrKey (its id or its key) of project (empty:
// the client's default), with the GraphQL query dataset(idOrKey, project).
// It is retried like a read.
//
// An empty idOrKey or no project is a *ValidationError; a dataset the
// server does not know is an error matching ErrNotFound; GraphQL errors are
// a *GraphQLError.
func (s *DatasetsService) Get(ctx context.Context, project, idOrKey string, opts ...Option) (*Dataset, error) {
	if idOrKey == "" {
		return nil, invalid("idOrKey", "empty: give the dataset's id or key")
	}
	cfg, err := s.client.callConfig(opts)
	if err != nil {
		return nil, err
	}
	p, err := cfg.resolveProject("project", project)
	if err != nil {
		return nil, err
	}
	d, err := s.lookup(ctx, cfg, "Datasets.Get", p, idOrKey)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, fmt.Errorf("adaptive: dataset %q of project %q: %w", idOrKey, p, ErrNotFound)
	}
	return d, nil
}

// Wait polls the processing status of dataset d (the GraphQL query
// datasetUploadProcessingStatus(input: {project, datasetId})) until the
// server reports it done or failed, or ctx ends, and returns d as the
// server last described it (a copy: d is not changed). The wait between
// polls grows from the client's WithRetryWait minimum to its maximum
// (default 0.5 s to 8 s, never under 100 ms), with jitter. A status the
// SDK does not know is taken as not finished: give ctx a deadline. A
// dataset already finished returns at once, without a request.
//
// A nil d, or one without a uuid ID, is a *ValidationError. Processing
// that failed returns the dataset with an error matching ErrDatasetFailed;
// a failing poll (after the transport's retries) or the end of ctx returns
// the dataset as last known with that error.
func (s *DatasetsService) Wait(ctx context.Context, d *Dataset, opts ...Option) (*Dataset, error) {
	if d == nil {
		return nil, invalid("d", "nil: wait for a dataset that Upload, Resume or Get returned")
	}
	if _, err := uuid.Parse(d.ID); err != nil {
		return nil, invalid("Dataset.ID", "%q is not a dataset id (a uuid)", d.ID)
	}
	cfg, err := s.client.callConfig(opts)
	if err != nil {
		return nil, err
	}
	p, err := cfg.resolveProject("Dataset.Project", d.Project)
	if err != nil {
		return nil, err
	}
	out := *d
	out.Project = p
	if out.Status.Finished() {
		return &out, out.failure()
	}
	ctx, rec := s.client.begin(ctx, cfg, CallStart{Call: "Datasets.Wait", Request: d})
	inner := cfg
	if cfg.callInfo != nil || cfg.responseInto != nil {
		c := *cfg
		c.callInfo, c.responseInto = nil, nil
		inner = &c
	}
	err = s.poll(ctx, inner, &out)
	if err != nil {
		rec.end(&out, err, 0)
		return &out, err
	}
	rec.end(&out, nil, 0)
	return &out, nil
}

// minPollWait is the shortest wait between two looks at a dataset's
// processing.
const minPollWait = 100 * time.Millisecond

func (s *DatasetsService) poll(ctx context.Context, cfg *config, d *Dataset) error {
	for n := 0; ; n++ {
		if err := s.processing(ctx, cfg, d); err != nil {
			return err
		}
		if d.Status.Finished() {
			return d.failure()
		}
		// Polling never spins, even with WithRetryWait(0, 0).
		t := time.NewTimer(max(transport.Backoff(cfg.retryWaitMin, cfg.retryWaitMax, n), minPollWait))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("adaptive: waiting for dataset %s (status %s): %w", d.ID, d.Status, ctx.Err())
		}
	}
}

// failure is the error of a dataset whose processing failed, else nil.
func (d *Dataset) failure() error {
	if d.Status.Failed() {
		return &datasetFailedError{d}
	}
	return nil
}

// checkKeyFree refuses a key that a dataset of the project has already.
func (s *DatasetsService) checkKeyFree(op *uploadOp, in datasetInput, resume bool) error {
	found, err := s.lookup(op.ctx, op.cfg, "Client.GraphQL", in.Project, in.Key)
	if err != nil {
		return fmt.Errorf("adaptive: checking that dataset key %q is free in project %q: %w", in.Key, in.Project, err)
	}
	if found != nil {
		return &keyTakenError{in: in, id: found.ID, resume: resume}
	}
	return nil
}

// createFromUpload creates the dataset from the session of u, which holds
// every part.
func (s *DatasetsService) createFromUpload(op *uploadOp, u *uploadRun, in datasetInput) (*Dataset, error) {
	op.progress.setPhase(UploadPhaseCreating)
	res := u.result()
	d, err := s.createFromSession(op.ctx, op.cfg, in, u.id)
	if err != nil {
		return s.createFailed(op, u, in, err, res)
	}
	d.Upload = res
	return d, d.failure()
}

// createFailed reports a failed creation, after looking the dataset up by
// key when the answer was lost; u is nil for a small dataset (no session).
func (s *DatasetsService) createFailed(op *uploadOp, u *uploadRun, in datasetInput, err error, res *UploadResult) (*Dataset, error) {
	e := &DatasetError{Project: in.Project, Key: in.Key, Existence: DatasetAbsent, Err: err}
	var gerr *GraphQLError
	switch {
	case errors.As(err, &gerr):
		if id := createdID(gerr.Data); id != "" {
			e.Existence, e.ID = DatasetExists, id
		}
	case answerLost(err):
		// The mutation may have been applied: the look-up says, on a
		// context that the caller's cancellation does not reach.
		lctx, cancel := context.WithTimeout(context.WithoutCancel(op.ctx), abortTimeout)
		found, lerr := s.lookup(lctx, op.cfg, "Client.GraphQL", in.Project, in.Key)
		cancel()
		switch {
		case lerr != nil:
			e.Existence = DatasetUnknown
			e.Err = fmt.Errorf("%w; looking the dataset up failed too: %v", err, lerr)
		case found != nil:
			found.Upload = res
			return found, found.failure()
		}
	}
	if u == nil {
		return nil, e
	}
	mode := settleKeep
	if e.Existence == DatasetAbsent {
		mode = settleRefused
	}
	return nil, op.settle(u, e, mode)
}

// answerLost reports whether a failed write may have been applied by the
// server: it was sent (or may have been) and no answer says what became of
// it. Gateways answer 5xx after forwarding a request.
func answerLost(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode >= 500
	}
	return !transport.NotSent(err)
}

package adaptivetest

import (
	"bytes"
	"fmt"
	"slices"
	"sync"

	"github.com/google/uuid"
)

// datasetState holds the datasets created through GraphQL, the processing
// they simulate, and the answers to lose.
type datasetState struct {
	mu      sync.Mutex
	byID    map[string]*fakeDataset
	order   []string          // ids, by creation
	polls   int               // processing status polls before done, for datasets created from now on
	failing map[string]string // key to the message its processing fails with
	losses  map[string][]int  // root field to the statuses of the answers to lose (0: drop)
}

func (d *datasetState) init() {
	d.byID = map[string]*fakeDataset{}
	d.failing = map[string]string{}
	d.losses = map[string][]int{}
	d.polls = 1
}

// fakeDataset is a dataset of the fake. Its bytes are served by the
// download route under its id and its key.
type fakeDataset struct {
	id, key, name, project, source string
	records, totalParts            int
	steps, seen                    int // processing: polls needed and polls seen
	failure                        string
}

// processing returns the processing status of d: the answer of
// createDatasetFromMultipartUpload and datasetUploadProcessingStatus.
func (d *fakeDataset) processing() map[string]any {
	status, processed := "PENDING", d.totalParts*d.seen/max(d.steps, 1)
	var msg any
	if d.seen >= d.steps {
		status, processed = "DONE", d.totalParts
		if d.failure != "" {
			status, msg = "ERROR", d.failure
		}
	}
	return map[string]any{
		"datasetId": d.id, "status": status, "totalParts": d.totalParts, "processedParts": processed,
		"progress": float64(processed) / float64(max(d.totalParts, 1)), "error": msg,
	}
}

// object returns d as a GraphQL Dataset.
func (d *fakeDataset) object() map[string]any {
	p := d.processing()
	status := "PROCESSING"
	switch p["status"] {
	case "DONE":
		status = "READY"
	case "ERROR":
		status = "FAILED"
	default:
		if d.seen == 0 {
			status = "PENDING"
		}
	}
	var key any
	if d.key != "" {
		key = d.key
	}
	return map[string]any{
		"id": d.id, "key": key, "name": d.name, "records": d.records, "source": d.source,
		"status": status, "deleted": false,
		"progress": map[string]any{
			"processedParts": p["processedParts"], "totalParts": d.totalParts, "progress": p["progress"],
			"processedLines": d.records * p["processedParts"].(int) / max(d.totalParts, 1), "totalLines": d.records,
		},
	}
}

// find returns the dataset of project whose id or key is idOrKey; d.mu is
// held.
func (d *datasetState) find(project, idOrKey string) *fakeDataset {
	if ds := d.byID[idOrKey]; ds != nil && ds.project == project {
		return ds
	}
	for _, id := range d.order {
		if ds := d.byID[id]; ds.project == project && ds.key != "" && ds.key == idOrKey {
			return ds
		}
	}
	return nil
}

// SetDatasetProcessing makes the datasets created from now on from an
// upload session report their processing as pending until their status
// (datasetUploadProcessingStatus) was polled polls times, their processed
// parts growing with each poll; 0 makes them done at once. The default is
// 1: the mutation answers PENDING, and the first poll DONE. Datasets
// created by createDataset (a single request) are ready at once.
func (s *Server) SetDatasetProcessing(polls int) {
	s.datasets.mu.Lock()
	defer s.datasets.mu.Unlock()
	s.datasets.polls = max(polls, 0)
}

// FailDatasetProcessing makes the processing of the next dataset created
// under key (in any project) end in ERROR (FAILED for the dataset query)
// with message, once its polls are done.
func (s *Server) FailDatasetProcessing(key, message string) {
	s.datasets.mu.Lock()
	defer s.datasets.mu.Unlock()
	s.datasets.failing[key] = message
}

// LoseGraphQLAnswer makes the next n GraphQL requests whose first root
// field is field ("createDatasetFromMultipartUpload", "createDataset",
// "dataset", ...) run as usual and then lose their answer: the connection
// is dropped when status is 0, or the answer replaced by that status with
// an {"error": ...} body, as a gateway that timed out after forwarding the
// request would.
func (s *Server) LoseGraphQLAnswer(field string, n, status int) {
	s.datasets.mu.Lock()
	defer s.datasets.mu.Unlock()
	for range n {
		s.datasets.losses[field] = append(s.datasets.losses[field], status)
	}
}

// takeLoss uses up one loss armed for field.
func (d *datasetState) takeLoss(field string) (int, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	q := d.losses[field]
	if len(q) == 0 {
		return 0, false
	}
	d.losses[field] = q[1:]
	return q[0], true
}

// create makes a dataset of data; d.mu is held. It fails on a taken key.
func (s *Server) createDataset(project, name, key, source string, data []byte, parts, steps int) (*fakeDataset, *gqlError) {
	d := &s.datasets
	if key != "" && d.find(project, key) != nil {
		return nil, &gqlError{Message: fmt.Sprintf("a dataset with key %q already exists in project %q", key, project)}
	}
	if source == "" {
		source = "UPLOADED"
	}
	ds := &fakeDataset{
		id: uuid.NewString(), key: key, name: name, project: project, source: source,
		records: bytes.Count(data, []byte("\n")), totalParts: parts, steps: steps,
	}
	if msg, ok := d.failing[key]; ok {
		ds.failure = msg
		delete(d.failing, key)
	}
	d.byID[ds.id] = ds
	d.order = append(d.order, ds.id)
	name = ds.id
	if key != "" {
		name = key
	}
	f := &file{name + ".jsonl", "application/x-ndjson", bytes.NewReader(data), int64(len(data))}
	s.addFile(fileKey{kindDataset, project, ds.id, formatOriginal}, f)
	if key != "" {
		s.addFile(fileKey{kindDataset, project, key, formatOriginal}, f)
	}
	return ds, nil
}

func str(args map[string]any, name string) string {
	v, _ := args[name].(string)
	return v
}

func (s *Server) gqlDataset(args map[string]any) (any, *gqlError) {
	d := &s.datasets
	d.mu.Lock()
	defer d.mu.Unlock()
	if ds := d.find(str(args, "project"), str(args, "idOrKey")); ds != nil {
		return ds.object(), nil
	}
	return nil, nil
}

func (s *Server) gqlDatasets(args map[string]any) (any, *gqlError) {
	d := &s.datasets
	d.mu.Lock()
	defer d.mu.Unlock()
	out := []any{}
	for _, id := range d.order {
		if ds := d.byID[id]; ds.project == str(args, "project") {
			out = append(out, ds.object())
		}
	}
	return out, nil
}

func (s *Server) gqlProcessingStatus(args map[string]any) (any, *gqlError) {
	in := args["input"].(map[string]any)
	d := &s.datasets
	d.mu.Lock()
	defer d.mu.Unlock()
	ds := d.byID[str(in, "datasetId")]
	if ds == nil || ds.project != str(in, "project") {
		return nil, &gqlError{Message: fmt.Sprintf("EntityNotFound: dataset %s not found in project %q", str(in, "datasetId"), str(in, "project"))}
	}
	ds.seen = min(ds.seen+1, ds.steps)
	return ds.processing(), nil
}

func (s *Server) gqlCreateFromUpload(args map[string]any) (any, *gqlError) {
	in := args["input"].(map[string]any)
	id := str(in, "uploadSessionId")
	u := &s.uploads
	u.mu.Lock()
	sess := u.sessions[id]
	var data []byte
	var gerr *gqlError
	switch {
	case sess == nil:
		gerr = &gqlError{Message: fmt.Sprintf("upload session %s not found", id)}
	case len(sess.parts) != sess.totalParts:
		gerr = &gqlError{Message: fmt.Sprintf("upload session %s is incomplete: it holds %d of its %d parts", id, len(sess.parts), sess.totalParts)}
	default:
		for n := 1; n <= sess.totalParts; n++ {
			if sess.parts[n].data == nil {
				gerr = &gqlError{Message: "the fake discarded the bytes of upload session " + id + " (DiscardUploadBytes): it cannot make a dataset of them"}
				break
			}
			data = append(data, sess.parts[n].data...)
		}
	}
	if gerr != nil {
		u.mu.Unlock()
		return nil, gerr
	}
	d := &s.datasets
	d.mu.Lock()
	ds, gerr := s.createDataset(str(in, "project"), str(in, "name"), str(in, "key"), str(in, "source"), data, sess.totalParts, d.polls)
	if gerr == nil {
		// The session is consumed: its bytes are the dataset's now.
		delete(u.sessions, id)
	}
	d.mu.Unlock()
	u.mu.Unlock()
	if gerr != nil {
		return nil, gerr
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return ds.processing(), nil
}

func (s *Server) gqlCreateDataset(args map[string]any) (any, *gqlError) {
	in := args["input"].(map[string]any)
	f := args["file"].(*upload)
	if len(f.data) == 0 {
		return nil, &gqlError{Message: "the file is empty"}
	}
	d := &s.datasets
	d.mu.Lock()
	defer d.mu.Unlock()
	ds, gerr := s.createDataset(str(in, "project"), str(in, "name"), str(in, "key"), str(in, "source"), f.data, 1, 0)
	if gerr != nil {
		return nil, gerr
	}
	return ds.object(), nil
}

func (s *Server) gqlDeleteDataset(args map[string]any) (any, *gqlError) {
	d := &s.datasets
	d.mu.Lock()
	defer d.mu.Unlock()
	project := str(args, "project")
	ds := d.find(project, str(args, "idOrKey"))
	if ds == nil {
		return nil, &gqlError{Message: fmt.Sprintf("EntityNotFound: dataset %q not found in project %q", str(args, "idOrKey"), project)}
	}
	delete(d.byID, ds.id)
	d.order = slices.DeleteFunc(d.order, func(id string) bool { return id == ds.id })
	s.mu.Lock()
	for _, name := range []string{ds.id, ds.key} {
		for _, format := range []string{formatOriginal, formatRecipe} {
			delete(s.files.files, fileKey{kindDataset, project, name, format})
		}
	}
	s.mu.Unlock()
	return true, nil
}

// DatasetCount returns the number of datasets of project created through
// GraphQL (and not deleted).
func (s *Server) DatasetCount(project string) int {
	d := &s.datasets
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, id := range d.order {
		if d.byID[id].project == project {
			n++
		}
	}
	return n
}

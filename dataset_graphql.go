package adaptive

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/adaptive-go/adaptive/internal/transport"
)

// The GraphQL operations of datasets. Their shapes come from the vendor's
// public clients, read for facts only:
//
//   - createDatasetFromMultipartUpload(input: DatasetCreateFromMultipartUpload!):
//     DatasetUploadProcessingStatus!, with input {project, name, key,
//     source, uploadSessionId}: adaptive-ml/adpt, commit 5bc80b6,
//     src/graphql/create_dataset_from_multipart.graphql (which selects
//     datasetId), and its schema.gql at commit 688df0f (use-case era:
//     useCase for project); the selection {datasetId status totalParts
//     processedParts progress error} is the Python SDK's
//     (adaptive-ml/adaptive_sdk, resources/datasets.py, operation name
//     CreateDatasetFromMultipartUpload), and the project spelling the
//     Rust client's (adaptive-client-rust, which adpt uses since commit
//     200671a). The type DatasetUploadProcessingStatus {datasetId: UUID!,
//     status: SessionStatus!, totalParts: Int!, processedParts: Int!,
//     progress: Float!, error: String} and SessionStatus {PENDING, DONE,
//     ERROR} are from that schema.
//   - createDataset(input: DatasetCreate!, file: Upload!): Dataset!, input
//     {project, name, key, source}, sent as a GraphQL multipart request
//     with map {"0": ["variables.file"]} and the file in part "0":
//     adaptive-ml/adpt, commit 6b6b362, src/graphql/upload_dataset.graphql
//     and src/client.rs; the Python SDK's load_dataset (commit 7ee0693,
//     src/adaptive_sdk/graphql_client/client.py) passes the key too.
//   - dataset(idOrKey: IdOrKey!, project: IdOrKey!): Dataset, null for an
//     unknown dataset: the Rust client's get_dataset (variables idOrKey and
//     project); schema.gql at 688df0f spells the second argument useCase.
//     Dataset {id: UUID!, key: String, name: String!, status: DatasetStatus,
//     progress: DatasetProgress} with DatasetStatus {PENDING, PROCESSING,
//     READY, FAILED} and DatasetProgress {processedParts, totalParts,
//     progress}: schema.gql at 688df0f.
//   - datasetUploadProcessingStatus(input: DatasetUploadProcessingStatusInput!):
//     DatasetUploadProcessingStatus!, input {project, datasetId}: the
//     Python SDK polls it every 2 s until DONE or ERROR; schema.gql at
//     688df0f has the input as {useCase, datasetId}.
//
// Not confirmed from a document of the current (project-era) schema: the
// spelling "project" of the status query's input and of dataset()'s
// argument (taken from the Rust client's variables and the platform's
// rename), and whether a dataset created by createDataset has a processing
// status to poll.
const (
	opCreateFromUpload  = "CreateDatasetFromMultipartUpload"
	docCreateFromUpload = `mutation CreateDatasetFromMultipartUpload($input: DatasetCreateFromMultipartUpload!) {
  createDatasetFromMultipartUpload(input: $input) { datasetId status totalParts processedParts progress error }
}`
	opCreate  = "CreateDataset"
	docCreate = `mutation CreateDataset($input: DatasetCreate!, $file: Upload!) {
  createDataset(input: $input, file: $file) { id key name status progress { processedParts totalParts progress } }
}`
	opGetDataset  = "GetDataset"
	docGetDataset = `query GetDataset($idOrKey: IdOrKey!, $project: IdOrKey!) {
  dataset(idOrKey: $idOrKey, project: $project) { id key name status progress { processedParts totalParts progress } }
}`
	opProcessingStatus  = "DatasetUploadProcessingStatus"
	docProcessingStatus = `query DatasetUploadProcessingStatus($input: DatasetUploadProcessingStatusInput!) {
  datasetUploadProcessingStatus(input: $input) { datasetId status totalParts processedParts progress error }
}`
)

// wireProcessing is a DatasetUploadProcessingStatus.
type wireProcessing struct {
	DatasetID      wireString `json:"datasetId"`
	Status         *string    `json:"status"`
	TotalParts     *int       `json:"totalParts"`
	ProcessedParts *int       `json:"processedParts"`
	Progress       *float64   `json:"progress"`
	Error          *string    `json:"error"`
}

// apply sets the processing state of d from w.
func (w *wireProcessing) apply(d *Dataset) error {
	if !w.DatasetID.ok {
		return missingField("datasetId")
	}
	d.ID = w.DatasetID.v
	if w.Status != nil {
		d.Status = DatasetStatus(*w.Status)
	}
	if w.TotalParts != nil {
		d.TotalParts = *w.TotalParts
	}
	if w.ProcessedParts != nil {
		d.ProcessedParts = *w.ProcessedParts
	}
	if w.Progress != nil {
		d.Progress = *w.Progress
	}
	d.Error = ""
	if w.Error != nil {
		d.Error = *w.Error
	}
	return nil
}

// wireDataset is a Dataset as the SDK selects it.
type wireDataset struct {
	ID       wireString `json:"id"`
	Key      *string    `json:"key"`
	Name     *string    `json:"name"`
	Status   *string    `json:"status"`
	Progress *struct {
		ProcessedParts int     `json:"processedParts"`
		TotalParts     int     `json:"totalParts"`
		Progress       float64 `json:"progress"`
	} `json:"progress"`
}

func (w *wireDataset) dataset(project string) (*Dataset, error) {
	if !w.ID.ok {
		return nil, missingField("id")
	}
	d := &Dataset{ID: w.ID.v, Project: project}
	if w.Key != nil {
		d.Key = *w.Key
	}
	if w.Name != nil {
		d.Name = *w.Name
	}
	if w.Status != nil {
		d.Status = DatasetStatus(*w.Status)
	}
	if p := w.Progress; p != nil {
		d.ProcessedParts, d.TotalParts, d.Progress = p.ProcessedParts, p.TotalParts, p.Progress
	}
	return d, nil
}

// lookup returns the dataset idOrKey of project, or nil when the server
// answers null. call names the call for hooks.
func (s *DatasetsService) lookup(ctx context.Context, cfg *config, call, project, idOrKey string) (*Dataset, error) {
	var out struct {
		Dataset *wireDataset `json:"dataset"`
	}
	req := &GraphQLRequest{Query: docGetDataset, OperationName: opGetDataset, Variables: map[string]string{"idOrKey": idOrKey, "project": project}}
	if err := s.client.graphQL(ctx, cfg, gqlCall{call: call, name: opGetDataset, retry: transport.RetryAny, req: req}, &out); err != nil {
		return nil, err
	}
	if out.Dataset == nil {
		return nil, nil
	}
	d, err := out.Dataset.dataset(project)
	if err != nil {
		return nil, fmt.Errorf("adaptive: the GraphQL answer of %s: %w", opGetDataset, err)
	}
	return d, nil
}

// processing reads the processing status of d into d.
func (s *DatasetsService) processing(ctx context.Context, cfg *config, d *Dataset) error {
	var out struct {
		Status *wireProcessing `json:"datasetUploadProcessingStatus"`
	}
	vars := map[string]any{"input": map[string]string{"project": d.Project, "datasetId": d.ID}}
	req := &GraphQLRequest{Query: docProcessingStatus, OperationName: opProcessingStatus, Variables: vars}
	if err := s.client.graphQL(ctx, cfg, gqlCall{call: "Client.GraphQL", name: opProcessingStatus, retry: transport.RetryAny, req: req}, &out); err != nil {
		return err
	}
	if out.Status == nil {
		return fmt.Errorf("adaptive: the GraphQL answer of %s: %w", opProcessingStatus, nullAnswer("datasetUploadProcessingStatus"))
	}
	if err := out.Status.apply(d); err != nil {
		return fmt.Errorf("adaptive: the GraphQL answer of %s: %w", opProcessingStatus, err)
	}
	return nil
}

// createFromSession sends the mutation that creates the dataset from the
// complete session id. It is a write: retried only when certainly not
// received.
func (s *DatasetsService) createFromSession(ctx context.Context, cfg *config, in datasetInput, sessionID string) (*Dataset, error) {
	var out struct {
		Created *wireProcessing `json:"createDatasetFromMultipartUpload"`
	}
	vars := map[string]any{"input": map[string]string{"project": in.Project, "name": in.Name, "key": in.Key, "uploadSessionId": sessionID}}
	req := &GraphQLRequest{Query: docCreateFromUpload, OperationName: opCreateFromUpload, Variables: vars}
	if err := s.client.graphQL(ctx, cfg, gqlCall{call: "Client.GraphQL", name: opCreateFromUpload, retry: transport.RetryUnsent, req: req}, &out); err != nil {
		return nil, err
	}
	if out.Created == nil {
		return nil, fmt.Errorf("adaptive: the GraphQL answer of %s: %w", opCreateFromUpload, nullAnswer("createDatasetFromMultipartUpload"))
	}
	d := &Dataset{Key: in.Key, Name: in.Name, Project: in.Project}
	if err := out.Created.apply(d); err != nil {
		return nil, fmt.Errorf("adaptive: the GraphQL answer of %s: %w", opCreateFromUpload, err)
	}
	return d, nil
}

// createdID returns the id of the dataset that the data of a creation's
// answer holds beside its errors, or "".
func createdID(data json.RawMessage) string {
	if len(data) == 0 {
		return ""
	}
	var out struct {
		FromUpload *struct {
			DatasetID string `json:"datasetId"`
		} `json:"createDatasetFromMultipartUpload"`
		Created *struct {
			ID string `json:"id"`
		} `json:"createDataset"`
	}
	if json.Unmarshal(data, &out) != nil {
		return ""
	}
	switch {
	case out.FromUpload != nil:
		return out.FromUpload.DatasetID
	case out.Created != nil:
		return out.Created.ID
	}
	return ""
}

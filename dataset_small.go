package adaptive

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"

	"github.com/adaptive-go/adaptive/internal/transport"
)

// createSmall sends a dataset of at most smallDatasetSize bytes in one
// GraphQL multipart request calling createDataset: no upload session.
func (s *DatasetsService) createSmall(op *uploadOp, src *uploadSource, in datasetInput) (*Dataset, error) {
	data, err := readWhole(src, op)
	if err != nil {
		return nil, err
	}
	res := &UploadResult{Parts: 1, Bytes: src.size, PartCRC32C: []uint32{crc32.Checksum(data, castagnoli)}}
	if op.wantSHA() {
		sum := sha256.Sum256(data)
		res.SHA256 = sum[:]
	}
	body, contentType, err := datasetForm(in, data, op.opts.ContentType)
	if err != nil {
		return nil, err
	}
	op.progress.sized(src.size, 1, 0, 0)
	op.progress.setPhase(UploadPhaseUploading)
	sent := &partSent{p: op.progress}
	var out struct {
		Created *wireDataset `json:"createDataset"`
	}
	err = s.client.graphQL(op.ctx, op.cfg, gqlCall{
		call: "Client.GraphQL", name: opCreate, retry: transport.RetryUnsent,
		body: body, contentType: contentType, upload: true, sent: sent.report,
		request: &GraphQLRequest{Query: docCreate, OperationName: opCreate, Variables: datasetCreateVars(in)},
	}, &out)
	sent.finish()
	var d *Dataset
	if err == nil {
		if out.Created == nil {
			err = fmt.Errorf("adaptive: the GraphQL answer of %s: %w", opCreate, nullAnswer("createDataset"))
		} else if d, err = out.Created.dataset(in.Project); err != nil {
			err = fmt.Errorf("adaptive: the GraphQL answer of %s: %w", opCreate, err)
		}
	}
	if err != nil {
		return s.createFailed(op, nil, in, err, res)
	}
	op.progress.ack(src.size)
	d.Upload = res
	return d, d.failure()
}

// readWhole reads all of a small source into memory, refusing a reader
// shorter or longer than its size.
func readWhole(src *uploadSource, op *uploadOp) ([]byte, error) {
	data := make([]byte, src.size)
	var one [1]byte
	if src.ra != nil {
		if n, err := src.ra.ReadAt(data, 0); n < len(data) {
			if err == nil || err == io.EOF {
				return nil, fmt.Errorf("adaptive: the source ended after %d bytes, short of its size %d", n, src.size)
			}
			return nil, fmt.Errorf("adaptive: reading the source at byte %d: %w", n, err)
		}
		if n, _ := src.ra.ReadAt(one[:], src.size); n > 0 {
			return nil, fmt.Errorf("adaptive: the source holds more than its size %d bytes", src.size)
		}
		return data, nil
	}
	r := &sourceReader{ctx: op.ctx, r: src.r}
	if n, err := io.ReadFull(r, data); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("adaptive: the reader ended after %d bytes, short of its size %d", n, src.size)
		}
		return nil, fmt.Errorf("adaptive: reading the source at byte %d: %w", n, err)
	}
	if k, err := io.ReadFull(r, one[:]); k > 0 {
		return nil, fmt.Errorf("adaptive: the reader holds more than its size %d bytes", src.size)
	} else if err != io.EOF {
		return nil, fmt.Errorf("adaptive: reading the source at byte %d: %w", src.size, err)
	}
	return data, nil
}

func datasetCreateVars(in datasetInput) map[string]any {
	return map[string]any{"input": map[string]string{"project": in.Project, "name": in.Name, "key": in.Key}, "file": nil}
}

// datasetForm builds the GraphQL multipart request of createDataset: the
// "operations" field (the request, its file variable null), the "map"
// field that points file part "0" at variables.file, and the file.
func datasetForm(in datasetInput, data []byte, contentType string) ([]byte, string, error) {
	ops, err := json.Marshal(GraphQLRequest{Query: docCreate, OperationName: opCreate, Variables: datasetCreateVars(in)})
	if err != nil {
		return nil, "", fmt.Errorf("adaptive: encoding the %s request: %w", opCreate, err)
	}
	var b bytes.Buffer
	b.Grow(len(data) + len(ops) + 1024)
	w := multipart.NewWriter(&b)
	_ = w.WriteField("operations", string(ops)) // a bytes.Buffer takes every write
	_ = w.WriteField("map", `{"0":["variables.file"]}`)
	filename := in.Key
	if contentType == DefaultUploadContentType {
		filename += ".jsonl"
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": "0", "filename": filename}))
	h.Set("Content-Type", contentType)
	part, _ := w.CreatePart(h)
	_, _ = part.Write(data)
	_ = w.Close()
	return b.Bytes(), w.FormDataContentType(), nil
}

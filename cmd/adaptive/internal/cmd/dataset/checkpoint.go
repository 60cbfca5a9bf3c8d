package dataset

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmdutil"
)

// readCheckpoint reads a checkpoint file, with an error that says what is
// wrong with it: missing, unreadable, not a checkpoint, of another version.
func readCheckpoint(path string) (*checkpointFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the checkpoint %s: %w", path, cmdutil.UnwrapPath(err))
	}
	var ck checkpointFile
	if err := json.Unmarshal(data, &ck); err != nil {
		return nil, fmt.Errorf("%s is not a checkpoint of adaptive dataset upload (%v): give the file an upload wrote", path, err)
	}
	switch {
	case ck.Version == 0:
		return nil, fmt.Errorf("%s is not a checkpoint of adaptive dataset upload (it has no version): give the file an upload wrote", path)
	case ck.Version != checkpointFileVersion:
		return nil, fmt.Errorf("%s is a checkpoint of version %d; this adaptive command reads version %d", path, ck.Version, checkpointFileVersion)
	case ck.Dataset.Key == "" || ck.Upload.SessionID == "":
		return nil, fmt.Errorf("%s is not a checkpoint of adaptive dataset upload (no dataset key or session): give the file an upload wrote", path)
	}
	return &ck, nil
}

// writeCheckpoint writes ck to path atomically: to a temporary file in the
// same directory, synced, then renamed, so that a crash at any moment
// leaves the previous checkpoint or the new one, never half of one.
func writeCheckpoint(path string, ck checkpointFile) error {
	data, err := json.MarshalIndent(ck, "", "  ")
	if err != nil {
		return err
	}
	if err := cmdutil.WriteFileAtomic(path, append(data, '\n')); err != nil {
		return cmdutil.UnwrapPath(err)
	}
	return nil
}

package dataset

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/spf13/cobra"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmdutil"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/iostreams"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/progress"
)

// UploadOptions are the inputs of "adaptive dataset upload".
type UploadOptions struct {
	IO       *iostreams.IOStreams
	Client   func() (*adaptive.Client, error)
	Settings *cmdutil.Settings

	File        string
	Key, Name   string
	Checkpoint  string // where to write the checkpoint; "" next to the file
	Resume      string // the checkpoint to resume from
	Concurrency int
	Wait        bool
}

// NewCmdUpload returns the upload verb; runF, when not nil, replaces its
// run.
func NewCmdUpload(f *cmdutil.Factory, runF func(context.Context, *UploadOptions) error) *cobra.Command {
	o := &UploadOptions{IO: f.IO, Client: f.Client, Settings: f.Settings}
	cmd := &cobra.Command{
		Use:   "upload FILE --key KEY [--name NAME] [--checkpoint PATH] | upload --resume CHECKPOINT FILE",
		Short: "Upload a dataset, resumably",
		Long: `Upload FILE (JSON Lines) as the dataset KEY of the project, in parts sent
concurrently, with progress (bytes, rate, time left), then create the dataset.

While it runs, a checkpoint is kept in a file (--checkpoint PATH, or FILE with
".upload-checkpoint.json" appended): if the upload fails, is interrupted
(Ctrl-C) or the process dies, "adaptive dataset upload --resume CHECKPOINT FILE"
sends only the parts the server lacks, after checking that FILE still holds
the bytes of the parts it has. The checkpoint is removed once the dataset
exists. Files of 5 MiB or less go in one request and need no checkpoint.

FILE may be "-", the standard input: it is spooled to a temporary file, and
nothing can be resumed (no checkpoint is written). Prints the dataset's id (a
sentence on a terminal, JSON with --json).`,
		Example: `  adaptive dataset upload chats.jsonl --key support-chats --name "Support chats"
  adaptive dataset upload --resume chats.jsonl.upload-checkpoint.json chats.jsonl
  zcat chats.jsonl.gz | adaptive dataset upload - --key support-chats`,
		Args: cmdutil.Args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File = args[0]
			if o.Resume != "" {
				for _, name := range []string{"key", "name", "checkpoint"} {
					if cmd.Flags().Changed(name) {
						return cmdutil.Usagef("--resume takes the dataset and the checkpoint's place from CHECKPOINT: leave out --%s", name)
					}
				}
				if o.File == "-" {
					return cmdutil.Usagef("--resume needs the FILE of the upload: the standard input cannot be resumed")
				}
			} else if err := cmdutil.RequireFlags(cmd, "key"); err != nil {
				return err
			}
			if o.File == "-" && o.Checkpoint != "" {
				return cmdutil.Usagef("--checkpoint: an upload from the standard input cannot be resumed, so it keeps no checkpoint")
			}
			if o.Concurrency < 0 {
				return cmdutil.Usagef("--concurrency %d: give 1 or more (0: the default, %d)", o.Concurrency, adaptive.DefaultUploadConcurrency)
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runUpload(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Key, "key", "", "the dataset's key (required without --resume)")
	fl.StringVar(&o.Name, "name", "", "the dataset's name (default: its key)")
	fl.StringVar(&o.Checkpoint, "checkpoint", "", "where to keep the checkpoint (default: FILE.upload-checkpoint.json)")
	fl.StringVar(&o.Resume, "resume", "", "resume the upload of this checkpoint")
	fl.IntVar(&o.Concurrency, "concurrency", 0, fmt.Sprintf("parts sent at once (default %d)", adaptive.DefaultUploadConcurrency))
	fl.BoolVar(&o.Wait, "wait", false, "wait until the server has processed the dataset")
	return cmd
}

// datasetResult is what --json prints.
type datasetResult struct {
	ID        string `json:"id"`
	Key       string `json:"key"`
	Name      string `json:"name"`
	Project   string `json:"project"`
	Status    string `json:"status"`
	Bytes     int64  `json:"bytes"`
	Parts     int    `json:"parts,omitempty"`
	SessionID string `json:"session_id,omitempty"`
}

func runUpload(ctx context.Context, o *UploadOptions) error {
	client, err := o.Client()
	if err != nil {
		return err
	}
	var (
		ck   *checkpointFile
		path = o.Checkpoint
		req  adaptive.DatasetUploadRequest
	)
	if o.Resume != "" {
		path = o.Resume
		if ck, err = readCheckpoint(path); err != nil {
			return err
		}
		req = adaptive.DatasetUploadRequest(ck.Dataset)
		if p := o.Settings.Project; p != "" && p != req.Project {
			return cmdutil.Usagef("--project %s: the checkpoint is of an upload to project %s", p, req.Project)
		}
	} else {
		project, err := cmdutil.RequireProject(client)
		if err != nil {
			return err
		}
		req = adaptive.DatasetUploadRequest{Project: project, Key: o.Key, Name: o.Name}
		if o.File != "-" {
			if path == "" {
				path = o.File + ".upload-checkpoint.json"
			}
			if _, err := os.Stat(path); err == nil {
				return fmt.Errorf("%s exists: an earlier upload can be resumed with: adaptive dataset upload --resume %s %s (or remove it to start over)", path, path, o.File)
			}
		}
	}

	in, size, err := cmdutil.OpenInput(o.IO.In, o.File)
	if err != nil {
		return err
	}
	defer in.Close()
	if ck != nil && size != ck.Upload.Size {
		return fmt.Errorf("%s holds %s, and the upload of %s was of %s: resume it with the same file", o.File, progress.Bytes(size), path, progress.Bytes(ck.Upload.Size))
	}
	switch {
	case o.File == "-":
		fmt.Fprintln(o.IO.ErrOut, "adaptive: reading the standard input: this upload cannot be resumed if it fails (no checkpoint is written)")
	case ck != nil:
		fmt.Fprintf(o.IO.ErrOut, "adaptive: resuming the upload of %s as dataset %s: the checkpoint lists %d of %d parts\n", o.File, req.Key, ck.Upload.Acknowledged(), ck.Upload.Parts)
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	saver := &checkpointSaver{path: path, dataset: req, file: o.File}
	name := o.File
	if name == "-" {
		name = "the standard input"
	}
	meter := progress.Start(o.IO.ErrOut, o.Settings.Progress, o.IO.ErrTTY, progress.Options{Label: "uploading " + name, Total: size, Bytes: true})
	opts := &adaptive.UploadOptions{
		Concurrency: o.Concurrency,
		Progress:    func(p adaptive.UploadProgress) { showUpload(meter, name, req.Key, p) },
	}
	if o.File != "-" {
		opts.KeepOnError = true
		opts.OnCheckpoint = func(cp adaptive.UploadCheckpoint) {
			if err := saver.save(cp); err != nil {
				cancel(err) // the upload stops: it could not be resumed
			}
		}
	}

	var d *adaptive.Dataset
	if ck != nil {
		f, ok := in.(io.ReaderAt)
		if !ok {
			return fmt.Errorf("%s cannot be read at random: resume needs a file", o.File)
		}
		d, err = client.Datasets.Resume(ctx, ck.Upload, f, req, opts)
	} else {
		d, err = client.Datasets.Upload(ctx, in, req, opts)
	}
	if err == nil && o.Wait {
		meter.Describe("processing dataset " + req.Key)
		d, err = client.Datasets.Wait(ctx, d)
	}
	if cause := context.Cause(ctx); err != nil && cause != nil && !errors.Is(cause, context.Canceled) {
		err = cause // the checkpoint could not be written
	}
	if err != nil {
		meter.Abort()
		return o.failed(err, saver)
	}
	meter.Done()
	saver.remove()
	res := datasetResult{ID: d.ID, Key: d.Key, Name: d.Name, Project: d.Project, Status: string(d.Status)}
	if d.Upload != nil {
		res.Bytes, res.Parts, res.SessionID = d.Upload.Bytes, d.Upload.Parts, d.Upload.SessionID
	}
	human := fmt.Sprintf("Uploaded %s (%s) as dataset %s of project %s: id %s, status %s", o.File, progress.Bytes(res.Bytes), res.Key, res.Project, res.ID, res.Status)
	return cmdutil.PrintResult(o.IO, o.Settings, d.ID, human, res)
}

// failed reports a failed upload and how to resume it, when it can be.
func (o *UploadOptions) failed(err error, saver *checkpointSaver) error {
	msg := "adaptive: uploading " + o.File + ": " + cmdutil.Describe(err)
	var valErr *adaptive.ValidationError
	if errors.As(err, &valErr) && valErr.Field == "r" {
		// The source: the file the user gave.
		msg = "adaptive: " + o.File + ": " + valErr.Reason
	}
	var upErr *adaptive.UploadError
	aborted := errors.As(err, &upErr) && upErr.Aborted
	switch acked, parts, ok := saver.state(); {
	case ok && !aborted:
		msg += fmt.Sprintf("\n%d of %d parts are on the server; resume with: adaptive dataset upload --resume %s %s", acked, parts, saver.path, o.File)
	case ok:
		saver.remove()
		msg += "\nthe upload session was aborted: start the upload again"
	case o.File == "-":
		msg += "\nthe standard input cannot be resumed: start the upload again"
	}
	fmt.Fprintln(o.IO.ErrOut, msg)
	return cmdutil.ErrReported
}

// showUpload shows an upload's progress: the phase as the label, and the
// bytes that left (acknowledged or in flight) or were read.
func showUpload(m *progress.Meter, file, key string, p adaptive.UploadProgress) {
	label, done := "", p.Bytes+p.Sent
	switch p.Phase {
	case adaptive.UploadPhaseSpooling:
		label, done = "reading "+file, p.Read
	case adaptive.UploadPhaseChecking:
		label, done = "checking "+file, p.Read
	case adaptive.UploadPhaseUploading:
		label = "uploading " + file
	case adaptive.UploadPhaseVerifying:
		label = "verifying the upload of " + file
	case adaptive.UploadPhaseCreating:
		label = "creating dataset " + key
	}
	if p.Total > 0 {
		m.SetTotal(p.Total)
	}
	m.Set(done)
	if label != "" { // the final phases (done, failed) keep the last label
		m.Describe(label)
	}
}

// checkpointFile is what the checkpoint file holds: the SDK's checkpoint
// and the dataset it makes.
type checkpointFile struct {
	Version int                       `json:"version"`
	File    string                    `json:"file"`
	Dataset checkpointDataset         `json:"dataset"`
	Upload  adaptive.UploadCheckpoint `json:"upload"`
}

// checkpointDataset is the dataset of a checkpoint.
type checkpointDataset struct {
	Project string `json:"project"`
	Key     string `json:"key"`
	Name    string `json:"name,omitempty"`
}

const checkpointFileVersion = 1

// checkpointSaver writes each checkpoint the upload hands out, atomically.
type checkpointSaver struct {
	path    string
	dataset adaptive.DatasetUploadRequest
	file    string

	mu   sync.Mutex
	last *adaptive.UploadCheckpoint
}

func (s *checkpointSaver) save(cp adaptive.UploadCheckpoint) error {
	abs, _ := filepath.Abs(s.file)
	err := writeCheckpoint(s.path, checkpointFile{Version: checkpointFileVersion, File: abs, Dataset: checkpointDataset(s.dataset), Upload: cp})
	if err != nil {
		return fmt.Errorf("cannot keep the checkpoint in %s (%w): choose another place with --checkpoint", s.path, err)
	}
	s.mu.Lock()
	s.last = &cp
	s.mu.Unlock()
	return nil
}

// state returns the parts acknowledged in the last checkpoint written, and
// whether one was.
func (s *checkpointSaver) state() (acked, parts int, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == nil {
		return 0, 0, false
	}
	return s.last.Acknowledged(), s.last.Parts, true
}

// remove removes the checkpoint file: the upload needs no resuming. (A
// new upload starts only where no checkpoint file is.)
func (s *checkpointSaver) remove() {
	if s.path != "" {
		_ = os.Remove(s.path)
	}
}

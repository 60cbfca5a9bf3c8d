package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/iostreams"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/progress"
)

// SaveOptions say where a download goes.
type SaveOptions struct {
	// Output is the -o flag: a file (replaced if it exists), a directory
	// to save into, "-" for stdout, or "" for a file in the current
	// directory named as the server suggests (or DefaultName), which must
	// not exist yet.
	Output string
	// DefaultName names the file when the server suggests no name.
	DefaultName string
	// What names the download in messages ("dataset sales").
	What string
}

// savedFile is what --json prints about a saved download.
type savedFile struct {
	Path        string `json:"path,omitempty"`
	Bytes       int64  `json:"bytes"`
	Filename    string `json:"filename,omitempty"`
	ContentType string `json:"content_type,omitempty"`
}

// SaveDownload calls get with an option that counts the body's bytes for
// the progress bar, then saves the download where o says: atomically to a
// file (Download.SaveFile: nothing appears under the name unless the whole
// body arrived) or streamed to stdout. It prints the path (or a sentence
// on a terminal, or JSON) on stdout when saving to a file.
func SaveDownload(ctx context.Context, ios *iostreams.IOStreams, s *Settings, o SaveOptions, get func(ctx context.Context, opts ...adaptive.Option) (*adaptive.Download, error)) error {
	var body countingBody
	count := adaptive.WithMiddleware(func(req *http.Request, next adaptive.MiddlewareNext) (*http.Response, error) {
		resp, err := next(req)
		if err == nil && resp.StatusCode < 300 {
			body.ReadCloser = resp.Body
			resp.Body = &body
		}
		return resp, err
	})
	d, err := get(ctx, count)
	if err != nil {
		return err
	}
	defer d.Close()
	path, err := o.target(d)
	if err != nil {
		return err
	}
	label := "downloading " + o.What
	meter := progress.Start(ios.ErrOut, s.Progress, ios.ErrTTY, progress.Options{Label: label, Total: d.Size, Bytes: true})
	body.onRead = meter.Set
	var n int64
	if path == "" {
		n, err = d.WriteTo(ios.Out)
	} else {
		n, err = d.SaveFile(path)
	}
	if err != nil {
		meter.Abort()
		return err
	}
	meter.Done()
	if path == "" {
		return nil
	}
	return PrintResult(ios, s, path, fmt.Sprintf("Saved %s (%s) to %s", o.What, progress.Bytes(n), path),
		savedFile{Path: path, Bytes: n, Filename: d.Filename, ContentType: d.ContentType})
}

// target returns the path to save d to, "" meaning stdout.
func (o SaveOptions) target(d *adaptive.Download) (string, error) {
	name := d.Filename
	if name == "" {
		name = filepath.Base(o.DefaultName)
	}
	switch {
	case o.Output == "-":
		return "", nil
	case o.Output == "":
		if _, err := os.Lstat(name); err == nil {
			return "", fmt.Errorf("%s exists: pass -o %s to replace it, or -o another name", name, name)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("cannot save to %s: %w", name, err)
		}
		return name, nil
	}
	if strings.HasSuffix(o.Output, string(filepath.Separator)) || strings.HasSuffix(o.Output, "/") {
		return filepath.Join(o.Output, name), nil
	}
	if st, err := os.Stat(o.Output); err == nil && st.IsDir() {
		return filepath.Join(o.Output, name), nil
	}
	return o.Output, nil
}

// countingBody counts the bytes read from a download's body.
type countingBody struct {
	io.ReadCloser
	n      int64
	onRead func(int64)
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	if b.onRead != nil {
		b.onRead(b.n)
	}
	return n, err
}

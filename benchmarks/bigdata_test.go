package benchmarks

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// bigSize is the size of the upload and download benchmarks' payload.
const bigSize = 256 << 20

// pattern is one block of the payload: printable JSONL-like bytes, so that
// nothing on the path can take a shortcut on zeros.
var pattern = func() []byte {
	const line = `{"messages":[{"role":"user","content":"hello"}],"completion":"a deterministic line of a dataset"}` + "\n"
	p := make([]byte, 0, 64<<10)
	for len(p)+len(line) <= cap(p) {
		p = append(p, line...)
	}
	return p
}()

// patternReaderAt yields size bytes of the repeated pattern without holding
// them in memory, so that the heap measured during a benchmark is the code
// under test, not the payload.
type patternReaderAt struct{ size int64 }

func (p patternReaderAt) ReadAt(b []byte, off int64) (int, error) {
	if off >= p.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(b) && off < p.size {
		k := copy(b[n:min(len(b), n+int(p.size-off))], pattern[off%int64(len(pattern)):])
		n += k
		off += int64(k)
	}
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

// payloadReader is a plain, non-seekable io.Reader over the payload: no
// Len, Seek, Stat or ReadAt for the SDK to discover.
type payloadReader struct{ r *io.SectionReader }

func (p payloadReader) Read(b []byte) (int, error) { return p.r.Read(b) }

func newPayloadReader() io.Reader {
	return payloadReader{io.NewSectionReader(patternReaderAt{bigSize}, 0, bigSize)}
}

// payloadFile writes the payload to a file in a temporary directory once
// per benchmark and returns its path.
func payloadFile(tb testing.TB) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "payload.jsonl")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(f, io.NewSectionReader(patternReaderAt{bigSize}, 0, bigSize)); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

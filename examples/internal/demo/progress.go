package demo

import (
	"fmt"
	"io"
	"time"

	"github.com/adaptive-go/adaptive"
)

// Progress returns an UploadOptions.Progress callback that redraws one line
// on w: percent, MiB acknowledged by the server and MiB/s since start.
func Progress(w io.Writer) func(adaptive.UploadProgress) {
	start := time.Now()
	return func(p adaptive.UploadProgress) {
		pct := 100.0
		if p.Total > 0 {
			pct = 100 * float64(p.Bytes) / float64(p.Total)
		}
		rate := float64(p.Bytes) / (1 << 20) / max(time.Since(start).Seconds(), 1e-3)
		fmt.Fprintf(w, "\r  uploaded %5.1f%%  %7.1f MiB  %7.1f MiB/s  parts %d/%d", pct, float64(p.Bytes)/(1<<20), rate, p.Parts, p.TotalParts)
		if p.Bytes == p.Total {
			fmt.Fprintln(w)
		}
	}
}

package demo

import (
	"fmt"
	"io"
	"time"

	"github.com/adaptive-go/adaptive"
)

// Progress returns an UploadOptions.Progress callback that redraws one line
// on w: the MiB read while spooling or checking, then the percent and MiB
// acknowledged by the server (with the MiB in flight) and MiB/s since
// start; the final call ends the line.
func Progress(w io.Writer) func(adaptive.UploadProgress) {
	start := time.Now()
	return func(p adaptive.UploadProgress) {
		switch p.Phase {
		case adaptive.UploadPhaseSpooling, adaptive.UploadPhaseChecking:
			fmt.Fprintf(w, "\r  %s %7.1f MiB", p.Phase, float64(p.Read)/(1<<20))
			return
		}
		pct := 100.0
		if p.Total > 0 {
			pct = 100 * float64(p.Bytes) / float64(p.Total)
		}
		rate := float64(p.Bytes) / (1 << 20) / max(time.Since(start).Seconds(), 1e-3)
		fmt.Fprintf(w, "\r  uploaded %5.1f%%  %7.1f MiB (+%.1f in flight)  %7.1f MiB/s  parts %d/%d  %-9s",
			pct, float64(p.Bytes)/(1<<20), float64(p.Sent)/(1<<20), rate, p.Parts, p.TotalParts, p.Phase)
		if p.Phase == adaptive.UploadPhaseDone || p.Phase == adaptive.UploadPhaseFailed {
			fmt.Fprintln(w)
		}
	}
}

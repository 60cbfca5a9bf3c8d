// Package progress shows the progress of a long task on the command's
// error stream: a bar redrawn in place when that stream is a terminal (or
// when asked to), otherwise a plain line every so often, or nothing.
package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Mode is the --progress setting.
type Mode string

// The values of --progress.
const (
	// Auto draws a bar when the error stream is a terminal, and otherwise
	// prints a plain line every PlainInterval.
	Auto Mode = "auto"
	// Always draws a bar, terminal or not.
	Always Mode = "always"
	// Never shows no progress.
	Never Mode = "never"
)

// ParseMode returns the Mode named s, or an error that lists the modes.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case Auto, Always, Never:
		return m, nil
	}
	return "", fmt.Errorf("--progress %q: use auto, always or never", s)
}

// PlainInterval is how often a plain progress line is printed: a task
// that ends sooner prints none.
const PlainInterval = 10 * time.Second

// drawInterval bounds how often the bar is redrawn.
const drawInterval = 100 * time.Millisecond

// Options describe a task.
type Options struct {
	// Label names the task ("uploading data.jsonl").
	Label string
	// Total is the amount of work, or -1 when unknown.
	Total int64
	// Bytes says the work is counted in bytes (sizes and rates are shown
	// as such); otherwise it is counted in Unit.
	Bytes bool
	// Unit names what is counted when not bytes ("lines").
	Unit string
}

// Meter shows the progress of one task. Its methods are safe for
// concurrent use; after Done or Abort they do nothing but Printf.
type Meter struct {
	mu       sync.Mutex
	w        io.Writer
	opt      Options
	now      func() time.Time
	start    time.Time
	last     time.Time // of the last bar drawn or plain line printed
	done     int64
	bar      *progressbar.ProgressBar // nil unless drawing
	quiet    bool
	finished bool
}

// Start begins showing a task on w, whose terminal state is given: as a
// bar redrawn in place (mode Always, or Auto on a terminal), as a plain
// line every PlainInterval (Auto elsewhere), or not at all (Never).
func Start(w io.Writer, mode Mode, terminal bool, opt Options) *Meter {
	return start(w, mode, terminal, opt, time.Now)
}

func start(w io.Writer, mode Mode, terminal bool, opt Options, now func() time.Time) *Meter {
	m := &Meter{w: w, opt: opt, now: now, quiet: mode == Never}
	m.start, m.last = now(), now()
	if mode == Always || (mode == Auto && terminal) {
		m.bar = newBar(w, opt)
	}
	return m
}

// newBar makes the terminal bar: redrawn in place ("\r", the bar, then
// an ANSI erase to the end of the line) only when told (the Meter
// throttles), with no goroutine of its own.
func newBar(w io.Writer, opt Options) *progressbar.ProgressBar {
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(opt.Label),
		progressbar.OptionSetWidth(24),
		progressbar.OptionShowBytes(opt.Bytes),
		progressbar.OptionUseIECUnits(true),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetSpinnerChangeInterval(0),
		progressbar.OptionUseANSICodes(true),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionOnCompletion(func() { _, _ = io.WriteString(w, "\n") }),
	}
	if !opt.Bytes {
		// Bytes show their rate already.
		opts = append(opts, progressbar.OptionShowIts())
		if opt.Unit != "" {
			opts = append(opts, progressbar.OptionSetItsString(opt.Unit))
		}
	}
	return progressbar.NewOptions64(opt.Total, opts...)
}

// Set records that done units of work are done, redrawing the bar or
// printing a plain line when it is time to.
func (m *Meter) Set(done int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.finished || m.quiet {
		return
	}
	m.done = done
	now := m.now()
	switch {
	case m.bar != nil:
		if now.Sub(m.last) >= drawInterval {
			_ = m.bar.Set64(done)
			m.last = now
		}
	case now.Sub(m.last) >= PlainInterval:
		_, _ = io.WriteString(m.w, m.plainLine(now)+"\n")
		m.last = now
	}
}

// Add records n more units of work done.
func (m *Meter) Add(n int64) {
	m.mu.Lock()
	done := m.done + n
	m.mu.Unlock()
	m.Set(done)
}

// SetTotal changes the amount of work (-1: unknown).
func (m *Meter) SetTotal(total int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.opt.Total == total || m.finished {
		return
	}
	m.opt.Total = total
	if m.bar != nil {
		m.bar.ChangeMax64(total)
	}
}

// Describe changes the label.
func (m *Meter) Describe(label string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.opt.Label == label || m.finished {
		return
	}
	m.opt.Label = label
	if m.bar != nil {
		m.bar.Describe(label)
		// The bar may be behind (Set throttles it): a new phase shows
		// where the work is.
		_ = m.bar.Set64(m.done)
		m.last = m.now()
	}
}

// Printf prints a message on a line of its own, above the bar when there
// is one, whatever the mode (--progress never included).
func (m *Meter) Printf(format string, args ...any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	msg := fmt.Sprintf(format, args...)
	if !strings.HasSuffix(msg, "\n") {
		msg += "\n"
	}
	if m.bar == nil || m.finished {
		_, _ = io.WriteString(m.w, msg)
		return
	}
	_ = m.bar.Clear()
	_, _ = io.WriteString(m.w, msg)
	_ = m.bar.Add64(0) // draw it again below
}

// Done ends a task that completed: the bar is drawn full and left on its
// line. A plain Meter prints nothing more (the command says what it did).
func (m *Meter) Done() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.finished {
		return
	}
	m.finished = true
	if m.bar != nil {
		_ = m.bar.Set64(m.done)
		_ = m.bar.Finish()
	}
}

// Abort ends a task that failed or was interrupted: the bar is left as it
// was, and the cursor moved to the next line for the error message.
func (m *Meter) Abort() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.finished {
		return
	}
	m.finished = true
	if m.bar != nil {
		_ = m.bar.Set64(m.done)
		_ = m.bar.Exit()
	}
}

// plainLine describes the progress in words: "uploading x: 12.0 MiB of
// 30.0 MiB (40%), 5.1 MiB/s, about 4s left".
func (m *Meter) plainLine(now time.Time) string {
	var b strings.Builder
	if m.opt.Label != "" {
		b.WriteString(m.opt.Label + ": ")
	}
	b.WriteString(m.amount(m.done))
	if m.opt.Total >= 0 {
		b.WriteString(" of " + m.amount(m.opt.Total))
		if m.opt.Total > 0 {
			fmt.Fprintf(&b, " (%d%%)", m.done*100/m.opt.Total)
		}
	}
	elapsed := now.Sub(m.start)
	if elapsed > 0 && m.done > 0 {
		rate := float64(m.done) / elapsed.Seconds()
		if m.opt.Bytes {
			b.WriteString(", " + Bytes(int64(rate)) + "/s")
		} else {
			fmt.Fprintf(&b, ", %.1f/s", rate)
		}
		if m.opt.Total > m.done {
			left := time.Duration(float64(m.opt.Total-m.done) / rate * float64(time.Second))
			b.WriteString(", about " + left.Round(time.Second).String() + " left")
		}
	}
	return b.String()
}

func (m *Meter) amount(n int64) string {
	if m.opt.Bytes {
		return Bytes(n)
	}
	if m.opt.Unit != "" {
		return fmt.Sprintf("%d %s", n, m.opt.Unit)
	}
	return fmt.Sprint(n)
}

// Bytes formats a size in IEC units: "512 B", "12.0 MiB".
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for v := n / unit; v >= unit && exp < 5; v /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

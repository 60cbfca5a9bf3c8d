package interactions

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmdutil"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/iostreams"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/progress"
)

// ImportOptions are the inputs of "adaptive interactions import".
type ImportOptions struct {
	IO       *iostreams.IOStreams
	Client   func() (*adaptive.Client, error)
	Settings *cmdutil.Settings

	File        string
	Concurrency int
	SkipBad     bool
}

// NewCmdImport returns the import verb; runF, when not nil, replaces its
// run.
func NewCmdImport(f *cmdutil.Factory, runF func(context.Context, *ImportOptions) error) *cobra.Command {
	o := &ImportOptions{IO: f.IO, Client: f.Client, Settings: f.Settings}
	var onBad string
	cmd := &cobra.Command{
		Use:   "import FILE.jsonl",
		Short: "Import interactions from a JSON Lines file",
		Long: `Import one interaction per line of FILE (the standard input for "-"): a JSON
object with "messages" and "completion", and optionally "feedbacks",
"session_id", "created_at", "user", "labels", "ab_campaign", "model_service"
and "project", as the API names them. Blank lines are skipped.

Lines are sent concurrently (--concurrency) and reported in order: with --json,
one JSON object per line of the file ({"line": n, "completion_id": ...} or
{"line": n, "error": ...}); piped, the completion ids; a summary goes to stderr.
A bad line (not JSON, a missing or unknown field, refused by the server) is
reported with its line number and stops the import, or with --on-bad-line skip
is skipped; either way the command then exits with 1. A failure that is not
the line's (the key, the network, the server) stops the import.`,
		Example: `  adaptive interactions import chats.jsonl
  adaptive interactions import --on-bad-line skip --json chats.jsonl > results.jsonl
  zcat chats.jsonl.gz | adaptive interactions import -`,
		Args: cmdutil.Args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File = args[0]
			switch onBad {
			case "stop":
			case "skip":
				o.SkipBad = true
			default:
				return cmdutil.Usagef("--on-bad-line %q: use stop or skip", onBad)
			}
			if o.Concurrency < 1 {
				return cmdutil.Usagef("--concurrency %d: give 1 or more", o.Concurrency)
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runImport(cmd.Context(), o)
		},
	}
	cmd.Flags().IntVar(&o.Concurrency, "concurrency", 8, "interactions sent at once")
	cmd.Flags().StringVar(&onBad, "on-bad-line", "stop", "what a bad line does: stop the import, or skip it")
	return cmd
}

// job is one line of the file on its way.
type job struct {
	line   int
	req    adaptive.InteractionRequest
	resp   *adaptive.AddInteractionsResponse
	err    error
	bad    bool // the line's fault: reported, and skipped or stopping
	done   chan struct{}
	fatal  bool // not the line's fault: the import stops
	unsent bool // taken after the import began to stop: not sent
}

// lineResult is a line's outcome, as --json prints it.
type lineResult struct {
	Line         int         `json:"line"`
	CompletionID string      `json:"completion_id,omitempty"`
	SessionID    *uuid.UUID  `json:"session_id,omitempty"`
	FeedbackIDs  []uuid.UUID `json:"feedback_ids,omitempty"`
	Error        string      `json:"error,omitempty"`
}

// summary counts what an import did.
type summary struct {
	imported, bad int
	badLines      []int
	fatal         *job
	readErr       error
}

func runImport(ctx context.Context, o *ImportOptions) error {
	in, size, err := cmdutil.OpenInput(o.IO.In, o.File)
	if err != nil {
		return err
	}
	defer in.Close()
	total := int64(-1)
	if f, ok := in.(*os.File); ok && size >= 0 {
		if total, err = countLines(f); err != nil {
			return fmt.Errorf("reading %s: %w", o.File, err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("reading %s: %w", o.File, err)
		}
	}
	client, err := o.Client()
	if err != nil {
		return err
	}
	start := time.Now()
	meter := progress.Start(o.IO.ErrOut, o.Settings.Progress, o.IO.ErrTTY, progress.Options{Label: "importing " + o.File, Total: total, Unit: "lines"})
	sum := o.importLines(ctx, client, in, meter)
	if sum.fatal != nil || sum.readErr != nil || sum.bad > 0 {
		meter.Abort()
	} else {
		meter.Done()
	}
	o.report(sum, time.Since(start))
	if sum.fatal != nil || sum.readErr != nil || sum.bad > 0 {
		return cmdutil.ErrReported
	}
	return nil
}

// importLines sends the lines of r and prints their outcomes in order. A
// reader goroutine parses the lines and queues them, in order, both for
// the senders and for the printer (this goroutine), which waits for each in
// turn: the queue bounds how far the reader runs ahead of the printer.
func (o *ImportOptions) importLines(ctx context.Context, client *adaptive.Client, r io.Reader, meter *progress.Meter) summary {
	var (
		stopping atomic.Bool
		sum      summary
		wg       sync.WaitGroup
	)
	work := make(chan *job)
	order := make(chan *job, 4*o.Concurrency)
	for range o.Concurrency {
		wg.Go(func() {
			for j := range work {
				if stopping.Load() {
					j.unsent = true
				} else {
					j.resp, j.err = client.Interactions.Add(ctx, j.req)
					j.bad, j.fatal = classify(j.err)
					if j.fatal || (j.bad && !o.SkipBad) {
						stopping.Store(true) // before any other sender takes a line
					}
				}
				close(j.done)
			}
		})
	}
	go func() {
		defer close(order)
		defer close(work)
		sc := newScanner(r)
		for n := 1; sc.Scan(); n++ {
			if stopping.Load() || ctx.Err() != nil {
				return
			}
			if isBlank(sc.Bytes()) {
				continue
			}
			j := &job{line: n, done: make(chan struct{})}
			j.req, j.err = parseLine(sc.Bytes())
			if j.err != nil {
				j.bad = true
				close(j.done)
				order <- j
				if !o.SkipBad {
					return // the lines before it still go
				}
				continue
			}
			order <- j
			select {
			case work <- j:
			case <-ctx.Done():
				j.err, j.fatal = ctx.Err(), true
				close(j.done)
				return
			}
		}
		sum.readErr = sc.Err() // read by the printer once order is closed
		if errors.Is(sum.readErr, bufio.ErrTooLong) {
			sum.readErr = fmt.Errorf("a line is longer than %s", progress.Bytes(maxLine))
		}
	}()

	for j := range order {
		<-j.done
		if !j.unsent {
			o.printLine(j, meter, &sum)
		}
	}
	wg.Wait()
	return sum
}

// printLine reports a line's outcome.
func (o *ImportOptions) printLine(j *job, meter *progress.Meter, sum *summary) {
	meter.Add(1)
	res := lineResult{Line: j.line}
	switch {
	case j.err == nil:
		sum.imported++
		res.CompletionID, res.SessionID, res.FeedbackIDs = j.resp.CompletionID, &j.resp.SessionID, j.resp.FeedbackIDs
		if !o.Settings.JSON && !o.IO.OutTTY {
			fmt.Fprintln(o.IO.Out, j.resp.CompletionID)
		}
	case j.bad:
		sum.bad++
		sum.badLines = append(sum.badLines, j.line)
		res.Error = describeBad(j.err)
		then := "stopping (--on-bad-line skip imports the other lines)"
		if o.SkipBad {
			then = "skipped"
		}
		meter.Printf("line %d: %s: %s", j.line, res.Error, then)
	default:
		res.Error = cmdutil.Describe(j.err)
		if sum.fatal == nil {
			sum.fatal = j
		}
	}
	if o.Settings.JSON {
		_ = cmdutil.WriteJSON(o.IO.Out, res)
	}
}

// report prints the summary on stderr.
func (o *ImportOptions) report(sum summary, took time.Duration) {
	w := o.IO.ErrOut
	if sum.fatal != nil {
		fmt.Fprintf(w, "adaptive: line %d: %s\n", sum.fatal.line, cmdutil.Describe(sum.fatal.err))
	}
	if sum.readErr != nil {
		fmt.Fprintf(w, "adaptive: reading %s: %v\n", o.File, sum.readErr)
	}
	msg := fmt.Sprintf("imported %d interaction%s from %s in %v", sum.imported, plural(sum.imported), o.File, took.Round(time.Millisecond))
	if sum.bad > 0 {
		msg += fmt.Sprintf("; %d bad line%s: %s", sum.bad, plural(sum.bad), lineList(sum.badLines))
	}
	if sum.fatal != nil || sum.readErr != nil || (sum.bad > 0 && !o.SkipBad) {
		msg += "; stopped early"
	}
	fmt.Fprintln(w, msg)
}

// classify tells a line's own failure (bad input, refused by the server)
// from one that would fail every line (the key, the network, the server,
// an interrupt).
func classify(err error) (bad, fatal bool) {
	if err == nil {
		return false, false
	}
	var valErr *adaptive.ValidationError
	var apiErr *adaptive.APIError
	switch {
	case errors.As(err, &valErr):
		return true, false
	case errors.As(err, &apiErr):
		switch apiErr.StatusCode {
		case http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
			return true, false
		}
	}
	return false, true
}

// describeBad says what is wrong with a line.
func describeBad(err error) string {
	var apiErr *adaptive.APIError
	if errors.As(err, &apiErr) {
		return fmt.Sprintf("refused by the server (%d): %s", apiErr.StatusCode, apiErr.Message)
	}
	return strings.TrimPrefix(err.Error(), "adaptive: ")
}

// lineList lists line numbers, the first ten of them.
func lineList(lines []int) string {
	var parts []string
	for i, l := range lines {
		if i == 10 {
			parts = append(parts, fmt.Sprintf("and %d more", len(lines)-10))
			break
		}
		parts = append(parts, fmt.Sprint(l))
	}
	return strings.Join(parts, ", ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

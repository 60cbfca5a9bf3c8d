// Package fake is the "adaptive fake" command: the adaptivetest fake
// server, standalone.
package fake

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"os"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmdutil"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/iostreams"
)

// Options are the inputs of "adaptive fake".
type Options struct {
	IO       *iostreams.IOStreams
	Settings *cmdutil.Settings

	Addr      string
	EnvFile   string
	Project   string
	Seed      *uint64
	Script    *adaptivetest.Script
	Latency   time.Duration
	LatencyOn []routeDelay
	Fail      []routeFault
	FailPart  []partFault
	// Ready, when set, is called with the server once it serves (tests).
	Ready func(*adaptivetest.Server)
}

// NewCmdFake returns the fake command; runF, when not nil, replaces its
// run.
func NewCmdFake(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	o := &Options{IO: f.IO, Settings: f.Settings}
	var (
		seed                                 uint64
		script                               string
		latencyOn, fails, drops, failedParts []string
	)
	cmd := &cobra.Command{
		Use:   "fake [--addr 127.0.0.1:0] [--env-file PATH] [flags]",
		Short: "Run a fake Adaptive server for tests and demos",
		Long: `Run the SDK's fake Adaptive server (package adaptivetest) until interrupted. It
implements every route of the API, checks requests against the API's contract,
and keeps what is uploaded (a dataset uploaded to it can be downloaded back).

Once it serves, it prints ADAPTIVE_BASE_URL=..., ADAPTIVE_API_KEY=... and
ADAPTIVE_PROJECT=... on stdout, one per line (one JSON object with --json), and
writes the same lines to --env-file, atomically, so that a script can start it
in the background, wait for the file and source it. The file is removed when
the server stops. The key is new on each run, or derived from --seed; the
project is --project, or "demo" (the ADAPTIVE_* variables are not read).

--seed also makes the ids the server makes up (sessions, completions,
messages, uploads, request ids) the same from run to run for the same
requests in the same order; answers are deterministic anyway. --script FILE
gives it scripted replies (see "go doc github.com/adaptive-go/adaptive/adaptivetest
ParseScript"). Routes for the fault flags are named chat, embeddings,
comparison, outcome, interactions, upload_init, upload_part, upload_status,
upload_abort, dataset_download, recipe_download, artifact_download, image and
graphql.`,
		Example: `  adaptive fake --env-file /tmp/adaptive.env &
  while [ ! -f /tmp/adaptive.env ]; do sleep 0.1; done; . /tmp/adaptive.env; export ADAPTIVE_BASE_URL ADAPTIVE_API_KEY ADAPTIVE_PROJECT
  adaptive fake --addr 0.0.0.0:8080 --seed 1 --script replies.json --latency 50ms --fail chat=503x2`,
		Args: cmdutil.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("seed") {
				o.Seed = &seed
			}
			if script != "" {
				data, err := os.ReadFile(script)
				if err != nil {
					return fmt.Errorf("--script: %w", err)
				}
				if o.Script, err = adaptivetest.ParseScript(data); err != nil {
					return fmt.Errorf("--script %s: %w", script, err)
				}
			}
			if o.Latency < 0 {
				return cmdutil.Usagef("--latency %v: give 0 or more", o.Latency)
			}
			if err := parseAll(latencyOn, parseRouteDelay, &o.LatencyOn); err != nil {
				return err
			}
			if err := parseAll(fails, parseFail, &o.Fail); err != nil {
				return err
			}
			if err := parseAll(drops, parseDrop, &o.Fail); err != nil {
				return err
			}
			if err := parseAll(failedParts, parseFailPart, &o.FailPart); err != nil {
				return err
			}
			o.Project = f.Settings.Project
			if o.Project == "" {
				o.Project = adaptivetest.DefaultProject
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return run(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Addr, "addr", "127.0.0.1:0", "the address to listen on (port 0: any free port)")
	fl.StringVar(&o.EnvFile, "env-file", "", "also write the ADAPTIVE_* lines to this file once serving")
	fl.Uint64Var(&seed, "seed", 0, "make the key and the ids the server makes up repeat from run to run")
	fl.StringVar(&script, "script", "", "a JSON file of scripted replies")
	fl.DurationVar(&o.Latency, "latency", 0, "delay every request by this much")
	fl.StringArrayVar(&latencyOn, "latency-on", nil, "delay the requests of one route: ROUTE=DURATION, such as upload_part=200ms; repeatable")
	fl.StringArrayVar(&fails, "fail", nil, "fail the next requests of a route: ROUTE=STATUS or ROUTE=STATUSxN, such as chat=503x2; repeatable")
	fl.StringArrayVar(&drops, "drop", nil, "drop the connection of the next requests of a route: ROUTE or ROUTExN; repeatable")
	fl.StringArrayVar(&failedParts, "fail-part", nil, "fail an upload part: PART=STATUS or PART=STATUSxN; repeatable")
	return cmd
}

// parseAll parses each value into out, as a usage error on the first bad
// one.
func parseAll[T any](values []string, parse func(string) (T, error), out *[]T) error {
	for _, v := range values {
		x, err := parse(v)
		if err != nil {
			return &cmdutil.UsageError{Err: err}
		}
		*out = append(*out, x)
	}
	return nil
}

func run(ctx context.Context, o *Options) error {
	key, restore := newKey(o.Seed)
	defer restore()
	l, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w (choose another --addr)", o.Addr, err)
	}
	opts := []adaptivetest.Option{adaptivetest.WithListener(l), adaptivetest.WithAPIKey(key), adaptivetest.WithProject(o.Project)}
	if o.Script != nil {
		opts = append(opts, adaptivetest.WithScript(o.Script))
	}
	srv := adaptivetest.NewServer(opts...)
	defer srv.Close()
	o.configure(srv)

	env := []struct{ name, value string }{
		{adaptive.EnvBaseURL, srv.URL},
		{adaptive.EnvAPIKey, srv.APIKey},
		{adaptive.EnvProject, srv.Project},
	}
	if o.EnvFile != "" {
		if err := writeEnvFile(o.EnvFile, env); err != nil {
			return err
		}
		defer os.Remove(o.EnvFile)
	}
	if o.Settings.JSON {
		err = cmdutil.WriteJSON(o.IO.Out, map[string]string{"base_url": srv.URL, "api_key": srv.APIKey, "project": srv.Project})
	} else {
		for _, e := range env {
			if _, err = fmt.Fprintf(o.IO.Out, "%s=%s\n", e.name, shellQuote(e.value)); err != nil {
				break
			}
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "adaptive fake: serving %s (project %s) until interrupted\n", srv.URL, srv.Project)
	if o.Ready != nil {
		o.Ready(srv)
	}
	<-ctx.Done()
	fmt.Fprintln(o.IO.ErrOut, "adaptive fake: stopped")
	return nil
}

// configure sets the latency and faults the flags ask for.
func (o *Options) configure(srv *adaptivetest.Server) {
	if o.Latency > 0 {
		for _, r := range adaptivetest.Routes() {
			srv.SetLatency(r, o.Latency)
		}
	}
	for _, d := range o.LatencyOn {
		srv.SetLatency(d.route, d.delay)
	}
	for _, f := range o.Fail {
		srv.FailNext(f.route, f.times, f.fault)
	}
	for _, p := range o.FailPart {
		srv.FailPart(p.part, p.times, p.status)
	}
}

// newKey returns the key the server accepts: random, or derived from the
// seed, which then also seeds the ids the server makes up (all of them
// come from github.com/google/uuid's random source, which this process
// alone uses). restore puts the random source back.
func newKey(seed *uint64) (key string, restore func()) {
	raw := make([]byte, 16)
	if seed == nil {
		_, _ = rand.Read(raw)
		return "fake-" + hex.EncodeToString(raw), func() {}
	}
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], *seed)
	src := &lockedReader{r: mrand.NewChaCha8(s)}
	_, _ = io.ReadFull(src, raw)
	uuid.SetRand(src)
	return "fake-" + hex.EncodeToString(raw), func() { uuid.SetRand(nil) }
}

// lockedReader serialises the reads of a random source shared by the
// server's handlers.
type lockedReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cli"
)

// TestMain makes the test binary the adaptive command when it is run under
// that name: the scripts run the real program, each command a process.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"adaptive": func() { os.Exit(cli.Main()) },
	})
}

// TestScripts runs testdata/script/*.txtar against the fake server, in
// process (the "fake" command) or as "adaptive fake" in the background.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Values[serverKey{}] = &serverHolder{}
			// No configuration leaks in from the machine running the tests.
			for _, k := range []string{adaptive.EnvBaseURL, adaptive.EnvAPIKey, adaptive.EnvProject} {
				env.Setenv(k, "")
			}
			// Under -race every process waits a second at exit for late
			// reports: 50 ms is plenty for these short programs.
			env.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=50"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"fake":      cmdFake,
			"fakefile":  cmdFakeFile,
			"envfile":   cmdEnvFile,
			"exits":     cmdExits,
			"json":      cmdJSON,
			"jsonset":   cmdJSONSet,
			"genjsonl":  cmdGenJSONL,
			"genpng":    cmdGenPNG,
			"flipbyte":  cmdFlipByte,
			"waitacked": cmdWaitAcked,
			"requested": cmdRequested,
		},
	})
}

type serverKey struct{}

// serverHolder keeps the in-process fake server of a script.
type serverHolder struct{ srv *adaptivetest.Server }

func server(ts *testscript.TestScript) *adaptivetest.Server {
	h := ts.Value(serverKey{}).(*serverHolder)
	if h.srv == nil {
		ts.Fatalf("no fake server: run the fake command first")
	}
	return h.srv
}

// fake [SCRIPT.json] starts a fake server in the test process, with the
// scripted replies of SCRIPT.json, and points ADAPTIVE_* at it.
func cmdFake(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) > 1 {
		ts.Fatalf("usage: fake [script.json]")
	}
	var opts []adaptivetest.Option
	if len(args) == 1 {
		sc, err := adaptivetest.ParseScript([]byte(ts.ReadFile(args[0])))
		ts.Check(err)
		opts = append(opts, adaptivetest.WithScript(sc))
	}
	srv := adaptivetest.NewServer(opts...)
	ts.Defer(srv.Close)
	ts.Value(serverKey{}).(*serverHolder).srv = srv
	ts.Setenv(adaptive.EnvBaseURL, srv.URL)
	ts.Setenv(adaptive.EnvAPIKey, srv.APIKey)
	ts.Setenv(adaptive.EnvProject, srv.Project)
	ts.Setenv("FAKE_KEY", srv.APIKey)
}

// fakefile dataset|recipe|artifact|image ARGS... FILE registers the
// content of FILE for download on the in-process fake server: dataset KEY,
// recipe KEY, artifact ID NAME, image PROJECT_ID NAME.
func cmdFakeFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 {
		ts.Fatalf("usage: fakefile dataset|recipe|artifact|image ARGS... FILE")
	}
	srv := server(ts)
	content := []byte(ts.ReadFile(args[len(args)-1]))
	switch {
	case args[0] == "dataset" && len(args) == 3:
		srv.AddDataset(srv.Project, args[1], "", content)
	case args[0] == "recipe" && len(args) == 3:
		srv.AddRecipe(srv.Project, args[1], content)
	case args[0] == "artifact" && len(args) == 4:
		srv.AddArtifact(uuid.MustParse(args[1]), args[2], content)
	case args[0] == "image" && len(args) == 4:
		srv.AddImage(uuid.MustParse(args[1]), args[2], content)
	default:
		ts.Fatalf("usage: fakefile dataset KEY FILE | recipe KEY FILE | artifact ID NAME FILE | image PROJECT_ID NAME FILE")
	}
}

// envfile FILE waits (up to 20 s) for FILE, then sets the NAME=VALUE
// lines it holds in the environment, as a shell sourcing it would.
func cmdEnvFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: envfile FILE")
	}
	path := ts.MkAbs(args[0])
	deadline := time.Now().Add(20 * time.Second)
	for {
		data, err := os.ReadFile(path)
		if err == nil {
			sc := bufio.NewScanner(bytes.NewReader(data))
			for sc.Scan() {
				name, value, ok := strings.Cut(sc.Text(), "=")
				if !ok {
					ts.Fatalf("%s: not NAME=VALUE: %q", args[0], sc.Text())
				}
				if uq, ok := strings.CutPrefix(value, "'"); ok {
					value = strings.ReplaceAll(strings.TrimSuffix(uq, "'"), `'\''`, "'")
				}
				ts.Setenv(name, value)
			}
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s did not appear within 20 s", args[0])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// exits CODE PROGRAM ARGS... runs the program and checks its exit code;
// its output becomes stdout and stderr for the commands that follow.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		got = exit.ExitCode()
	case err != nil:
		ts.Fatalf("%s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

// json SOURCE [-lines N] [PATH REGEXP]... checks that every non-empty line
// of SOURCE (stdout, stderr or a file) is JSON, that there are N lines,
// and that the value at each PATH matches its REGEXP. A PATH is a line
// number (from 0) and keys or indexes, joined by dots:
// "1.choices.0.delta.content".
func cmdJSON(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: json SOURCE [-lines N] [PATH REGEXP]...")
	}
	lines := jsonLines(ts, args[0])
	rest := args[1:]
	if len(rest) >= 2 && rest[0] == "-lines" {
		n, err := strconv.Atoi(rest[1])
		ts.Check(err)
		if len(lines) != n {
			ts.Fatalf("%s: %d JSON lines, want %d", args[0], len(lines), n)
		}
		rest = rest[2:]
	}
	if len(rest)%2 != 0 {
		ts.Fatalf("usage: json SOURCE [-lines N] [PATH REGEXP]...")
	}
	for i := 0; i < len(rest); i += 2 {
		got := jsonAt(ts, lines, rest[i])
		re, err := regexp.Compile(rest[i+1])
		ts.Check(err)
		if !re.MatchString(got) {
			ts.Fatalf("%s: %s is %q, which does not match %q", args[0], rest[i], got, rest[i+1])
		}
	}
}

// jsonset NAME SOURCE PATH sets NAME to the value at PATH (see json).
func cmdJSONSet(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: jsonset NAME SOURCE PATH")
	}
	ts.Setenv(args[0], jsonAt(ts, jsonLines(ts, args[1]), args[2]))
}

func jsonLines(ts *testscript.TestScript, source string) []any {
	var out []any
	for i, line := range strings.Split(ts.ReadFile(source), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var v any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			ts.Fatalf("%s: line %d is not JSON (%v): %q", source, i+1, err, line)
		}
		out = append(out, v)
	}
	return out
}

func jsonAt(ts *testscript.TestScript, lines []any, path string) string {
	keys := strings.Split(path, ".")
	var v any = lines
	for _, k := range keys {
		switch x := v.(type) {
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				ts.Fatalf("%s: no index %q in a list of %d", path, k, len(x))
			}
			v = x[i]
		case map[string]any:
			var ok bool
			if v, ok = x[k]; !ok {
				ts.Fatalf("%s: no key %q", path, k)
			}
		default:
			ts.Fatalf("%s: %q is not in a list or an object", path, k)
		}
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// genjsonl FILE SIZE writes SIZE bytes (suffixes KiB, MiB) of JSON Lines,
// the same on every run, to FILE.
func cmdGenJSONL(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: genjsonl FILE SIZE")
	}
	size := parseSize(ts, args[1])
	data := make([]byte, 0, size+256)
	pad := bytes.Repeat([]byte("x"), 97)
	for i := int64(0); int64(len(data)) < size; i++ {
		data = append(data, `{"messages":[{"role":"user","content":"question `...)
		data = strconv.AppendInt(data, i, 10)
		data = append(data, `"}],"completion":"answer `...)
		data = append(data, pad[:i%97]...)
		data = append(data, "\"}\n"...)
	}
	data = data[:size]
	data[size-1] = '\n'
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), data, 0o644))
}

func parseSize(ts *testscript.TestScript, s string) int64 {
	mult := int64(1)
	for suffix, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20} {
		if v, ok := strings.CutSuffix(s, suffix); ok {
			s, mult = v, m
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	ts.Check(err)
	return n * mult
}

// waitacked CHECKPOINT N waits (up to 30 s) until the checkpoint file of
// "adaptive dataset upload" lists at least N acknowledged parts.
func cmdWaitAcked(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitacked CHECKPOINT N")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var ck struct {
			Upload adaptive.UploadCheckpoint `json:"upload"`
		}
		if data, err := os.ReadFile(ts.MkAbs(args[0])); err == nil && json.Unmarshal(data, &ck) == nil && ck.Upload.Acknowledged() >= n {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s did not list %d acknowledged parts within 30 s", args[0], n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// flipbyte FILE OFFSET changes the byte at OFFSET of FILE.
func cmdFlipByte(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: flipbyte FILE OFFSET")
	}
	off, err := strconv.ParseInt(args[1], 10, 64)
	ts.Check(err)
	f, err := os.OpenFile(ts.MkAbs(args[0]), os.O_RDWR, 0)
	ts.Check(err)
	defer f.Close()
	b := make([]byte, 1)
	_, err = f.ReadAt(b, off)
	ts.Check(err)
	b[0] ^= 0xff
	_, err = f.WriteAt(b, off)
	ts.Check(err)
}

// genpng FILE writes a small PNG image.
func cmdGenPNG(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: genpng FILE")
	}
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 255, A: 255})
	var b bytes.Buffer
	ts.Check(png.Encode(&b, img))
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), b.Bytes(), 0o644))
}

// requested ROUTE REGEXP checks that the last request the in-process fake
// server received on ROUTE (a short name) has a body matching REGEXP;
// "requested ROUTE -count N" checks the number of requests instead.
func cmdRequested(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 && !(len(args) == 3 && args[1] == "-count") {
		ts.Fatalf("usage: requested ROUTE REGEXP | requested ROUTE -count N")
	}
	route, err := adaptivetest.LookupRoute(args[0])
	ts.Check(err)
	reqs := server(ts).RequestsTo(route)
	if len(args) == 3 {
		n, err := strconv.Atoi(args[2])
		ts.Check(err)
		if (len(reqs) == n) == neg {
			ts.Fatalf("%d requests on %s, want %s%d", len(reqs), args[0], map[bool]string{true: "not ", false: ""}[neg], n)
		}
		return
	}
	if len(reqs) == 0 {
		ts.Fatalf("no request on %s", args[0])
	}
	re, err := regexp.Compile(args[1])
	ts.Check(err)
	if re.Match(reqs[len(reqs)-1].Body) == neg {
		ts.Fatalf("the last request on %s, %s, %s %q", args[0], reqs[len(reqs)-1].Body, map[bool]string{true: "matches", false: "does not match"}[neg], args[1])
	}
}

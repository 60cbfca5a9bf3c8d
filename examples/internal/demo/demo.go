// Package demo connects the example programs to an Adaptive instance: the
// one named by ADAPTIVE_BASE_URL and ADAPTIVE_API_KEY when they are set,
// otherwise an adaptivetest server started in-process, so that every example
// runs on a fresh clone with no configuration and no network.
package demo

import (
	"fmt"
	"io"
	"os"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/adaptivetest"
)

// Env is an example's connection.
type Env struct {
	Client *adaptive.Client
	// Fake is the embedded server, nil when a real instance is used.
	Fake *adaptivetest.Server
}

// Connect returns the connection and says on w which instance it uses. The
// caller must Close it.
func Connect(w io.Writer) (*Env, error) {
	if os.Getenv(adaptive.EnvBaseURL) != "" || os.Getenv(adaptive.EnvAPIKey) != "" {
		c, err := adaptive.NewClient()
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(w, "Using the Adaptive instance at %s (from %s).\n", c.BaseURL(), adaptive.EnvBaseURL)
		return &Env{Client: c}, nil
	}
	srv := adaptivetest.NewServer()
	fmt.Fprintf(w, "No %s set: using the embedded fake Adaptive server (adaptivetest) at %s.\n", adaptive.EnvBaseURL, srv.URL)
	return &Env{Client: srv.Client(), Fake: srv}, nil
}

// Close stops the embedded server, if any.
func (e *Env) Close() {
	if e.Fake != nil {
		e.Fake.Close()
	}
}

// Fail prints err on stderr as the program's last word and returns the exit
// status 1. It does not exit: the program's run function returns the status
// to main, so that its deferred cleanups (closing the embedded server,
// removing temporary files) run first.
func Fail(what string, err error) int {
	fmt.Fprintf(os.Stderr, "error: %s: %v\n", what, err)
	return 1
}

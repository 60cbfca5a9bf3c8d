// Package cmdutil holds what the commands of the adaptive command share:
// the Factory that hands each command its streams, settings and client,
// usage errors, and output helpers.
package cmdutil

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/iostreams"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/progress"
)

// Factory is what every command is built from. Main fills it from the
// process; tests fill it with in-memory streams, an environment of their
// own and a client of the fake server.
type Factory struct {
	IO *iostreams.IOStreams
	// Getenv reads the environment (os.Getenv in Main).
	Getenv func(string) string
	// Settings are the global flags, filled in by the root command before
	// any command runs.
	Settings *Settings
	// Client returns the API client the settings describe; see
	// NewClientFunc.
	Client func() (*adaptive.Client, error)
}

// Settings are the global flags.
type Settings struct {
	// BaseURL and Project override ADAPTIVE_BASE_URL and ADAPTIVE_PROJECT.
	BaseURL, Project string
	// JSON asks for JSON results on stdout (JSON Lines for streams and
	// imports).
	JSON bool
	// Progress is the --progress mode.
	Progress progress.Mode
	// Verbose asks for more detail on stderr.
	Verbose bool
	// Timeout bounds each attempt of a call that is not streamed.
	Timeout time.Duration
	// Retries is the number of retries of a failed call.
	Retries int
}

// NewClientFunc returns a Client function that builds the client, once,
// from the settings and the environment: --base-url over
// ADAPTIVE_BASE_URL, --project over ADAPTIVE_PROJECT, and the key from
// ADAPTIVE_API_KEY only (a key in a flag would stay in the shell's
// history). Missing or malformed settings are errors that say what to
// set.
func NewClientFunc(getenv func(string) string, s *Settings) func() (*adaptive.Client, error) {
	var (
		client *adaptive.Client
		err    error
		built  bool
	)
	return func() (*adaptive.Client, error) {
		if !built {
			client, err = newClient(getenv, s)
			built = true
		}
		return client, err
	}
}

func newClient(getenv func(string) string, s *Settings) (*adaptive.Client, error) {
	base := s.BaseURL
	if base == "" {
		base = getenv(adaptive.EnvBaseURL)
	}
	if strings.TrimSpace(base) == "" {
		return nil, fmt.Errorf("no Adaptive instance: set %s (or pass --base-url) to its URL, such as https://your-adaptive-instance", adaptive.EnvBaseURL)
	}
	if u, err := url.Parse(strings.TrimSpace(base)); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// The value is not repeated: it may be a key set in the wrong place.
		return nil, fmt.Errorf("the base URL (--base-url or %s) is not an absolute http(s) URL such as https://your-adaptive-instance", adaptive.EnvBaseURL)
	}
	key := getenv(adaptive.EnvAPIKey)
	if strings.TrimSpace(key) == "" {
		return nil, fmt.Errorf("no API key: set %s (the key is never taken as a flag, so that it stays out of the shell's history)", adaptive.EnvAPIKey)
	}
	project := s.Project
	if project == "" {
		project = getenv(adaptive.EnvProject)
	}
	opts := []adaptive.Option{
		adaptive.WithBaseURL(base),
		adaptive.WithAPIKey(key),
		adaptive.WithProject(project),
		adaptive.WithUserAgent("adaptive-cli/" + adaptive.Version),
		adaptive.WithMaxRetries(s.Retries),
	}
	if s.Timeout > 0 {
		opts = append(opts, adaptive.WithTimeout(s.Timeout))
	}
	c, err := adaptive.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("%w (check %s and %s)", err, adaptive.EnvBaseURL, adaptive.EnvAPIKey)
	}
	return c, nil
}

// RequireProject returns the project a command works in: the client's
// (--project or ADAPTIVE_PROJECT), or an error saying how to give one.
func RequireProject(c *adaptive.Client) (string, error) {
	if p := c.Project(); p != "" {
		return p, nil
	}
	return "", errors.New("no project: pass --project or set " + adaptive.EnvProject)
}

package adaptive

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/adaptive-go/adaptive/internal/transport"
)

// Version is the version of this SDK, sent in the User-Agent header.
const Version = "0.2.0"

// Environment variables read by NewClient when the matching option is not
// given.
const (
	EnvBaseURL = "ADAPTIVE_BASE_URL"
	EnvAPIKey  = "ADAPTIVE_API_KEY"
	EnvProject = "ADAPTIVE_PROJECT"
)

// Defaults applied by NewClient.
const (
	DefaultMaxRetries = 2
	DefaultTimeout    = 90 * time.Second
	// DefaultIdleTimeout bounds the silence of a transfer in progress: a
	// streamed answer (chat stream, download) that sends no byte, or an
	// upload part whose bytes the connection stops taking, for this long.
	DefaultIdleTimeout = 2 * time.Minute
	// DefaultMaxEventSize bounds one server-sent event of a stream.
	DefaultMaxEventSize = 8 << 20
	// DefaultMaxResponseSize bounds a JSON answer read into memory.
	DefaultMaxResponseSize = transport.DefaultMaxResponseSize
)

const (
	defaultRetryWaitMin = 500 * time.Millisecond
	defaultRetryWaitMax = 8 * time.Second
)

// Client calls the Adaptive API. Create one with NewClient and share it: it
// is safe for concurrent use, and all of its services share one transport
// (connections, auth, retries).
type Client struct {
	cfg config

	// Chat creates chat completions, plain or streamed.
	Chat *ChatService
	// Embeddings creates embeddings.
	Embeddings *EmbeddingsService
	// Feedback records comparisons and outcomes.
	Feedback *FeedbackService
	// Interactions imports interactions, with their feedback.
	Interactions *InteractionsService
	// Uploads sends files in parts (chunked upload sessions).
	Uploads *UploadsService
	// Datasets creates datasets from uploads, looks them up, waits for
	// their processing and downloads them.
	Datasets *DatasetsService
	// Recipes downloads recipes.
	Recipes *RecipesService
	// Artifacts downloads artifacts.
	Artifacts *ArtifactsService
	// Images fetches images.
	Images *ImagesService
}

// service is the shared base of every service: the client it belongs to.
type service struct{ client *Client }

// config holds the resolved settings of a client or of one call.
type config struct {
	baseURL         *url.URL
	key             transport.Secret // the key, out of reach of reflection-based printers
	project         string
	httpClient      *http.Client // from transport.NewHTTPClient
	maxRetries      int
	timeout         time.Duration
	idleTimeout     time.Duration
	retryWaitMin    time.Duration
	retryWaitMax    time.Duration
	headers         http.Header
	userAgent       string
	logger          *slog.Logger
	maxEventSize    int
	maxResponseSize int64
	middleware      []transport.Middleware
	hooks           []Hook

	// Per-call only.
	perCall      bool // the options are applied to one call, not to NewClient
	responseInto **http.Response
	callInfo     *CallInfo

	transport *transport.Settings // derived from the fields above
}

// Option configures a Client (passed to NewClient) or a single call (passed
// as a trailing argument to any service method, where it overrides the
// client's setting for that call only). An Option whose value is invalid
// makes NewClient or the call return an error.
type Option func(*config) error

// WithBaseURL sets the root of the Adaptive instance, for example
// "https://your-adaptive-instance". A trailing "/api/v1" or "/" is accepted
// and ignored. Default: $ADAPTIVE_BASE_URL.
func WithBaseURL(baseURL string) Option {
	return func(c *config) error {
		u, err := parseBaseURL(baseURL)
		if err != nil {
			return fmt.Errorf("adaptive: WithBaseURL: %w", err)
		}
		c.baseURL = u
		return nil
	}
}

// WithAPIKey sets the API key sent as a bearer token. Default:
// $ADAPTIVE_API_KEY. Surrounding white space (a newline left by reading the
// key from a file) is trimmed; an empty key, or one with spaces or control
// characters inside, is an error. The key never appears in errors, logs or
// formatted values of the client, and is sent only to the base URL's origin.
func WithAPIKey(key string) Option {
	return func(c *config) error {
		k, err := cleanKey(key)
		if err != nil {
			return fmt.Errorf("adaptive: WithAPIKey: %w", err)
		}
		c.key = transport.NewSecret(k)
		return nil
	}
}

// cleanKey trims the white space around key and checks what is left can be
// sent in a header.
func cleanKey(key string) (string, error) {
	k := strings.TrimSpace(key)
	if k == "" {
		return "", errors.New("the API key is empty")
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; c <= ' ' || c == 0x7f {
			return "", fmt.Errorf("the API key has a space or control character at byte %d: give the key alone", i)
		}
	}
	return k, nil
}

// WithProject sets the default project: it fills the model of chat and
// embeddings requests and the project fields of feedback, interactions and
// downloads when they are left empty. Default: $ADAPTIVE_PROJECT.
func WithProject(project string) Option {
	return func(c *config) error {
		c.project = project
		return nil
	}
}

// WithHTTPClient sets the HTTP client used for requests. Its Transport,
// CheckRedirect (after the SDK's own redirect policy) and Jar are used;
// leave its Timeout at zero, since it would also cut streamed answers (use
// WithTimeout and WithIdleTimeout instead). Default: a client on a transport
// shared by the SDK's clients, like http.DefaultTransport but keeping 32
// idle connections per host instead of 2, so that concurrent parts and
// calls reuse their connections.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("adaptive: WithHTTPClient: the client is nil")
		}
		c.httpClient = transport.NewHTTPClient(hc)
		return nil
	}
}

// WithMaxRetries sets how many times a failed attempt is retried (0
// disables retries). Default: 2.
func WithMaxRetries(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("adaptive: WithMaxRetries: %d is negative", n)
		}
		c.maxRetries = n
		return nil
	}
}

// WithRetryWait sets the range of the exponential backoff between retries
// when the server does not say how long to wait (Retry-After). Default:
// 500 ms to 8 s.
func WithRetryWait(min, max time.Duration) Option {
	return func(c *config) error {
		if min < 0 || max < min {
			return fmt.Errorf("adaptive: WithRetryWait: need 0 <= min <= max, got %v and %v", min, max)
		}
		c.retryWaitMin, c.retryWaitMax = min, max
		return nil
	}
}

// WithTimeout bounds each attempt of a call (0 means no bound). For
// streamed answers (chat streams, downloads) it bounds only the wait for the
// response headers, never the stream itself. Default: 90 s.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("adaptive: WithTimeout: %v is negative", d)
		}
		c.timeout = d
		return nil
	}
}

// WithHeader adds a header to every request (or to one call). It replaces a
// header of the same name set by the SDK (User-Agent, Accept, ...), except
// Authorization, which the SDK always sets from the key. It is sent only to
// the base URL's origin: a download redirected to storage does not get it.
func WithHeader(key, value string) Option {
	return func(c *config) error {
		if key == "" {
			return errors.New("adaptive: WithHeader: the header name is empty")
		}
		c.headers = c.headers.Clone()
		if c.headers == nil {
			c.headers = http.Header{}
		}
		c.headers.Set(key, value)
		return nil
	}
}

// WithUserAgent appends suffix (for example "my-app/1.2") to the SDK's
// User-Agent, "adaptive-go/<version> (<go version>; <os>/<arch>)".
func WithUserAgent(suffix string) Option {
	return func(c *config) error {
		c.userAgent = baseUserAgent
		if suffix != "" {
			c.userAgent += " " + suffix
		}
		return nil
	}
}

// WithLogger logs at debug level one record per call ("adaptive: call":
// the SDK method, HTTP method, route template, status, attempts, duration,
// request id, bytes sent and received) and one per retry ("adaptive:
// retrying": route, attempt, cause, wait), with the call's context, so that
// a handler can add trace ids. It never logs headers, bodies, the key or URL
// credentials. Default: no logging.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.logger = l
		return nil
	}
}

// WithMaxEventSize bounds the size of one server-sent event of a stream; a
// larger event ends the stream with an error instead of growing a buffer
// without bound. Default: DefaultMaxEventSize (8 MiB).
func WithMaxEventSize(n int) Option {
	return func(c *config) error {
		if n < 1024 {
			return fmt.Errorf("adaptive: WithMaxEventSize: %d is below the 1024-byte minimum", n)
		}
		c.maxEventSize = n
		return nil
	}
}

// WithIdleTimeout bounds the silence of a transfer in progress: a chat
// stream or a download whose body sends no byte for d (comment keep-alives
// count), or an upload part whose bytes the connection takes none of for d,
// fails with an error wrapping ErrIdleTimeout. Only the time spent waiting
// for the network counts, never the time the caller takes between reads. 0
// disables it. Default: DefaultIdleTimeout (2 minutes).
func WithIdleTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("adaptive: WithIdleTimeout: %v is negative", d)
		}
		c.idleTimeout = d
		return nil
	}
}

// WithStreamIdleTimeout is WithIdleTimeout.
//
// Deprecated: use WithIdleTimeout, which also bounds downloads and upload
// parts.
func WithStreamIdleTimeout(d time.Duration) Option { return WithIdleTimeout(d) }

// WithMaxResponseSize bounds the size of a JSON answer read into memory: an
// answer that declares a larger Content-Length is refused before it is
// read, and one that runs past n bytes is refused at that point. Default:
// DefaultMaxResponseSize (64 MiB).
func WithMaxResponseSize(n int64) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("adaptive: WithMaxResponseSize: %d: give at least 1 byte", n)
		}
		c.maxResponseSize = n
		return nil
	}
}

var baseUserAgent = fmt.Sprintf("adaptive-go/%s (%s; %s/%s)", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)

// NewClient returns a Client configured by opts, with defaults from the
// environment ($ADAPTIVE_BASE_URL, $ADAPTIVE_API_KEY, $ADAPTIVE_PROJECT)
// for what opts leave unset. It returns an error naming the option and the
// environment variable to set when the base URL or the key is missing, or
// when the base URL is not an absolute http(s) URL (the error never repeats
// the value, which may be a key given in the wrong place). A base URL with
// plain http to a host that is not this machine sends the key in clear: the
// client logs a warning once, to the WithLogger logger or slog's default.
func NewClient(opts ...Option) (*Client, error) {
	cfg := config{
		maxRetries:      DefaultMaxRetries,
		timeout:         DefaultTimeout,
		idleTimeout:     DefaultIdleTimeout,
		retryWaitMin:    defaultRetryWaitMin,
		retryWaitMax:    defaultRetryWaitMax,
		userAgent:       baseUserAgent,
		maxEventSize:    DefaultMaxEventSize,
		maxResponseSize: DefaultMaxResponseSize,
		project:         os.Getenv(EnvProject),
	}
	if env := os.Getenv(EnvAPIKey); strings.TrimSpace(env) != "" {
		k, err := cleanKey(env)
		if err != nil {
			return nil, fmt.Errorf("adaptive: %s: %w", EnvAPIKey, err)
		}
		cfg.key = transport.NewSecret(k)
	}
	if env := os.Getenv(EnvBaseURL); env != "" {
		u, err := parseBaseURL(env)
		if err != nil {
			return nil, fmt.Errorf("adaptive: %s: %w", EnvBaseURL, err)
		}
		cfg.baseURL = u
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.baseURL == nil {
		return nil, fmt.Errorf("adaptive: no base URL: pass adaptive.WithBaseURL or set %s", EnvBaseURL)
	}
	if cfg.key.IsZero() {
		return nil, fmt.Errorf("adaptive: no API key: pass adaptive.WithAPIKey or set %s", EnvAPIKey)
	}
	if cfg.httpClient == nil {
		cfg.httpClient = transport.NewHTTPClient(nil)
	}
	if h := cfg.baseURL.Hostname(); cfg.baseURL.Scheme == "http" && !transport.IsLoopback(h) && !strings.HasSuffix(h, ".invalid") {
		// (".invalid" never resolves: nothing can be sent.)
		l := cfg.logger
		if l == nil {
			l = slog.Default()
		}
		l.Warn("adaptive: the base URL uses plain http to a host that is not this machine: the API key is sent in clear; use https", slog.String("host", cfg.baseURL.Host))
	}
	cfg.transport = cfg.newSettings()
	c := &Client{cfg: cfg}
	s := service{client: c}
	c.Chat = &ChatService{s}
	c.Embeddings = &EmbeddingsService{s}
	c.Feedback = &FeedbackService{s}
	c.Interactions = &InteractionsService{s}
	c.Uploads = &UploadsService{s}
	c.Datasets = &DatasetsService{s}
	c.Recipes = &RecipesService{s}
	c.Artifacts = &ArtifactsService{s}
	c.Images = &ImagesService{s}
	return c, nil
}

// parseBaseURL checks that s is an absolute http(s) URL and strips a
// trailing "/" or "/api/v1" so that paths can be appended. Its errors never
// repeat s: a key pasted as the base URL must not reach a log.
func parseBaseURL(s string) (*url.URL, error) {
	const fix = "set WithBaseURL or " + EnvBaseURL + " to an absolute http(s) URL such as https://your-adaptive-instance"
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, errors.New("the base URL does not parse as a URL: " + fix)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("the base URL is not an absolute http(s) URL: " + fix)
	}
	if u.User != nil {
		return nil, errors.New("the base URL carries credentials (user info before the host): remove them; the client authenticates with its API key")
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, errors.New("the base URL has a query or fragment: give only scheme, host and optional path")
	}
	// Trim the escaped form, so that an encoded "/" in a path prefix
	// (%2F) stays encoded.
	raw := strings.TrimRight(u.EscapedPath(), "/")
	raw = strings.TrimRight(strings.TrimSuffix(raw, "/api/v1"), "/")
	p, err := url.PathUnescape(raw)
	if err != nil {
		return nil, errors.New("the base URL's path does not unescape: " + fix)
	}
	u.Path, u.RawPath = p, raw
	return u, nil
}

// BaseURL returns the instance root the client sends requests to.
func (c *Client) BaseURL() string { return c.cfg.baseURL.String() }

// Project returns the client's default project ("" when none is set).
func (c *Client) Project() string { return c.cfg.project }

// String describes the client without its API key.
func (c Client) String() string {
	return fmt.Sprintf("adaptive.Client{BaseURL: %q, Project: %q}", c.BaseURL(), c.cfg.project)
}

// GoString is String: %#v must not print the key either.
func (c Client) GoString() string { return c.String() }

// Format prints the client the same way for every verb, so that %v, %+v and
// %#v never reach the key through reflection.
func (c Client) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

package transport

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		h    http.Header
		want time.Duration
		ok   bool
	}{
		{http.Header{"Retry-After": {"2"}}, 2 * time.Second, true},
		{http.Header{"Retry-After": {"0.5"}}, 500 * time.Millisecond, true},
		{http.Header{"Retry-After": {"3600"}}, MaxRetryAfter, true},
		{http.Header{"Retry-After": {"1e300"}}, MaxRetryAfter, true},
		{http.Header{"Retry-After": {now.Add(5 * time.Second).Format(http.TimeFormat)}}, 5 * time.Second, true},
		{http.Header{"Retry-After": {now.Add(-time.Hour).Format(http.TimeFormat)}}, 0, true},
		{http.Header{"Retry-After-Ms": {"250"}}, 250 * time.Millisecond, true},
		{http.Header{"Retry-After-Ms": {"250"}, "Retry-After": {"9"}}, 250 * time.Millisecond, true},
		{http.Header{"Retry-After": {"-1"}}, 0, false},
		{http.Header{"Retry-After": {"soon"}}, 0, false},
		{http.Header{"Retry-After-Ms": {"x"}}, 0, false},
		{http.Header{}, 0, false},
	}
	for _, tc := range cases {
		got, ok := RetryAfter(tc.h, now)
		assert.Equal(t, tc.ok, ok, "%v", tc.h)
		assert.Equal(t, tc.want, got, "%v", tc.h)
	}
}

func TestBackoffIsExponentialWithJitterAndCapped(t *testing.T) {
	min, max := 100*time.Millisecond, time.Second
	for n, base := range []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, time.Second, time.Second} {
		for range 50 {
			d := jittered(min, max, n)
			assert.LessOrEqual(t, d, base)
			assert.GreaterOrEqual(t, d, base-base/4)
		}
	}
	c := &call{s: &Settings{RetryWaitMin: min, RetryWaitMax: max}, attempts: 1}
	resp := &http.Response{Header: http.Header{"Retry-After": {"3"}}}
	assert.Equal(t, 3*time.Second, c.backoffFor(resp))
}

func TestRetryableStatus(t *testing.T) {
	for code, want := range map[int]bool{200: false, 400: false, 401: false, 404: false, 408: true, 409: true, 422: false, 429: true, 500: true, 501: false, 502: true, 503: true, 599: true} {
		assert.Equal(t, want, RetryableStatus(code), code)
	}
}

func TestCheckNeverRetriesCancelledContext(t *testing.T) {
	c := &call{s: &Settings{MaxRetries: 5}, r: &Request{}, retry: RetryAny}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	retry, err := c.check(ctx, &http.Response{StatusCode: 503}, nil)
	assert.False(t, retry)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestRetryClasses(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	read := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	cut := &BodyError{Err: errors.New("unexpected EOF")}
	status := func(code int) *http.Response { return &http.Response{StatusCode: code} }
	cases := []struct {
		name string
		resp *http.Response
		err  error
		want map[Retry]bool
	}{
		{"connect failed", nil, dial, map[Retry]bool{RetryUnsent: true, RetryStatus: true, RetryAny: true}},
		{"connection reset after sending", nil, read, map[Retry]bool{RetryAny: true}},
		{"answer cut", nil, cut, map[Retry]bool{RetryAny: true}},
		{"attempt timeout", nil, ErrAttemptTimeout, map[Retry]bool{RetryAny: true}},
		{"429", status(429), nil, map[Retry]bool{RetryUnsent: true, RetryStatus: true, RetryAny: true}},
		{"502", status(502), nil, map[Retry]bool{RetryStatus: true, RetryAny: true}},
		{"503", status(503), nil, map[Retry]bool{RetryStatus: true, RetryAny: true}},
		{"504", status(504), nil, map[Retry]bool{RetryStatus: true, RetryAny: true}},
		{"500", status(500), nil, map[Retry]bool{RetryStatus: true, RetryAny: true}},
		{"501", status(501), nil, map[Retry]bool{}},
		{"400", status(400), nil, map[Retry]bool{}},
		{"too large", nil, &TooLargeError{Limit: 1, Length: 2}, map[Retry]bool{}},
		{"redirect refused", nil, ErrRedirectRefused, map[Retry]bool{}},
		{"middleware panic", nil, &MiddlewareError{Position: 1, Count: 1, Panic: "x"}, map[Retry]bool{}},
	}
	for _, tc := range cases {
		for _, class := range []Retry{RetryUnsent, RetryStatus, RetryAny} {
			c := &call{s: &Settings{MaxRetries: 3}, r: &Request{}, retry: class}
			got, _ := c.retryable(tc.resp, tc.err)
			assert.Equal(t, tc.want[class], got, "%s, class %d", tc.name, class)
		}
	}
}

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
	p := &policy{}
	min, max := 100*time.Millisecond, time.Second
	for attempt, base := range []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, time.Second, time.Second} {
		for range 50 {
			d := p.backoff(min, max, attempt, nil)
			assert.LessOrEqual(t, d, base)
			assert.GreaterOrEqual(t, d, base-base/4)
		}
	}
	resp := &http.Response{Header: http.Header{"Retry-After": {"3"}}}
	assert.Equal(t, 3*time.Second, p.backoff(min, max, 0, resp))
}

func TestRetryableStatus(t *testing.T) {
	for code, want := range map[int]bool{200: false, 400: false, 401: false, 404: false, 408: true, 409: true, 422: false, 429: true, 500: true, 501: false, 502: true, 503: true, 599: true} {
		assert.Equal(t, want, RetryableStatus(code), code)
	}
}

func TestCheckNeverRetriesCancelledContext(t *testing.T) {
	p := &policy{idempotent: true, maxRetries: 5}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	retry, err := p.check(ctx, &http.Response{StatusCode: 503}, nil)
	assert.False(t, retry)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestCheckTransportErrors(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	read := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	post := &policy{}
	get := &policy{idempotent: true}
	retry, _ := post.check(context.Background(), nil, dial)
	assert.True(t, retry, "a connect failure never reached the server")
	retry, _ = post.check(context.Background(), nil, read)
	assert.False(t, retry, "a non-idempotent call that may have reached the server")
	retry, _ = get.check(context.Background(), nil, read)
	assert.True(t, retry)
	retry, _ = get.check(context.Background(), nil, ErrAttemptTimeout)
	assert.True(t, retry)
}

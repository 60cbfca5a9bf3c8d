package adaptive

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RateLimit is the rate-limit state a server reported in an answer's
// headers. Fields the server did not send are -1.
type RateLimit struct {
	// Limit is the number of requests allowed in the current window.
	Limit int
	// Remaining is the number of requests left in the current window.
	Remaining int
	// Reset is the time until the window resets.
	Reset time.Duration
}

// rateLimitHeaders are the header families servers and gateways use, in
// order of preference: the IETF draft's, then the common X- forms, with
// their per-request variants.
var rateLimitHeaders = [][3]string{
	{"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"},
	{"X-RateLimit-Limit-Requests", "X-RateLimit-Remaining-Requests", "X-RateLimit-Reset-Requests"},
	{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"},
}

// ParseRateLimit reads the rate-limit state from h, and reports whether h
// carried any. It understands RateLimit-Limit/-Remaining/-Reset, the
// X-RateLimit-... forms (also with a -Requests suffix) and the structured
// RateLimit header ("limit=100, remaining=9, reset=30"). A reset is read as
// seconds, as a Go duration ("1m30s", "250ms"), or, when it is a large
// number, as a Unix time.
func ParseRateLimit(h http.Header) (RateLimit, bool) {
	rl := RateLimit{Limit: -1, Remaining: -1, Reset: -1}
	if h == nil {
		return rl, false
	}
	if v := h.Get("RateLimit"); strings.Contains(v, "=") {
		for _, item := range strings.Split(v, ",") {
			k, val, _ := strings.Cut(strings.TrimSpace(item), "=")
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "limit":
				rl.Limit = headerInt(val)
			case "remaining":
				rl.Remaining = headerInt(val)
			case "reset":
				rl.Reset = resetIn(val, time.Now())
			}
		}
		if rl != (RateLimit{-1, -1, -1}) {
			return rl, true
		}
	}
	for _, names := range rateLimitHeaders {
		l, r, s := h.Get(names[0]), h.Get(names[1]), h.Get(names[2])
		if l == "" && r == "" && s == "" {
			continue
		}
		rl.Limit, rl.Remaining, rl.Reset = headerInt(l), headerInt(r), resetIn(s, time.Now())
		return rl, true
	}
	return rl, false
}

func headerInt(v string) int {
	// A list ("100, 100;w=60") gives its first value.
	v, _, _ = strings.Cut(v, ",")
	v, _, _ = strings.Cut(v, ";")
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// unixTimeFloor tells a Unix time from a number of seconds: no window lasts
// 30 years.
const unixTimeFloor = 1e9

func resetIn(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return -1
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 {
		if f >= unixTimeFloor {
			return max(time.Unix(int64(f), 0).Sub(now), 0)
		}
		return time.Duration(f * float64(time.Second))
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return d
	}
	return -1
}

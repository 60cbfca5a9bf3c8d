package fake

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/adaptive-go/adaptive/adaptivetest"
)

// routeDelay is a --latency-on value: ROUTE=DURATION.
type routeDelay struct {
	route string
	delay time.Duration
}

func parseRouteDelay(s string) (routeDelay, error) {
	name, d, ok := strings.Cut(s, "=")
	if !ok {
		return routeDelay{}, fmt.Errorf("--latency-on %q: give ROUTE=DURATION, such as upload_part=200ms", s)
	}
	route, err := adaptivetest.LookupRoute(name)
	if err != nil {
		return routeDelay{}, fmt.Errorf("--latency-on %q: %w", s, err)
	}
	delay, err := time.ParseDuration(d)
	if err != nil || delay < 0 {
		return routeDelay{}, fmt.Errorf("--latency-on %q: %q is not a duration such as 200ms", s, d)
	}
	return routeDelay{route, delay}, nil
}

// routeFault is a --fail or --drop value: ROUTE=STATUS[xN] or ROUTE[xN].
type routeFault struct {
	route string
	times int
	fault adaptivetest.Fault
}

func parseFail(s string) (routeFault, error) {
	const form = "give ROUTE=STATUS or ROUTE=STATUSxN, such as chat=503x2"
	name, v, ok := strings.Cut(s, "=")
	if !ok {
		return routeFault{}, fmt.Errorf("--fail %q: %s", s, form)
	}
	route, err := adaptivetest.LookupRoute(name)
	if err != nil {
		return routeFault{}, fmt.Errorf("--fail %q: %w", s, err)
	}
	status, times, err := countSuffix(v)
	if err != nil {
		return routeFault{}, fmt.Errorf("--fail %q: %s", s, form)
	}
	code, err := strconv.Atoi(status)
	if err != nil || code < 400 || code > 599 {
		return routeFault{}, fmt.Errorf("--fail %q: the status must be 400 to 599", s)
	}
	// Retry-After 0 makes clients retry at once, so that a demo of
	// retries does not wait.
	return routeFault{route, times, adaptivetest.Fault{Status: code, RetryAfter: "0"}}, nil
}

func parseDrop(s string) (routeFault, error) {
	name, times, err := countSuffix(s)
	if err != nil {
		return routeFault{}, fmt.Errorf("--drop %q: give ROUTE or ROUTExN, such as chat x2", s)
	}
	route, err := adaptivetest.LookupRoute(name)
	if err != nil {
		return routeFault{}, fmt.Errorf("--drop %q: %w", s, err)
	}
	return routeFault{route, times, adaptivetest.Fault{Drop: true}}, nil
}

// partFault is a --fail-part value: PART=STATUS[xN].
type partFault struct{ part, status, times int }

func parseFailPart(s string) (partFault, error) {
	const form = "give PART=STATUS or PART=STATUSxN, such as 2=503x3"
	p, v, ok := strings.Cut(s, "=")
	status, times, err := countSuffix(v)
	if !ok || err != nil {
		return partFault{}, fmt.Errorf("--fail-part %q: %s", s, form)
	}
	part, err1 := strconv.Atoi(p)
	code, err2 := strconv.Atoi(status)
	if err1 != nil || err2 != nil || part < 1 || code < 400 || code > 599 {
		return partFault{}, fmt.Errorf("--fail-part %q: %s (parts from 1, statuses 400 to 599)", s, form)
	}
	return partFault{part, code, times}, nil
}

// countSuffix splits "VALUExN" into VALUE and N (1 without a suffix).
func countSuffix(s string) (string, int, error) {
	i := strings.LastIndexByte(s, 'x')
	if i < 0 {
		return s, 1, nil
	}
	times, err := strconv.Atoi(s[i+1:])
	if err != nil || times < 1 {
		return "", 0, fmt.Errorf("bad count %q", s[i+1:])
	}
	return s[:i], times, nil
}

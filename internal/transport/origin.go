package transport

import (
	"net"
	"net/url"
	"strings"
)

// Origin returns the origin of u (scheme, host and port, the port made
// explicit), the unit that credentials and redirects are judged by.
func Origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host, port := u.Hostname(), u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(host), port)
}

// RedactURL returns u without user info (and so without a password), for
// errors and logs.
func RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	if u.User == nil {
		return u.String()
	}
	c := *u
	c.User = nil
	return c.String()
}

// IsLoopback reports whether host (a host name or an IP address, without a
// port) is this machine.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

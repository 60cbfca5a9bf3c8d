package adaptivetest

import (
	"net"
	"net/http"
	"net/http/httptest"
)

// WithListener makes the server accept connections on l (for example one
// from net.Listen("tcp", "0.0.0.0:8080")) instead of a new loopback port.
// The server owns l from then on: Close closes it. Its URL is
// "http://" and l's address.
func WithListener(l net.Listener) Option { return func(s *Server) { s.listener = l } }

// start serves h on the listener WithListener gave, or on a new loopback
// port.
func (s *Server) start(h http.Handler) *httptest.Server {
	if s.listener == nil {
		return httptest.NewServer(h)
	}
	srv := httptest.NewUnstartedServer(h)
	_ = srv.Listener.Close() // the loopback port it opened, unused
	srv.Listener = s.listener
	srv.Start()
	return srv
}

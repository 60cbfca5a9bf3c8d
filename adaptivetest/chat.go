package adaptivetest

import "net/http"

type chatState struct{}

func (s *Server) chatRoutes(routes map[string]http.HandlerFunc) {}

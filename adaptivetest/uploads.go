package adaptivetest

import "net/http"

type uploadState struct{}

func (s *Server) uploadRoutes(routes map[string]http.HandlerFunc) {}

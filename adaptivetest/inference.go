package adaptivetest

import "net/http"

func (s *Server) inferenceRoutes(routes map[string]http.HandlerFunc) {}

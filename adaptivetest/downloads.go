package adaptivetest

import "net/http"

type fileState struct{}

func (s *Server) downloadRoutes(routes map[string]http.HandlerFunc) {}

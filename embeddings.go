package adaptive

// EmbeddingsService: see the methods.
type EmbeddingsService struct{ service }

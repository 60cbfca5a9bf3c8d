package adaptive

// ChatService: see the methods.
type ChatService struct{ service }

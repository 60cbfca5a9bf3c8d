package adaptive

// FeedbackService: see the methods.
type FeedbackService struct{ service }

package adaptive

// InteractionsService: see the methods.
type InteractionsService struct{ service }

package adaptive

// UploadsService: see the methods.
type UploadsService struct{ service }

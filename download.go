package adaptive

// DatasetsService downloads datasets.
type DatasetsService struct{ service }

// RecipesService downloads recipes.
type RecipesService struct{ service }

// ArtifactsService downloads artifacts.
type ArtifactsService struct{ service }

// ImagesService fetches images.
type ImagesService struct{ service }

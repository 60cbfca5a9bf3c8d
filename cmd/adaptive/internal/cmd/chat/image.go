package chat

import (
	"fmt"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/adaptive-go/adaptive"
)

// imagePart returns the content part of an --image value: a URL as it is
// (http, https or data:), or a file's bytes as a data: URI, with the media
// type its content (or else its extension) shows. A file that cannot be
// read or is not an image is an error that names it.
func imagePart(arg string) (adaptive.ContentPart, error) {
	lower := strings.ToLower(arg)
	if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "data:") {
		return adaptive.ImagePart(arg), nil
	}
	if st, err := os.Stat(arg); err == nil && st.IsDir() {
		return adaptive.ContentPart{}, fmt.Errorf("--image %s is a directory: give an image file or an http(s) URL", arg)
	}
	data, err := os.ReadFile(arg)
	if err != nil {
		if os.IsNotExist(err) {
			return adaptive.ContentPart{}, fmt.Errorf("--image %s: no such file (give an image file or an http(s) URL)", arg)
		}
		return adaptive.ContentPart{}, fmt.Errorf("--image %s: %w", arg, err)
	}
	mt := http.DetectContentType(data)
	if !strings.HasPrefix(mt, "image/") {
		byExt, _, _ := mime.ParseMediaType(mime.TypeByExtension(filepath.Ext(arg)))
		if !strings.HasPrefix(byExt, "image/") {
			detected, _, _ := mime.ParseMediaType(mt)
			return adaptive.ContentPart{}, fmt.Errorf("--image %s is not an image (its content looks like %s): give a PNG, JPEG, GIF or WebP file, or an http(s) URL", arg, detected)
		}
		mt = byExt
	}
	return adaptive.ImageDataPart(mt, data), nil
}

package adaptive

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"strings"
)

// ContentPart is one part of a message made of parts (ChatMessage.Parts):
// a text or an image. Build one with TextPart, ImagePart or ImageDataPart;
// the zero ContentPart is unset and is a *ValidationError in a request.
//
// On the wire it is {"type": "text", "text": ...} or
// {"type": "image_url", "image_url": ...}.
type ContentPart struct {
	kind  partKind
	value string // the text, or the image URL
	bad   string // why ImageDataPart could not build the part, for validate
}

type partKind uint8

const (
	partUnset partKind = iota
	partText
	partImage
)

// The wire values of a part's "type".
const (
	partTypeText  = "text"
	partTypeImage = "image_url"
)

// TextPart returns a text part. An empty text is allowed by the API but
// adds nothing to the message.
func TextPart(text string) ContentPart { return ContentPart{kind: partText, value: text} }

// ImagePart returns an image part that refers to the image by url. The API
// takes any string; servers accept http(s) URLs and data: URIs (see
// ImageDataPart). An empty url is a *ValidationError when the message is
// sent.
func ImagePart(url string) ContentPart { return ContentPart{kind: partImage, value: url} }

// ImageDataPart returns an image part that carries the image itself, as a
// base64 data: URI ("data:image/png;base64,..."). mediaType must be an
// image type without parameters, such as "image/png" or "image/jpeg", and
// data must not be empty: otherwise the message is a *ValidationError when
// it is sent.
func ImageDataPart(mediaType string, data []byte) ContentPart {
	mt, params, err := mime.ParseMediaType(mediaType)
	switch {
	case err != nil || !strings.HasPrefix(mt, "image/") || len(mt) == len("image/"):
		return ContentPart{kind: partImage, bad: fmt.Sprintf("ImageDataPart: media type %q is not an image type such as \"image/png\"", mediaType)}
	case len(params) > 0:
		return ContentPart{kind: partImage, bad: fmt.Sprintf("ImageDataPart: give the media type without parameters (%q, not %q)", mt, mediaType)}
	case len(data) == 0:
		return ContentPart{kind: partImage, bad: "ImageDataPart: no image data"}
	}
	return ContentPart{kind: partImage, value: "data:" + mt + ";base64," + base64.StdEncoding.EncodeToString(data)}
}

// IsZero reports whether p is unset.
func (p ContentPart) IsZero() bool { return p.kind == partUnset }

// Text returns the text of a text part; ok is false for other parts.
func (p ContentPart) Text() (text string, ok bool) { return p.value, p.kind == partText }

// ImageURL returns the URL (or data: URI) of an image part; ok is false
// for other parts.
func (p ContentPart) ImageURL() (url string, ok bool) { return p.value, p.kind == partImage }

// validate returns a *ValidationError naming field when p is unset, an
// image part without URL, or an ImageDataPart built from bad input.
func (p ContentPart) validate(field string) error {
	switch {
	case p.kind == partUnset:
		return invalid(field, "unset part: build it with adaptive.TextPart, adaptive.ImagePart or adaptive.ImageDataPart")
	case p.bad != "":
		return invalid(field, "%s", p.bad)
	case p.kind == partImage && p.value == "":
		return invalid(field, "image part without URL: give an http(s) URL or a data: URI, or use adaptive.ImageDataPart")
	}
	return nil
}

// contentPartJSON is the wire form of both kinds of part.
type contentPartJSON struct {
	Type     string  `json:"type"`
	Text     *string `json:"text,omitempty"`
	ImageURL *string `json:"image_url,omitempty"`
}

// MarshalJSON encodes p as {"type": "text", "text": ...} or
// {"type": "image_url", "image_url": ...}. An unset part is an error.
func (p ContentPart) MarshalJSON() ([]byte, error) {
	switch p.kind {
	case partText:
		return json.Marshal(contentPartJSON{Type: partTypeText, Text: &p.value})
	case partImage:
		return json.Marshal(contentPartJSON{Type: partTypeImage, ImageURL: &p.value})
	}
	return nil, errors.New("adaptive: ContentPart is unset: build it with adaptive.TextPart, adaptive.ImagePart or adaptive.ImageDataPart")
}

// UnmarshalJSON decodes a text or image_url part. Another type, or a part
// without its text or image_url, is an error.
func (p *ContentPart) UnmarshalJSON(b []byte) error {
	var w contentPartJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	switch {
	case w.Type == partTypeText && w.Text != nil:
		*p = TextPart(*w.Text)
	case w.Type == partTypeImage && w.ImageURL != nil:
		*p = ImagePart(*w.ImageURL)
	default:
		return fmt.Errorf("adaptive: a content part must be {\"type\": \"text\", \"text\": ...} or {\"type\": \"image_url\", \"image_url\": ...}, not %s", preview(b))
	}
	return nil
}

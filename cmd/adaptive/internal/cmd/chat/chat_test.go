package chat

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cmdutil"
	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/iostreams"
)

func parse(t *testing.T, args ...string) (*Options, error) {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IO: ios, Settings: &cmdutil.Settings{}}
	var got *Options
	cmd := NewCmdChat(f, func(_ context.Context, o *Options) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(ios.ErrOut)
	cmd.SetErr(ios.ErrOut)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return got, cmd.Execute()
}

func TestFlags(t *testing.T) {
	o, err := parse(t, "-m", "big", "--system", "Be brief.", "--temperature", "0", "--max-tokens", "7",
		"--image", "a.png", "--image", "https://x/b.png", "--no-stream", "what", "is", "this")
	require.NoError(t, err)
	assert.Equal(t, []string{"what", "is", "this"}, o.Prompt)
	assert.Equal(t, "big", o.Model)
	assert.Equal(t, "Be brief.", o.System)
	assert.Equal(t, adaptive.Ptr(0.0), o.Temperature, "a temperature of 0 is sent")
	assert.Equal(t, adaptive.Ptr(7), o.MaxTokens)
	assert.Equal(t, []string{"a.png", "https://x/b.png"}, o.Images)
	assert.True(t, o.NoStream)

	o, err = parse(t, "hi")
	require.NoError(t, err)
	assert.Nil(t, o.Temperature, "unset: the server's default")
	assert.Nil(t, o.MaxTokens)

	_, err = parse(t, "--max-tokens", "-1", "hi")
	var usage *cmdutil.UsageError
	require.ErrorAs(t, err, &usage)
}

func TestImagePart(t *testing.T) {
	dir := t.TempDir()
	gif := filepath.Join(dir, "a.gif")
	require.NoError(t, os.WriteFile(gif, []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), 0o644))
	svg := filepath.Join(dir, "b.svg")
	require.NoError(t, os.WriteFile(svg, []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), 0o644))

	p, err := imagePart(gif)
	require.NoError(t, err)
	url, _ := p.ImageURL()
	assert.Equal(t, "data:image/gif;base64,R0lGODlhAQABAAAAADs=", url)
	p, err = imagePart(svg)
	require.NoError(t, err, "the extension tells what the content does not")
	url, _ = p.ImageURL()
	assert.Regexp(t, `^data:image/svg\+xml;base64,`, url)
	for _, u := range []string{"https://example.com/a.png", "HTTP://example.com/a.png", "data:image/png;base64,AAAA"} {
		p, err = imagePart(u)
		require.NoError(t, err)
		url, _ = p.ImageURL()
		assert.Equal(t, u, url, "URLs are sent as given")
	}
}

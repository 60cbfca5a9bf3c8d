package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adaptive-go/adaptive"
)

func TestExitCodeAndDescribe(t *testing.T) {
	assert.Equal(t, ExitOK, ExitCode(nil))
	assert.Equal(t, ExitUsage, ExitCode(fmt.Errorf("wrapped: %w", Usagef("bad flag"))))
	assert.Equal(t, ExitFailure, ExitCode(errors.New("x")))

	for status, hint := range map[int]string{
		401: "check the key in ADAPTIVE_API_KEY",
		403: "may not do this",
		404: "check the project (--project or ADAPTIVE_PROJECT), model, key or id",
		429: "rate limited",
		503: "try again later",
		409: "",
	} {
		err := &adaptive.APIError{StatusCode: status, Message: "m"}
		assert.Equal(t, hint == "", Hint(err) == "", status)
		assert.Contains(t, Hint(err), hint, status)
	}
	assert.Equal(t, "context canceled: interrupted", Describe(context.Canceled))
	assert.Equal(t, "invalid x: bad", Describe(&adaptive.ValidationError{Field: "x", Reason: "bad"}), "the adaptive: prefix is dropped")
}

func TestNewClientSaysWhatToSet(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	_, err := NewClientFunc(getenv, &Settings{})()
	assert.ErrorContains(t, err, "set ADAPTIVE_BASE_URL (or pass --base-url)")
	env[adaptive.EnvBaseURL] = "ftp://x"
	_, err = NewClientFunc(getenv, &Settings{})()
	assert.ErrorContains(t, err, "is not an absolute http(s) URL")
	env[adaptive.EnvBaseURL] = "http://127.0.0.1:1"
	_, err = NewClientFunc(getenv, &Settings{})()
	assert.ErrorContains(t, err, "no API key: set ADAPTIVE_API_KEY")
	env[adaptive.EnvAPIKey], env[adaptive.EnvProject] = "k", "env-project"
	c, err := NewClientFunc(getenv, &Settings{Project: "flag-project", BaseURL: "http://127.0.0.2:1"})()
	require.NoError(t, err)
	assert.Equal(t, "flag-project", c.Project(), "flags win")
	assert.Equal(t, "http://127.0.0.2:1", c.BaseURL())
}

func TestSaveTarget(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	require.NoError(t, os.WriteFile("taken.jsonl", nil, 0o644))
	require.NoError(t, os.Mkdir("out", 0o755))
	for _, tc := range []struct {
		output, suggested, def, want, err string
	}{
		{"", "server.jsonl", "k.jsonl", "server.jsonl", ""},
		{"", "", "k.jsonl", "k.jsonl", ""},
		{"", "", "sub/../k.jsonl", "k.jsonl", ""},
		{"", "taken.jsonl", "k.jsonl", "", "taken.jsonl exists: pass -o taken.jsonl to replace it"},
		{"taken.jsonl", "server.jsonl", "k.jsonl", "taken.jsonl", ""},
		{"out", "server.jsonl", "k.jsonl", filepath.Join("out", "server.jsonl"), ""},
		{"new/", "", "k.jsonl", filepath.Join("new", "k.jsonl"), ""},
		{"-", "server.jsonl", "k.jsonl", "", ""},
	} {
		got, err := SaveOptions{Output: tc.output, DefaultName: tc.def}.target(&adaptive.Download{Filename: tc.suggested})
		if tc.err != "" {
			assert.ErrorContains(t, err, tc.err, tc)
			continue
		}
		require.NoError(t, err, tc)
		assert.Equal(t, tc.want, got, tc)
	}
}

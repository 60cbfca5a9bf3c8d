// Command adaptive chats, embeds, logs feedback, imports interactions,
// uploads and downloads datasets with the Adaptive API, built on the
// adaptive-go SDK, and runs a fake Adaptive server (adaptivetest) for
// tests. Run "adaptive --help" for its commands.
package main

import (
	"os"

	"github.com/adaptive-go/adaptive/cmd/adaptive/internal/cli"
)

func main() { os.Exit(cli.Main()) }

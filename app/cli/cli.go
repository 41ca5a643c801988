// Package cli is protolab's command line: `protolab serve` runs the lab's servers
// without a window, printing where they listen and a live log of everything they
// see, as readable text or as JSON lines. It drives the same lab.Bench as the
// desktop app. `protolab ca export FILE` hands the lab's CA certificate to outside
// clients.
//
// The lab keeps its CA in os.UserConfigDir()/protolab; the environment variable
// PROTOLAB_CONFIG_DIR names another folder (tests and CI use a temporary one).
package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/internal/version"
)

// Main runs the command named by args[0] and returns the process's exit code:
// 0 success, 1 failure, 2 bad usage. ctx ends the command (Ctrl-C, SIGTERM).
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "ca":
		return ca(args[1:], stdout, stderr)
	case "export":
		return exportCmd(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, version.Get())
		return 0
	case "help", "--help", "-help", "-h":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "protolab: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	names := strings.Join(wire.Registry().Servers(), ",")
	fmt.Fprintf(w, `Protocol Lab: real local protocol servers, watched live.

Usage:
  protolab                 open the lab's window
  protolab serve [flags]   run the servers without a window (Ctrl-C stops them)
%s%s  protolab version         print the version, the commit and the build date

serve flags:
  --only LIST        servers to start, comma-separated (default: all), with the
                     servers they need to work (each says which needs it), from:
                     %s
  --port NAME=PORT   a server's port, repeatable or comma-separated (0: any free port)
  --listen HOST      address to listen on (default 127.0.0.1; anything else exposes the servers)
  --config FILE      a lab.json with listen, ports and settings
  --json             print JSON lines instead of text
  --record FILE      on exit, save the lab session (servers, conversations, events,
                     TLS keys) to FILE, for the app to open or protolab export to convert;
                     every event is kept, spooled beside FILE as serve runs
  --record-limit SIZE  the most --record keeps, e.g. 500M or 2G (K, M, G, T: powers
                     of 1024); past it the oldest events are let go (default: no limit)

Environment:
  PROTOLAB_CONFIG_DIR  the folder of the lab's CA (default: protolab in the user's config folder)
`, caUsage, exportUsage, names)
}

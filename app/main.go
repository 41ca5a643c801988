// Command protolab is Protocol Lab: with no arguments it opens the lab's window;
// `protolab serve` runs the same servers headless (see package cli).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"fyne.io/fyne/v2/app"

	"github.com/protocollab/protolab/app/cli"
	"github.com/protocollab/protolab/app/ui"
	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/assets"
	"github.com/protocollab/protolab/lab"
)

func main() {
	if len(os.Args) > 1 {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	a := app.NewWithID("io.github.protocollab.protolab")
	a.SetIcon(assets.Icon)
	bench := wire.NewBench(lab.HubOptions{})
	ui.NewWindow(a, bench).ShowAndRun()
	bench.StopAll()
}

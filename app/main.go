// Command protolab is Protocol Lab: with no arguments it opens the lab's window;
// `protolab serve` runs the same servers headless (see package cli);
// `protolab FILE.protolab` opens the window on a saved session.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	_ "early.protolab/env" // before Fyne reads the locale: see the package

	"github.com/protocollab/protolab/app/cli"
	"github.com/protocollab/protolab/app/ui"
	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/assets"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/labfile"
)

func main() {
	// protolab lab.protolab opens the window on a saved session.
	var open string
	if len(os.Args) == 2 && strings.HasSuffix(os.Args[1], labfile.Extension) {
		open = os.Args[1]
	} else if len(os.Args) > 1 {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	if err := checkDisplay(); err != nil {
		fmt.Fprintln(os.Stderr, "protolab:", err)
		os.Exit(1)
	}
	a := app.NewWithID("io.github.protocollab.protolab")
	a.SetIcon(assets.Icon)
	bench := wire.NewBench(lab.HubOptions{})
	lab.LimitMemory(bench.Hub())
	w := newWindow(a, bench)
	if open != "" {
		w.Open(open)
	}
	w.ShowAndRun()
	bench.StopAll()
}

// newWindow makes the lab's window. The toolkit panics when it cannot open one
// after all (a display that refuses the connection): that is said in one line,
// with a non-zero exit.
func newWindow(a fyne.App, bench *lab.Bench) *ui.Window {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintln(os.Stderr, "protolab: cannot open the window:", r)
			os.Exit(1)
		}
	}()
	return ui.NewWindow(a, bench)
}

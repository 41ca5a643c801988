package main

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// errNoDisplay is why the window cannot open: there is no display to open it on.
var errNoDisplay = errors.New("no display to open the window on: DISPLAY is not set " +
	"(run it in a desktop session, or `protolab serve` to run the servers without a window)")

// checkDisplay says, before the toolkit tries and panics, whether an X display
// the window can open on is there. The lab is built for X11, which Wayland
// desktops provide through XWayland. Only a local display (":0") is checked for
// its socket; a remote one ("host:10.0", SSH forwarding) is left to the toolkit.
// Other systems than Linux and the BSDs always have a display.
func checkDisplay() error {
	switch runtime.GOOS {
	case "windows", "darwin", "ios", "android", "js":
		return nil
	}
	d := os.Getenv("DISPLAY")
	if d == "" {
		return errNoDisplay
	}
	if !strings.HasPrefix(d, ":") {
		return nil
	}
	n, _, _ := strings.Cut(d[1:], ".")
	sock := filepath.Join("/tmp/.X11-unix", "X"+n)
	if _, err := os.Stat(sock); err != nil {
		return errors.New("no display " + d + " to open the window on: nothing listens at " + sock +
			" (is the X server running? `protolab serve` runs the servers without a window)")
	}
	return nil
}

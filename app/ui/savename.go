package ui

import (
	"fmt"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"

	"github.com/protocollab/protolab/internal/safepath"
)

// What the lab saves (sessions, exports, downloads, attachments, the CA) is
// named as every system can hold it: a save dialog proposes a name made safe
// (safepath.Fix: a remote file's or an attachment's name may be anything), and
// a name Windows treats specially is refused on every system (safepath.Name),
// so that the file opens wherever it is copied.

// chosenPath closes a save dialog's answer and returns the path it names, or
// refuseChosen's error.
func chosenPath(wc fyne.URIWriteCloser) (string, error) {
	if err := refuseChosen(wc); err != nil {
		return "", err
	}
	wc.Close()
	return wc.URI().Path(), nil
}

// refuseChosen returns nil when a save dialog's answer names a file every
// system holds, leaving it open; otherwise it closes it and returns an error
// naming the rule. The dialog has already made the file: a refused one is
// removed when it is empty, which it is unless it was there before and the
// dialog kept it.
func refuseChosen(wc fyne.URIWriteCloser) error {
	path := wc.URI().Path()
	err := safepath.Name(filepath.Base(path))
	if err == nil {
		return nil
	}
	wc.Close()
	if fi, serr := os.Stat(path); serr == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
		os.Remove(path)
	}
	return fmt.Errorf("not saved: %w; choose another name", err)
}

// proposeName sets the name a save dialog proposes, made one every system holds.
func proposeName(d interface{ SetFileName(string) }, name string) { d.SetFileName(safepath.Fix(name)) }

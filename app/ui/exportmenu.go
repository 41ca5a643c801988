package ui

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labdir"
	"github.com/protocollab/protolab/labfile/export"
)

// exportItems is File → Export: the capture in formats other tools read.
func (w *Window) exportItems() []*fyne.MenuItem {
	return []*fyne.MenuItem{
		fyne.NewMenuItem("pcapng for Wireshark…", func() { w.exportFile("pcapng", "lab.pcapng", w.writePCAPNG) }),
		fyne.NewMenuItem("HAR (HTTP archive) for a browser…", func() { w.exportFile("HAR", "lab.har", w.writeHAR) }),
		fyne.NewMenuItem("JSON lines for scripts…", func() { w.exportFile("JSON lines", "lab.jsonl", w.writeJSONL) }),
		fyne.NewMenuItem("Mails as .eml files…", w.exportMails),
	}
}

// capture returns what the hub holds, for an export.
func (w *Window) capture() ([]lab.ConvInfo, []lab.Event) {
	return w.hub.Conversations(), w.hub.Events(0)
}

func (w *Window) writePCAPNG(out io.Writer) (string, error) {
	convs, events := w.capture()
	if err := export.PCAPNG(out, w.hub.Registry(), convs, events, w.hub.Keys().Lines()); err != nil {
		return "", err
	}
	note := "TLS secrets are inside the file, so Wireshark shows HTTPS decrypted."
	if rules := export.DecodeAs(w.hub.Registry(), convs); len(rules) > 0 {
		note += "\n\nThe lab's servers use ports of their own: tell Wireshark what they carry " +
			"(Analyze → Decode As…), or with tshark: -d " + strings.Join(rules, " -d ")
	}
	return note, nil
}

func (w *Window) writeHAR(out io.Writer) (string, error) {
	convs, events := w.capture()
	return "Open it in a browser's developer tools (Network → Import HAR).", export.HAR(out, convs, events)
}

func (w *Window) writeJSONL(out io.Writer) (string, error) {
	convs, events := w.capture()
	return "One JSON object per event, as `protolab serve --json` prints them.", export.JSONL(out, convs, events)
}

// exportFile asks where to write and writes the export there atomically.
func (w *Window) exportFile(what, name string, write func(io.Writer) (string, error)) {
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		path, err := chosenPath(wc)
		if err != nil {
			dialog.ShowError(fmt.Errorf("the %s export was not written: %w", what, err), w.win)
			return
		}
		var buf bytes.Buffer
		note, err := write(&buf)
		if err == nil {
			err = labdir.WriteFile(path, buf.Bytes(), 0o644)
		}
		if err != nil {
			dialog.ShowError(fmt.Errorf("the %s export failed: %w", what, err), w.win)
			return
		}
		dialog.ShowInformation("Exported", fmt.Sprintf("Wrote %s (%s) to\n%s\n\n%s", what, bytesText(int64(buf.Len())), path, note), w.win)
	}, w.win)
	proposeName(d, name)
	d.Show()
}

// exportMails writes every mail the capture holds into a folder, one .eml each.
func (w *Window) exportMails() {
	convs, events := w.capture()
	mails := export.Mails(w.hub.Registry(), convs, events)
	if len(mails) == 0 {
		dialog.ShowInformation("No mail", "The capture holds no mail message: send one with the SMTP client, or read one with POP3 or IMAP.", w.win)
		return
	}
	dialog.ShowFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil || dir == nil {
			return
		}
		n, err := writeMails(dir.Path(), mails)
		if err != nil {
			dialog.ShowError(err, w.win)
			return
		}
		dialog.ShowInformation("Exported", fmt.Sprintf("Wrote %d mail messages to %s", n, dir.Path()), w.win)
	}, w.win)
}

// writeMails writes mails as mail-1.eml, mail-2.eml, … into dir, never over a file.
func writeMails(dir string, mails []export.Mail) (int, error) {
	n := 0
	for i, m := range mails {
		var buf bytes.Buffer
		if err := export.EML(&buf, m.Raw); err != nil {
			return n, err
		}
		path := filepath.Join(dir, fmt.Sprintf("mail-%d.eml", i+1))
		for k := 2; ; k++ {
			if _, err := os.Stat(path); os.IsNotExist(err) {
				break
			}
			path = filepath.Join(dir, fmt.Sprintf("mail-%d-%d.eml", i+1, k))
		}
		if err := labdir.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// newWrappedLabel is a label that wraps, for dialogs.
func newWrappedLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

package ui

import (
	"fmt"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/lab/labdir"
)

var (
	caOnce sync.Once
	caLab  *labca.CA
	caErr  error
)

// labCA opens the lab's certificate authority once (creating it on first use in
// the config folder), for the clients to trust and the export button.
func labCA() (*labca.CA, error) {
	caOnce.Do(func() {
		dir, err := labdir.CA()
		if err != nil {
			caErr = err
			return
		}
		caLab, caErr = labca.Open(dir)
	})
	return caLab, caErr
}

// tlsPart is what the HTTPS pane adds: the lab CA's export, so a browser or curl
// can trust the lab's server.
type tlsPart struct {
	ctx    PaneContext
	export *widget.Button
}

func newTLSPart(ctx PaneContext) *tlsPart {
	t := &tlsPart{ctx: ctx}
	t.export = widget.NewButtonWithIcon("Export lab CA…", theme.DocumentSaveIcon(), t.exportCA)
	return t
}

// exportCA asks where to write the CA's certificate and writes it there: never
// the key, which stays in the config folder.
func (t *tlsPart) exportCA() {
	ca, err := labCA()
	if err != nil {
		dialog.ShowError(err, t.ctx.Window)
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path, err := chosenPath(w)
		if err != nil {
			dialog.ShowError(err, t.ctx.Window)
			return
		}
		if err := ca.Export(path); err != nil {
			dialog.ShowError(err, t.ctx.Window)
			return
		}
		dialog.ShowInformation("Lab CA exported", fmt.Sprintf(
			"Wrote the lab's CA certificate (not its key) to\n%s\n\n"+
				"curl:    curl --cacert %s https://%s/\n"+
				"Browser: import it under Settings → Certificates → Authorities.\n"+
				"The CA signs only lab names (.test), localhost and private addresses.",
			path, path, t.ctx.ServerAddr()), t.ctx.Window)
	}, t.ctx.Window)
	d.SetFileName("protolab-ca.pem")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".pem", ".crt"}))
	d.Show()
}

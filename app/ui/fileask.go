package ui

import (
	"os"
	"path"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// The file pane's questions to the person: where to save, what to upload, a
// folder's or a file's new name, and whether to delete.

func (p *filePane) askDownload() {
	e := p.selected()
	if e == nil || e.IsDir {
		return
	}
	name := e.Name
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		if err := refuseChosen(w); err != nil {
			dialog.ShowError(err, p.ctx.Window)
			return
		}
		p.download(name, w)
	}, p.ctx.Window)
	proposeName(d, name)
	d.Show()
}

func (p *filePane) askUpload() {
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		var size int64 = -1
		if fi, err := os.Stat(r.URI().Path()); err == nil {
			size = fi.Size()
		}
		p.upload(path.Base(r.URI().Path()), r, size)
	}, p.ctx.Window)
}

func (p *filePane) askMkdir() {
	e := widget.NewEntry()
	dialog.ShowForm("New folder", "Create", "Cancel", []*widget.FormItem{widget.NewFormItem("Name", e)}, func(ok bool) {
		if name := strings.TrimSpace(e.Text); ok && name != "" {
			p.simple("making "+remotePath(p.cwd, name), func(s fileSession) error { return s.Mkdir(remotePath(p.cwd, name)) })
		}
	}, p.ctx.Window)
}

func (p *filePane) askRename() {
	sel := p.selected()
	if sel == nil {
		return
	}
	from := sel.Name
	e := widget.NewEntry()
	e.SetText(from)
	dialog.ShowForm("Rename "+from, "Rename", "Cancel", []*widget.FormItem{widget.NewFormItem("New name", e)}, func(ok bool) {
		if to := strings.TrimSpace(e.Text); ok && to != "" && to != from {
			p.simple("renaming "+from+" to "+to, func(s fileSession) error {
				return s.Rename(remotePath(p.cwd, from), remotePath(p.cwd, to))
			})
		}
	}, p.ctx.Window)
}

func (p *filePane) askDelete() {
	sel := p.selected()
	if sel == nil {
		return
	}
	e := *sel
	what := "file " + e.Name
	if e.IsDir {
		what = "folder " + e.Name + " (it must be empty)"
	}
	dialog.ShowConfirm("Delete", "Delete the server's "+what+"?", func(ok bool) {
		if ok {
			p.remove(e)
		}
	}, p.ctx.Window)
}

// remove deletes a file or an empty folder.
func (p *filePane) remove(e fileEntry) {
	target := remotePath(p.cwd, e.Name)
	p.simple("deleting "+target, func(s fileSession) error {
		if e.IsDir {
			return s.Rmdir(target)
		}
		return s.Delete(target)
	})
}

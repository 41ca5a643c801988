package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/pkg/sftp"

	"github.com/protocollab/protolab/clients/ftpclient"
	"github.com/protocollab/protolab/lab"
)

// The FTP data connection modes the pane offers.
const (
	modePassive = "Passive (the client connects)"
	modeActive  = "Active (the server connects)"
)

// filePane is the FTP and SFTP client: log in, browse the server's folder, and
// download, upload, rename, delete or make folders, with progress for long
// transfers. For FTP the person chooses passive or active mode, and the inspector
// shows who opened each data connection.
type filePane struct {
	runner
	ctx     PaneContext
	client  fileClient
	addr    *addrEntry
	user    *widget.Entry
	pass    *widget.Entry
	mode    *widget.RadioGroup
	connect *widget.Button
	logout  *widget.Button
	status  *widget.Label
	where   *widget.Label
	up      *widget.Button
	list    *widget.List
	actions []*widget.Button
	prog    *widget.ProgressBar
	cancel  *widget.Button
	obj     fyne.CanvasObject

	sess    fileSession
	cwd     string
	entries []fileEntry
	sel     int
	done    atomic.Int64 // progress of the transfer under way
	total   atomic.Int64
}

// newPane builds a file pane for the protocol fc describes.
func (fc fileClient) newPane(ctx PaneContext) *filePane {
	p := &filePane{ctx: ctx, client: fc, sel: -1}
	p.addr = newAddrEntry(ctx.ServerAddr)
	p.user = widget.NewEntry()
	p.user.SetText("lab")
	p.pass = widget.NewPasswordEntry()
	p.pass.SetText("lab")
	p.connect = widget.NewButtonWithIcon("Log in", theme.LoginIcon(), p.dial)
	p.connect.Importance = widget.HighImportance
	p.logout = widget.NewButtonWithIcon("Log out", theme.LogoutIcon(), p.disconnect)
	p.status = widget.NewLabel("Not connected. The lab's account is lab / lab; FTP also lets anonymous read.")
	p.status.Wrapping = fyne.TextWrapWord
	p.runner = newRunner(ctx, p.status, p.enable)
	p.problem = p.explain
	p.where = widget.NewLabel("")
	p.where.TextStyle.Monospace = true
	p.up = widget.NewButtonWithIcon("Up", theme.MoveUpIcon(), func() { p.open("..") })
	refresh := widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), func() { p.open(".") })

	p.list = widget.NewList(
		func() int { return len(p.entries) },
		func() fyne.CanvasObject { return newLineText() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(p.entries) {
				o.(*lineText).SetText(entryText(p.entries[id]))
			}
		},
	)
	p.list.OnSelected = func(id widget.ListItemID) { p.sel = id; p.enable() }
	p.list.OnUnselected = func(widget.ListItemID) { p.sel = -1; p.enable() }

	open := widget.NewButtonWithIcon("Open", theme.FolderOpenIcon(), func() {
		if e := p.selected(); e != nil && e.IsDir {
			p.open(e.Name)
		}
	})
	download := widget.NewButtonWithIcon("Download…", theme.DownloadIcon(), p.askDownload)
	upload := widget.NewButtonWithIcon("Upload…", theme.UploadIcon(), p.askUpload)
	mkdir := widget.NewButtonWithIcon("New folder…", theme.FolderNewIcon(), p.askMkdir)
	rename := widget.NewButtonWithIcon("Rename…", theme.DocumentCreateIcon(), p.askRename)
	del := widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), p.askDelete)
	del.Importance = widget.DangerImportance
	p.actions = []*widget.Button{open, download, upload, mkdir, rename, del, p.up, refresh}
	p.prog = widget.NewProgressBar()
	p.prog.Hide()
	p.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), p.abort)
	p.cancel.Hide()

	head := paneTitle("CLIENT", title(ctx.Protocol))
	form := widget.NewForm(
		widget.NewFormItem("Server", p.addr),
		widget.NewFormItem("User", container.NewGridWithColumns(2, p.user, p.pass)),
	)
	if fc.modes {
		p.mode = widget.NewRadioGroup([]string{modePassive, modeActive}, func(string) {
			if s, ok := p.sess.(modeSetter); ok {
				s.setMode(p.ftpMode())
			}
		})
		p.mode.Required = true
		p.mode.SetSelected(modePassive)
		form.AppendItem(widget.NewFormItem("Data connections", p.mode))
	}
	top := container.NewVBox(head, form,
		container.NewHBox(p.connect, p.logout), p.status,
		container.NewBorder(nil, nil, sectionLabel("FOLDER"), container.NewHBox(p.up, refresh), p.where),
	)
	bottom := container.NewVBox(
		container.NewGridWithColumns(3, open, download, upload, mkdir, rename, del),
		container.NewBorder(nil, nil, nil, p.cancel, p.prog),
	)
	p.obj = container.NewBorder(top, bottom, nil, nil, p.list)
	p.enable()
	return p
}

func (p *filePane) Object() fyne.CanvasObject { return p.obj }

// Update follows the server's address and shows a transfer's progress.
func (p *filePane) Update() {
	p.addr.follow()
	if p.busy && p.prog.Visible() {
		if t := p.total.Load(); t > 0 {
			p.prog.SetValue(float64(p.done.Load()) / float64(t))
		}
	}
}

// Close logs out.
func (p *filePane) Close() {
	if p.sess != nil {
		p.sess.Close()
	}
}

// dataTap captures the data connections as the registration's data protocol;
// nil when there is none.
func (p *filePane) dataTap() *lab.Tap {
	if dp := p.ctx.Bench.Registry().Lookup(p.client.data); dp != nil {
		return p.ctx.Bench.Hub().Tap(dp)
	}
	return nil
}

func (p *filePane) ftpMode() ftpclient.Mode {
	if p.mode != nil && p.mode.Selected == modeActive {
		return ftpclient.Active
	}
	return ftpclient.Passive
}

// entryText is a listing line: "📁 pub/" or "README.txt · 1.2 KiB · 2026-11-23 10:04".
func entryText(e fileEntry) string {
	if e.IsDir {
		return "📁 " + e.Name + "/"
	}
	s := "   " + e.Name + " · " + bytesText(e.Size)
	if !e.Time.IsZero() {
		s += " · " + e.Time.Local().Format("2006-01-02 15:04")
	}
	return s
}

func (p *filePane) selected() *fileEntry {
	if p.sel < 0 || p.sel >= len(p.entries) {
		return nil
	}
	return &p.entries[p.sel]
}

// enable turns the controls on or off for the pane's state.
func (p *filePane) enable() {
	on := p.sess != nil && !p.busy
	for _, b := range p.actions {
		setEnabled(b, on)
	}
	if e := p.selected(); on && e == nil {
		for _, b := range p.actions[:6] {
			if b.Text != "Upload…" && b.Text != "New folder…" {
				b.Disable()
			}
		}
	} else if on && !e.IsDir {
		p.actions[0].Disable() // Open
	} else if on && e.IsDir {
		p.actions[1].Disable() // Download
	}
	setEnabled(p.connect, p.sess == nil && !p.busy)
	setEnabled(p.logout, on)
}

// dial logs in and lists the starting folder.
func (p *filePane) dial() {
	l := fileLogin{addr: p.addr.value(), user: p.user.Text, pass: p.pass.Text, mode: p.ftpMode(), dataTap: p.dataTap()}
	var sess fileSession
	var cwd string
	var entries []fileEntry
	p.run("logging in to "+l.addr, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var err error
		if sess, err = p.client.dial(ctx, p.ctx, l); err != nil {
			return err
		}
		if cwd, err = sess.Pwd(); err != nil {
			sess.Close()
			return err
		}
		entries, err = sess.List(cwd)
		if err != nil {
			sess.Close()
		}
		return err
	}, func() {
		p.sess, p.cwd = sess, cwd
		p.show(entries)
		p.status.SetText(fmt.Sprintf("logged in as %s", l.user))
		if c := sess.Conversation(); c != 0 {
			p.ctx.Select(c)
		}
	})
}

func (p *filePane) disconnect() {
	s := p.sess
	if s == nil {
		return
	}
	p.sess, p.entries, p.sel, p.cwd = nil, nil, -1, ""
	p.where.SetText("")
	p.list.UnselectAll()
	p.list.Refresh()
	p.run("logging out", s.Close, func() { p.status.SetText("Logged out.") })
}

// explain says what an error of the session means. When the connection is gone
// (the server stopped, or closed it), the pane is logged out, so Log in is the
// way on, and says so rather than show the client's own words.
func (p *filePane) explain(err error) string {
	if !connectionGone(err) {
		return err.Error()
	}
	if s := p.sess; s != nil {
		p.sess, p.entries, p.sel, p.cwd = nil, nil, -1, ""
		p.where.SetText("")
		p.list.UnselectAll()
		p.list.Refresh()
		go s.Close()
	}
	var fe *ftpclient.Error
	if errors.As(err, &fe) && fe.Code == 421 {
		return "The server closed the connection: " + err.Error() + " Log in again."
	}
	return "The connection to the server is closed (did the server stop?): log in again."
}

// connectionGone reports whether err says the session's connection has ended:
// an FTP 421 (the server is closing the control connection, RFC 959 §4.2) or a
// connection that closed under the client.
func connectionGone(err error) bool {
	var fe *ftpclient.Error
	return errors.As(err, &fe) && fe.Code == 421 || errors.Is(err, ftpclient.ErrClosed) || errors.Is(err, sftp.ErrSSHFxConnectionLost) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// show lists entries as the folder's contents.
func (p *filePane) show(entries []fileEntry) {
	p.entries, p.sel = entries, -1
	p.where.SetText(p.cwd)
	p.list.UnselectAll()
	p.list.Refresh()
}

// open goes into folder name ("." lists again, ".." goes up).
func (p *filePane) open(name string) {
	s := p.sess
	if s == nil {
		return
	}
	dir := remotePath(p.cwd, name)
	var entries []fileEntry
	p.run("listing "+dir, func() (err error) {
		entries, err = s.List(dir)
		return err
	}, func() {
		p.cwd = dir
		p.show(entries)
		p.status.SetText(fmt.Sprintf("%s: %s", dir, counted(uint64(len(entries)), "entry")))
	})
}

// transfer runs a download or upload with a progress bar and a Cancel button.
func (p *filePane) transfer(doing string, total int64, work func(progress func(done, total int64)) error) {
	p.done.Store(0)
	p.total.Store(total)
	p.prog.SetValue(0)
	p.prog.Show()
	p.cancel.Show()
	start := time.Now()
	progress := func(done, t int64) {
		p.done.Store(done)
		if t > 0 {
			p.total.Store(t)
		}
		p.ctx.Changed()
	}
	p.runThen(doing, func() error { return work(progress) }, func(err error) {
		p.prog.Hide()
		p.cancel.Hide()
		if err != nil {
			return
		}
		d := time.Since(start)
		p.status.SetText(fmt.Sprintf("%s: %s in %v", doing, bytesText(p.done.Load()), d.Round(time.Millisecond)))
		p.open(".") // last: the listing is the next piece of work
	})
}

// download copies remote file name into w.
func (p *filePane) download(name string, w io.WriteCloser) {
	s := p.sess
	src := remotePath(p.cwd, name)
	var size int64 = -1
	if e := p.entry(name); e != nil {
		size = e.Size
	}
	p.transfer("downloading "+src, size, func(progress func(done, total int64)) error {
		err := s.Get(src, w, progress)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		return err
	})
}

// upload copies r (size bytes, -1 unknown) to remote file name.
func (p *filePane) upload(name string, r io.ReadCloser, size int64) {
	s := p.sess
	dst := remotePath(p.cwd, name)
	p.transfer("uploading "+dst, size, func(progress func(done, total int64)) error {
		defer r.Close()
		return s.Put(dst, r, size, progress)
	})
}

func (p *filePane) entry(name string) *fileEntry {
	for i := range p.entries {
		if p.entries[i].Name == name {
			return &p.entries[i]
		}
	}
	return nil
}

// abort cancels a transfer: the client's connection closes, the server sees it.
func (p *filePane) abort() {
	if s := p.sess; s != nil && p.busy {
		p.sess = nil
		go s.Close()
		p.status.SetText("cancelled: the session was closed; log in again to go on")
	}
}

// simple runs one quick operation and lists the folder again.
func (p *filePane) simple(doing string, op func(s fileSession) error) {
	s := p.sess
	if s == nil {
		return
	}
	p.run(doing, func() error { return op(s) }, func() {
		p.status.SetText(doing + ": done")
		p.open(".")
	})
}

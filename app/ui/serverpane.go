package ui

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/lab"
)

// serverPane is the server side of a protocol's workbench: where it listens, its
// settings, what the protocol is, and the live server log.
type serverPane struct {
	w        *Window
	p        *lab.Protocol
	status   *widget.Label
	listen   *widget.Entry
	listenOK string // the host the entry last showed from the bench
	exposed  *widget.Label
	pending  *widget.RichText
	restart  *widget.Button
	log      *widget.List
	logSeen  uint64
	split    *container.Split // the settings above the log
	actions  []*serverAction
	obj      fyne.CanvasObject
}

func newServerPane(w *Window, p *lab.Protocol) *serverPane {
	s := &serverPane{w: w, p: p}
	s.status = widget.NewLabel("")
	s.status.Importance = widget.LowImportance

	s.listen = widget.NewEntry()
	s.listenOK = w.bench.Listen()
	s.listen.SetText(s.listenOK)
	s.listen.OnSubmitted = func(string) { s.applyListen() }
	apply := widget.NewButton("Apply", s.applyListen)
	s.exposed = widget.NewLabel("")
	s.exposed.Wrapping = fyne.TextWrapWord
	s.exposed.Importance = widget.DangerImportance
	s.exposed.Hide()

	form := widget.NewForm(widget.NewFormItem("Listen on", container.NewBorder(nil, nil, nil, apply, s.listen)))
	form.Items[0].HintText = "all servers; 127.0.0.1 keeps them to this computer"
	// A server with parts (the broker's listeners) has a port for each.
	servers := w.reg.WithParts(p.Name)
	for _, name := range servers {
		label := "Port"
		if len(servers) > 1 {
			label = "Port (" + name + ")"
		}
		item := widget.NewFormItem(label, s.portEditor(name))
		item.HintText = "0 picks a free port"
		form.AppendItem(item)
	}
	for _, st := range p.Settings {
		// A setting's help can be long: a wrapped caption, where a form's hint
		// would run past the pane.
		var editor fyne.CanvasObject = s.settingWidget(st)
		if st.Help != "" {
			editor = container.New(&tightVBox{}, editor, hintText(st.Help))
		}
		form.AppendItem(widget.NewFormItem(st.Label, editor))
	}

	s.pending = hintText("Changes apply when the server next starts.")
	s.restart = widget.NewButtonWithIcon("Restart", theme.ViewRefreshIcon(), s.restartServer)
	s.restart.Importance = widget.LowImportance

	about := widget.NewLabel(p.About)
	about.Wrapping = fyne.TextWrapWord

	s.log = widget.NewList(
		func() int { return s.w.logs[p.Name].len() },
		func() fyne.CanvasObject { return newLineText() },
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*lineText).SetText(s.w.logs[p.Name].at(id)) },
	)
	s.log.HideSeparators = true

	head := container.NewBorder(nil, nil, nil, s.status, paneTitle("SERVER", title(p)))
	settings := container.NewVBox(form, container.NewBorder(nil, nil, nil, s.restart, s.pending), s.exposed)
	for _, a := range p.Actions {
		sa := newServerAction(s, a)
		s.actions = append(s.actions, sa)
		settings.Add(sa.obj)
	}
	if p.About != "" {
		settings.Add(about)
	}
	// The settings scroll and the log gets its own share of the pane, so neither
	// a long form (a zone file, a mail server's domains) nor a small window
	// squeezes the log to a few lines or pushes the inspector out of the window.
	s.split = container.NewVSplit(container.New(widthCap{settings, maxSettingsMinWidth}, container.NewScroll(settings)),
		container.NewBorder(sectionLabel("SERVER LOG"), nil, nil, nil, s.log))
	s.split.Offset = defaultLogSplit
	s.obj = container.NewBorder(head, nil, nil, nil, s.split)
	return s
}

// settingWidget is the editor for one server setting: radio buttons for a few
// choices, a drop-down for many, otherwise an entry.
func (s *serverPane) settingWidget(st lab.Setting) fyne.CanvasObject {
	set := func(v string) { s.w.bench.SetSetting(s.p.Name, st.Key, v) }
	cur := s.w.bench.Setting(s.p.Name, st.Key)
	switch {
	case len(st.Choices) > 0 && len(st.Choices) <= 4:
		r := widget.NewRadioGroup(st.Choices, nil)
		r.Horizontal = true
		r.Required = true
		r.SetSelected(cur)
		r.OnChanged = set
		return r
	case len(st.Choices) > 0:
		sel := widget.NewSelect(st.Choices, nil)
		sel.SetSelected(cur)
		sel.OnChanged = set
		return sel
	}
	e := widget.NewEntry()
	if st.Kind == lab.SettingFolder {
		e.SetPlaceHolder("the lab's own")
		e.SetText(cur)
		e.OnChanged = set
		choose := widget.NewButtonWithIcon("Choose…", theme.FolderOpenIcon(), func() { s.chooseFolder(e) })
		clear := widget.NewButtonWithIcon("", theme.ContentClearIcon(), func() { e.SetText("") })
		return container.NewBorder(nil, nil, nil, container.NewHBox(choose, clear), e)
	}
	if strings.Contains(st.Default, "\n") {
		// A file's worth of text, such as a DNS zone.
		e = widget.NewMultiLineEntry()
		e.Wrapping = fyne.TextWrapOff
		e.TextStyle.Monospace = true
		e.SetMinRowsVisible(textRows(cur))
	}
	e.SetText(cur)
	e.OnChanged = set
	return e
}

// maxSettingsMinWidth is the most width a server's settings claim; wider ones scroll.
const maxSettingsMinWidth = 420

// textRows is how many rows a multi-line setting's editor shows: every line of
// text, the empty one after its last newline, and one more that the editor's
// horizontal scroll bar may cover; from 8 to 24 (the settings scroll).
func textRows(text string) int {
	return min(max(strings.Count(text, "\n")+2, 8), 24)
}

// chooseFolder lets the person pick a folder for e with the system's folder dialog.
func (s *serverPane) chooseFolder(e *widget.Entry) {
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil || u == nil {
			return
		}
		e.SetText(u.Path())
	}, s.w.win)
	if cur := e.Text; cur != "" {
		if l, err := storage.ListerForURI(storage.NewFileURI(cur)); err == nil {
			d.SetLocation(l)
		}
	}
	d.Show()
}

// portEditor is the entry of the port name's server listens on, with the
// error under it when what was typed is not a port.
func (s *serverPane) portEditor(name string) fyne.CanvasObject {
	port := widget.NewEntry()
	port.SetText(strconv.Itoa(s.w.bench.Port(name)))
	bad := widget.NewLabel("")
	bad.Importance = widget.DangerImportance
	bad.Hide()
	port.OnChanged = func(text string) {
		n, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil || n < 0 || n > 65535 {
			bad.SetText("a port is a number from 0 to 65535")
			bad.Show()
			return
		}
		bad.Hide()
		if n != s.w.bench.Port(name) {
			s.w.bench.SetPort(name, n)
		}
	}
	return container.NewVBox(port, bad)
}

// applyListen changes where every server listens. Leaving loopback exposes the
// lab's servers to the network, so it is asked for explicitly.
func (s *serverPane) applyListen() {
	host := strings.TrimSpace(s.listen.Text)
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if host == "" || host == s.w.bench.Listen() {
		s.listen.SetText(s.w.bench.Listen())
		return
	}
	if isLocalOnly(host) {
		s.w.bench.SetListen(host)
		s.refresh()
		return
	}
	msg := widget.NewLabel(fmt.Sprintf("Listening on %s exposes the lab's servers to the network: other computers "+
		"can connect to them and see what they serve. The lab's servers are built for learning, not for the open "+
		"network.\n\nListen on %s from each server's next start?", host, host))
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm("Expose the servers to the network?", "Listen on "+host, "Keep 127.0.0.1", msg,
		func(ok bool) {
			if ok {
				s.w.bench.SetListen(host)
			} else {
				s.listen.SetText(s.w.bench.Listen())
			}
			s.refresh()
		}, s.w.win)
	d.Resize(fyne.NewSize(480, 0))
	d.Show()
}

func (s *serverPane) restartServer() {
	name := s.p.Name
	s.w.goAsync(func() {
		s.w.bench.StopNames(s.w.reg.WithParts(name)...)
		fyne.Do(func() { s.w.startServer(name) })
	})
}

// refresh shows the server's status, the exposure warning and new log lines.
func (s *serverPane) refresh() {
	st := s.w.bench.Status(s.p.Name)
	switch {
	case st.Running:
		setText(s.status, fmt.Sprintf("running on %s · %d live", st.Addr, st.Sessions))
		s.status.Importance = widget.SuccessImportance
	case st.Err != nil:
		setText(s.status, "failed to start")
		s.status.Importance = widget.DangerImportance
	default:
		setText(s.status, "off")
		s.status.Importance = widget.LowImportance
	}
	s.status.Refresh()
	if st.Running {
		s.pending.Show()
		s.restart.Show()
	} else {
		s.pending.Hide()
		s.restart.Hide()
	}
	if host := s.w.bench.Listen(); host != s.listenOK {
		s.listenOK = host
		s.listen.SetText(host)
	}
	if host := s.w.bench.Listen(); !isLocalOnly(host) {
		setText(s.exposed, fmt.Sprintf("⚠ Servers listen on %s: they are exposed to the network, and other computers can connect.", host))
		s.exposed.Show()
	} else {
		s.exposed.Hide()
	}
	if r := s.w.logs[s.p.Name]; r != nil && r.total != s.logSeen {
		s.logSeen = r.total
		s.log.Refresh()
		s.log.ScrollToBottom()
	}
}

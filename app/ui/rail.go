package ui

import (
	"errors"
	"fmt"
	"image/color"
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/lab"
)

// rail is the server rail: every protocol with a server, its switch, status light,
// address and live sessions, and Start all / Stop all.
type rail struct {
	w       *Window
	names   []string
	entries map[string]*railEntry
	obj     fyne.CanvasObject
}

// railEntry is one protocol's row in the rail.
type railEntry struct {
	name     string
	bg       *canvas.Rectangle
	light    *canvas.Circle
	title    *widget.Label
	detail   *widget.Label
	errText  *widget.Label
	toggle   *toggle
	starting bool
	selected bool
}

func newRail(w *Window) *rail {
	r := &rail{w: w, entries: make(map[string]*railEntry)}
	list := container.NewVBox()
	for _, p := range w.reg.All() {
		if p.NewServer == nil || w.reg.PartOf(p.Name) != "" { // a part shows in its whole's row
			continue
		}
		e := r.newEntry(p)
		r.names = append(r.names, p.Name)
		r.entries[p.Name] = e
		list.Add(r.entryObject(e))
	}
	head := widget.NewLabelWithStyle("SERVERS", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	var body fyne.CanvasObject = container.NewVScroll(list)
	if len(r.names) == 0 {
		body = widget.NewLabel("No protocol with a server is registered.")
	}
	startAll := widget.NewButtonWithIcon("Start all", theme.MediaPlayIcon(), w.startAll)
	stopAll := widget.NewButtonWithIcon("Stop all", theme.MediaStopIcon(), w.stopAll)
	r.obj = container.NewBorder(head, container.NewGridWithColumns(2, startAll, stopAll), nil, nil, body)
	return r
}

func (r *rail) newEntry(p *lab.Protocol) *railEntry {
	e := &railEntry{
		name:    p.Name,
		bg:      canvas.NewRectangle(color.Transparent),
		light:   canvas.NewCircle(color.Transparent),
		title:   widget.NewLabelWithStyle(title(p), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		detail:  widget.NewLabel(""),
		errText: widget.NewLabel(""),
	}
	e.bg.CornerRadius = theme.InputRadiusSize()
	e.detail.SizeName = theme.SizeNameCaptionText
	e.title.Truncation = fyne.TextTruncateEllipsis
	e.detail.Truncation = fyne.TextTruncateEllipsis
	e.errText.Wrapping = fyne.TextWrapWord
	e.errText.Importance = widget.DangerImportance
	e.errText.SizeName = theme.SizeNameCaptionText
	e.errText.Hide()
	e.toggle = newToggle(func(on bool) {
		if on {
			r.w.startServer(p.Name)
		} else {
			r.w.stopServer(p.Name)
		}
	})
	return e
}

func (r *rail) entryObject(e *railEntry) fyne.CanvasObject {
	light := container.NewCenter(container.NewGridWrap(fyne.NewSize(10, 10), e.light))
	text := container.New(&tightVBox{}, e.title, e.detail)
	row := container.NewBorder(nil, nil, light, container.NewCenter(e.toggle), text)
	body := container.NewVBox(row, e.errText)
	return newTapArea(container.NewStack(e.bg, container.NewPadded(body)), func() { r.w.selectProtocol(e.name) })
}

// title is what a person calls the protocol.
func title(p *lab.Protocol) string {
	if p.Title != "" {
		return p.Title
	}
	return strings.ToUpper(p.Name)
}

func (r *rail) has(name string) bool { return r.entries[name] != nil }

func (r *rail) setSelected(name string) {
	for n, e := range r.entries {
		e.selected = n == name
	}
	r.refresh()
}

// refresh shows each server's status as the bench reports it.
func (r *rail) refresh() {
	v := r.w.app.Settings().ThemeVariant()
	th := r.w.app.Settings().Theme()
	for _, name := range r.names {
		e := r.entries[name]
		st := r.w.bench.Status(name)
		light, detail := th.Color(theme.ColorNameDisabled, v), "off · "+r.ports(name)
		// The bench says when a start or stop is under way, whoever asked for
		// it; e.starting covers the moment before the rail's own start begins.
		busy := e.starting || st.Starting || st.Stopping
		switch {
		case e.starting || st.Starting:
			light, detail = th.Color(theme.ColorNameWarning, v), "starting…"
		case st.Stopping:
			light, detail = th.Color(theme.ColorNameWarning, v), "stopping…"
		case st.Running:
			light, detail = th.Color(theme.ColorNameSuccess, v), fmt.Sprintf("%s · %d live", st.Addr, r.sessions(name))
		case st.Err != nil:
			light, detail = th.Color(theme.ColorNameError, v), "failed to start"
		}
		if !busy {
			e.toggle.setOn(st.Running)
		}
		e.toggle.setBusy(busy)
		setCircle(e.light, light)
		setText(e.detail, detail)
		if st.Err != nil && !st.Running && !busy {
			setText(e.errText, st.Err.Error())
			e.errText.Show()
		} else {
			e.errText.Hide()
		}
		bg := color.Color(color.Transparent)
		if e.selected {
			bg = th.Color(theme.ColorNameSelection, v)
		}
		if e.bg.FillColor != bg {
			e.bg.FillColor = bg
			e.bg.Refresh()
		}
	}
}

// ports says which port name's row listens on, or ports with its parts
// (lab.Protocol.Parts): "port 7000", "ports 1883, 4222, 8883".
func (r *rail) ports(name string) string {
	parts := r.w.reg.WithParts(name)
	ports := make([]string, len(parts))
	for i, n := range parts {
		ports[i] = strconv.Itoa(r.w.bench.Port(n))
	}
	if len(ports) == 1 {
		return "port " + ports[0]
	}
	return "ports " + strings.Join(ports, ", ")
}

// sessions is the number of live sessions of name's server and its parts.
func (r *rail) sessions(name string) int {
	n := 0
	for _, p := range r.w.reg.WithParts(name) {
		n += r.w.bench.Status(p).Sessions
	}
	return n
}

// startServer starts name's server off the UI goroutine; a failure flips the
// switch back and says why under the entry and in a dialog.
func (w *Window) startServer(name string) {
	w.startServers([]string{name})
}

func (w *Window) startServers(names []string) {
	var todo []string
	for _, n := range names {
		if e := w.rail.entries[n]; e != nil && !e.starting && !w.bench.Status(n).Running {
			e.starting = true
			todo = append(todo, n)
		}
	}
	if len(todo) == 0 {
		return
	}
	w.rail.refresh()
	var all []string // each row's server with its parts
	for _, n := range todo {
		all = append(all, w.reg.WithParts(n)...)
	}
	w.goAsync(func() {
		errs := w.bench.StartAll(all...)
		fyne.Do(func() {
			for _, n := range todo {
				w.rail.entries[n].starting = false
			}
			w.refresh()
			if len(errs) > 0 {
				w.showStartErrors(errs)
			}
		})
	})
}

func (w *Window) showStartErrors(errs map[string]error) {
	names := make([]string, 0, len(errs))
	for n := range errs {
		names = append(names, n)
	}
	sort.Strings(names)
	var lines []string
	for _, n := range names {
		lines = append(lines, errs[n].Error())
	}
	what := "A server could not start"
	if len(names) > 1 {
		what = fmt.Sprintf("%d servers could not start", len(names))
	}
	dialog.ShowError(errors.New(what+":\n\n"+strings.Join(lines, "\n")), w.win)
}

func (w *Window) stopServer(name string) {
	w.goAsync(func() {
		w.bench.StopNames(w.reg.WithParts(name)...)
		fyne.Do(w.refresh)
	})
}

func (w *Window) startAll() { w.startServers(w.rail.names) }

func (w *Window) stopAll() {
	w.goAsync(func() {
		w.bench.StopAll()
		fyne.Do(w.refresh)
	})
}

func setText(l *widget.Label, s string) {
	if l.Text != s {
		l.SetText(s)
	}
}

func setCircle(c *canvas.Circle, col color.Color) {
	if c.FillColor != col {
		c.FillColor = col
		c.Refresh()
	}
}

// tightVBox stacks objects vertically without padding, for a title over its caption.
type tightVBox struct{}

func (tightVBox) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		s.Width = max(s.Width, m.Width)
		s.Height += m.Height - theme.InnerPadding()
	}
	return s
}

func (tightVBox) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		h := o.MinSize().Height - theme.InnerPadding()
		o.Move(fyne.NewPos(0, y-theme.InnerPadding()/2))
		o.Resize(fyne.NewSize(size.Width, h+theme.InnerPadding()))
		y += h
	}
}

var _ fyne.Layout = tightVBox{}

func (r *rail) object() fyne.CanvasObject { return r.obj }

package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The window's body is the bench (the server rail and the workbench) above the
// inspector, in one split shared by all protocols. The bench has a title strip:
// the protocol shown and a button that collapses the bench to that strip, giving
// the inspector the whole window, or brings it back where its divider was.

// Preference keys of the body's layout.
const (
	prefMainSplit = "split.bench.inspector"
	prefCollapsed = "workbench.collapsed"
)

// defaultMainSplit is the bench's share of the body: the inspector gets the rest.
const defaultMainSplit = 0.42

// benchStrip is the bench's title strip.
type benchStrip struct {
	w      *Window
	toggle *widget.Button
	name   *widget.Label
	keys   *widget.Label
	pick   *widget.Select    // another protocol, while the rail is collapsed too
	names  map[string]string // protocol names by title
	sync   bool              // pick is being set to the protocol shown
	obj    fyne.CanvasObject
}

func newBenchStrip(w *Window) *benchStrip {
	s := &benchStrip{w: w}
	s.toggle = widget.NewButtonWithIcon("", theme.MenuDropUpIcon(), w.toggleWorkbench)
	s.toggle.Importance = widget.LowImportance
	s.name = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.name.Truncation = fyne.TextTruncateEllipsis
	s.keys = widget.NewLabel(shortcutNamed(nameToggleWorkbench).text())
	s.keys.SizeName = theme.SizeNameCaptionText
	s.keys.Importance = widget.LowImportance
	s.names = make(map[string]string)
	var titles []string
	for _, name := range w.rail.names {
		t := title(w.reg.Lookup(name))
		titles = append(titles, t)
		s.names[t] = name
	}
	s.pick = widget.NewSelect(titles, func(t string) {
		if !s.sync && s.names[t] != "" {
			w.selectProtocol(s.names[t])
		}
	})
	s.pick.PlaceHolder = "Show another protocol"
	bar := container.NewBorder(nil, nil, s.toggle, container.NewHBox(s.pick, s.keys), s.name)
	s.obj = container.NewVBox(bar, widget.NewSeparator())
	return s
}

// show says which protocol the bench shows and whether it is collapsed.
func (s *benchStrip) show(protocol string, collapsed bool) {
	text := "WORKBENCH"
	s.sync = true
	if p := s.w.reg.Lookup(protocol); p != nil {
		text += " — " + title(p)
		s.pick.SetSelected(title(p))
	}
	s.sync = false
	s.pick.Hidden = !collapsed
	s.pick.Refresh()
	if collapsed {
		s.toggle.SetIcon(theme.MenuDropDownIcon())
		s.toggle.SetText("Show")
		text += " (collapsed: the inspector has the window)"
	} else {
		s.toggle.SetIcon(theme.MenuDropUpIcon())
		s.toggle.SetText("Hide")
	}
	setText(s.name, text)
}

// buildBody lays out the bench above the inspector, collapsed or not as the
// preferences say.
func (w *Window) buildBody() fyne.CanvasObject {
	p := w.app.Preferences()
	w.strip = newBenchStrip(w)
	w.railSplit = container.NewHSplit(w.rail.object(), w.wb.object())
	w.railSplit.Offset = p.FloatWithFallback(prefRailSplit, 0.2)
	w.mainSplit = container.NewVSplit(w.railSplit, w.insp.Object())
	w.mainSplit.Offset = p.FloatWithFallback(prefMainSplit, defaultMainSplit)
	w.body = container.NewStack(w.mainSplit)
	w.setCollapsed(p.Bool(prefCollapsed))
	return container.NewBorder(w.strip.obj, nil, nil, nil, w.body)
}

// collapsed reports whether the bench is collapsed to its strip.
func (w *Window) collapsed() bool { return w.body.Objects[0] != fyne.CanvasObject(w.mainSplit) }

// setCollapsed collapses the bench to its strip or brings it back, and
// remembers which. The split keeps its offset meanwhile.
func (w *Window) setCollapsed(on bool) {
	insp := w.insp.Object()
	if on {
		w.mainSplit.Trailing = canvas.NewRectangle(color.Transparent) // the inspector has one parent at a time
		w.body.Objects = []fyne.CanvasObject{insp}
	} else {
		w.mainSplit.Trailing = insp
		w.body.Objects = []fyne.CanvasObject{w.mainSplit}
		w.mainSplit.Refresh()
	}
	w.body.Refresh()
	w.app.Preferences().SetBool(prefCollapsed, on)
	w.strip.show(w.wb.current, on)
}

// toggleWorkbench collapses the bench to its strip, or brings it back.
func (w *Window) toggleWorkbench() { w.setCollapsed(!w.collapsed()) }

package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// toggle is a switch: a pill with a knob, lit when on. A tap flips it and calls
// onChanged; setOn changes it without calling back (for state read from the bench).
type toggle struct {
	widget.BaseWidget
	on        bool
	busy      bool // a change is under way: drawn half-lit, taps ignored
	onChanged func(on bool)
}

func newToggle(onChanged func(bool)) *toggle {
	t := &toggle{onChanged: onChanged}
	t.ExtendBaseWidget(t)
	return t
}

// setOn sets the state without calling onChanged.
func (t *toggle) setOn(on bool) {
	if t.on == on {
		return
	}
	t.on = on
	t.Refresh()
}

func (t *toggle) setBusy(busy bool) {
	if t.busy == busy {
		return
	}
	t.busy = busy
	t.Refresh()
}

// Tapped flips the switch.
func (t *toggle) Tapped(*fyne.PointEvent) {
	if t.busy {
		return
	}
	t.on = !t.on
	t.Refresh()
	if t.onChanged != nil {
		t.onChanged(t.on)
	}
}

// Cursor shows a pointing hand over the switch.
func (t *toggle) Cursor() desktop.Cursor { return desktop.PointerCursor }

// CreateRenderer draws the pill and the knob.
func (t *toggle) CreateRenderer() fyne.WidgetRenderer {
	r := &toggleRenderer{t: t, track: canvas.NewRectangle(color.Transparent), knob: canvas.NewCircle(color.White)}
	r.Refresh()
	return r
}

type toggleRenderer struct {
	t     *toggle
	track *canvas.Rectangle
	knob  *canvas.Circle
}

func (r *toggleRenderer) MinSize() fyne.Size { return fyne.NewSize(38, 22) }

func (r *toggleRenderer) Layout(size fyne.Size) {
	min := r.MinSize()
	pos := fyne.NewPos((size.Width-min.Width)/2, (size.Height-min.Height)/2)
	r.track.Move(pos)
	r.track.Resize(min)
	r.track.CornerRadius = min.Height / 2
	d := min.Height - 6
	x := pos.X + 3
	if r.t.on {
		x = pos.X + min.Width - d - 3
	}
	r.knob.Move(fyne.NewPos(x, pos.Y+3))
	r.knob.Resize(fyne.NewSize(d, d))
}

func (r *toggleRenderer) Refresh() {
	v := fyne.CurrentApp().Settings().ThemeVariant()
	th := r.t.Theme()
	switch {
	case r.t.busy:
		r.track.FillColor = th.Color(theme.ColorNameWarning, v)
	case r.t.on:
		r.track.FillColor = th.Color(theme.ColorNameSuccess, v)
	default:
		r.track.FillColor = th.Color(theme.ColorNameInputBorder, v)
	}
	r.knob.FillColor = color.White
	r.Layout(r.t.Size())
	r.track.Refresh()
	r.knob.Refresh()
}

func (r *toggleRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.track, r.knob} }
func (r *toggleRenderer) Destroy()                     {}

// tapArea makes its content selectable with a tap, as a list row is; taps on
// tappable widgets inside it (a toggle) go to them instead.
type tapArea struct {
	widget.BaseWidget
	content fyne.CanvasObject
	onTap   func()
}

func newTapArea(content fyne.CanvasObject, onTap func()) *tapArea {
	a := &tapArea{content: content, onTap: onTap}
	a.ExtendBaseWidget(a)
	return a
}

// Tapped calls onTap.
func (a *tapArea) Tapped(*fyne.PointEvent) {
	if a.onTap != nil {
		a.onTap()
	}
}

// CreateRenderer shows the content.
func (a *tapArea) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(a.content) }

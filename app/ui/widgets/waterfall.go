package widgets

import (
	"fmt"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Waterfall shows how long each request of a connection took, phase by phase, as
// a browser's developer tools do: one row per request, its phases as coloured
// bars on one time axis shared by every row (so a later request starts further
// right), and under each bar the phases' names and durations in words. With no
// rows it shows the text given to SetEmptyText. Use it from the Fyne goroutine
// only.
type Waterfall struct {
	widget.BaseWidget

	rows  []WaterfallRow
	empty string
}

// WaterfallRow is one request: what it was and its phases, oldest first.
type WaterfallRow struct {
	Label  string
	Phases []WaterfallPhase
}

// WaterfallPhase is one phase of a request, as offsets from a time common to
// every row (the start of the first).
type WaterfallPhase struct {
	Name       string
	Start, End time.Duration
}

// NewWaterfall returns an empty waterfall.
func NewWaterfall() *Waterfall {
	w := &Waterfall{}
	w.ExtendBaseWidget(w)
	return w
}

// SetRows sets the requests shown.
func (w *Waterfall) SetRows(rows []WaterfallRow) {
	w.rows = append([]WaterfallRow(nil), rows...)
	w.Refresh()
}

// Rows returns the requests shown.
func (w *Waterfall) Rows() []WaterfallRow { return append([]WaterfallRow(nil), w.rows...) }

// SetEmptyText sets what is shown when there are no rows.
func (w *Waterfall) SetEmptyText(s string) {
	w.empty = s
	w.Refresh()
}

// CreateRenderer implements fyne.Widget.
func (w *Waterfall) CreateRenderer() fyne.WidgetRenderer {
	r := &waterfallRenderer{w: w, empty: widget.NewLabel("")}
	r.empty.Wrapping = fyne.TextWrapWord
	r.sync()
	return r
}

// Geometry of the waterfall, in Fyne units.
const (
	wfPad      = 8
	wfLabelH   = 18
	wfBarH     = 14
	wfNoteH    = 16
	wfRowGap   = 10
	wfTextSize = 12
	wfNoteSize = 11
	wfMinBar   = 2 // a phase too short to see still gets a sliver
)

// phaseColour gives each phase of a request its own colour, by its place in
// the row's order of names: the same name, the same colour, in every row.
var phaseColours = []accent{accentViolet, accentAmber, accentTeardown, accentBlue, {color.NRGBA{0x9a, 0xa4, 0xb1, 0xff}, color.NRGBA{0x6b, 0x72, 0x80, 0xff}}, {color.NRGBA{0x3f, 0xb9, 0x50, 0xff}, color.NRGBA{0x1a, 0x7f, 0x37, 0xff}}}

type wfRow struct {
	label *canvas.Text
	bars  []*canvas.Rectangle
	note  *canvas.Text
}

type waterfallRenderer struct {
	w       *Waterfall
	rows    []wfRow
	empty   *widget.Label
	objects []fyne.CanvasObject
	colour  map[string]int
}

// sync makes the objects for the widget's rows.
func (r *waterfallRenderer) sync() {
	r.rows = r.rows[:0]
	r.objects = r.objects[:0]
	r.colour = map[string]int{}
	for _, row := range r.w.rows {
		o := wfRow{label: canvas.NewText("", nil), note: canvas.NewText("", nil)}
		r.objects = append(r.objects, o.label, o.note)
		for _, p := range row.Phases {
			if _, ok := r.colour[p.Name]; !ok {
				r.colour[p.Name] = len(r.colour) % len(phaseColours)
			}
			b := canvas.NewRectangle(nil)
			b.CornerRadius = 2
			o.bars = append(o.bars, b)
			r.objects = append(r.objects, b)
		}
		r.rows = append(r.rows, o)
	}
	r.objects = append(r.objects, r.empty)
}

// span is the time axis: from the earliest start to the latest end.
func (r *waterfallRenderer) span() (from, to time.Duration) {
	first := true
	for _, row := range r.w.rows {
		for _, p := range row.Phases {
			if first || p.Start < from {
				from = p.Start
			}
			if first || p.End > to {
				to = p.End
			}
			first = false
		}
	}
	return from, to
}

func (r *waterfallRenderer) Layout(size fyne.Size) {
	r.empty.Move(fyne.NewPos(0, 0))
	r.empty.Resize(size)
	from, to := r.span()
	total := float32(to - from)
	width := size.Width - 2*wfPad
	y := float32(wfPad)
	for i, row := range r.w.rows {
		o := r.rows[i]
		o.label.Move(fyne.NewPos(wfPad, y))
		o.label.Text = fitText(row.Label, wfTextSize, o.label.TextStyle, width)
		y += wfLabelH
		for j, p := range row.Phases {
			x0, x1 := float32(0), width
			if total > 0 {
				x0 = width * float32(p.Start-from) / total
				x1 = width * float32(p.End-from) / total
			}
			w := max(x1-x0, wfMinBar)
			o.bars[j].Move(fyne.NewPos(wfPad+min(x0, width-w), y))
			o.bars[j].Resize(fyne.NewSize(w, wfBarH))
		}
		y += wfBarH + 2
		o.note.Move(fyne.NewPos(wfPad, y))
		o.note.Text = fitText(phaseNote(row), wfNoteSize, o.note.TextStyle, width)
		y += wfNoteH + wfRowGap
	}
}

// phaseNote names a row's phases with their durations: "DNS lookup 0.4 ms ·
// TCP connect 0.1 ms · …".
func phaseNote(row WaterfallRow) string {
	parts := make([]string, 0, len(row.Phases))
	for _, p := range row.Phases {
		parts = append(parts, p.Name+" "+durationText(p.End-p.Start))
	}
	return strings.Join(parts, " · ")
}

// durationText writes a phase's length for a person: "85 µs", "1.24 ms", "2.1 s".
func durationText(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%d µs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func (r *waterfallRenderer) MinSize() fyne.Size {
	if len(r.w.rows) == 0 {
		return r.empty.MinSize()
	}
	h := 2*wfPad + float32(len(r.w.rows))*(wfLabelH+wfBarH+2+wfNoteH+wfRowGap) - wfRowGap
	return fyne.NewSize(160, h)
}

func (r *waterfallRenderer) Refresh() {
	if len(r.rows) != len(r.w.rows) || r.shapeChanged() {
		r.sync()
	}
	fg := themed(theme.ColorNameForeground, r.w)
	muted := themed(theme.ColorNamePlaceHolder, r.w)
	for i, row := range r.w.rows {
		o := r.rows[i]
		o.label.Color, o.label.TextSize, o.label.TextStyle = fg, wfTextSize, fyne.TextStyle{Bold: true}
		o.note.Color, o.note.TextSize = muted, wfNoteSize
		for j, p := range row.Phases {
			o.bars[j].FillColor = phaseColours[r.colour[p.Name]].tone(r.w)
		}
	}
	r.empty.SetText(r.w.empty)
	r.empty.Hidden = len(r.w.rows) > 0
	r.Layout(r.w.Size())
	canvas.Refresh(r.w)
}

// shapeChanged reports whether a row's number of phases differs from its objects'.
func (r *waterfallRenderer) shapeChanged() bool {
	for i, row := range r.w.rows {
		if len(r.rows[i].bars) != len(row.Phases) {
			return true
		}
	}
	return false
}

func (r *waterfallRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *waterfallRenderer) Destroy()                     {}

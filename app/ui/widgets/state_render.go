package widgets

import (
	"fmt"
	"image/color"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Geometry of the state diagram, in Fyne units.
const (
	stBoxH      = 28
	stGap       = 14 // vertical space between boxes, where connectors run
	stColGap    = 16
	stPad       = 8
	stMinBoxW   = 112
	stMaxBoxW   = 200
	stNameSize  = 12
	stBadgeSize = 10
	stStepSize  = 11
	stMaxCols   = 3
)

// stateBox is the objects drawing one state.
type stateBox struct {
	glow, box, badge *canvas.Rectangle
	name, steps      *canvas.Text
}

// stateRenderer lays the boxes out in as few columns as the height allows.
type stateRenderer struct {
	d          *StateDiagram
	boxes      []stateBox
	connectors []*canvas.Line
	step       *canvas.Text
	stepText   string // the last-step line before it is fitted to the width
	note       *widget.RichText
	empty      *widget.RichText
	objects    []fyne.CanvasObject
}

func newStateRenderer(d *StateDiagram) *stateRenderer {
	r := &stateRenderer{
		d:     d,
		step:  canvas.NewText("", nil),
		note:  widget.NewRichText(),
		empty: widget.NewRichText(),
	}
	r.note.Wrapping = fyne.TextWrapWord
	r.empty.Wrapping = fyne.TextWrapWord
	r.sync()
	r.apply()
	return r
}

// sync makes one box per state and one connector per neighbouring pair.
func (r *stateRenderer) sync() {
	n := len(r.d.states)
	if len(r.boxes) == n && r.objects != nil {
		return
	}
	for len(r.boxes) < n {
		b := stateBox{
			glow:  canvas.NewRectangle(nil),
			box:   canvas.NewRectangle(nil),
			badge: canvas.NewRectangle(nil),
			name:  canvas.NewText("", nil),
			steps: canvas.NewText("", nil),
		}
		b.glow.CornerRadius = stBoxH/2 + 3
		b.box.CornerRadius = stBoxH / 2
		b.badge.CornerRadius = 8
		b.name.Alignment = fyne.TextAlignCenter
		b.steps.Alignment = fyne.TextAlignCenter
		r.boxes = append(r.boxes, b)
	}
	r.boxes = r.boxes[:n]
	for len(r.connectors) < max(n-1, 0) {
		r.connectors = append(r.connectors, canvas.NewLine(nil))
	}
	r.connectors = r.connectors[:max(n-1, 0)]
	r.objects = r.objects[:0]
	for _, c := range r.connectors {
		r.objects = append(r.objects, c)
	}
	for _, b := range r.boxes {
		r.objects = append(r.objects, b.glow, b.box, b.name, b.badge, b.steps)
	}
	r.objects = append(r.objects, r.step, r.note, r.empty)
}

// columns returns how many columns the boxes need at this size, and rows per column.
func (r *stateRenderer) columns(size fyne.Size) (cols, rows int) {
	n := len(r.d.states)
	if n == 0 {
		return 0, 0
	}
	fit := int((size.Width - 2*stPad + stColGap) / (stMinBoxW + stColGap))
	fit = min(max(fit, 1), stMaxCols)
	avail := size.Height - 2*stPad - r.footerHeight(size.Width)
	for cols = 1; cols < fit; cols++ {
		rows = (n + cols - 1) / cols
		if float32(rows)*(stBoxH+stGap)-stGap <= avail {
			break
		}
	}
	return cols, (n + cols - 1) / cols
}

// footerHeight is the height of the last-step line and the note at this width.
func (r *stateRenderer) footerHeight(width float32) float32 {
	h := float32(0)
	if r.stepText != "" {
		h += r.step.MinSize().Height + 6
	}
	if r.d.note != "" {
		r.note.Resize(fyne.NewSize(width-2*stPad+2*theme.InnerPadding(), r.note.Size().Height))
		h += r.note.MinSize().Height
	}
	return h
}

func (r *stateRenderer) Layout(size fyne.Size) {
	inner := size.Width - 2*stPad
	if len(r.d.states) == 0 {
		ip := theme.InnerPadding()
		r.empty.Move(fyne.NewPos(stPad-ip, stPad-ip/2))
		r.empty.Resize(fyne.NewSize(inner+2*ip, r.empty.MinSize().Height))
		r.empty.Resize(fyne.NewSize(inner+2*ip, r.empty.MinSize().Height))
	}
	cols, rows := r.columns(size)
	colW := inner
	if cols > 0 {
		colW = (inner - float32(cols-1)*stColGap) / float32(cols)
	}
	boxW := min(colW, stMaxBoxW)
	for i := range r.boxes {
		c, row := i/rows, i%rows
		x := stPad + float32(c)*(colW+stColGap) + (colW-boxW)/2
		y := stPad + float32(row)*(stBoxH+stGap)
		r.placeBox(&r.boxes[i], r.d.states[i], x, y, boxW)
		if i+1 < len(r.boxes) {
			l := r.connectors[i]
			if (i+1)%rows == 0 { // the next state starts a new column
				l.Position1, l.Position2 = fyne.Position{}, fyne.Position{}
			} else {
				l.Position1 = fyne.NewPos(x+boxW/2, y+stBoxH)
				l.Position2 = fyne.NewPos(x+boxW/2, y+stBoxH+stGap)
			}
			l.Refresh()
		}
	}
	y := stPad + float32(rows)*(stBoxH+stGap) - stGap + 10
	if r.stepText != "" {
		r.step.Text = fitText(r.stepText, stStepSize, r.step.TextStyle, inner)
		r.step.Refresh()
		sz := r.step.MinSize()
		r.step.Move(fyne.NewPos(stPad, y))
		r.step.Resize(fyne.NewSize(inner, sz.Height))
		y += sz.Height + 6
	}
	// RichText insets its text by the theme's inner padding; cancel it to line up.
	ip := theme.InnerPadding()
	r.note.Move(fyne.NewPos(stPad-ip, y-ip/2))
	r.note.Resize(fyne.NewSize(inner+2*ip, r.note.MinSize().Height))
}

// placeBox positions one state's box, its name and its step badge.
func (r *stateRenderer) placeBox(b *stateBox, name string, x, y, w float32) {
	b.glow.Move(fyne.NewPos(x-3, y-3))
	b.glow.Resize(fyne.NewSize(w+6, stBoxH+6))
	b.box.Move(fyne.NewPos(x, y))
	b.box.Resize(fyne.NewSize(w, stBoxH))
	badgeW := float32(0)
	if b.steps.Text != "" {
		badgeW = textWidth(b.steps.Text, stBadgeSize, b.steps.TextStyle) + 10
		const badgeH = 16
		bx, by := x+w-badgeW-6, y+(stBoxH-badgeH)/2
		b.badge.Move(fyne.NewPos(bx, by))
		b.badge.Resize(fyne.NewSize(badgeW, badgeH))
		th := b.steps.MinSize().Height
		b.steps.Move(fyne.NewPos(bx, by+(badgeH-th)/2))
		b.steps.Resize(fyne.NewSize(badgeW, th))
		badgeW += 6
	}
	// The name is centred in the box, shifted left only as far as the badge needs.
	nameW := w - 2*badgeW - 12
	if nameW < w/2 {
		nameW = w - badgeW - 12
	}
	b.name.Text = fitText(name, stNameSize, b.name.TextStyle, nameW)
	b.name.Refresh()
	th := b.name.MinSize().Height
	nx := x + (w-nameW)/2
	if nx+nameW > x+w-badgeW-6 {
		nx = x + 6
	}
	b.name.Move(fyne.NewPos(nx, y+(stBoxH-th)/2))
	b.name.Resize(fyne.NewSize(nameW, th))
}

func (r *stateRenderer) MinSize() fyne.Size {
	n := len(r.d.states)
	if n == 0 {
		return fyne.NewSize(2*stPad+stMinBoxW, 2*stPad+r.empty.MinSize().Height)
	}
	cols := 1
	if n > 6 {
		cols = 2
	}
	rows := (n + cols - 1) / cols
	w := 2*stPad + float32(cols)*stMinBoxW + float32(cols-1)*stColGap
	return fyne.NewSize(w, 2*stPad+float32(rows)*(stBoxH+stGap)-stGap+10+r.footerHeight(w))
}

func (r *stateRenderer) Refresh() {
	r.sync()
	r.apply()
	r.Layout(r.d.Size())
	canvas.Refresh(r.d)
}

// apply sets texts and colours from the widget's state and the theme.
func (r *stateRenderer) apply() {
	d := r.d
	fg := themed(theme.ColorNameForeground, d)
	muted := themed(theme.ColorNamePlaceHolder, d)
	blue := accentBlue.tone(d)
	steps := d.stepsInto()
	current := d.Current()
	for i, s := range d.states {
		b := &r.boxes[i]
		b.glow.Hide()
		b.name.TextSize = stNameSize
		b.steps.TextSize = stBadgeSize
		b.steps.TextStyle = fyne.TextStyle{Bold: true}
		b.steps.Text = badgeText(steps[s])
		b.badge.Hidden = b.steps.Text == ""
		switch {
		case s == current:
			b.glow.Show()
			b.glow.FillColor = withAlpha(blue, 0x48)
			b.box.FillColor, b.box.StrokeColor, b.box.StrokeWidth = blue, blue, 1.5
			b.name.Color, b.name.TextStyle = onAccent, fyne.TextStyle{Bold: true}
			b.badge.FillColor, b.steps.Color = onAccent, blue
		case len(steps[s]) > 0:
			b.box.FillColor, b.box.StrokeColor, b.box.StrokeWidth = withAlpha(blue, 0x26), blue, 1.5
			b.name.Color, b.name.TextStyle = fg, fyne.TextStyle{}
			b.badge.FillColor, b.steps.Color = blue, onAccent
		default:
			b.box.FillColor, b.box.StrokeColor, b.box.StrokeWidth = withAlpha(fg, 0x0d), withAlpha(fg, 0x45), 1
			b.name.Color, b.name.TextStyle = muted, fyne.TextStyle{}
		}
		for _, o := range []fyne.CanvasObject{b.glow, b.box, b.badge, b.name, b.steps} {
			o.Refresh()
		}
	}
	for i, l := range r.connectors {
		a, b := d.states[i], d.states[i+1]
		switch {
		case !d.adjacentEdge(a, b):
			l.StrokeColor, l.StrokeWidth = color.Transparent, 0
		case d.walked(a, b):
			l.StrokeColor, l.StrokeWidth = blue, 2.5
		default:
			l.StrokeColor, l.StrokeWidth = withAlpha(fg, 0x50), 1.5
		}
	}
	r.applyStep(fg)
	r.note.Segments = []widget.RichTextSegment{&widget.TextSegment{
		Text:  d.note,
		Style: widget.RichTextStyle{ColorName: theme.ColorNamePlaceHolder, SizeName: theme.SizeNameCaptionText, Inline: true},
	}}
	r.note.Hidden = d.note == "" || len(d.states) == 0
	r.note.Refresh()
	r.empty.Segments = []widget.RichTextSegment{&widget.TextSegment{
		Text:  d.empty,
		Style: widget.RichTextStyle{ColorName: theme.ColorNamePlaceHolder, Inline: true},
	}}
	r.empty.Hidden = len(d.states) > 0
	r.empty.Refresh()
}

// applyStep writes the line naming the last transition.
func (r *stateRenderer) applyStep(fg color.Color) {
	d := r.d
	r.step.TextSize, r.step.TextStyle, r.step.Color = stStepSize, fyne.TextStyle{Bold: true}, fg
	n := len(d.path)
	switch {
	case n == 0 || len(d.states) == 0:
		r.stepText = ""
	case n == 1:
		r.stepText = fmt.Sprintf("step 1 · %s", d.path[0])
	default:
		from, to := d.path[n-2], d.path[n-1]
		r.stepText = fmt.Sprintf("step %d · %s → %s", n, from, to)
		if len(d.edges) > 0 && !d.edges[[2]string{from, to}] {
			r.stepText += " (unexpected)"
			r.step.Color = accentRed.tone(d)
		}
	}
	r.step.Text = r.stepText
	r.step.Refresh()
}

// badgeText lists the steps at which a state was entered, the latest three at most.
func badgeText(steps []int) string {
	if len(steps) == 0 {
		return ""
	}
	var b strings.Builder
	if len(steps) > 3 {
		b.WriteString("…")
		steps = steps[len(steps)-3:]
	}
	for i, s := range steps {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(s))
	}
	return b.String()
}

func (r *stateRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *stateRenderer) Destroy() {}

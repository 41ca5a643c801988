package widgets

import (
	"fmt"
	"image/color"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Geometry of the state diagram, in Fyne units.
const (
	stBoxH      = 26
	stGap       = 10 // vertical space between boxes, where connectors run
	stColGap    = 16
	stPad       = 8
	stMinBoxW   = 96
	stMaxBoxW   = 200
	stNameSize  = 12 // the names' text size when the column is wide enough
	stNameMin   = 10 // the smallest the names shrink to before two columns become one
	stNamePad   = 6  // between a box's edge and its name or badge
	stBadgeSize = 10
	stStepSize  = 11
	stMaxCols   = 3
)

// stateBox is the objects drawing one state.
type stateBox struct {
	glow, box, badge *canvas.Rectangle
	name, steps      *canvas.Text
}

// stateRenderer lays the boxes out in as few columns as the height allows, at the
// largest text size that keeps every name whole, and scrolls when even the most
// columns that fit the width are taller than the widget.
type stateRenderer struct {
	d          *StateDiagram
	boxes      []stateBox
	connectors []*canvas.Line
	heads      []stConnectorHeads // one per connector
	last       *stRouteArrow      // the last transition, when not between neighbours
	step       *canvas.Text
	stepText   string // the last-step line before it is fitted to the width
	note       *widget.RichText
	empty      *widget.RichText
	objects    []fyne.CanvasObject

	content     *fyne.Container   // everything drawn, placed by Layout
	contentSize fyne.Size         // what the scroll shows: the widget's size or taller
	scroll      *container.Scroll // vertical only
	nameSize    float32           // the names' text size chosen by the last Layout
}

func newStateRenderer(d *StateDiagram) *stateRenderer {
	r := &stateRenderer{
		d:        d,
		step:     canvas.NewText("", nil),
		note:     widget.NewRichText(),
		empty:    widget.NewRichText(),
		nameSize: stNameSize,
		last:     newStRouteArrow(),
	}
	r.note.Wrapping = fyne.TextWrapWord
	r.empty.Wrapping = fyne.TextWrapWord
	r.content = container.New(stContentLayout{r})
	r.scroll = container.NewVScroll(r.content)
	r.sync()
	r.apply()
	return r
}

// stContentLayout reports the size the renderer chose for the scrolled content;
// the renderer places the objects itself.
type stContentLayout struct{ r *stateRenderer }

func (l stContentLayout) MinSize([]fyne.CanvasObject) fyne.Size { return l.r.contentSize }
func (stContentLayout) Layout([]fyne.CanvasObject, fyne.Size)   {}

// sync makes one box per state and one connector per neighbouring pair.
func (r *stateRenderer) sync() {
	n := len(r.d.states)
	if len(r.boxes) == n && len(r.content.Objects) > 0 {
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
	for len(r.heads) < len(r.connectors) {
		r.heads = append(r.heads, stConnectorHeads{down: newStHead(), up: newStHead()})
	}
	r.heads = r.heads[:len(r.connectors)]
	r.objects = r.objects[:0]
	for i, c := range r.connectors {
		h := r.heads[i]
		r.objects = append(r.objects, c, h.down[0], h.down[1], h.up[0], h.up[1])
	}
	r.objects = append(r.objects, r.last.objects()...)
	for _, b := range r.boxes {
		r.objects = append(r.objects, b.glow, b.box, b.name, b.badge, b.steps)
	}
	r.objects = append(r.objects, r.step, r.note, r.empty)
	r.content.Objects = r.objects
}

// badgeWidth is the room for state i's step badge: the widest of its badge now
// and its badge on the path the diagram makes room for (SetRoom); 0 with none.
func (r *stateRenderer) badgeWidth(i int) float32 {
	w := float32(0)
	if i < len(r.boxes) && r.boxes[i].steps.Text != "" {
		w = textWidth(r.boxes[i].steps.Text, stBadgeSize, fyne.TextStyle{Bold: true}) + 10
	}
	if i < len(r.d.states) && len(r.d.room) > 0 {
		if t := badgeText(pathSteps(r.d.room)[r.d.states[i]]); t != "" {
			w = max(w, textWidth(t, stBadgeSize, fyne.TextStyle{Bold: true})+10)
		}
	}
	return w
}

// boxNeed is the box width that shows every name whole at text size ts, with its badge.
func (r *stateRenderer) boxNeed(ts float32) float32 {
	w := float32(stMinBoxW)
	for i, s := range r.d.states {
		need := textWidth(s, ts, fyne.TextStyle{Bold: true}) + 2*stNamePad
		if bw := r.badgeWidth(i); bw > 0 {
			need += bw + stNamePad
		}
		w = max(w, need)
	}
	return w
}

// stArrangement is where the boxes go at one size.
type stArrangement struct {
	cols, rows int
	colW, boxW float32
	nameSize   float32
	height     float32 // of everything drawn, footer included
}

// arrange chooses the fewest columns whose boxes fit the height, at the largest text
// size (down to stNameMin) that keeps every name whole in that many columns. When
// even the most columns that fit the width are too tall, the content scrolls.
func (r *stateRenderer) arrange(size fyne.Size) stArrangement {
	n := len(r.d.states)
	inner := size.Width - 2*stPad
	footer := r.footerHeight(size.Width)
	if n == 0 {
		return stArrangement{nameSize: stNameSize, height: size.Height}
	}
	colsAt := func(ts float32) int {
		c := int((inner + stColGap) / (r.boxNeed(ts) + stColGap))
		return min(max(c, 1), stMaxCols, n)
	}
	boxesH := func(cols int) float32 {
		rows := (n + cols - 1) / cols
		return float32(rows)*(stBoxH+stGap) - stGap
	}
	// The note under the boxes changes with every message: the boxes do not make
	// room for it (the content scrolls instead), so they stay put from one to the next.
	avail := size.Height - 2*stPad - 10 - r.stepLineHeight()
	most := colsAt(stNameMin)
	cols := most
	for c := 1; c < most; c++ {
		if boxesH(c) <= avail {
			cols = c
			break
		}
	}
	ts := float32(stNameSize)
	for ts > stNameMin && colsAt(ts) < cols {
		ts -= 0.5
	}
	a := stArrangement{cols: cols, rows: (n + cols - 1) / cols, nameSize: ts}
	a.colW = (inner - float32(cols-1)*stColGap) / float32(cols)
	a.boxW = min(a.colW, stMaxBoxW)
	a.height = 2*stPad + boxesH(cols) + 10 + footer
	return a
}

// stepLineHeight is the height of the last-step line, 0 without one.
func (r *stateRenderer) stepLineHeight() float32 {
	if r.stepText == "" {
		return 0
	}
	return r.step.MinSize().Height + 6
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
	a := r.arrange(size)
	if len(r.d.states) == 0 {
		ip := theme.InnerPadding()
		r.empty.Move(fyne.NewPos(stPad-ip, stPad-ip/2))
		r.empty.Resize(fyne.NewSize(inner+2*ip, r.empty.MinSize().Height))
		r.empty.Resize(fyne.NewSize(inner+2*ip, r.empty.MinSize().Height))
		a.height = max(a.height, stPad+r.empty.MinSize().Height)
	}
	r.nameSize = a.nameSize
	rects := make([]boxRect, len(r.boxes))
	for i := range r.boxes {
		c, row := i/a.rows, i%a.rows
		x := stPad + float32(c)*(a.colW+stColGap) + (a.colW-a.boxW)/2
		y := stPad + float32(row)*(stBoxH+stGap)
		rects[i] = boxRect{x, y, a.boxW}
		r.placeBox(&r.boxes[i], r.d.states[i], x, y, a.boxW)
		if i+1 < len(r.boxes) {
			r.placeConnector(i, x+a.boxW/2, y, (i+1)%a.rows != 0)
		}
	}
	r.layoutLast(rects, max(a.rows, 1), a.cols)
	y := stPad + float32(a.rows)*(stBoxH+stGap) - stGap + 10
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

	content := fyne.NewSize(0, max(a.height, size.Height))
	r.scroll.Resize(size)
	if content != r.contentSize {
		r.contentSize = content
		r.scroll.Refresh()
	}
}

// placeConnector draws connector i below the box at y, centred on x, with a head
// at each end the machine moves to; it is hidden when the next state starts a
// new column (show false).
func (r *stateRenderer) placeConnector(i int, x, y float32, show bool) {
	l, h := r.connectors[i], r.heads[i]
	a, b := r.d.states[i], r.d.states[i+1]
	show = show && r.d.adjacentEdge(a, b)
	top, bottom := fyne.NewPos(x, y+stBoxH), fyne.NewPos(x, y+stBoxH+stGap)
	if show {
		l.Position1, l.Position2 = top, bottom
	} else {
		l.Position1, l.Position2 = fyne.Position{}, fyne.Position{}
	}
	l.Refresh()
	h.down.point(bottom, 0, 1, show && r.d.edges[[2]string{a, b}])
	h.up.point(top, 0, -1, show && r.d.edges[[2]string{b, a}])
	h.down.style(l.StrokeColor, max(l.StrokeWidth-0.5, 1))
	h.up.style(l.StrokeColor, max(l.StrokeWidth-0.5, 1))
}

// placeBox positions one state's box, its name and its step badge. The name is
// centred in the box, or in the room left of the badge when it would overlap it.
func (r *stateRenderer) placeBox(b *stateBox, name string, x, y, w float32) {
	b.glow.Move(fyne.NewPos(x-3, y-3))
	b.glow.Resize(fyne.NewSize(w+6, stBoxH+6))
	b.box.Move(fyne.NewPos(x, y))
	b.box.Resize(fyne.NewSize(w, stBoxH))
	badgeW := float32(0)
	if b.steps.Text != "" {
		badgeW = textWidth(b.steps.Text, stBadgeSize, b.steps.TextStyle) + 10
		const badgeH = 16
		bx, by := x+w-badgeW-stNamePad, y+(stBoxH-badgeH)/2
		b.badge.Move(fyne.NewPos(bx, by))
		b.badge.Resize(fyne.NewSize(badgeW, badgeH))
		th := b.steps.MinSize().Height
		b.steps.Move(fyne.NewPos(bx, by+(badgeH-th)/2))
		b.steps.Resize(fyne.NewSize(badgeW, th))
		badgeW += stNamePad
	}
	b.name.TextSize = r.nameSize
	room := w - 2*stNamePad - badgeW // left of the badge
	b.name.Text = fitText(name, r.nameSize, b.name.TextStyle, room)
	b.name.Refresh()
	th := b.name.MinSize().Height
	tw := textWidth(b.name.Text, r.nameSize, b.name.TextStyle)
	nx := x + (w-tw)/2 // centred in the box
	if nx+tw > x+stNamePad+room {
		nx = x + stNamePad + (room-tw)/2 // centred left of the badge
	}
	b.name.Move(fyne.NewPos(nx, y+(stBoxH-th)/2))
	b.name.Resize(fyne.NewSize(tw, th))
}

// MinSize is one column of boxes at the smallest name size, three rows tall: the
// rest scrolls.
func (r *stateRenderer) MinSize() fyne.Size {
	n := len(r.d.states)
	if n == 0 {
		return fyne.NewSize(2*stPad+stMinBoxW, 2*stPad+r.empty.MinSize().Height)
	}
	rows := min(n, 3)
	return fyne.NewSize(2*stPad+r.boxNeed(stNameMin), 2*stPad+float32(rows)*(stBoxH+stGap)-stGap)
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
		b.name.TextSize = r.nameSize
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
		case s == d.Other():
			amber := accentAmber.tone(d)
			b.glow.Show()
			b.glow.FillColor = withAlpha(amber, 0x40)
			b.box.FillColor, b.box.StrokeColor, b.box.StrokeWidth = withAlpha(amber, 0x26), amber, 2.5
			b.name.Color, b.name.TextStyle = fg, fyne.TextStyle{Bold: true}
			b.badge.FillColor, b.steps.Color = amber, onAccent
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
	if o := d.Other(); o != "" && r.stepText != "" {
		r.stepText += " · " + d.whose + ": " + o
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

func (r *stateRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.scroll} }

func (r *stateRenderer) Destroy() {}

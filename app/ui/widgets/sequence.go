package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// ArrowStyle says what kind of step an Arrow is; each style has its own colour.
type ArrowStyle int

// Arrow styles.
const (
	ArrowNormal    ArrowStyle = iota
	ArrowHandshake            // connection-opening handshake step (amber)
	ArrowTeardown             // FIN / RST / close (orange-red, thicker, with a stop bar at its start)
	ArrowSecure               // TLS step (violet)
	ArrowError                // error / fault (red, thicker)
)

// Arrow is one message in a SequenceDiagram.
type Arrow struct {
	From, To int    // lane indices (0 = client, 1 = server, 2+ = extra lanes such as an FTP data connection)
	Label    string // "SYN", "220 mail.alpha.test ESMTP ready"
	Note     string // small text after the label, e.g. "+0.11 ms"
	Style    ArrowStyle
	Inferred bool // dashed line: inferred from the sockets API, not seen as bytes
	// Exchange, if not nil, places the message in an exchange of its own
	// (sequence_exchange.go); the diagram keeps the pointer.
	Exchange *ArrowExchange
}

// Geometry of the diagram, in Fyne units.
const (
	seqRowHeight    = 36 // a multiple of seqDashPeriod, so lane dashes join across rows
	seqHeaderHeight = 40
	seqDashPeriod   = 9
	seqDashLength   = 5
	seqPadTop       = 4
)

// SequenceDiagram draws a conversation as a sequence diagram: one dashed vertical lane
// per endpoint with its title on top, and one horizontal arrow per message, time going
// down. Handshake steps are amber, TLS steps violet, teardown (FIN/RST) orange-red with
// a stop bar, errors red; inferred steps are dashed.
//
// The diagram scrolls itself and is virtualised: only the rows in view have canvas
// objects, which are reused from refresh to refresh, so SetArrows with 100,000 arrows
// is cheap enough to call on every GUI tick. The diagram keeps the slice given to
// SetArrows without copying it; the caller must not modify it afterwards (appending
// to it is fine). Arrows naming a lane beyond the titles given to SetLanes are drawn
// on the last lane. Use it from the Fyne goroutine only.
type SequenceDiagram struct {
	widget.BaseWidget

	// OnSelected is called when a person taps an arrow, with the arrow's index.
	OnSelected func(i int)

	lanes    []string
	arrows   []Arrow
	owned    bool // arrows' backing array belongs to the diagram, so Append may grow it
	ex       exchanges
	selected int
	reveal   bool // the selection is to be scrolled into view once the diagram has a size

	body   *sequenceBody
	scroll *container.Scroll
}

// NewSequenceDiagram returns an empty diagram with a client and a server lane.
func NewSequenceDiagram() *SequenceDiagram {
	d := &SequenceDiagram{lanes: []string{"client", "server"}, selected: -1}
	d.ExtendBaseWidget(d)
	d.body = newSequenceBody(d)
	d.scroll = container.NewVScroll(d.body)
	d.scroll.OnScrolled = func(fyne.Position) { d.body.Refresh() }
	return d
}

// SetLanes sets the lane titles, left to right, e.g. {"client 127.0.0.1:53912", "server :7000"}.
func (d *SequenceDiagram) SetLanes(titles []string) {
	d.lanes = append([]string(nil), titles...)
	d.Refresh()
}

// SetArrows replaces all arrows. The selection is kept if it is still in range.
func (d *SequenceDiagram) SetArrows(arrows []Arrow) {
	old := len(d.arrows)
	hadEx := d.ex.any()
	d.arrows = arrows
	d.owned = false
	d.ex.reset()
	for i := range arrows {
		d.ex.add(i, arrows[i].Exchange)
	}
	if d.ex.any() != hadEx {
		d.Refresh() // the lanes make room for the exchanges' brackets, or take it back
	}
	if d.selected >= len(arrows) {
		d.selected = -1
	}
	d.refreshRows(old)
}

// Append adds arrows at the end. If the end of the diagram was in view, it stays in
// view, so a live conversation scrolls along unless the person scrolled up to read.
func (d *SequenceDiagram) Append(arrows ...Arrow) {
	if len(arrows) == 0 {
		return
	}
	follow := d.atEnd()
	if !d.owned {
		grown := make([]Arrow, len(d.arrows), 2*(len(d.arrows)+len(arrows)))
		copy(grown, d.arrows)
		d.arrows, d.owned = grown, true
	}
	old := len(d.arrows)
	hadEx := d.ex.any()
	d.arrows = append(d.arrows, arrows...)
	for i := old; i < len(d.arrows); i++ {
		d.ex.add(i, d.arrows[i].Exchange)
	}
	if d.ex.any() != hadEx {
		d.Refresh()
	}
	d.refreshRows(old)
	if follow {
		d.scroll.ScrollToBottom()
	}
}

// refreshRows redraws after the arrows changed from old in number. Only the rows
// need it, unless the row numbers gained or lost a digit: then the gutter, and with it
// every lane, moves, titles included.
func (d *SequenceDiagram) refreshRows(old int) {
	if seqGutter(old) != seqGutter(len(d.arrows)) {
		d.Refresh()
	}
	d.scroll.Refresh()
}

// ArrowCount returns the number of arrows.
func (d *SequenceDiagram) ArrowCount() int { return len(d.arrows) }

// Lanes returns the lane titles, left to right.
func (d *SequenceDiagram) Lanes() []string { return append([]string(nil), d.lanes...) }

// ArrowAt returns arrow i.
func (d *SequenceDiagram) ArrowAt(i int) Arrow { return d.arrows[i] }

// Select highlights arrow i (-1 or out of range: none) and scrolls it into view.
// It does not call OnSelected.
func (d *SequenceDiagram) Select(i int) {
	if i < 0 || i >= len(d.arrows) {
		i = -1
	}
	d.selected = i
	if i >= 0 {
		d.scrollIntoView(i)
	}
	d.body.Refresh()
}

// Selected returns the index of the highlighted arrow, or -1.
func (d *SequenceDiagram) Selected() int { return d.selected }

// CreateRenderer implements fyne.Widget.
func (d *SequenceDiagram) CreateRenderer() fyne.WidgetRenderer {
	return newSequenceRenderer(d)
}

// tapRow selects the arrow on row i and tells OnSelected; taps below the last arrow
// are ignored.
func (d *SequenceDiagram) tapRow(i int) {
	if i < 0 || i >= len(d.arrows) {
		return
	}
	d.Select(i)
	if d.OnSelected != nil {
		d.OnSelected(i)
	}
}

// atEnd reports whether the last row is in view (or nothing needs scrolling).
func (d *SequenceDiagram) atEnd() bool {
	view := d.scroll.Size().Height
	return d.scroll.Offset.Y+view >= seqContentHeight(len(d.arrows))-seqRowHeight/2
}

func (d *SequenceDiagram) scrollIntoView(i int) {
	d.reveal = false
	view := d.scroll.Size().Height
	top := seqRowTop(i)
	off := d.scroll.Offset.Y
	switch {
	case view <= 0:
		d.reveal = true
		return
	case top < off:
		off = top - seqRowHeight/2
	case top+seqRowHeight > off+view:
		off = top + seqRowHeight - view + seqRowHeight/2
	default:
		return
	}
	if max := seqContentHeight(len(d.arrows)) - view; off > max {
		off = max
	}
	if off < 0 {
		off = 0
	}
	d.scroll.ScrollToOffset(fyne.NewPos(0, off))
}

// seqRowTop is the y of row i inside the scrolled content.
func seqRowTop(i int) float32 { return seqPadTop + float32(i)*seqRowHeight }

// seqContentHeight is the height of the scrolled content for n arrows.
func seqContentHeight(n int) float32 { return seqRowTop(n) + seqPadTop }

// laneXs returns the x of each lane's line for the diagram at width: with
// exchanges, the lanes move left when their brackets and titles need more
// room right of the last lane than the margin leaves.
func (d *SequenceDiagram) laneXs(width float32, xs []float32) []float32 {
	gutter := seqGutter(len(d.arrows))
	xs = seqLaneXs(len(d.lanes), width, gutter, xs)
	if !d.ex.any() || len(xs) == 0 {
		return xs
	}
	if short := exRoom - (width - xs[len(xs)-1]); short > 0 {
		// Narrowing the lanes' width by w moves the last lane left by w·(2n−1)/2n.
		n := float32(2 * len(xs))
		xs = seqLaneXs(len(d.lanes), width-short*n/(n-1), gutter, xs)
	}
	return xs
}

// seqLaneXs returns the x of each lane's line for a diagram of the given width, with
// gutter units on the left reserved for row numbers.
func seqLaneXs(n int, width, gutter float32, xs []float32) []float32 {
	xs = xs[:0]
	if n < 1 {
		return xs
	}
	usable := width - gutter
	margin := usable / float32(2*n) // lanes sit at the centres of n equal columns
	if margin > 140 {
		margin = 140
	}
	if n == 1 {
		return append(xs, gutter+usable/2)
	}
	step := (usable - 2*margin) / float32(n-1)
	for i := 0; i < n; i++ {
		xs = append(xs, gutter+margin+float32(i)*step)
	}
	return xs
}

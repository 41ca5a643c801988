package widgets

import (
	"image/color"
	"math"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
)

// Arrows of the state diagram: every transition is drawn with its direction.
// A connector between neighbouring boxes carries a head at each end the machine
// can move to (both for a transition defined either way), and the transition
// the path took last, when its states are not neighbours, is drawn as an arrow
// routed beside the column from the state it left to the state it entered.

const (
	stHeadLen = 5   // length of an arrowhead's strokes
	stRoute   = 6.0 // how far beside the boxes the last transition's arrow runs
)

// stHead is the two strokes of an arrowhead.
type stHead [2]*canvas.Line

func newStHead() stHead { return stHead{canvas.NewLine(nil), canvas.NewLine(nil)} }

// point places the head's tip at tip, pointing along (dx, dy), or hides it.
func (h stHead) point(tip fyne.Position, dx, dy float32, show bool) {
	n := float32(math.Hypot(float64(dx), float64(dy)))
	for i, side := range []float32{1, -1} {
		l := h[i]
		if !show || n == 0 {
			l.Position1, l.Position2 = fyne.Position{}, fyne.Position{}
			l.Hidden = true
			continue
		}
		l.Hidden = false
		ux, uy := dx/n, dy/n
		// back along the shaft, and out to one side
		bx := tip.X - stHeadLen*ux + side*stHeadLen*0.7*-uy
		by := tip.Y - stHeadLen*uy + side*stHeadLen*0.7*ux
		l.Position1, l.Position2 = tip, fyne.NewPos(bx, by)
	}
}

// style colours the head.
func (h stHead) style(c color.Color, w float32) {
	for _, l := range h {
		l.StrokeColor, l.StrokeWidth = c, w
		l.Refresh()
	}
}

// stConnectorHeads is the heads of one neighbour connector: at its lower end
// (a move down the list) and at its upper end (a move up).
type stConnectorHeads struct{ down, up stHead }

// stRouteArrow is the last transition's arrow: three strokes and a head.
type stRouteArrow struct {
	seg  [3]*canvas.Line
	head stHead
}

func newStRouteArrow() *stRouteArrow {
	return &stRouteArrow{seg: [3]*canvas.Line{canvas.NewLine(nil), canvas.NewLine(nil), canvas.NewLine(nil)}, head: newStHead()}
}

func (a *stRouteArrow) objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{a.seg[0], a.seg[1], a.seg[2], a.head[0], a.head[1]}
}

// hide removes the arrow.
func (a *stRouteArrow) hide() {
	for _, l := range a.seg {
		l.Hidden = true
		l.Refresh()
	}
	a.head.point(fyne.Position{}, 0, 0, false)
	a.head.style(color.Transparent, 0)
}

// route draws the arrow through pts (two to four points), its head at the last.
func (a *stRouteArrow) route(pts []fyne.Position, c color.Color, w float32) {
	for i, l := range a.seg {
		if i+1 >= len(pts) {
			l.Hidden = true
			l.Refresh()
			continue
		}
		l.Hidden = false
		l.Position1, l.Position2 = pts[i], pts[i+1]
		l.StrokeColor, l.StrokeWidth = c, w
		l.Refresh()
	}
	p, q := pts[len(pts)-2], pts[len(pts)-1]
	a.head.point(q, q.X-p.X, q.Y-p.Y, true)
	a.head.style(c, w)
}

// boxRect is where a state's box was placed.
type boxRect struct{ x, y, w float32 }

// layoutLast draws the last transition of the path when its two states are not
// neighbours joined by a connector, beside the boxes: out of the side of the
// state left, along the column, into the same side of the state entered;
// across columns, straight from one box to the other.
func (r *stateRenderer) layoutLast(rects []boxRect, rows, cols int) {
	d := r.d
	n := len(d.path)
	if n < 2 {
		r.last.hide()
		return
	}
	from, to := d.path[n-2], d.path[n-1]
	fi, ti := slices.Index(d.states, from), slices.Index(d.states, to)
	if fi < 0 || ti < 0 || fi == ti {
		r.last.hide()
		return
	}
	sameCol := fi/rows == ti/rows
	if sameCol && (ti-fi == 1 || fi-ti == 1) && d.adjacentEdge(from, to) {
		r.last.hide() // the connector between them shows it
		return
	}
	c, w := accentBlue.tone(d), float32(2)
	if len(d.edges) > 0 && !d.edges[[2]string{from, to}] {
		c = accentRed.tone(d)
	}
	f, t := rects[fi], rects[ti]
	fy, ty := f.y+stBoxH/2, t.y+stBoxH/2
	if sameCol {
		// Beside the column: on its right, or for the last of several columns, whose
		// right is the widget's edge, on its left, in the gap between columns.
		x, out := f.x+f.w, float32(stRoute)
		if cols > 1 && fi/rows == cols-1 {
			x, out = f.x, -stRoute
		}
		r.last.route([]fyne.Position{{X: x, Y: fy}, {X: x + out, Y: fy}, {X: x + out, Y: ty}, {X: x, Y: ty}}, c, w)
		return
	}
	fx, tx := f.x+f.w, t.x // left to right
	if ti/rows < fi/rows {
		fx, tx = f.x, t.x+t.w
	}
	r.last.route([]fyne.Position{{X: fx, Y: fy}, {X: tx, Y: ty}}, c, w)
}

package widgets

import (
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// LabMap draws the lab as Packet Tracer's simulation view does: its hosts and
// services as nodes in three columns (clients on the left, the resolver in the
// middle, servers on the right), the conversations between them as edges that
// are lit while one of theirs is live, and, for a message being replayed, a dot
// on its edge at the end it is leaving, with the message's summary. Tapping an
// edge calls OnEdge with it. Use it from the Fyne goroutine only.
type LabMap struct {
	widget.BaseWidget

	nodes  []MapNode
	edges  []MapEdge
	moving *MapMoving

	// OnEdge is called with the edge a person tapped.
	OnEdge func(MapEdge)
}

// MapNode is a host or service: a client pane, the resolver, a server, a mail
// domain.
type MapNode struct {
	ID     string
	Label  string // "SMTP alpha.test"
	Sub    string // "127.0.0.1:2525"
	Column int    // 0 clients, 1 between (the resolver), 2 servers
	Live   bool   // it is running, or has a live conversation
}

// MapEdge is the conversations between two nodes.
type MapEdge struct {
	From, To string // node IDs: the dialler first
	Label    string // "3 conversations", "relay"
	Live     bool   // one of its conversations is live
	Key      uint64 // the caller's: what a tap on it selects (a conversation)
}

// MapMoving is a message on its way along an edge.
type MapMoving struct {
	Edge    int  // index into the edges
	Forward bool // from the edge's From to its To
	Text    string
}

// NewLabMap returns an empty map.
func NewLabMap() *LabMap {
	m := &LabMap{}
	m.ExtendBaseWidget(m)
	return m
}

// Set sets the nodes and edges drawn.
func (m *LabMap) Set(nodes []MapNode, edges []MapEdge) {
	m.nodes = append([]MapNode(nil), nodes...)
	m.edges = append([]MapEdge(nil), edges...)
	if m.moving != nil && m.moving.Edge >= len(m.edges) {
		m.moving = nil
	}
	m.Refresh()
}

// SetMoving shows a message on its way along an edge; nil shows none.
func (m *LabMap) SetMoving(mv *MapMoving) {
	if mv != nil && (mv.Edge < 0 || mv.Edge >= len(m.edges)) {
		mv = nil
	}
	m.moving = mv
	m.Refresh()
}

// Moving returns the message shown on its way, nil if none.
func (m *LabMap) Moving() *MapMoving { return m.moving }

// Nodes returns the nodes drawn.
func (m *LabMap) Nodes() []MapNode { return append([]MapNode(nil), m.nodes...) }

// Edges returns the edges drawn.
func (m *LabMap) Edges() []MapEdge { return append([]MapEdge(nil), m.edges...) }

// Tapped selects the edge nearest the tap, if one passes within a few units.
func (m *LabMap) Tapped(ev *fyne.PointEvent) {
	if m.OnEdge == nil {
		return
	}
	if i := m.edgeAt(ev.Position); i >= 0 {
		m.OnEdge(m.edges[i])
	}
}

// edgeAt returns the index of the edge within mapHit of p, the nearest; -1 if none.
func (m *LabMap) edgeAt(p fyne.Position) int {
	pos := m.positions(m.Size())
	best, bestD := -1, float32(mapHit)
	for i, e := range m.edges {
		a, okA := pos[e.From]
		b, okB := pos[e.To]
		if !okA || !okB {
			continue
		}
		if d := segmentDistance(p, a, b); d <= bestD {
			best, bestD = i, d
		}
	}
	return best
}

// EdgePoint is the middle of edge i as drawn at the widget's size, for tests and
// tooltips; ok is false for an edge not drawn.
func (m *LabMap) EdgePoint(i int) (p fyne.Position, ok bool) {
	if i < 0 || i >= len(m.edges) {
		return p, false
	}
	pos := m.positions(m.Size())
	a, okA := pos[m.edges[i].From]
	b, okB := pos[m.edges[i].To]
	if !okA || !okB {
		return p, false
	}
	return fyne.NewPos((a.X+b.X)/2, (a.Y+b.Y)/2), true
}

// Geometry of the map, in Fyne units.
const (
	mapNodeW   = 150
	mapNodeH   = 40
	mapPad     = 12
	mapHit     = 6
	mapDot     = 12
	mapText    = 12
	mapSubText = 10
)

// positions places each node's centre: its column's x, spread evenly down.
func (m *LabMap) positions(size fyne.Size) map[string]fyne.Position {
	cols := [3][]int{}
	for i, n := range m.nodes {
		c := min(max(n.Column, 0), 2)
		cols[c] = append(cols[c], i)
	}
	xs := [3]float32{mapPad + mapNodeW/2, size.Width / 2, size.Width - mapPad - mapNodeW/2}
	out := make(map[string]fyne.Position, len(m.nodes))
	for c, idx := range cols {
		step := (size.Height - 2*mapPad) / float32(max(len(idx), 1))
		if c == 1 {
			// The middle column keeps to the top: the lines from clients to
			// servers cross the middle of the map.
			step = min(step, mapNodeH+2*mapPad)
		}
		for k, i := range idx {
			out[m.nodes[i].ID] = fyne.NewPos(xs[c], mapPad+step*(float32(k)+0.5))
		}
	}
	return out
}

// boxEdge is where the line from the centre c of a node's box toward p leaves
// the box.
func boxEdge(c, p fyne.Position) fyne.Position {
	dx, dy := p.X-c.X, p.Y-c.Y
	if dx == 0 && dy == 0 {
		return c
	}
	t := float32(math.Inf(1))
	if dx != 0 {
		t = min(t, (mapNodeW/2)/float32(math.Abs(float64(dx))))
	}
	if dy != 0 {
		t = min(t, (mapNodeH/2)/float32(math.Abs(float64(dy))))
	}
	t = min(t, 1)
	return fyne.NewPos(c.X+dx*t, c.Y+dy*t)
}

// segmentDistance is the distance from p to the segment a–b.
func segmentDistance(p, a, b fyne.Position) float32 {
	dx, dy := b.X-a.X, b.Y-a.Y
	l2 := dx*dx + dy*dy
	t := float32(0)
	if l2 > 0 {
		t = min(max(((p.X-a.X)*dx+(p.Y-a.Y)*dy)/l2, 0), 1)
	}
	x, y := a.X+t*dx-p.X, a.Y+t*dy-p.Y
	return float32(math.Sqrt(float64(x*x + y*y)))
}

// CreateRenderer implements fyne.Widget.
func (m *LabMap) CreateRenderer() fyne.WidgetRenderer {
	return &labMapRenderer{m: m, dot: canvas.NewCircle(nil), dotText: canvas.NewText("", nil)}
}

type mapNodeObj struct {
	box        *canvas.Rectangle
	label, sub *canvas.Text
}

type mapEdgeObj struct {
	line  *canvas.Line
	head  stHead // at the end that was dialled
	label *canvas.Text
}

type labMapRenderer struct {
	m       *LabMap
	nodes   []mapNodeObj
	edges   []mapEdgeObj
	dot     *canvas.Circle
	dotText *canvas.Text
	objects []fyne.CanvasObject
}

func (r *labMapRenderer) sync() {
	for len(r.nodes) < len(r.m.nodes) {
		o := mapNodeObj{box: canvas.NewRectangle(nil), label: canvas.NewText("", nil), sub: canvas.NewText("", nil)}
		o.box.CornerRadius = 8
		o.label.Alignment, o.sub.Alignment = fyne.TextAlignCenter, fyne.TextAlignCenter
		r.nodes = append(r.nodes, o)
	}
	r.nodes = r.nodes[:len(r.m.nodes)]
	for len(r.edges) < len(r.m.edges) {
		r.edges = append(r.edges, mapEdgeObj{line: canvas.NewLine(nil), head: newStHead(), label: canvas.NewText("", nil)})
	}
	r.edges = r.edges[:len(r.m.edges)]
	r.objects = r.objects[:0]
	for _, e := range r.edges {
		r.objects = append(r.objects, e.line, e.head[0], e.head[1], e.label)
	}
	for _, n := range r.nodes {
		r.objects = append(r.objects, n.box, n.label, n.sub)
	}
	r.objects = append(r.objects, r.dot, r.dotText)
}

func (r *labMapRenderer) Layout(size fyne.Size) {
	pos := r.m.positions(size)
	for i, n := range r.m.nodes {
		o, c := r.nodes[i], pos[n.ID]
		o.box.Move(fyne.NewPos(c.X-mapNodeW/2, c.Y-mapNodeH/2))
		o.box.Resize(fyne.NewSize(mapNodeW, mapNodeH))
		o.label.Text = fitText(n.Label, mapText, o.label.TextStyle, mapNodeW-8)
		o.sub.Text = fitText(n.Sub, mapSubText, o.sub.TextStyle, mapNodeW-8)
		o.label.Move(fyne.NewPos(c.X-mapNodeW/2, c.Y-mapNodeH/2+3))
		o.label.Resize(fyne.NewSize(mapNodeW, 18))
		o.sub.Move(fyne.NewPos(c.X-mapNodeW/2, c.Y+2))
		o.sub.Resize(fyne.NewSize(mapNodeW, 14))
	}
	for i, e := range r.m.edges {
		o := r.edges[i]
		a, b := boxEdge(pos[e.From], pos[e.To]), boxEdge(pos[e.To], pos[e.From])
		o.line.Position1, o.line.Position2 = a, b
		o.head.point(b, b.X-a.X, b.Y-a.Y, true)
		// The label nearer the end dialled, where lines from one node part.
		at := fyne.NewPos(a.X+(b.X-a.X)*0.6, a.Y+(b.Y-a.Y)*0.6)
		o.label.Text = e.Label
		w := textWidth(e.Label, mapSubText, fyne.TextStyle{})
		o.label.Move(fyne.NewPos(at.X-w/2, at.Y-16))
	}
	r.dot.Hidden, r.dotText.Hidden = true, true
	if mv := r.m.moving; mv != nil && mv.Edge < len(r.m.edges) {
		e := r.m.edges[mv.Edge]
		a, b := pos[e.From], pos[e.To]
		if !mv.Forward {
			a, b = b, a
		}
		// A third of the way from the end it leaves: on its way, and which way is plain.
		p := fyne.NewPos(a.X+(b.X-a.X)/3, a.Y+(b.Y-a.Y)/3)
		r.dot.Move(fyne.NewPos(p.X-mapDot/2, p.Y-mapDot/2))
		r.dot.Resize(fyne.NewSize(mapDot, mapDot))
		r.dotText.Text = fitText(mv.Text, mapSubText, fyne.TextStyle{Bold: true}, size.Width/2)
		r.dotText.Move(fyne.NewPos(p.X+mapDot, p.Y+2))
		r.dot.Hidden, r.dotText.Hidden = false, false
	}
}

func (r *labMapRenderer) MinSize() fyne.Size {
	rows := 1
	var per [3]int
	for _, n := range r.m.nodes {
		per[min(max(n.Column, 0), 2)]++
	}
	for _, k := range per {
		rows = max(rows, k)
	}
	return fyne.NewSize(3*mapNodeW+4*mapPad, float32(rows)*(mapNodeH+mapPad)+mapPad)
}

func (r *labMapRenderer) Refresh() {
	r.sync()
	fg := themed(theme.ColorNameForeground, r.m)
	muted := themed(theme.ColorNamePlaceHolder, r.m)
	blue, amber := accentBlue.tone(r.m), accentAmber.tone(r.m)
	for i, n := range r.m.nodes {
		o := r.nodes[i]
		// Opaque, so the lines passing behind a node do not cross its words.
		o.box.FillColor, o.box.StrokeWidth = themed(theme.ColorNameBackground, r.m), 1.5
		o.box.StrokeColor = withAlpha(fg, 0x45)
		if n.Live {
			o.box.StrokeColor, o.box.StrokeWidth = blue, 2.5
		}
		o.label.Color, o.label.TextSize, o.label.TextStyle = fg, mapText, fyne.TextStyle{Bold: true}
		o.sub.Color, o.sub.TextSize = muted, mapSubText
	}
	for i, e := range r.m.edges {
		o := r.edges[i]
		if e.Live {
			o.line.StrokeColor, o.line.StrokeWidth = blue, 3
		} else {
			o.line.StrokeColor, o.line.StrokeWidth = withAlpha(fg, 0x60), 1.5
		}
		o.head.style(o.line.StrokeColor, o.line.StrokeWidth)
		o.label.Color, o.label.TextSize = muted, mapSubText
	}
	r.dot.FillColor, r.dot.StrokeColor = amber, color.Transparent
	r.dotText.Color, r.dotText.TextSize, r.dotText.TextStyle = amber, mapSubText, fyne.TextStyle{Bold: true}
	r.Layout(r.m.Size())
	canvas.Refresh(r.m)
}

func (r *labMapRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *labMapRenderer) Destroy()                     {}

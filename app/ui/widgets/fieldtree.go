package widgets

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// TreeField is one field of a FieldTree: a name, a value, and the bytes it covers
// in the message the tree describes (Off, Len; Len 0: none).
type TreeField struct {
	Name, Value string
	Off, Len    int
}

// holds reports whether f's bytes hold g's (and are not the same bytes).
func (f TreeField) holds(g TreeField) bool {
	return f.Len > 0 && g.Len > 0 && g.Off >= f.Off && g.Off+g.Len <= f.Off+f.Len && (g.Off != f.Off || g.Len != f.Len)
}

// FieldTree shows a message's fields as a tree, as a packet analyser's details
// pane does: a root line (the message's summary), then each field as "name: value"
// with its value whole, wrapped to the width. A field sits under the nearest field
// before it whose bytes hold its own (a DNS record over its name and type), so a
// list whose wholes come before their parts reads as a tree; a node with children
// opens and closes with its arrow. One field may be selected; tapping a row selects
// it. Use it from the Fyne goroutine only.
type FieldTree struct {
	widget.BaseWidget

	// OnSelected, if set, is called when a tap selects a field (its index), or the
	// root (-1).
	OnSelected func(i int)

	fields   []TreeField
	parent   []int  // each field's parent field, or -1 (the root)
	hasKids  []bool // whether a field has fields under it
	closed   []bool // whether a field's children are hidden
	selected int    // the selected field, or -1

	root   *fieldRow
	rows   []*fieldRow // one a field, reused
	box    *fyne.Container
	scroll *container.Scroll
}

// NewFieldTree returns an empty tree.
func NewFieldTree() *FieldTree {
	t := &FieldTree{selected: -1}
	t.ExtendBaseWidget(t)
	t.root = newFieldRow(t, -1)
	t.box = container.New(rowsLayout{}, t.root)
	t.scroll = container.NewVScroll(t.box)
	return t
}

// MaxTreeRows bounds the fields a FieldTree shows; a last row says how many more
// there are. Rows are real widgets, and a message is read, not scrolled through.
const MaxTreeRows = 1000

// Set shows root (a summary line) over fields, all open, none selected, scrolled
// to the top.
func (t *FieldTree) Set(root string, fields []TreeField) {
	if n := len(fields) - MaxTreeRows; n > 0 {
		fields = append(fields[:MaxTreeRows:MaxTreeRows], TreeField{Name: "…", Value: fmt.Sprintf("%d more fields not shown", n)})
	}
	t.fields = fields
	t.parent = make([]int, len(fields))
	t.hasKids = make([]bool, len(fields))
	t.closed = make([]bool, len(fields))
	t.selected = -1
	var stack []int // the open wholes, innermost last
	for i, f := range fields {
		for len(stack) > 0 && !fields[stack[len(stack)-1]].holds(f) {
			stack = stack[:len(stack)-1]
		}
		t.parent[i] = -1
		if len(stack) > 0 {
			t.parent[i] = stack[len(stack)-1]
			t.hasKids[t.parent[i]] = true
		}
		if f.Len > 0 {
			stack = append(stack, i)
		}
	}
	for len(t.rows) < len(fields) {
		t.rows = append(t.rows, newFieldRow(t, len(t.rows)))
	}
	t.root.setText("", root)
	objs := make([]fyne.CanvasObject, 0, len(fields)+1)
	objs = append(objs, t.root)
	for i, f := range fields {
		t.rows[i].setText(f.Name, f.Value)
		objs = append(objs, t.rows[i])
	}
	t.box.Objects = objs
	t.update()
	t.scroll.ScrollToTop()
}

// Fields returns the fields shown.
func (t *FieldTree) Fields() []TreeField { return t.fields }

// Parent returns the field field i sits under, or -1 (the root).
func (t *FieldTree) Parent(i int) int { return t.parent[i] }

// Selected returns the selected field, or -1.
func (t *FieldTree) Selected() int { return t.selected }

// Select selects field i (-1: none), opening the fields it sits under and
// scrolling it into view. It does not call OnSelected.
func (t *FieldTree) Select(i int) {
	if i < -1 || i >= len(t.fields) {
		i = -1
	}
	t.selected = i
	if i >= 0 {
		for p := t.parent[i]; p >= 0; p = t.parent[p] {
			t.closed[p] = false
		}
	}
	t.update()
	if i >= 0 {
		r := t.rows[i]
		y := r.Position().Y
		if off := t.scroll.Offset.Y; y < off || y+r.Size().Height > off+t.scroll.Size().Height {
			t.scroll.ScrollToOffset(fyne.NewPos(0, y))
		}
	}
}

// SetOpen opens or closes field i's children.
func (t *FieldTree) SetOpen(i int, open bool) {
	if i < 0 || i >= len(t.fields) || t.closed[i] == !open {
		return
	}
	t.closed[i] = !open
	if !open && t.selected >= 0 && t.under(t.selected, i) {
		t.selected = i
	}
	t.update()
}

// IsOpen reports whether field i's children are shown.
func (t *FieldTree) IsOpen(i int) bool { return !t.closed[i] }

// Shown reports whether field i's row is shown (no field it sits under is closed).
func (t *FieldTree) Shown(i int) bool {
	for p := t.parent[i]; p >= 0; p = t.parent[p] {
		if t.closed[p] {
			return false
		}
	}
	return true
}

// under reports whether field i sits (at any depth) under field p.
func (t *FieldTree) under(i, p int) bool {
	for q := t.parent[i]; q >= 0; q = t.parent[q] {
		if q == p {
			return true
		}
	}
	return false
}

func (t *FieldTree) depth(i int) int {
	d := 1
	for p := t.parent[i]; p >= 0; p = t.parent[p] {
		d++
	}
	return d
}

// tapped selects row i (-1: the root) for a tap, or opens or closes it for a tap
// on its arrow.
func (t *FieldTree) tapped(i int, onArrow bool) {
	t.focus()
	if onArrow && i >= 0 && t.hasKids[i] {
		t.SetOpen(i, t.closed[i])
		return
	}
	t.Select(i)
	if t.OnSelected != nil {
		t.OnSelected(i)
	}
}

// update shows each row at its depth, with its arrow, selected or not, hidden
// under a closed field.
func (t *FieldTree) update() {
	t.root.setState(0, "", false)
	for i := range t.fields {
		arrow := ""
		if t.hasKids[i] {
			arrow = "▾"
			if t.closed[i] {
				arrow = "▸"
			}
		}
		r := t.rows[i]
		r.setState(t.depth(i), arrow, i == t.selected)
		if shown := t.Shown(i); shown != r.Visible() {
			if shown {
				r.Show()
			} else {
				r.Hide()
			}
		}
	}
	t.box.Refresh()
}

// CreateRenderer implements fyne.Widget.
func (t *FieldTree) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(t.scroll)
}

// Row returns the row of field i (-1: the root), for tests and for tapping.
func (t *FieldTree) Row(i int) interface {
	fyne.Tappable
	fyne.CanvasObject
	Text() string
} {
	if i < 0 {
		return t.root
	}
	return t.rows[i]
}

// rowsLayout stacks the visible rows at their heights with no gap between them, so
// every point of the tree is on a row a tap can select.
type rowsLayout struct{}

func (rowsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h
	}
}

func (rowsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		if o.Visible() {
			m := o.MinSize()
			s = fyne.NewSize(max(s.Width, m.Width), s.Height+m.Height)
		}
	}
	return s
}

package widgets

import "fyne.io/fyne/v2"

var _ fyne.Focusable = (*FieldTree)(nil)

// FocusGained implements fyne.Focusable: a tap on a row gives the tree the keys.
func (t *FieldTree) FocusGained() {}

// FocusLost implements fyne.Focusable.
func (t *FieldTree) FocusLost() {}

// TypedRune implements fyne.Focusable.
func (t *FieldTree) TypedRune(rune) {}

// TypedKey moves the selection as a tree view does: Up and Down to the row above
// or below, Home and End to the first or last, Left closes a field (or goes to
// the field it sits under), Right opens it.
func (t *FieldTree) TypedKey(ev *fyne.KeyEvent) {
	shown := t.shownFields()
	if len(shown) == 0 {
		return
	}
	at := -1 // the selected field's place in shown
	for k, i := range shown {
		if i == t.selected {
			at = k
		}
	}
	next := t.selected
	switch ev.Name {
	case fyne.KeyDown:
		next = shown[min(at+1, len(shown)-1)]
	case fyne.KeyUp:
		next = shown[max(at-1, 0)]
	case fyne.KeyHome:
		next = shown[0]
	case fyne.KeyEnd:
		next = shown[len(shown)-1]
	case fyne.KeyLeft:
		switch {
		case t.selected < 0:
		case t.hasKids[t.selected] && !t.closed[t.selected]:
			t.SetOpen(t.selected, false)
			return
		case t.parent[t.selected] >= 0:
			next = t.parent[t.selected]
		}
	case fyne.KeyRight:
		if t.selected >= 0 && t.hasKids[t.selected] && t.closed[t.selected] {
			t.SetOpen(t.selected, true)
		}
		return
	default:
		return
	}
	if next != t.selected {
		t.tapped(next, false)
	}
}

// shownFields lists the fields whose rows are shown, in order.
func (t *FieldTree) shownFields() []int {
	var out []int
	for i := range t.fields {
		if t.Shown(i) {
			out = append(out, i)
		}
	}
	return out
}

// focus gives the tree the keyboard, when it is on a canvas.
func (t *FieldTree) focus() {
	if c := fyne.CurrentApp().Driver().CanvasForObject(t); c != nil {
		c.Focus(t)
	}
}

package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// sequenceBody is the scrolled content of a SequenceDiagram: as tall as all its rows,
// but its renderer only makes objects for the rows inside the scroll's view.
type sequenceBody struct {
	widget.BaseWidget
	d *SequenceDiagram
}

var _ fyne.Tappable = (*sequenceBody)(nil)

func newSequenceBody(d *SequenceDiagram) *sequenceBody {
	b := &sequenceBody{d: d}
	b.ExtendBaseWidget(b)
	return b
}

// CreateRenderer implements fyne.Widget.
func (b *sequenceBody) CreateRenderer() fyne.WidgetRenderer {
	return newSequenceBodyRenderer(b)
}

// Tapped selects the arrow on the tapped row.
func (b *sequenceBody) Tapped(ev *fyne.PointEvent) {
	y := ev.Position.Y - seqPadTop
	if y < 0 {
		return
	}
	b.d.tapRow(int(y / seqRowHeight))
}

// visibleRows returns the first row in view and the row after the last one, counting
// the empty rows below the last arrow too, so lanes run to the bottom of the view.
func (b *sequenceBody) visibleRows() (first, end int) {
	s := b.d.scroll
	top, view := s.Offset.Y, s.Size().Height
	if view <= 0 {
		return 0, 0
	}
	first = int((top - seqPadTop) / seqRowHeight)
	if first < 0 {
		first = 0
	}
	end = int((top+view-seqPadTop)/seqRowHeight) + 1
	return first, end
}

package inspector

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// cellLabel is a table cell that may be cut short with an ellipsis and says
// what it holds in full while the pointer rests on it: hover is called with its
// whole text, and with "" when the pointer leaves.
type cellLabel struct {
	widget.Label
	hover func(string)
}

var _ desktop.Hoverable = (*cellLabel)(nil)

func newCellLabel(hover func(string)) *cellLabel {
	c := &cellLabel{hover: hover}
	c.Truncation = fyne.TextTruncateEllipsis
	c.ExtendBaseWidget(c)
	return c
}

// MouseIn says the cell's whole text.
func (c *cellLabel) MouseIn(*desktop.MouseEvent) {
	if c.hover != nil {
		c.hover(c.Text)
	}
}

// MouseMoved does nothing: the text was said on the way in.
func (c *cellLabel) MouseMoved(*desktop.MouseEvent) {}

// MouseOut says the pointer left.
func (c *cellLabel) MouseOut() {
	if c.hover != nil {
		c.hover("")
	}
}

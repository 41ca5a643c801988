package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/lab"
)

// inspectorView is what the window needs of the inspector.
type inspectorView interface {
	Object() fyne.CanvasObject
	Update()
	Select(id lab.ConvID)
	Reset()
}

// placeholderInspector holds the inspector's place.
type placeholderInspector struct {
	obj fyne.CanvasObject
	sel lab.ConvID
}

func newInspectorView(hub *lab.Hub, reg *lab.Registry) inspectorView {
	head := widget.NewLabelWithStyle("INSPECTOR", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	return &placeholderInspector{obj: container.NewBorder(head, nil, nil, nil, widget.NewLabel("Conversations appear here."))}
}

func (p *placeholderInspector) Object() fyne.CanvasObject { return p.obj }
func (p *placeholderInspector) Update()                   {}
func (p *placeholderInspector) Select(id lab.ConvID)      { p.sel = id }
func (p *placeholderInspector) Reset()                    { p.sel = 0 }

package ui

import (
	"fyne.io/fyne/v2"

	"github.com/protocollab/protolab/app/ui/inspector"
	"github.com/protocollab/protolab/lab"
)

// inspectorView is what the window needs of the inspector.
type inspectorView interface {
	Object() fyne.CanvasObject
	Update()
	Behind() bool
	Missed() uint64
	Reads() (updates, events uint64)
	Select(id lab.ConvID)
	Selected() lab.ConvID
	Reset()
	Filter() string
	SetFilter(s string) error
	SelectedRow() (lab.Event, bool)
	SelectRow(i int) bool
}

var _ inspectorView = (*inspector.Inspector)(nil)

func newInspectorView(hub *lab.Hub, reg *lab.Registry) inspectorView { return inspector.New(hub, reg) }

package inspector

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/protocollab/protolab/app/ui/widgets"
)

// The inspector's layout: every part visible at once, each in a split that moves
// freely and is remembered, none shrunk below a size it can still be used at.
//
//	conversations      │ replay bar
//	                   │ sequence diagram │ messages
//	───────────────────│                  │──────────
//	state diagram      │                  │ detail
//
// The sequence diagram runs the inspector's whole height beside the message list
// and the detail, as a ladder beside Wireshark's list and packet detail; the state
// diagram wraps its states into columns under the conversations.

// partMin is the least size of each part of the inspector.
var partMin = map[string]fyne.Size{
	partConvs:    {Width: 320, Height: 150},
	partState:    {Width: 200, Height: 110},
	partSequence: {Width: 220, Height: 180},
	partMessages: {Width: 260, Height: 90},
	partDetail:   {Width: 260, Height: 110},
}

// The inspector's parts.
const (
	partConvs    = "conversations"
	partState    = "state"
	partSequence = "sequence"
	partMessages = "messages"
	partDetail   = "detail"
)

// layOut builds the inspector's layout from its parts and returns its root (the
// split between the conversations and the rest) and its splits, remembered.
func (in *Inspector) layOut() (*container.Split, []*savedSplit) {
	in.stateTitle.Wrapping = fyne.TextWrapWord // a long title never widens its column
	in.timing = widgets.NewWaterfall()
	in.timing.SetEmptyText(noTimingText)
	in.seqTabs = container.NewAppTabs(
		container.NewTabItem("Sequence", in.seq),
		container.NewTabItem("Timing", container.NewVScroll(in.timing)),
	)
	in.seqTabs.OnSelected = func(*container.TabItem) { in.refreshTiming() }
	in.parts = map[string]fyne.CanvasObject{
		partConvs:    in.convs.obj,
		partState:    container.NewBorder(in.stateTitle, nil, nil, nil, in.state),
		partSequence: in.seqTabs,
		partMessages: in.msgs.list,
		// The detail scrolls rather than take the sequence diagram's width: its tree
		// beside its bytes asks for more than a narrow column has.
		partDetail: container.NewScroll(in.detail.obj),
	}
	for name, o := range in.parts {
		in.parts[name] = atLeast(o, partMin[name])
	}
	msgSplit := container.NewVSplit(in.parts[partMessages], in.parts[partDetail])
	msgSplit.Offset = 0.4
	seqSplit := container.NewHSplit(in.parts[partSequence], msgSplit)
	seqSplit.Offset = 0.42
	left := container.NewVSplit(in.parts[partConvs], in.parts[partState])
	left.Offset = 0.58
	root := container.NewHSplit(left, container.NewBorder(in.replay.obj, nil, nil, nil, seqSplit))
	root.Offset = 0.36
	return root, []*savedSplit{
		remember(root, "conversations"),
		remember(left, "conversations.state"),
		remember(seqSplit, "sequence.messages"),
		remember(msgSplit, "messages.detail"),
	}
}

// atLeast is o, never laid out smaller than least.
func atLeast(o fyne.CanvasObject, least fyne.Size) fyne.CanvasObject {
	return container.New(minLayout{least}, o)
}

// minLayout gives its objects the whole container and asks for at least min.
type minLayout struct{ min fyne.Size }

func (l minLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := l.min
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

func (minLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.Position{})
		o.Resize(size)
	}
}

// Package inspector is the lower half of Protocol Lab's main window: the list of
// captured conversations and, for the selected one, its sequence diagram, state
// diagram, messages and the detail of a message (fields, meaning, RFC reference,
// text and hex, and for TCP the kernel's view of the connection).
//
// It reads the hub through its own lab.Subscription into a plain-Go Model and
// refreshes only what changed when the window calls Update, at most a few tens of
// times a second, so a conversation of 100,000 messages stays smooth: lists are
// virtualised and new messages are appended, never redrawn from the start.
package inspector

import (
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/app/ui/widgets"
	"github.com/protocollab/protolab/lab"
)

// maxPerUpdate bounds the events one Update reads; the rest wait for the next one.
const maxPerUpdate = 50_000

// tickEvery is how often counters and durations are redrawn.
const tickEvery = 250 * time.Millisecond

// kernelEvery is how often a live TCP connection's kernel view is read anew.
const kernelEvery = 500 * time.Millisecond

// Inspector shows the hub's conversations and the selected one's messages and
// diagrams. Its methods must be called from the Fyne goroutine (inside fyne.Do).
type Inspector struct {
	// OnSelect, if set, is called when the person selects a conversation in the list.
	OnSelect func(id lab.ConvID)

	hub   *lab.Hub
	reg   *lab.Registry
	evs   []lab.Event // the events being read (Update), their room kept for the next
	sub   *lab.Subscription
	model *Model
	dirty atomic.Bool // the hub's conversations changed since the last Update

	convs      *convList
	msgs       *msgList
	detail     *detail
	seq        *widgets.SequenceDiagram
	timing     *widgets.Waterfall // the shown conversation's requests, phase by phase (timing.go)
	seqTabs    *container.AppTabs // the sequence diagram and the timing
	state      *widgets.StateDiagram
	stateTitle *widget.Label
	replay     *replayBar
	splits     []*savedSplit
	parts      map[string]fyne.CanvasObject // each part in its place (room.go)
	obj        fyne.CanvasObject

	shown      lab.ConvID // the conversation on display (0: none)
	pinned     bool       // chosen, not following the newest
	info       lab.ConvInfo
	start      time.Time // the shown conversation's start, for time offsets
	nShown     int       // rows of the shown conversation in the views
	lostShown  int       // the model's Lost count when the views were built
	pathLen    int
	pathLast   string
	exShown    bool                // the state diagram shows an exchange's machine, not the session's (exchange.go)
	flowLayer  string              // a flow of several protocols: the layer whose states the diagram shows (layerstate.go)
	selMsg     int                 // selected row, -1 for none
	pre        []lab.Event         // the DNS lookup's rows shown before the conversation's own (lookup.go)
	lookupAddr string              // the resolver's address, for its lane
	kids       map[lab.ConvID]*kid // conversations linked under the shown one, with their lanes (lookup.go)
	merged     []uint64            // with kids: the rows of the shown conversation and its kids, in order
	laneOf     [nRoles]int         // the lane of each role (lookup.go)
	syncing    bool
	lastKernel time.Time
	lastTick   time.Time
	touched    bool   // listed conversations changed since the last tick
	behind     bool   // the last Update left events unread
	updates    uint64 // Update calls, and the events they read (Reads)
	read       uint64
	mf         msgFilter
}

// New returns an inspector of hub's conversations; reg supplies the protocols'
// state machines and the filter's names. It subscribes to the hub from its oldest
// event held.
func New(hub *lab.Hub, reg *lab.Registry) *Inspector {
	in := &Inspector{
		hub:    hub,
		reg:    reg,
		model:  NewModel(hub.Options().MaxBytes),
		selMsg: -1,
		mf:     msgFilter{scans: make(map[lab.ConvID]*scan)},
	}
	in.sub = hub.Subscribe(true)
	in.dirty.Store(true)
	hub.OnConversation(func(lab.ConvID) { in.dirty.Store(true) })

	in.convs = newConvList(hub, reg)
	in.convs.onSelect = func(id lab.ConvID) {
		in.pinned = true
		in.show(id)
		if in.OnSelect != nil {
			in.OnSelect(id)
		}
	}
	in.convs.passes = in.convPasses
	in.convs.bar.onApply = in.applyFilter
	in.convs.bar.paths = in.fieldPaths
	in.convs.onFilter = func() {
		if !in.pinned {
			in.show(in.convs.newest)
		}
	}

	in.seq = widgets.NewSequenceDiagram()
	in.seq.OnSelected = func(i int) { in.selectMsg(i, fromDiagram) }
	in.state = widgets.NewStateDiagram()
	in.stateTitle = widget.NewLabelWithStyle("State", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	in.detail = newDetail()
	in.msgs = newMsgList(in.rows, in.row, func(e *lab.Event) string { return fmtOffset(e.At.Sub(in.start)) })
	in.msgs.list.OnSelected = func(i widget.ListItemID) { in.selectMsg(i, fromList) }
	in.msgs.list.OnUnselected = func(i widget.ListItemID) {
		if !in.syncing && in.selMsg == i {
			in.selectMsg(-1, fromList)
		}
	}

	in.replay = newReplayBar(in)
	root, splits := in.layOut()
	in.splits = append(splits,
		remember(in.detail.split, "detail"),
		remember(in.detail.bytes, "bytes"),
	)
	in.obj = root
	in.show(0)
	in.Update()
	return in
}

// Object returns the whole inspector, to put in the window.
func (in *Inspector) Object() fyne.CanvasObject { return in.obj }

// Selected returns the conversation on display: the one selected, or while none
// is, the newest one being followed; 0 when there is none. Selecting one of its
// messages also stops following the newest.
func (in *Inspector) Selected() lab.ConvID { return in.shown }

// Select shows conversation id and stops following the newest; id 0 goes back to
// following the newest conversation. It does not call OnSelect.
func (in *Inspector) Select(id lab.ConvID) {
	in.pinned = id != 0
	if id == 0 {
		id = in.convs.newest
	}
	in.show(id)
}

// Reset forgets everything shown, for after hub.Clear().
func (in *Inspector) Reset() {
	evs, _ := in.sub.Next(0) // only what came after the Clear
	in.model.Reset()
	in.model.Feed(evs, 0)
	in.model.TakeTouched()
	clear(in.mf.scans)
	in.pinned = false
	in.shown = 0
	in.convs.selected = 0
	in.convs.refresh()
	in.show(in.convs.newest)
	in.convs.setStatus(0)
}

// Update reads the events published since the last call and refreshes what changed.
func (in *Inspector) Update() {
	evs, missed := in.sub.NextAppend(in.evs, maxPerUpdate)
	in.behind = len(evs) >= maxPerUpdate
	in.updates++
	in.read += uint64(len(evs))
	in.model.Feed(evs, missed) // which keeps copies
	clear(evs)
	in.evs = evs[:0]
	touched := in.model.TakeTouched()
	in.filterTouched(touched)

	now := time.Now()
	rebuilt := false
	if in.dirty.Load() && in.convs.due() {
		in.dirty.Store(false) // before the snapshot, so no change is missed
		in.convs.refresh()
		in.pruneScans()
		rebuilt = true
	}
	if in.convs.touch(touched) {
		in.touched = true
	}
	// Counters and durations move all the time: redraw them a few times a second.
	tick := now.Sub(in.lastTick) >= tickEvery
	if tick && (in.touched || in.convs.live > 0) {
		in.lastTick = now
		in.touched = false
		in.convs.tick()
	}
	if !in.pinned && in.convs.newest != in.shown {
		in.show(in.convs.newest)
	} else if in.shown != 0 {
		_, ok := touched[in.shown]
		for id := range in.kids {
			if _, t := touched[id]; t {
				ok = true
			}
		}
		if ok || rebuilt {
			in.refreshShown()
		}
		if tick && in.selMsg < 0 {
			in.refreshConvDetail()
		}
		in.followLive(now)
		in.refreshKernel(now, false)
	}
	in.convs.setStatus(in.model.Dropped())
	in.replay.refresh()
	for _, s := range in.splits {
		s.save()
	}
}

// Behind reports whether the last Update left events unread: it reads at most a
// bounded number each time, so after a burst the caller should call Update again
// at its next tick even when nothing new arrives.
func (in *Inspector) Behind() bool { return in.behind }

// Reads reports how many times Update ran and how many events it read in all.
func (in *Inspector) Reads() (updates, events uint64) { return in.updates, in.read }

// Missed is how many events the hub dropped before the inspector read them
// (its log is bounded; a reader that falls far behind loses the oldest).
func (in *Inspector) Missed() uint64 { return in.model.Missed() }

// rows is the number of rows on display: those of allRows the display filter
// lists.
func (in *Inspector) rows() int {
	if in.mf.narrow {
		return len(in.mf.vis)
	}
	return in.allRows()
}

// row returns row i on display.
func (in *Inspector) row(i int) *lab.Event {
	if in.mf.narrow {
		if i < 0 || i >= len(in.mf.vis) {
			return &lab.Event{}
		}
		i = in.mf.vis[i]
	}
	return in.fullRow(i)
}

// allRows is the number of rows of the shown conversation: the lookup's and
// the conversation's.
func (in *Inspector) allRows() int { return len(in.pre) + in.nShown }

// fullRow returns row i of the shown conversation, counting its lookup's rows first.
func (in *Inspector) fullRow(i int) *lab.Event {
	if i >= 0 && i < len(in.pre) {
		return &in.pre[i]
	}
	i -= len(in.pre)
	c := in.model.Conv(in.shown)
	if i < 0 || i >= in.nShown || (c == nil && in.kids == nil) {
		return &lab.Event{}
	}
	return in.mainRow(c, i)
}

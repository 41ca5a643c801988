package inspector

import (
	"time"

	"github.com/protocollab/protolab/lab"
)

// Where a message selection came from.
const (
	fromList = iota
	fromDiagram
	fromCode
)

// noConvText and the connectionless text explain an empty state diagram.
const (
	noConvText     = "No conversation yet: switch on a server and send something."
	noMachineText  = "The lab knows no state machine for this protocol."
	datagramFormat = "%s is connectionless: there is no handshake and no connection state. " +
		"Each datagram stands alone; the lab groups the datagrams between the same two ports " +
		"into one flow, which ends after a silence."
)

// show puts conversation id (0: none) on display, from its first row held.
func (in *Inspector) show(id lab.ConvID) {
	in.shown = id
	in.selMsg = -1
	in.mf.reset()
	in.nShown, in.lostShown = 0, 0
	in.pathLen, in.pathLast = 0, ""
	in.lastKernel = time.Time{}
	in.convs.highlight(id)
	in.syncing = true
	in.msgs.list.UnselectAll()
	in.syncing = false
	in.seq.Select(-1)
	in.state.SetNote("")
	in.refreshFollow(nil)
	in.pre, in.kids, in.merged = nil, nil, nil
	if in.replay != nil {
		in.replay.stop()
	}

	if id == 0 {
		in.info = lab.ConvInfo{}
		in.seq.SetLanes([]string{"client", "server"})
		in.seq.SetArrows(nil)
		in.state.SetMachine(nil, nil)
		in.state.SetPath(nil)
		in.state.SetEmptyText(noConvText)
		in.stateTitle.SetText("State")
		in.detail.clear(noConvText)
		in.detail.setKernel(lab.ConvInfo{})
		in.msgs.list.Refresh()
		return
	}
	in.info = in.convInfo(id)
	c := in.model.Conv(id)
	in.start = in.info.Start
	if in.start.IsZero() && c != nil {
		in.start = c.Start()
	}
	in.pre = in.lookupRows(in.info)
	if len(in.pre) > 0 {
		in.start = in.pre[0].At // the lookup is the first step
	}
	if in.kids = in.kidsOf(in.info); in.kids != nil {
		in.merge(c)
	}
	in.seq.SetLanes(in.lanes())
	in.flowLayer = ""
	in.flowLayer = in.firstFlowLayer()
	in.setSessionMachine()
	in.state.SetPath(nil)
	in.state.SetOther("", "")
	in.state.SetRoom(nil)
	in.nShown = in.mainLen(c)
	in.setRowArrows(c)
	if c != nil {
		in.lostShown = c.Lost()
		in.detail.showConv(in.info, in.model.Notes(c), c.Lost())
	} else {
		in.detail.showConv(in.info, nil, 0)
	}
	in.msgs.list.Refresh()
	in.msgs.list.ScrollToBottom()
	in.refreshPath(c)
	in.refreshKernel(time.Now(), true)
	in.replay.refresh() // the count is the shown conversation's
	in.refreshTiming()
}

// convInfo returns a snapshot of conversation id, from the hub if it still knows it.
func (in *Inspector) convInfo(id lab.ConvID) lab.ConvInfo {
	if c := in.hub.Conversation(id); c != nil {
		return c.Info(false)
	}
	info, _ := in.convs.info(id)
	info.ID = id
	return info
}

// refreshShown brings the shown conversation's views up to the model: new rows
// are appended; rows forgotten at the front rebuild the views once.
func (in *Inspector) refreshShown() {
	link := in.info.Link
	if info, ok := in.convs.info(in.shown); ok {
		in.info = info
	}
	lateLookup := in.info.Link.Kind == lab.LinkLookup && len(in.pre) == 0 && len(in.lookupRows(in.info)) > 0
	if lateLookup || link != in.info.Link || !sameKids(in.kids, in.kidsOf(in.info)) {
		// The lookup's analysis came in after the connection was shown, it was
		// linked under another, or a connection was linked under it: lanes
		// change, so draw it anew.
		sel, pinned, npre := in.selMsg, in.pinned, len(in.pre)
		in.show(in.shown)
		in.pinned = pinned
		if sel >= 0 {
			in.selectMsg(sel+len(in.pre)-npre, fromCode)
		}
		return
	}
	c := in.model.Conv(in.shown)
	if in.kids != nil {
		// Rows of several conversations, merged: redraw when any grew.
		n := len(in.merged)
		in.merge(c)
		if len(in.merged) != n {
			in.nShown = len(in.merged)
			in.setRowArrows(c)
			in.msgs.list.Refresh()
			if in.selMsg < 0 {
				in.msgs.list.ScrollToBottom()
			}
		}
		in.refreshPath(c)
		return
	}
	switch {
	case c == nil:
		if in.nShown > 0 {
			in.nShown, in.lostShown = 0, 0
			in.setRowArrows(nil)
			in.selectMsg(-1, fromCode)
			in.msgs.list.Refresh()
		}
	case c.Lost() != in.lostShown:
		delta := c.Lost() - in.lostShown
		in.nShown, in.lostShown = c.Len(), c.Lost()
		in.setRowArrows(c)
		in.msgs.list.Refresh()
		sel := in.selMsg
		if sel >= len(in.pre) {
			sel -= delta
		}
		in.selectMsg(sel, fromCode)
	case c.Len() > in.nShown:
		from := in.nShown
		in.nShown = c.Len()
		in.appendRowArrows(c, from, c.Len())
		in.msgs.list.Refresh()
		if in.selMsg < 0 {
			in.msgs.list.ScrollToBottom()
		}
	}
	in.refreshPath(c)
	in.refreshTiming()
}

// refreshConvDetail redraws the detail of the shown conversation when no message is selected.
func (in *Inspector) refreshConvDetail() {
	if c := in.model.Conv(in.shown); c != nil {
		in.detail.showConv(in.info, in.model.Notes(c), c.Lost())
	}
}

// refreshPath shows the states the shown conversation went through, if they changed.
func (in *Inspector) refreshPath(c *ConvData) {
	if c == nil || in.selMsg >= 0 { // a selected message shows the path as it stood then
		return
	}
	if in.flowLayer == "" {
		// A flow of several layers whose first stateful one is only now seen.
		if in.flowLayer = in.firstFlowLayer(); in.flowLayer != "" {
			in.setSessionMachine()
		}
	}
	layer := in.stateLayer()
	// The other end's state changes in the teardown's last rows, sometimes where
	// the followed end's does not (the ACK of the last FIN).
	in.state.SetOther(in.otherEnd(in.rows()-1, otherLookBack))
	p := c.Path(layer)
	last := ""
	if len(p) > 0 {
		last = p[len(p)-1]
	}
	if len(p) == in.pathLen && last == in.pathLast {
		return
	}
	in.pathLen, in.pathLast = len(p), last
	in.state.SetRoom(p) // replay then steps within it without moving the boxes
	in.state.SetPath(append([]string(nil), p...))
}

// refreshKernel reads a live TCP connection's kernel view every kernelEvery (or now).
func (in *Inspector) refreshKernel(now time.Time, force bool) {
	if in.info.Transport != "tcp" || in.info.Datagram {
		in.detail.setKernel(lab.ConvInfo{})
		return
	}
	// A view shown as live of a conversation that has ended is redrawn at once, as
	// the last seen while open.
	over := !in.info.Live && in.detail.kernelLive
	if !force && !over && (!in.info.Live || now.Sub(in.lastKernel) < kernelEvery) {
		return
	}
	in.lastKernel = now
	conv := in.hub.Conversation(in.shown)
	if conv == nil {
		in.detail.setKernel(in.info)
		return
	}
	in.detail.setKernel(conv.Info(true))
}

// SelectedRow returns the row selected in the message list (or by replay), if
// one is.
func (in *Inspector) SelectedRow() (lab.Event, bool) {
	if in.selMsg < 0 || in.selMsg >= in.rows() {
		return lab.Event{}, false
	}
	return *in.row(in.selMsg), true
}

// SelectRow selects row i of the shown conversation as a tap in the message
// list does; -1 selects none. It reports whether row i exists.
func (in *Inspector) SelectRow(i int) bool {
	if i >= in.rows() {
		return false
	}
	in.selectMsg(i, fromCode)
	return i >= 0
}

// selectMsg selects row i (-1: none) in the list, the sequence diagram, the
// detail and the state diagram's note.
func (in *Inspector) selectMsg(i int, from int) {
	if in.syncing {
		return
	}
	in.syncing = true
	defer func() { in.syncing = false }()
	if i >= in.rows() {
		i = -1
	}
	if i >= 0 && from != fromCode {
		// Reading a message: stay on this conversation when a newer one begins.
		in.pinned = true
	}
	in.selMsg = i
	in.msgs.sel = i
	if from != fromList {
		if i >= 0 {
			in.msgs.list.Select(i)
		} else {
			in.msgs.list.UnselectAll()
		}
	}
	if from != fromDiagram {
		in.seq.Select(i)
	}
	c := in.model.Conv(in.shown)
	if i < 0 || c == nil {
		in.refreshFollow(nil)
		in.showExchange(-1)
		in.state.SetNote("")
		if c != nil {
			in.detail.showConv(in.info, in.model.Notes(c), c.Lost())
			in.pathLen, in.pathLast = -1, ""
			in.refreshPath(c)
		}
		in.replay.refresh()
		return
	}
	in.followLayer(in.row(i))
	in.state.SetPath(in.pathAt(i))
	in.state.SetOther(in.otherEnd(i, -1))
	in.showExchange(i)
	in.replay.refresh()
	e := in.row(i)
	in.detail.showMessage(e, in.start, in.info)
	in.refreshFollow(e)
	note := rowSummary(e)
	if m := e.Msg; m != nil {
		if m.Ref != "" {
			note = m.Ref + " — " + note
		}
		if _, meaning := m.Detail(); meaning != "" {
			note += ": " + meaning
		}
	}
	in.state.SetNote(note)
}

package inspector

import (
	"slices"

	"github.com/protocollab/protolab/app/ui/widgets"
	"github.com/protocollab/protolab/lab"
)

// A conversation may have relatives drawn in its sequence diagram on lanes of
// their own:
//   - the DNS lookup it was linked under (a lab client given www.lab.test): its
//     rows come first, on a resolver lane between client and server — client →
//     DNS → IP → server;
//   - the connections linked under it (an FTP session's data connections,
//     labelled "RETR photo.png · passive"): their rows are merged in time order,
//     on a data lane to the right, each drawn from whichever end dialled it to the
//     data lane, the listening end.

// The roles a lane can play.
const (
	roleClient = iota
	roleDNS
	roleServer
	roleData
	nRoles
)

// lookupRows returns the DNS messages of the lookup info's conversation was linked
// under, oldest first, or nil when it has none (or the hub forgot it).
func (in *Inspector) lookupRows(info lab.ConvInfo) []lab.Event {
	if info.Link.Kind != lab.LinkLookup || info.Link.Parent == 0 {
		return nil
	}
	parent := in.hub.Conversation(info.Link.Parent)
	if parent == nil {
		return nil
	}
	pi := parent.Info(false)
	p := in.reg.Lookup(pi.Protocol)
	if p == nil {
		return nil
	}
	var rows []lab.Event
	for _, e := range in.hub.ConvEvents(info.Link.Parent) {
		if (e.Kind == lab.KindMessage || e.Kind == lab.KindHandshake) && e.Layer == p.LayerName() && e.Msg != nil {
			rows = append(rows, e)
		}
	}
	in.lookupAddr = shortAddr(pi.Server)
	return rows
}

// kidsOf returns the conversations linked under id, with whether the server
// dialled each (active FTP, a relay hop), from the list's snapshot. A DNS
// lookup's "children" are the connections that followed it, shown under them
// instead.
func (in *Inspector) kidsOf(info lab.ConvInfo) map[lab.ConvID]bool {
	if info.ID == 0 {
		return nil
	}
	var kids map[lab.ConvID]bool
	for _, ci := range in.convs.all {
		if ci.Link.Parent != info.ID || ci.Link.Kind == lab.LinkLookup {
			continue
		}
		if kids == nil {
			kids = make(map[lab.ConvID]bool)
		}
		kids[ci.ID] = ci.Link.Dialler == lab.SideServer
	}
	return kids
}

// sameKids reports whether a and b list the same conversations the same way.
func sameKids(a, b map[lab.ConvID]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for id, v := range a {
		if w, ok := b[id]; !ok || w != v {
			return false
		}
	}
	return true
}

// merge rebuilds the merged rows of the shown conversation and its kids, in the
// order the hub published them.
func (in *Inspector) merge(c *ConvData) {
	in.merged = in.merged[:0]
	add := func(d *ConvData) {
		if d == nil {
			return
		}
		for i := range d.Len() {
			in.merged = append(in.merged, d.rows.at(i))
		}
	}
	add(c)
	for id := range in.kids {
		add(in.model.Conv(id))
	}
	slices.Sort(in.merged)
}

// mainLen is the number of rows of the conversation (and its kids) on display.
func (in *Inspector) mainLen(c *ConvData) int {
	if in.kids != nil {
		return len(in.merged)
	}
	if c == nil {
		return 0
	}
	return c.Len()
}

// mainRow returns row i after the lookup's.
func (in *Inspector) mainRow(c *ConvData, i int) *lab.Event {
	if in.kids != nil {
		return in.model.event(in.merged[i])
	}
	return in.model.event(c.rows.at(i))
}

// lanes returns the sequence diagram's lanes and sets which lane plays each role.
func (in *Inspector) lanes() []string {
	titles := []string{"client " + shortAddr(in.info.Client)}
	for r := range in.laneOf {
		in.laneOf[r] = 0
	}
	if len(in.pre) > 0 {
		in.laneOf[roleDNS] = len(titles)
		titles = append(titles, "DNS "+in.lookupAddr)
	}
	in.laneOf[roleServer] = len(titles)
	titles = append(titles, "server "+shortAddr(in.info.Server))
	in.laneOf[roleData] = in.laneOf[roleServer]
	if len(in.kids) > 0 {
		in.laneOf[roleData] = len(titles)
		titles = append(titles, "data connections")
	}
	return titles
}

// arrow draws event e of the shown conversation, a kid of it, or its lookup.
func (in *Inspector) arrow(e *lab.Event, lookup bool) widgets.Arrow {
	a := arrowFor(e, in.start) // lane 0: the TCP client (who dialled), 1: the server
	roles := [2]int{roleClient, roleServer}
	switch {
	case lookup:
		roles = [2]int{roleClient, roleDNS}
	case e.Conv != in.shown:
		roles = [2]int{roleClient, roleData}
		if in.kids[e.Conv] {
			roles[0] = roleServer // active mode: the server dialled the client's data port
		}
	}
	a.From = in.laneOf[roles[a.From]]
	a.To = in.laneOf[roles[a.To]]
	return a
}

// allArrows draws the lookup's rows and then the first n rows after them.
func (in *Inspector) allArrows(c *ConvData, n int) []widgets.Arrow {
	out := make([]widgets.Arrow, 0, len(in.pre)+n)
	for i := range in.pre {
		out = append(out, in.arrow(&in.pre[i], true))
	}
	return append(out, in.mainArrows(c, 0, n)...)
}

// mainArrows draws rows [from, to) after the lookup's.
func (in *Inspector) mainArrows(c *ConvData, from, to int) []widgets.Arrow {
	out := make([]widgets.Arrow, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, in.arrow(in.mainRow(c, i), false))
	}
	return out
}

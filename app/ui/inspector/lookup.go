package inspector

import (
	"cmp"
	"slices"
	"time"

	"github.com/protocollab/protolab/app/ui/widgets"
	"github.com/protocollab/protolab/lab"
)

// A conversation may have relatives drawn in its sequence diagram on lanes of
// their own:
//   - the DNS lookup it was linked under (a lab client given www.lab.test): its
//     rows come first, on a resolver lane between client and server — client →
//     DNS → IP → server;
//   - the connections linked under it (an FTP session's data connections, an SMTP
//     relay hop): their rows are merged in wire order (merge), each drawn in its own TCP
//     roles, from the lane of the end that dialled it (the client in passive FTP,
//     the server in active FTP and for a relay) to a lane of the endpoint it
//     reached, named by whose it is and who connected to whom.

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

// kid is how a conversation linked under the shown one is drawn: between the
// lane of the shown conversation's end that dialled it and a lane of its own for
// the end that listened (an FTP data port, the relay's next mail server).
type kid struct {
	dialler lab.Side // the shown conversation's end that opened it: its TCP client
	lane    int      // its listening end's lane, counted from the first such lane
	title   string   // that lane's title
}

// kidsOf returns the conversations linked under info's, from the list's
// snapshot, each with its lanes. Kids listening on the same endpoint, dialled the
// same way, share a lane. A DNS lookup's "children" are the connections that
// followed it, shown under them instead.
func (in *Inspector) kidsOf(info lab.ConvInfo) map[lab.ConvID]*kid {
	if info.ID == 0 {
		return nil
	}
	var kids map[lab.ConvID]*kid
	var infos []lab.ConvInfo
	for _, ci := range in.convs.all {
		if ci.Link.Parent == info.ID && ci.Link.Kind != lab.LinkLookup {
			infos = append(infos, ci)
		}
	}
	slices.SortFunc(infos, func(a, b lab.ConvInfo) int { return cmp.Compare(a.ID, b.ID) })
	lanes := map[string]int{}
	for _, ci := range infos {
		k := &kid{dialler: ci.Link.Dialler, title: listenerTitle(ci)}
		if k.dialler != lab.SideServer {
			k.dialler = lab.SideClient
		}
		key := k.dialler.String() + " " + k.title
		n, ok := lanes[key]
		if !ok {
			n = len(lanes)
			lanes[key] = n
		}
		k.lane = n
		if kids == nil {
			kids = make(map[lab.ConvID]*kid)
		}
		kids[ci.ID] = k
	}
	return kids
}

// listenerTitle names the lane of the end that listened for linked conversation
// ci, with who connected to whom: "server :40001 data port (passive: client →
// server)", "client :38065 data port (active: server → client)", "server :2526
// (relay to beta.test)". Whose port it is comes first: a narrow lane cuts the end.
func listenerTitle(ci lab.ConvInfo) string {
	at := shortAddr(ci.Server)
	l := ci.Link
	switch l.Kind {
	case lab.LinkData:
		if l.Dialler == lab.SideServer {
			return "client " + at + " data port (" + cmp.Or(l.Mode, "active") + ": server → client)"
		}
		return "server " + at + " data port (" + cmp.Or(l.Mode, "passive") + ": client → server)"
	case lab.LinkRelay:
		return "server " + at + " (" + cmp.Or(l.Label, "relay") + ")"
	}
	return "server " + at + " (" + cmp.Or(l.Text(), l.Kind.String()) + ")"
}

// sameKids reports whether a and b list the same conversations the same way.
func sameKids(a, b map[lab.ConvID]*kid) bool {
	if len(a) != len(b) {
		return false
	}
	for id, v := range a {
		if w, ok := b[id]; !ok || *w != *v {
			return false
		}
	}
	return true
}

// merge rebuilds the merged rows of the shown conversation and its kids in the
// order they happened on the wire: by the time of what caused each (Event.At),
// not by when each conversation's analysis published it. A conversation's own
// rows keep their order: each is put at the latest time among it and the rows
// before it in its conversation, and rows at the same time keep the hub's order.
func (in *Inspector) merge(c *ConvData) {
	type timed struct {
		at  time.Time
		row uint64
	}
	var all []timed
	add := func(d *ConvData) {
		if d == nil {
			return
		}
		var last time.Time
		for i := range d.Len() {
			row := d.rows.at(i)
			if at := in.model.event(row).At; at.After(last) {
				last = at
			}
			all = append(all, timed{last, row})
		}
	}
	add(c)
	for id := range in.kids {
		add(in.model.Conv(id))
	}
	slices.SortFunc(all, func(a, b timed) int {
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.row, b.row))
	})
	in.merged = in.merged[:0]
	for _, t := range all {
		in.merged = append(in.merged, t.row)
	}
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

// lanes returns the sequence diagram's lanes and sets which lane plays each
// role: client, the lookup's resolver, server, then a lane for each endpoint
// that listened for a linked conversation (roleData: the first of them).
func (in *Inspector) lanes() []string {
	client, server := "client "+shortAddr(in.info.Client), "server "+shortAddr(in.info.Server)
	if l := in.info.Link; l.Linked() && l.Kind != lab.LinkLookup {
		// Shown on its own, a linked conversation names its ends by their roles
		// in the conversation it belongs to: "server :41230" (alpha, dialling
		// beta), "server :2526 (relay to beta.test)".
		dialler := lab.SideClient
		if l.Dialler == lab.SideServer {
			dialler = lab.SideServer
		}
		client, server = dialler.String()+" "+shortAddr(in.info.Client), listenerTitle(in.info)
	}
	titles := []string{client}
	for r := range in.laneOf {
		in.laneOf[r] = 0
	}
	if len(in.pre) > 0 {
		in.laneOf[roleDNS] = len(titles)
		titles = append(titles, "DNS "+in.lookupAddr)
	}
	in.laneOf[roleServer] = len(titles)
	titles = append(titles, server)
	in.laneOf[roleData] = len(titles)
	for _, k := range in.kids {
		for len(titles) <= in.laneOf[roleData]+k.lane {
			titles = append(titles, "")
		}
		titles[in.laneOf[roleData]+k.lane] = k.title
	}
	return titles
}

// arrow draws event e of the shown conversation, a kid of it, or its lookup. A
// kid's rows are drawn in its own roles: its client (who dialled: the shown
// conversation's client or server) on that end's lane, its server on its own.
func (in *Inspector) arrow(e *lab.Event, lookup bool) widgets.Arrow {
	a := arrowFor(e, in.start) // lane 0: the TCP client (who dialled), 1: the server
	lanes := [2]int{in.laneOf[roleClient], in.laneOf[roleServer]}
	switch {
	case lookup:
		lanes[1] = in.laneOf[roleDNS]
	case e.Conv != in.shown:
		k, ok := in.kids[e.Conv]
		if !ok {
			break
		}
		if k.dialler == lab.SideServer {
			lanes[0] = in.laneOf[roleServer] // active FTP, a relay hop: the server dialled
		}
		lanes[1] = in.laneOf[roleData] + k.lane
	}
	a.From = lanes[a.From]
	a.To = lanes[a.To]
	in.exchangeArrow(&a, e)
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

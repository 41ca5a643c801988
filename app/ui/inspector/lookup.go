package inspector

import (
	"github.com/protocollab/protolab/app/ui/widgets"
	"github.com/protocollab/protolab/lab"
)

// A connection a lab client made to a lab name (www.lab.test) is linked under the
// DNS lookup that found its address. The inspector shows that lookup as the first
// rows of the connection — client → DNS resolver → IP → server — on a lane of its
// own between the client's and the server's.

// lookupRows returns the DNS messages of the lookup info's conversation was linked
// under, oldest first, or nil when it has none (or the hub forgot it).
func (in *Inspector) lookupRows(info lab.ConvInfo) []lab.Event {
	if info.Parent == 0 {
		return nil
	}
	parent := in.hub.Conversation(info.Parent)
	if parent == nil {
		return nil
	}
	pi := parent.Info(false)
	p := in.reg.Lookup(pi.Protocol)
	if p == nil || p.Name != "dns" {
		return nil
	}
	var rows []lab.Event
	for _, e := range in.hub.ConvEvents(info.Parent) {
		if (e.Kind == lab.KindMessage || e.Kind == lab.KindHandshake) && e.Layer == p.LayerName() && e.Msg != nil {
			rows = append(rows, e)
		}
	}
	in.lookupAddr = shortAddr(pi.Server)
	return rows
}

// lanes returns the sequence diagram's lanes: client and server, with the
// resolver between them when the conversation began with a lookup.
func (in *Inspector) lanes() []string {
	client, server := "client "+shortAddr(in.info.Client), "server "+shortAddr(in.info.Server)
	if len(in.pre) == 0 {
		return []string{client, server}
	}
	return []string{client, "DNS " + in.lookupAddr, server}
}

// allArrows draws the lookup's rows and then rows [0, n) of c.
func (in *Inspector) allArrows(c *ConvData, n int) []widgets.Arrow {
	out := make([]widgets.Arrow, 0, len(in.pre)+n)
	for i := range in.pre {
		out = append(out, arrowFor(&in.pre[i], in.start))
	}
	if c != nil {
		out = append(out, in.mainArrows(c, 0, n)...)
	}
	return out
}

// mainArrows draws rows [from, to) of c, moved to the server's lane when the
// resolver's lane sits between client and server.
func (in *Inspector) mainArrows(c *ConvData, from, to int) []widgets.Arrow {
	arrows := arrowsFor(in.model, c, from, to, in.start)
	if len(in.pre) > 0 {
		for i := range arrows {
			arrows[i].From *= 2
			arrows[i].To *= 2
		}
	}
	return arrows
}

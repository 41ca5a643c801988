package ui

import (
	"fmt"
	"slices"
	"sort"

	"fyne.io/fyne/v2"

	"github.com/protocollab/protolab/app/ui/widgets"
	"github.com/protocollab/protolab/lab"
)

// The lab map (View → Lab map) draws the bench as Packet Tracer's simulation
// view does, on real traffic: the client panes that spoke, the outside clients,
// the lab's resolver and each server that is running or was spoken to, and the
// conversations between them as edges, lit while one is live. In replay, or
// with a message selected in the inspector, the message is drawn on its edge,
// leaving the end that sent it. Tapping an edge shows its newest conversation in
// the inspector.

// Node IDs: a server's, a client pane's, and the outside clients'.
func serverNode(name string) string { return "server " + name }
func paneNode(name string) string   { return "pane " + name }

const outsideNode = "outside"

// labMapModel is what the map draws, from the bench and the conversations.
type labMapModel struct {
	nodes []widgets.MapNode
	edges []widgets.MapEdge
	conv  map[lab.ConvID]int // the edge each conversation is drawn on
	from  map[lab.ConvID]lab.Side
}

// buildLabMap makes the map's model. A conversation goes from its client's node
// (the pane whose tap saw it, else the outside clients) to its server's node; a
// lookup from the pane whose connection it began; a relay from the server that
// sent the mail; a data connection between its control connection's ends.
func buildLabMap(bench *lab.Bench, convs []lab.ConvInfo) labMapModel {
	reg := bench.Registry()
	byID := make(map[lab.ConvID]lab.ConvInfo, len(convs))
	lookupOf := map[lab.ConvID]lab.ConvInfo{} // a lookup's conversation → the connection it began
	for _, ci := range convs {
		byID[ci.ID] = ci
		if ci.Link.Kind == lab.LinkLookup {
			lookupOf[ci.Link.Parent] = ci
		}
	}
	m := labMapModel{conv: map[lab.ConvID]int{}, from: map[lab.ConvID]lab.Side{}}
	nodes := map[string]*widgets.MapNode{}
	addNode := func(id, label, sub string, col int) *widgets.MapNode {
		if n := nodes[id]; n != nil {
			return n
		}
		n := &widgets.MapNode{ID: id, Label: label, Sub: sub, Column: col}
		nodes[id] = n
		return n
	}
	addServer := func(name string) *widgets.MapNode {
		p := reg.Lookup(name)
		title, col := name, 2
		if p != nil {
			title = p.Title
		}
		if name == linking(reg, lab.LinkLookup) {
			col = 1 // the resolver, between the clients and the servers they look up
		}
		st := bench.Status(name)
		sub := st.Addr
		if sub == "" {
			sub = "off"
		}
		n := addNode(serverNode(name), title, sub, col)
		n.Live = n.Live || st.Running
		return n
	}
	for _, name := range reg.Servers() {
		if bench.Status(name).Running {
			addServer(name)
		}
	}
	// clientOf is the node a conversation's client end is drawn at.
	var clientOf func(ci lab.ConvInfo, depth int) string
	clientOf = func(ci lab.ConvInfo, depth int) string {
		parent, hasParent := byID[ci.Link.Parent]
		switch {
		case depth < 4 && ci.Link.Kind == lab.LinkRelay && hasParent:
			return addServer(serverProtocol(reg, parent)).ID
		case depth < 4 && ci.Link.Kind == lab.LinkData && hasParent:
			return clientOf(parent, depth+1)
		}
		if began, ok := lookupOf[ci.ID]; ok && depth < 4 {
			return clientOf(began, depth+1)
		}
		if !ci.ClientSeen {
			return addNode(outsideNode, "outside clients", "curl, browsers, scripts", 0).ID
		}
		name := serverProtocol(reg, ci)
		title := name
		if p := reg.Lookup(name); p != nil {
			title = p.Title
		}
		return addNode(paneNode(name), title+" client", "a pane of the lab", 0).ID
	}
	type edgeKey struct{ from, to string }
	index := map[edgeKey]int{}
	counts := map[int]int{}
	sort.Slice(convs, func(i, j int) bool { return convs[i].ID < convs[j].ID })
	for _, ci := range convs {
		from := clientOf(ci, 0)
		to := addServer(serverProtocol(reg, ci)).ID
		if ci.Live {
			nodes[from].Live = true
		}
		k := edgeKey{from, to}
		i, ok := index[k]
		if !ok {
			i = len(m.edges)
			index[k] = i
			m.edges = append(m.edges, widgets.MapEdge{From: from, To: to})
		}
		counts[i]++
		e := &m.edges[i]
		e.Live = e.Live || ci.Live
		e.Key = uint64(ci.ID)
		e.Label = counted(uint64(counts[i]), "conversation")
		if ci.Link.Kind == lab.LinkRelay {
			e.Label = fmt.Sprintf("relay · %s", e.Label)
		}
		m.conv[ci.ID] = i
	}
	ids := make([]string, 0, len(nodes))
	for id := range nodes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		m.nodes = append(m.nodes, *nodes[id])
	}
	return m
}

// serverProtocol is the protocol whose server a conversation reached: its own,
// or for a protocol without a server of its own (an FTP data connection), the
// server's whose conversations create data links.
func serverProtocol(reg *lab.Registry, ci lab.ConvInfo) string {
	if p := reg.Lookup(ci.Protocol); p != nil && p.NewServer == nil {
		if name := linking(reg, lab.LinkData); name != "" {
			return name
		}
	}
	return ci.Protocol
}

// linking names the first protocol with a server whose conversations create
// links of kind k: the resolver for lookups, the FTP server for data
// connections; "" when none does.
func linking(reg *lab.Registry, k lab.LinkKind) string {
	for _, name := range reg.Servers() {
		if p := reg.Lookup(name); p != nil && slices.Contains(p.Links, k) {
			return name
		}
	}
	return ""
}

// labMapWindow is the map's own window, open while it is shown.
type labMapWindow struct {
	w     *Window
	win   fyne.Window
	m     *widgets.LabMap
	model labMapModel
}

// showLabMap opens the lab map, or brings it to the front.
func (w *Window) showLabMap() {
	if w.labMap != nil {
		w.labMap.win.RequestFocus()
		return
	}
	lm := &labMapWindow{w: w, win: w.app.NewWindow("Lab map — Protocol Lab"), m: widgets.NewLabMap()}
	lm.m.OnEdge = func(e widgets.MapEdge) { w.insp.Select(lab.ConvID(e.Key)) }
	lm.win.SetContent(lm.m)
	lm.win.Resize(fyne.NewSize(760, 520))
	lm.win.SetOnClosed(func() { w.labMap = nil })
	w.labMap = lm
	lm.refresh(true)
	lm.win.Show()
}

// refresh redraws the message the inspector has selected on its edge and,
// when conversations or servers changed, the map itself from the bench and the hub.
func (lm *labMapWindow) refresh(changed bool) {
	if changed {
		lm.model = buildLabMap(lm.w.bench, lm.w.hub.Conversations())
		lm.m.Set(lm.model.nodes, lm.model.edges)
	}
	e, ok := lm.w.insp.SelectedRow()
	if !ok || e.Msg == nil {
		lm.m.SetMoving(nil)
		return
	}
	i, ok := lm.model.conv[e.Conv]
	if !ok {
		lm.m.SetMoving(nil)
		return
	}
	lm.m.SetMoving(&widgets.MapMoving{Edge: i, Forward: e.Dir != lab.ServerToClient, Text: e.Msg.Summary})
}

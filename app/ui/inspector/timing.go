package inspector

import (
	"strings"
	"time"

	"github.com/protocollab/protolab/app/ui/widgets"
	"github.com/protocollab/protolab/lab"
)

// A request's timing, as a browser's developer tools show it: how long each
// phase of getting a response took, from the events the lab recorded. The
// phases are the connection's (the lab-name lookup it began with, the TCP
// connect, the TLS handshake), counted for its first request only, then each
// request's own: sending it, waiting for the first byte of the answer, and
// receiving the rest.

// The phases of a request, in order.
const (
	phaseLookup  = "DNS lookup"
	phaseConnect = "TCP connect"
	phaseSend    = "request sent"
	phaseWait    = "waiting (time to first byte)"
	phaseContent = "content"
)

// phase is one bar of a waterfall.
type phase struct {
	name       string
	start, end time.Time
}

// requestTiming is one request's waterfall: its summary and its phases, the
// connection's first.
type requestTiming struct {
	label  string
	phases []phase
}

// start is when the request's first phase began.
func (r requestTiming) start() time.Time {
	if len(r.phases) == 0 {
		return time.Time{}
	}
	return r.phases[0].start
}

// end is when its last phase ended.
func (r requestTiming) end() time.Time {
	if len(r.phases) == 0 {
		return time.Time{}
	}
	return r.phases[len(r.phases)-1].end
}

// timings returns the waterfall of each request of a conversation, from its
// events (oldest first) and the messages of the lookup it began with (nil when
// none). info says which tap's view is the client's: the client's tap when it is
// in the lab, else the server's. A conversation without requests (no HTTP) gets
// one row with the connection's phases, if it has any.
func timings(info lab.ConvInfo, events, lookup []lab.Event) []requestTiming {
	view := lab.SideServer
	if info.ClientSeen {
		view = lab.SideClient
	}
	conn := connectionPhases(info, events, lookup)
	var out []requestTiming
	for i := range events {
		e := &events[i]
		if e.Msg == nil || e.Dir != lab.ClientToServer || e.Msg.Role != lab.RoleRequest {
			continue
		}
		r := requestTiming{label: e.Msg.Summary}
		if len(out) == 0 {
			r.phases = append(r.phases, conn...)
		}
		sent := firstDataBefore(events, i, view, lab.ClientToServer)
		r.phases = append(r.phases, phase{phaseSend, sent, e.At})
		first, last, ok := answer(events, i, view)
		if ok {
			r.phases = append(r.phases, phase{phaseWait, e.At, first}, phase{phaseContent, first, last})
		}
		out = append(out, r)
	}
	if len(out) == 0 && len(conn) > 0 {
		out = append(out, requestTiming{label: "the connection", phases: conn})
	}
	return out
}

// connectionPhases are the lookup, the connect and the TLS handshake, each as
// far as the events tell.
func connectionPhases(info lab.ConvInfo, events, lookup []lab.Event) []phase {
	var out []phase
	var q, a *lab.Event
	for i := range lookup {
		switch e := &lookup[i]; {
		case e.Dir == lab.ClientToServer && q == nil:
			q = e
		case e.Dir == lab.ServerToClient && q != nil && a == nil:
			a = e
		}
	}
	if q != nil && a != nil {
		out = append(out, phase{phaseLookup, q.At, a.At})
	}
	if open, d, ok := connected(events); ok {
		out = append(out, phase{phaseConnect, open.Add(-d), open})
	}
	// The handshake of a layer between the transport and the requests (TLS):
	// its handshake messages that are neither the transport's nor a request or
	// its answer (an HTTP upgrade is timed as a request).
	var first, last *lab.Event
	for i := range events {
		e := &events[i]
		if e.Msg == nil || !e.Msg.Handshake || e.Layer == info.Transport || e.Msg.Role != lab.RoleNone {
			continue
		}
		if first == nil {
			first = e
		}
		if e.Layer == first.Layer {
			last = e
		}
	}
	if first != nil {
		out = append(out, phase{handshakePhase(first.Layer), first.At, last.At})
	}
	return out
}

// handshakePhase names the handshake phase of layer: "TLS handshake".
func handshakePhase(layer string) string { return strings.ToUpper(layer) + " handshake" }

// connected finds the client's connect: when it returned and how long it took,
// from the open event of the tap that saw it (lab.ConnectTook).
func connected(events []lab.Event) (at time.Time, took time.Duration, ok bool) {
	for _, e := range events {
		if e.Kind != lab.KindOpen {
			continue
		}
		_, rest, found := strings.Cut(e.Text, lab.ConnectTook)
		if !found {
			continue
		}
		d, err := time.ParseDuration(strings.Fields(rest + " ")[0])
		if err == nil && d > 0 {
			return e.At, d, true
		}
	}
	return time.Time{}, 0, false
}

// firstDataBefore is when the bytes of request i began to leave: the first
// bytes the view's tap recorded going that way since the message before it.
func firstDataBefore(events []lab.Event, i int, view lab.Side, dir lab.Dir) time.Time {
	at := events[i].At
	for j := i - 1; j >= 0; j-- {
		e := &events[j]
		if e.Msg != nil && e.Dir == dir {
			break
		}
		// Messages are published after their bytes, by the analysis: bytes
		// recorded later than the request's own may come before it in the hub.
		if e.Kind == lab.KindData && e.Dir == dir && e.Side == view && !e.At.After(events[i].At) {
			at = e.At
		}
	}
	return at
}

// answer finds the answer to request i: when its first byte arrived and when
// its last did. A request paired with its answers (lab.Message.Pair: HTTP/2's
// streams) is answered by every answer message of its pair; any other by the
// first answer after it, its first byte being the first bytes the view's tap
// saw arrive after the request that carried no message of a layer below (a TLS
// session ticket is not the answer).
func answer(events []lab.Event, i int, view lab.Side) (first, last time.Time, ok bool) {
	req := &events[i]
	if pair := req.Msg.Pair; pair != "" {
		for j := i + 1; j < len(events); j++ {
			e := &events[j]
			if e.Msg == nil || e.Dir != lab.ServerToClient || e.Msg.Role != lab.RoleAnswer || e.Msg.Pair != pair {
				continue
			}
			if first.IsZero() {
				first = e.At
			}
			last, ok = e.At, true
		}
		return first, last, ok
	}
	for j := i + 1; j < len(events); j++ {
		e := &events[j]
		if e.Msg == nil || e.Dir != lab.ServerToClient || e.Layer != req.Layer || e.Msg.Role != lab.RoleAnswer {
			continue
		}
		// Its first byte: the earliest the view's tap saw arrive after the
		// request. The hub has bytes before the messages they made, so they are
		// looked for among all the events.
		first = e.At
		for k := range events {
			d := &events[k]
			if d.Kind == lab.KindData && d.Dir == lab.ServerToClient && d.Side == view &&
				d.At.After(req.At) && d.At.Before(first) && !carriesLowerMessage(events, k, req.Layer) {
				first = d.At
			}
		}
		return first, e.At, true
	}
	return first, last, false
}

// carriesLowerMessage reports whether the data event j produced a message of a
// layer other than layer (the same time, the same direction): bytes of the
// layers beneath, not of the answer.
func carriesLowerMessage(events []lab.Event, j int, layer string) bool {
	d := &events[j]
	for k := j + 1; k < len(events) && !events[k].At.After(d.At); k++ {
		e := &events[k]
		if e.Msg != nil && e.Dir == d.Dir && e.Layer != layer && e.Layer != d.Layer {
			return true
		}
	}
	return false
}

// waterfallRows turns timings into the waterfall's rows, on one axis that
// starts with the first phase of the first request.
func waterfallRows(rs []requestTiming) []widgets.WaterfallRow {
	if len(rs) == 0 {
		return nil
	}
	zero := rs[0].start()
	for _, r := range rs {
		if s := r.start(); !s.IsZero() && s.Before(zero) {
			zero = s
		}
	}
	out := make([]widgets.WaterfallRow, 0, len(rs))
	for _, r := range rs {
		row := widgets.WaterfallRow{Label: r.label}
		for _, p := range r.phases {
			row.Phases = append(row.Phases, widgets.WaterfallPhase{Name: p.name, Start: p.start.Sub(zero), End: p.end.Sub(zero)})
		}
		out = append(out, row)
	}
	return out
}

// noTimingText is what the Timing tab says of a conversation without requests.
const noTimingText = "No request to time here. The Timing tab shows each HTTP, HTTPS and WebSocket request, " +
	"phase by phase (lookup, connect, TLS handshake, sent, waiting, content), and the lookup, connect and " +
	"handshake of any connection that began with a lab name."

// refreshTiming redraws the Timing tab for the shown conversation, while the tab
// is the one shown (it reads the conversation's events from the hub).
func (in *Inspector) refreshTiming() {
	if in.seqTabs == nil || in.seqTabs.SelectedIndex() != 1 {
		return
	}
	if in.shown == 0 {
		in.timing.SetRows(nil)
		return
	}
	in.timing.SetRows(waterfallRows(timings(in.info, in.hub.ConvEvents(in.shown), in.pre)))
}

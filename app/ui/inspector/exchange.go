package inspector

import (
	"fmt"
	"strings"

	"github.com/protocollab/protolab/app/ui/widgets"
	"github.com/protocollab/protolab/lab"
)

// Exchanges inside a conversation (lab.Message.Exchange): an MQTT QoS 2
// delivery goes published → received → released → complete while the session
// stays connected. The state diagram shows the exchange's own machine and the
// path it took while one of its messages is selected, and the session's
// otherwise; the sequence diagram brackets each exchange's arrows.

// exchangeKind is how the shown conversation's protocol (or, failing it, the
// protocol of e's layer) describes the kind of e's exchange.
func (in *Inspector) exchangeKind(e *lab.Event) (lab.ExchangeKind, bool) {
	x := e.Msg.Exchange
	for _, name := range []string{in.info.Protocol, e.Layer} {
		if p := in.reg.Lookup(name); p != nil {
			if k, ok := p.Exchanges[x.Kind]; ok {
				return k, true
			}
		}
	}
	return lab.ExchangeKind{}, false
}

// exchangeArrow places arrow a of row e in e's exchange, if it has one.
func (in *Inspector) exchangeArrow(a *widgets.Arrow, e *lab.Event) {
	if e.Msg == nil || e.Msg.Exchange == nil {
		return
	}
	x := e.Msg.Exchange
	ax := &widgets.ArrowExchange{Kind: x.Kind, ID: x.ID, Title: x.Kind, State: x.State}
	if k, ok := in.exchangeKind(e); ok {
		ax.Title = k.Title
		if n := len(k.States); n > 0 {
			ax.Begins = x.State == k.States[0]
			ax.Ends = x.State == k.States[n-1]
		}
	}
	a.Exchange = ax
}

// setSessionMachine shows the shown conversation's session machine, with the
// panel's title saying whose states they are.
func (in *Inspector) setSessionMachine() {
	in.exShown = false
	p := in.reg.Lookup(in.info.Protocol)
	title := stateTitleText(in.info, in.stateLayer())
	states, transitions := in.layerMachine(in.flowLayer)
	switch {
	case in.flowLayer != "" && len(states) > 0:
		in.state.SetMachine(states, transitions)
		in.state.SetEmptyText("")
		title = strings.ToUpper(in.flowLayer) + " state · a layer of this flow (a message of another shows its)"
	case p != nil && p.Connectionless && in.info.Datagram: // DNS over TCP has TCP's states
		in.state.SetMachine(nil, nil)
		in.state.SetEmptyText(strings.Replace(datagramFormat, "%s", strings.ToUpper(p.Name), 1))
		title = strings.ToUpper(p.Name) + " · no state"
	case p == nil || len(p.States) == 0:
		in.state.SetMachine(nil, nil)
		in.state.SetEmptyText(noMachineText)
	default:
		in.state.SetMachine(p.States, p.Transitions)
		in.state.SetEmptyText("")
		if len(p.Exchanges) > 0 {
			title += " · the session's (a message of an exchange shows the exchange's)"
		}
	}
	in.stateTitle.SetText(title)
}

// showExchange shows, when row i's message is in an exchange of a kind its
// protocol describes, that exchange's machine and the path it took up to the
// message; otherwise the session's machine, if an exchange's was shown. The
// session's path is set by the caller.
func (in *Inspector) showExchange(i int) {
	var e *lab.Event
	if i >= 0 {
		e = in.row(i)
	}
	if e == nil || e.Msg == nil || e.Msg.Exchange == nil {
		if in.exShown {
			in.setSessionMachine()
			if c := in.model.Conv(in.shown); c != nil {
				in.state.SetRoom(c.Path(in.stateLayer()))
			}
		}
		return
	}
	k, ok := in.exchangeKind(e)
	if !ok {
		return
	}
	x := e.Msg.Exchange
	in.exShown = true
	in.state.SetMachine(k.States, k.Transitions)
	in.state.SetEmptyText("")
	in.state.SetOther("", "")
	in.state.SetRoom(nil)
	in.state.SetPath(exchangePath(in.hub.ConvEvents(e.Conv), e.Seq, x, k))
	in.stateTitle.SetText(fmt.Sprintf("%s · %s, %s · the exchange's own states, not the session's",
		strings.ToUpper(e.Layer), k.Title, x.ID))
}

// exchangePath is the states exchange x went through up to event seq, from
// events (a conversation's, oldest first): those of its messages, the latest
// beginning (the kind's first state) starting it afresh, as IDs are reused.
func exchangePath(events []lab.Event, seq uint64, x *lab.Exchange, k lab.ExchangeKind) []string {
	var path []string
	for _, ev := range events {
		if ev.Seq > seq {
			break
		}
		y := ev.Msg
		if y == nil || y.Exchange == nil || y.Exchange.Kind != x.Kind || y.Exchange.ID != x.ID {
			continue
		}
		if len(k.States) > 0 && y.Exchange.State == k.States[0] {
			path = path[:0]
		}
		path = append(path, y.Exchange.State)
	}
	if len(path) > maxPath {
		path = path[len(path)-maxPath:]
	}
	return path
}

package inspector

import (
	"strings"

	"github.com/protocollab/protolab/lab"
)

// The state diagram shows, for a selected message, the state its layer was in
// after that message: the state changes the conversation published after it, up
// to the next message, are its doing (lab.Conversation publishes a message's
// state change right after the message, and the analyzer's own state after the
// batch of messages one read produced). With no message selected it shows the
// path so far.

// stateLayer is the layer whose states the diagram shows: the shown
// conversation's protocol's own.
func (in *Inspector) stateLayer() string {
	if in.flowLayer != "" {
		return in.flowLayer
	}
	if p := in.reg.Lookup(in.info.Protocol); p != nil {
		return p.LayerName()
	}
	return in.info.Protocol
}

// pathAt is the shown conversation's state path as it stood after row i: the
// states its protocol's layer went through up to that message and the changes
// that message caused.
func (in *Inspector) pathAt(i int) []string {
	e := in.row(i)
	layer := in.stateLayer()
	var path []string
	for _, s := range in.hub.ConvEvents(in.shown) {
		if s.Seq > e.Seq && IsRow(s.Kind) {
			break // the next message: what follows is its doing
		}
		if s.Kind == lab.KindState && s.Layer == layer && s.To != "" {
			path = append(path, s.To)
		}
	}
	if len(path) > maxPath {
		path = path[len(path)-maxPath:]
	}
	return path
}

// otherLookBack is how many of the last rows a live conversation's diagram looks
// at for the other end's state: the teardown is among the last.
const otherLookBack = 8

// otherEnd is, when the diagram shows the connection's own layer (TCP), whose
// end the diagram does not follow ("server" when it follows the client's) and
// the state that end was in after row last, from the latest of the shown
// conversation's messages at or before it that names both ends' states
// (lab.StateField). back bounds how many rows are looked at (-1: all). It
// returns "" for the state when no such message is found.
func (in *Inspector) otherEnd(last, back int) (whose, state string) {
	layer := in.stateLayer()
	if layer == "" || layer != in.info.Transport || in.info.Datagram {
		return "", ""
	}
	other := lab.SideClient
	if in.info.ClientSeen {
		other = lab.SideServer
	}
	field := lab.StateField(other)
	for i := last; i >= 0 && back != 0; i, back = i-1, back-1 {
		e := in.row(i)
		if e.Conv != in.shown || e.Msg == nil || e.Layer != layer {
			continue
		}
		fields, _ := e.Msg.Detail()
		for _, f := range fields {
			if f.Name == field {
				return other.String(), f.Value
			}
		}
	}
	return other.String(), ""
}

// stateTitleText is the state panel's title: the protocol, and for the
// connection's own layer (TCP), whose states they are. TCP keeps one machine per
// endpoint and reports the client's when the client's tap is in the lab,
// otherwise the server's.
func stateTitleText(info lab.ConvInfo, layer string) string {
	title := strings.ToUpper(info.Protocol) + " state"
	if layer == "" || layer != info.Transport || info.Datagram {
		return title
	}
	if info.ClientSeen {
		return strings.ToUpper(layer) + " · client's states; the server's ringed where they differ"
	}
	return strings.ToUpper(layer) + " · server's states; the client's ringed where they differ"
}

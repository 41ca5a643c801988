package inspector

import "github.com/protocollab/protolab/lab"

// A flow that carries several protocols at once — a WebRTC flow's STUN checks,
// DTLS and the SCTP inside it (RFC 7983) — has no session machine of its own:
// the state diagram follows the layer of the message selected, and starts with
// the first layer of the flow that has a machine.

// layerMachine returns the state machine of the layer named name: its
// protocol's, or the one a protocol's package declares for it (lab.Layer);
// nil when it has none.
func (in *Inspector) layerMachine(name string) ([]string, [][2]string) {
	if name == "" {
		return nil, nil
	}
	if p := in.reg.Lookup(name); p != nil && len(p.States) > 0 {
		return p.States, p.Transitions
	}
	for _, l := range in.reg.Layers().All() {
		if l.Name == name && len(l.States) > 0 {
			return l.States, l.Transitions
		}
	}
	return nil, nil
}

// carriesLayers reports whether the shown conversation is a flow of several
// layers with no machine of its own.
func (in *Inspector) carriesLayers() bool {
	p := in.reg.Lookup(in.info.Protocol)
	return p != nil && p.Connectionless && in.info.Datagram && len(p.States) == 0 && len(p.Layers) > 0
}

// firstFlowLayer is the first layer of the shown conversation, by its state
// changes, that has a machine; "" when it carries none.
func (in *Inspector) firstFlowLayer() string {
	if !in.carriesLayers() {
		return ""
	}
	for _, e := range in.hub.ConvEvents(in.shown) {
		if e.Kind == lab.KindState && e.Layer != in.info.Transport {
			if s, _ := in.layerMachine(e.Layer); len(s) > 0 {
				return e.Layer
			}
		}
	}
	return ""
}

// followLayer makes the diagram show the states of e's layer, when the shown
// conversation carries several and e's has a machine.
func (in *Inspector) followLayer(e *lab.Event) {
	if e == nil || e.Layer == in.flowLayer || !in.carriesLayers() {
		return
	}
	if s, _ := in.layerMachine(e.Layer); len(s) == 0 {
		return
	}
	in.flowLayer = e.Layer
	in.setSessionMachine()
	if c := in.model.Conv(in.shown); c != nil {
		in.state.SetRoom(c.Path(in.flowLayer))
	}
}

package lab

import (
	"fmt"
	"time"
)

// Demux is the analyzer of a flow of datagrams that carries several protocols
// told apart by each datagram's first byte, as RFC 7983 §7 has a WebRTC peer
// tell STUN (0–3), DTLS (20–63) and RTP or RTCP (128–191) apart on one UDP flow.
// For each datagram it asks its table (UseLayers) for the layer FirstByte
// reaches and feeds that layer's analyzer, one per layer and flow, made when the
// layer's first datagram arrives; a datagram no layer takes is reported as the
// Demux's own message. Demux has no state of its own (State is ""): the layers'
// states ride on their messages, and it reports them as a Carrier. Like every
// Analyzer it is used from one goroutine at a time.
type Demux struct {
	layers Layers
	nested []*Nested // by when each layer's first datagram came
	open   *OpenInfo
}

var (
	_ ConnAnalyzer = (*Demux)(nil)
	_ LayerUser    = (*Demux)(nil)
	_ Carrier      = (*Demux)(nil)
)

// NewDemux returns a demultiplexer for one flow; it knows no layer until UseLayers.
func NewDemux() *Demux { return &Demux{} }

// UseLayers gives the Demux the table to find each datagram's layer in.
func (d *Demux) UseLayers(t Layers) { d.layers = t }

// State is "": the flow's state is its layers'.
func (d *Demux) State() string { return "" }

const demuxRef = "RFC 7983 §7"

// Feed hands one datagram to the analyzer of the layer its first byte names.
func (d *Demux) Feed(dir Dir, b []byte, at time.Time) []Message {
	if len(b) == 0 {
		return []Message{{Dir: dir, Summary: "empty datagram", Ref: demuxRef, Observed: true,
			Meaning: "A datagram with no bytes: there is no first byte to tell its protocol by."}}
	}
	n, out := d.nestedFor(b[0])
	if n == nil {
		return []Message{{Dir: dir, Summary: fmt.Sprintf("datagram of no known protocol (first byte %d, %d bytes)", b[0], len(b)),
			Meaning: "On a flow that carries several protocols the first byte tells them apart; no protocol of this flow " +
				"starts with this one, so the receiver drops the datagram.",
			Ref: demuxRef, Raw: b, Observed: true}}
	}
	if n.Analyzer == nil {
		return out // its analyzer failed
	}
	msgs := n.Lift(n.Call(demuxFailed, func() []Message { return n.Analyzer.Feed(dir, b, at) }))
	if len(out) == 0 {
		return msgs // as the layer made them: no copy (its room ends with them)
	}
	return append(out, msgs...)
}

const demuxFailed = "The analyzer of one of the protocols on this flow hit a bug; the lab shows its later datagrams no more, and the other protocols' as before."

// nestedFor returns the layer of datagrams that start with b0, or nil if the
// table has none. A layer's analyzer is made on its first datagram; the messages
// are what it said of the flow's opening.
func (d *Demux) nestedFor(b0 byte) (*Nested, []Message) {
	l := d.layers.Lookup(FirstByte(b0, b0))
	if l == nil {
		return nil, nil
	}
	for _, n := range d.nested {
		if n.Layer == l.Name {
			return n, nil
		}
	}
	n := &Nested{Layer: l.Name}
	d.nested = append(d.nested, n)
	return n, n.Lift(n.Call(demuxFailed, func() []Message {
		n.Analyzer = l.New()
		d.layers.equip(n.Analyzer)
		if ca, ok := n.Analyzer.(ConnAnalyzer); ok && d.open != nil {
			return ca.Opened(*d.open)
		}
		return nil
	}))
}

// Opened notes the flow's start, for the layers' analyzers made later.
func (d *Demux) Opened(info OpenInfo) []Message {
	d.open = &info
	return nil
}

// Closed tells every layer's analyzer that the flow ended.
func (d *Demux) Closed(info CloseInfo) []Message {
	var out []Message
	for _, n := range d.nested {
		if ca, ok := n.Analyzer.(ConnAnalyzer); ok {
			out = append(out, n.Lift(n.Call(demuxFailed, func() []Message { return ca.Closed(info) }))...)
		}
	}
	return out
}

// InnerStates reports each layer's state (Carrier).
func (d *Demux) InnerStates(report func(layer, state string)) {
	for _, n := range d.nested {
		if n.Analyzer != nil {
			report(n.Layer, n.Analyzer.State())
		}
	}
}

// Package starttls hands the rest of a text protocol's connection to TLS once the
// server agrees to the switch: SMTP's STARTTLS (RFC 3207), IMAP's STARTTLS
// (RFC 9051 §6.2.1), POP3's STLS (RFC 2595) and FTP's AUTH TLS (RFC 4217). The
// TLS analyzer — the layer the lab's table of layers has for lab.StartTLS —
// decrypts what follows with the lab's key log and passes the plaintext to a
// fresh analyzer of the same protocol (lab.Wrapper), which carries the session
// on.
//
// A client must wait for the server's reply to its request for TLS; what it
// sends after the request and before the reply (pipelined, in the same segment
// or not) the server reads in the clear and discards as TLS begins (RFC 3207
// §4.2, RFC 2595 §3.1 and §4, RFC 4217 §4). The Handoff holds those bytes until
// the reply (Ask, Hold): after the go-ahead, its lines show as "discarded" and
// TLS starts at the first byte that starts a handshake record (Begin); after a
// refusal, or at the connection's end, they are more commands (Refuse,
// Unanswered). Bytes the client sends after the go-ahead are TLS's, as the
// server reads them.
package starttls

import (
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/tls"
)

// Handoff is a protocol analyzer's way into TLS. Its zero value is in the clear
// (Active is false): the analyzer frames the bytes itself and gives Handoff the
// key log, the table of layers and the connection's opening as it learns them;
// it passes the bytes Handoff Takes (the client's after Ask, every step after
// Start) on to it. Like the analyzers that hold it, it is used from one
// goroutine at a time.
type Handoff struct {
	keys   *lab.KeyLog
	layers lab.Layers
	open   *lab.OpenInfo
	next   lab.Analyzer // after Start: the analyzer of the rest, TLS's
	name   string       // its layer's name, "tls"
	layer  string       // the protocol's layer, that of the analyzer inside TLS

	asked   bool   // the client asked for TLS; the server has not answered
	command string // what it asked with: STARTTLS, STLS, AUTH TLS
	ref     string // where the protocol's RFC has the server discard what follows it
	held    []byte // the client's bytes after its request, before the reply
	refused []byte // after a refusal, the bytes held: commands to frame (non-nil)
}

// Active reports whether Start was called: the rest of the connection is TLS.
func (h *Handoff) Active() bool { return h.next != nil }

// Start hands the rest of the connection to the layer a STARTTLS go-ahead
// reaches (lab.StartTLS: TLS, Layer). The application data it decrypts goes to
// the analyzer inner makes, once, as layer (the protocol's own name): its
// messages come out of Handoff as the outer analyzer's own, and TLS's as the
// "tls" layer. Outside a hub, with no table, TLS it is.
func (h *Handoff) Start(layer string, inner func() lab.Analyzer) {
	h.layer = layer
	h.name, h.next = h.layers.New(lab.StartTLS())
	if h.next == nil {
		h.name, h.next = lab.NewLayers(Layer()).WithKeys(h.keys).New(lab.StartTLS())
	}
	if w, ok := h.next.(lab.Wrapper); ok {
		w.Wrap(layer, inner)
	}
	if h.open != nil {
		h.Opened(*h.open)
	}
}

// Layer is the layer a STARTTLS go-ahead hands the connection to: TLS. The
// protocols with STARTTLS declare it (lab.Protocol.Layers).
func Layer() *lab.Layer { return tls.Layer() }

// UseKeys notes the lab's key log, for the TLS after Start (lab.KeyUser).
func (h *Handoff) UseKeys(k *lab.KeyLog) {
	h.keys = k
	if ku, ok := h.next.(lab.KeyUser); ok {
		ku.UseKeys(k)
	}
}

// UseLayers notes the table of layers to find the TLS of Start in (lab.LayerUser).
func (h *Handoff) UseLayers(t lab.Layers) { h.layers = t }

// Opened notes the connection's opening, and passes it on to TLS once active.
func (h *Handoff) Opened(info lab.OpenInfo) []lab.Message {
	h.open = &info
	if ca, ok := h.next.(lab.ConnAnalyzer); ok {
		return h.lift(ca.Opened(info))
	}
	return nil
}

// Feed passes bytes after the switch to TLS; before it, the client's bytes
// after its request for TLS wait for the reply (Takes, Hold).
func (h *Handoff) Feed(dir lab.Dir, b []byte, at time.Time) []lab.Message {
	if h.next == nil {
		return h.Hold(b)
	}
	return h.lift(h.next.Feed(dir, b, at))
}

// Closed passes the connection's end on to TLS; nil before Start.
func (h *Handoff) Closed(info lab.CloseInfo) []lab.Message {
	if ca, ok := h.next.(lab.ConnAnalyzer); ok {
		return h.lift(ca.Closed(info))
	}
	return nil
}

// lift passes on the TLS analyzer's messages: TLS's own as the "tls" layer, the
// decrypted protocol's as the outer analyzer's own, with their state changes.
func (h *Handoff) lift(msgs []lab.Message) []lab.Message {
	for i := range msgs {
		switch msgs[i].Layer {
		case "":
			msgs[i].Layer = h.name
		case h.layer:
			msgs[i].Layer = ""
		}
	}
	return msgs
}

// Notice is the message that marks the switch, sent by the server with its
// go-ahead: meaning says what happens next, ref where the protocol's RFC says so.
func Notice(meaning, ref string) lab.Message {
	return lab.Message{
		Dir:     lab.ServerToClient,
		Summary: "encrypted from here (TLS)",
		Meaning: meaning,
		Ref:     ref,
	}
}

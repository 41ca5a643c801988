package http

import (
	"strings"

	"github.com/protocollab/protolab/lab"
)

// Layer is HTTP/1.x as a layer another carries: TLS reaches it by the ALPN
// protocol "http/1.1" or "http/1.0", or when none was agreed (RFC 7301 §3).
func Layer() *lab.Layer {
	return &lab.Layer{
		Name:      "http",
		ReachedBy: []lab.NextKey{lab.ALPN("http/1.1"), lab.ALPN("http/1.0"), lab.ALPN("")},
		New:       func() lab.Analyzer { return NewAnalyzer() },
	}
}

// Handshaker is implemented by the analyzer of a layer an HTTP/1.1 connection
// upgrades to that takes part in the upgrade's handshake (WebSocket's, RFC 6455
// §4). HTTP shows it the request whose Upgrade header asked for its layer and
// the final response to that request, before either is passed on, so that it
// can make them its handshake's steps (Message.Layer, Handshake, NextState).
// After a 101 it is fed the rest of the connection.
type Handshaker interface {
	UpgradeRequest(m *lab.Message)
	UpgradeResponse(m *lab.Message, status int)
}

// offer is a request waiting for its final response, with the analyzer of the
// layer its Upgrade header asked for (nil if it asked for none the table has).
type offer struct {
	token string // the Upgrade token that reached the layer
	a     lab.Analyzer
}

// UseLayers gives the analyzer the table it finds the layer a 101 switches to
// in, by lab.Upgrade of the token (RFC 9110 §7.8). Without a table what
// follows a 101 is only counted.
func (a *Analyzer) UseLayers(t lab.Layers) { a.layers = t }

// upgrade follows the requests that ask to switch protocols and the responses to
// them, as each message m (msg parsed) is finished: a request's Upgrade header
// makes the analyzer of the first layer it names that the table has; the final
// response to that request either switches to it (101: it is fed the rest) or
// refuses it. A 101 to a request that named no known layer is looked up by the
// 101's own Upgrade header.
// upgrading reports whether msg, sent in direction dir, takes part in an
// upgrade: a request with an Upgrade header, a 101, or the answer to a
// request that offered one.
func (a *Analyzer) upgrading(msg *message, dir lab.Dir) bool {
	if dir == lab.ClientToServer {
		up, _ := msg.header("Upgrade")
		return up != ""
	}
	return msg.status == 101 || (len(a.offers) > 0 && a.offers[0].a != nil)
}

func (a *Analyzer) upgrade(m *lab.Message, msg *message) {
	if m.Dir == lab.ClientToServer {
		up, _ := msg.header("Upgrade")
		o := a.lookup(up)
		if len(a.offers) < maxPipelined {
			a.offers = append(a.offers, o)
		}
		if h, ok := o.a.(Handshaker); ok {
			h.UpgradeRequest(m)
		}
		return
	}
	if msg.status >= 100 && msg.status < 200 && msg.status != 101 {
		return // an interim response: the final one is still to come
	}
	var o offer
	if len(a.offers) > 0 {
		o = a.offers[0]
		a.offers[0] = offer{}
		if len(a.offers) == 1 {
			a.offers = a.offers[:0] // kept for the next request's offer
		} else {
			a.offers = a.offers[1:]
		}
	}
	if msg.status == 101 {
		up, _ := msg.header("Upgrade")
		if o.a == nil || !hasToken(up, o.token) {
			o = a.lookup(up)
		}
		a.up, a.offers = o.a, nil
	}
	if h, ok := o.a.(Handshaker); ok {
		h.UpgradeResponse(m, msg.status)
	}
}

// lookup makes the analyzer of the first protocol in an Upgrade header's list
// that reaches a layer of the table.
func (a *Analyzer) lookup(upgrade string) offer {
	if upgrade == "" {
		return offer{}
	}
	for _, tok := range strings.Split(upgrade, ",") {
		tok = strings.TrimSpace(tok)
		if _, in := a.layers.New(lab.Upgrade(tok)); in != nil {
			return offer{token: tok, a: in}
		}
	}
	return offer{}
}

// hasToken reports whether the comma-separated list v holds tok, without regard to case.
func hasToken(v, tok string) bool {
	for _, t := range strings.Split(v, ",") {
		if strings.EqualFold(strings.TrimSpace(t), tok) {
			return true
		}
	}
	return false
}

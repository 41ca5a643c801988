package tls

import (
	"fmt"
	"unicode/utf8"

	"github.com/protocollab/protolab/lab"
)

// alert explains an alert record (RFC 8446 §6, RFC 5246 §7.2).
func (a *Analyzer) alert(h *half, body []byte, decrypted bool) {
	ref := "RFC 8446 §6"
	if !a.tls13() {
		ref = "RFC 5246 §7.2"
	}
	if len(body) != 2 {
		a.malformed(h, fmt.Sprintf("an alert of %d bytes, not 2", len(body)), body, ref)
		return
	}
	level, desc := body[0], body[1]
	info, ok := alerts[desc]
	if !ok {
		info = alertInfo{fmt.Sprintf("alert %d", desc), "an alert this lab does not know"}
	}
	levelName := map[uint8]string{1: "warning", 2: "fatal"}[level]
	if levelName == "" {
		levelName = fmt.Sprintf("level %d", level)
	}
	m := lab.Message{
		Dir:     h.dir,
		Summary: fmt.Sprintf("Alert: %s (%s)", info.name, levelName),
		Meaning: "The " + h.side() + " sends an alert: " + info.meaning + ".",
		Ref:     ref,
		Fields: []lab.Field{
			{Name: "level", Value: fmt.Sprintf("%s (%d)", levelName, level)},
			{Name: "description", Value: fmt.Sprintf("%s (%d)", info.name, desc)},
		},
		Raw:      body,
		Observed: true,
	}
	if decrypted {
		m.Fields = append(m.Fields, lab.Field{Name: "protection", Value: "decrypted with " + h.label})
	}
	next := ""
	switch {
	case desc == 0: // close_notify
		h.closeNotify = true
		m.Teardown = true
		m.Meaning += " Each side sends one before it closes; the other answers with its own."
		next = StateClosing
		if a.other(h).closeNotify {
			next = StateClosed
		}
	case level == 2 || a.tls13() && desc != 90:
		// TLS 1.3 treats every alert but close_notify and user_canceled as fatal.
		m.Teardown = true
		m.Meaning += " A fatal alert ends the connection at once."
		next = StateClosed
	}
	a.emit(m, next)
}

// changeCipherSpec reports a ChangeCipherSpec record: in TLS 1.2 the sender's
// next records are encrypted; in TLS 1.3 it only soothes middleboxes.
func (a *Analyzer) changeCipherSpec(h *half, body, rec []byte) {
	m := lab.Message{Dir: h.dir, Raw: rec[recordHeaderLen:], Observed: true, Handshake: true}
	if len(body) != 1 || body[0] != 1 {
		a.malformed(h, "a ChangeCipherSpec record that is not the single byte 1", rec, "RFC 5246 §7.1")
		return
	}
	next := ""
	if a.tls13() {
		m.Summary = "ChangeCipherSpec (compatibility, no effect in TLS 1.3)"
		m.Meaning = "TLS 1.3 has no use for this record; it is sent only so that middleboxes that " +
			"expect TLS 1.2 let the connection through, and the receiver ignores it."
		m.Ref = "RFC 8446 §D.4"
	} else {
		m.Summary = "ChangeCipherSpec: the " + h.side() + " encrypts from here"
		m.Meaning = "From the next record on, everything the " + h.side() + " sends is encrypted " +
			"with the keys just agreed; its first encrypted message is Finished."
		m.Ref = "RFC 5246 §7.1"
		h.protected = true
		h.prot, h.seq = nil, 0
		next = StateKeyExchange
	}
	a.emit(m, next)
}

// applicationData hands decrypted application data to the inner analyzer.
func (a *Analyzer) applicationData(h *half, body []byte, decrypted bool) {
	if !a.innerMade && decrypted {
		a.innerMade = true
		a.passInner(func() []lab.Message {
			if a.wrap != nil {
				a.inner.Layer, a.inner.Analyzer = a.wrapLayer, a.wrap()
			} else {
				a.inner.Layer, a.inner.Analyzer = a.layers.New(lab.ALPN(a.alpn))
			}
			if ca, ok := a.inner.Analyzer.(lab.ConnAnalyzer); ok && a.openInfo != nil {
				return ca.Opened(*a.openInfo)
			}
			return nil
		})
	}
	if in := a.inner.Analyzer; in != nil && decrypted {
		a.plainHeld += len(body)
		a.passInner(func() []lab.Message { return in.Feed(h.dir, body, a.now) })
		return
	}
	m := lab.Message{
		Dir:      h.dir,
		Summary:  fmt.Sprintf("application data (%d bytes)", len(body)),
		Meaning:  "The bytes of the protocol TLS carries, decrypted with the lab's key log.",
		Ref:      "RFC 8446 §5.2",
		Fields:   []lab.Field{{Name: "protection", Value: "decrypted with " + h.label}},
		Raw:      body,
		Observed: true,
	}
	if !a.tls13() {
		m.Ref = "RFC 5246 §6.2.3.3"
	}
	if !decrypted {
		m.Summary = fmt.Sprintf("application data in the clear (%d bytes)", len(body))
		m.Meaning = "Application data before the handshake finished, unencrypted: a peer that does not follow TLS."
		m.Fields = nil
	}
	if utf8.Valid(body[:min(len(body), 256)]) {
		m.Fields = append(m.Fields, lab.Field{Name: "text", Value: string(body[:min(len(body), 256)])})
	}
	a.emit(m, "")
}

// passInner runs a step of the inner analyzer and passes its messages on as its
// layer's, with the inner layer's state change on the last of them. An inner
// analyzer that panics is switched off, and the application data is shown as
// this layer's from then on.
//
// The inner analyzer's slice is taken as it is when nothing came before it:
// the hub keeps messages where their analyzer made them, so the plaintext's
// messages of a record need no copy of their own (with its capacity cut, a
// message appended after them goes elsewhere).
func (a *Analyzer) passInner(step func() []lab.Message) {
	msgs := a.inner.Lift(a.inner.Call("The analyzer of the protocol inside TLS hit a bug; the lab shows the rest of the application data undecoded.", step))
	if len(msgs) > 0 && a.plainHeld > 0 {
		// The plaintext the inner layer was fed is kept as long as the
		// messages that point into it: it counts against the hub's bound
		// as the captured records do, with the first message after it.
		msgs[0].Holds(a.plainHeld)
		a.plainHeld = 0
	}
	switch {
	case len(msgs) == 0:
	case len(a.out) == 0:
		a.out = msgs[:len(msgs):len(msgs)]
	default:
		a.out = append(a.out, msgs...)
	}
}

// InnerStates reports the state of the layer inside TLS (lab.Carrier), so that
// its last state (closed, when the connection ends) shows though no message
// carries it.
func (a *Analyzer) InnerStates(report func(layer, state string)) {
	if a.inner.Analyzer != nil && a.inner.Layer != "" {
		report(a.inner.Layer, a.inner.Analyzer.State())
	}
}

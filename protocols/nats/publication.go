package nats

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/protocollab/protolab/lab"
)

// publication completes a PUB, HPUB, MSG or HMSG: its headers and payload,
// and the mark of a publication through the broker.
func (a *Analyzer) publication(m *message, v string) {
	l := m.l
	body := l.raw[l.n : l.n+l.size]
	payload := body[l.hdr:]
	if l.hdr > 0 {
		headers(m, body[:l.hdr], l.n)
	}
	off := l.n + l.hdr
	m.field("payload", showPayload(payload), off, len(payload))
	m.Fields = append(m.Fields, lab.Field{Name: "payload size", Value: fmt.Sprintf("%d bytes", len(payload))})
	subject := m.args["subject"]
	m.Pub = &lab.Publication{Subject: subject, Digest: lab.PayloadDigest(payload), Size: len(payload)}

	var s strings.Builder
	fmt.Fprintf(&s, "%s %s", v, subject)
	if r := m.args["reply-to"]; r != "" {
		fmt.Fprintf(&s, " reply %s", r)
	}
	if q := m.args["sid"]; q != "" {
		fmt.Fprintf(&s, " sid %s", q)
	}
	fmt.Fprintf(&s, ": %s", brief(payload))
	m.Summary = s.String()

	var w strings.Builder
	switch v {
	case "PUB", "HPUB":
		fmt.Fprintf(&w, "The client publishes %d bytes to the subject %q: the server delivers them, as MSG, to every subscription whose subject matches "+
			"(and to one member of each queue group), and to MQTT subscribers of the matching topic. Nothing is acknowledged: "+
			"core NATS delivers at most once.", len(payload), subject)
	default:
		fmt.Fprintf(&w, "The server delivers a message published to %q to this client, for its subscription %s", subject, m.args["sid"])
		if f := a.subs[m.args["sid"]]; f != "" && f != subject {
			fmt.Fprintf(&w, " to %q", f)
		}
		w.WriteString(".")
	}
	if r := m.args["reply-to"]; r != "" {
		fmt.Fprintf(&w, " The reply-to subject %q makes it a request: whoever answers publishes the answer there (an _INBOX subject the requester subscribed to).", r)
	}
	if l.hdr > 0 {
		w.WriteString(" Headers come before the payload, in the form of HTTP's, after a NATS/1.0 line.")
	}
	m.Meaning = w.String()
}

// headers adds the fields of a message's headers, b, which begin at off in
// the message: a version line ("NATS/1.0", with a status for the server's
// own messages), header lines, and an empty line.
func headers(m *message, b []byte, off int) {
	m.field("headers", fmt.Sprintf("%d bytes", len(b)), off, len(b))
	first := true
	for at := 0; at < len(b); {
		i := bytes.IndexByte(b[at:], '\n')
		if i < 0 {
			i = len(b) - at - 1
		}
		ln := strings.TrimRight(string(b[at:at+i+1]), "\r\n")
		switch {
		case first:
			m.field("header version", ln, off+at, len(ln))
			if status := strings.TrimSpace(strings.TrimPrefix(ln, "NATS/1.0")); status != "" {
				m.Fields = append(m.Fields, lab.Field{Name: "status", Value: explainStatus(status)})
			}
			first = false
		case ln != "":
			name, _, _ := strings.Cut(ln, ":")
			val := strings.TrimSpace(strings.TrimPrefix(ln, name+":"))
			m.field("header "+name, val, off+at, len(ln))
		}
		at += i + 1
	}
}

// statuses explains the status codes the server puts in its messages' header line.
var statuses = map[string]string{
	"100": "a heartbeat or flow control message from JetStream",
	"404": "no messages (JetStream)",
	"408": "request timeout (JetStream)",
	"409": "conflict (JetStream)",
	"503": "no responders: nobody subscribes to the request's subject, so the requester learns at once instead of waiting",
}

func explainStatus(s string) string {
	code, _, _ := strings.Cut(s, " ")
	if e, ok := statuses[code]; ok {
		return s + ": " + e
	}
	return s
}

// showPayload shows a payload: as text when it is printable UTF-8, otherwise in hex.
func showPayload(b []byte) string {
	switch {
	case len(b) == 0:
		return "(empty)"
	case printable(b):
		return clip(fmt.Sprintf("%q", b), 200)
	}
	return clip(fmt.Sprintf("% x", b), 200) + " (hex)"
}

// brief shows a payload shortly, for a summary.
func brief(b []byte) string {
	switch {
	case len(b) == 0:
		return "(empty)"
	case printable(b):
		return clip(fmt.Sprintf("%q", b), 60)
	}
	return fmt.Sprintf("%d bytes", len(b))
}

func printable(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range string(b) {
		if c < ' ' && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return false
		}
	}
	return true
}

// sub completes a SUB.
func (a *Analyzer) sub(m *message) {
	subject, sid, q := m.args["subject"], m.args["sid"], m.args["queue group"]
	if len(a.subs) < maxSubs {
		a.subs[sid] = subject
	}
	m.Summary = fmt.Sprintf("SUB %s sid %s", subject, sid)
	m.Meaning = fmt.Sprintf("The client subscribes to %q under the subscription id %s, which the server's MSG lines name. "+
		"In a subject, * stands for one token (lab.*.t1) and > for all the tokens after it (lab.>).", subject, sid)
	if q != "" {
		m.Summary += " queue " + q
		m.Meaning += fmt.Sprintf(" Queue group %q: of all the subscriptions in the group, the server gives each message to only one, so the group shares the work.", q)
	}
}

// unsub completes an UNSUB.
func (a *Analyzer) unsub(m *message) {
	sid, n := m.args["sid"], m.args["max messages"]
	m.Summary = "UNSUB " + sid
	what := "subscription " + sid
	if s := a.subs[sid]; s != "" {
		what = fmt.Sprintf("subscription %s (%q)", sid, s)
	}
	if n != "" {
		m.Summary += " after " + n
		m.Meaning = fmt.Sprintf("The client ends its %s once it has received %s messages in all: the server stops after that many.", what, n)
		return
	}
	delete(a.subs, sid)
	m.Meaning = fmt.Sprintf("The client ends its %s: the server delivers nothing more for it.", what)
}

// errorTexts explains the server's -ERR lines (the protocol's list), and whether
// the server closes the connection after them.
var errorTexts = []struct {
	prefix, meaning string
	closes          bool
}{
	{"Unknown Protocol Operation", "the client sent a line whose verb the server does not know", true},
	{"Attempted To Connect To Route Port", "the client connected to the port for other servers of a cluster", true},
	{"Authorization Violation", "the client's CONNECT gave no credentials, or wrong ones", true},
	{"Authorization Timeout", "the client took too long to send its CONNECT with credentials", true},
	{"Invalid Client Protocol", "the CONNECT asked for a protocol version the server does not have", true},
	{"Maximum Control Line Exceeded", "a control line was longer than the server's max_control_line", true},
	{"Parser Error", "the server could not parse what the client sent", true},
	{"Secure Connection - TLS Required", "the server requires TLS and the client did not start it", true},
	{"Stale Connection", "the client did not answer the server's PINGs", true},
	{"Maximum Connections Exceeded", "the server has as many clients as it allows", true},
	{"Slow Consumer", "the client read too slowly and the server's buffer for it overflowed", true},
	{"Maximum Payload Violation", "a message was larger than the max_payload the INFO announced", true},
	{"Invalid Subject", "a subject was not valid (empty tokens, or a wildcard where none may be)", false},
	{"Permissions Violation", "the client's user may not publish to, or subscribe to, that subject", false},
}

// errLine completes a -ERR.
func errLine(m *message) {
	text := m.l.text.s
	m.field("error", text, m.l.text.off, len(text))
	m.Summary = "-ERR " + clip(text, 100)
	inner := strings.ToLower(strings.Trim(text, "' "))
	m.Meaning = "The server reports an error."
	for _, e := range errorTexts {
		if strings.HasPrefix(inner, strings.ToLower(e.prefix)) {
			m.Meaning = "The server reports an error: " + e.meaning + "."
			if e.closes {
				m.Meaning += " After this error the server closes the connection."
			} else {
				m.Meaning += " The connection stays open."
			}
			break
		}
	}
}

package nats

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/payload"
)

// isPublication reports whether v is a verb that carries a message.
func isPublication(v string) bool { return v == "PUB" || v == "HPUB" || v == "MSG" || v == "HMSG" }

// pubRefs are the references of the verbs that carry a message, made once.
var pubRefs = map[string]string{"PUB": ref + "PUB", "HPUB": ref + "HPUB", "MSG": ref + "MSG", "HMSG": ref + "HMSG"}

// pubArgs are the arguments of a PUB, HPUB, MSG or HMSG line that name
// where its message goes.
type pubArgs struct{ subject, sid, reply string }

// pubArgsOf picks them out of args, the line of verb v's (parseLine checked
// their count).
func pubArgsOf(v string, args []token) pubArgs {
	p := pubArgs{subject: args[0].s}
	counts := 1 // the byte counts at the end
	if v == "HPUB" || v == "HMSG" {
		counts = 2
	}
	rest := args[1 : len(args)-counts]
	if v == "MSG" || v == "HMSG" {
		p.sid, rest = rest[0].s, rest[1:]
	}
	if len(rest) > 0 {
		p.reply = rest[0].s
	}
	return p
}

// brief frames m, a PUB, HPUB, MSG or HMSG line and its payload from dir,
// whose sender is right: its summary and the mark of a publication through
// the broker now, its fields and meaning when someone looks (pubDetail). A
// busy subject's every message and every delivery of it is one (unless in a
// burst); the subscription a delivery is for is read now, as it was then.
func (a *Analyzer) brief(dir lab.Dir, m member) lab.Message {
	b := payload.AppendBrief(append(a.appendHead(a.scratch[:0], m.v, 1, m.p), ": "...), m.data)
	msg := lab.Message{Dir: dir, Raw: m.raw, Observed: true, Ref: pubRefs[m.v], Summary: a.arena.Text(&a.scratch, b)}
	msg.Pub = a.block.Pub(lab.Publication{Subject: m.p.subject, Digest: lab.PayloadDigest(m.data), Size: len(m.data)})
	if f := a.subs[m.p.sid]; m.p.sid != "" && f != "" && f != m.p.subject {
		msg.DeferTo(a.filters.Put(filterDetail{f}))
	} else {
		msg.Defer(publicationDetail)
	}
	return msg
}

// publicationDetail builds the fields and meaning of a message framed
// briefly.
func publicationDetail(m *lab.Message) ([]lab.Field, string) { return pubDetail(m, "") }

// filterDetail is publicationDetail for a delivery to a subscription whose
// subject, filter, is not the message's (it has wildcards).
type filterDetail struct{ filter string }

func (f *filterDetail) Fill(m *lab.Message) ([]lab.Field, string) { return pubDetail(m, f.filter) }

// pubDetail builds the fields and meaning of m, a message framed briefly,
// delivered to a subscription to filter when that is not the message's
// subject.
func pubDetail(msg *lab.Message, filter string) ([]lab.Field, string) {
	i := bytes.IndexByte(msg.Raw, '\n')
	l := parseLine(msg.Raw[:i+1])
	l.raw = msg.Raw
	v := l.cmd
	m := &message{Message: lab.Message{Dir: msg.Dir}, l: l, args: map[string]string{}}
	m.lineFields(v)
	body := l.raw[l.n : l.n+l.size]
	data := body[l.hdr:]
	if l.hdr > 0 {
		headers(m, body[:l.hdr], l.n)
	}
	off := l.n + l.hdr
	m.field("payload", payload.Show(data), off, len(data))
	m.Fields = append(m.Fields, lab.Field{Name: "payload size", Value: fmt.Sprintf("%d bytes", len(data))})
	subject := m.args["subject"]

	var w strings.Builder
	switch v {
	case "PUB", "HPUB":
		fmt.Fprintf(&w, "The client publishes %d bytes to the subject %q: the server delivers them, as MSG, to every subscription whose subject matches "+
			"(and to one member of each queue group), and to MQTT subscribers of the matching topic. Nothing is acknowledged: "+
			"core NATS delivers at most once.", len(data), subject)
	default:
		fmt.Fprintf(&w, "The server delivers a message published to %q to this client, for its subscription %s", subject, m.args["sid"])
		if filter != "" {
			fmt.Fprintf(&w, " to %q", filter)
		}
		w.WriteString(".")
	}
	if r := m.args["reply-to"]; r != "" {
		fmt.Fprintf(&w, " The reply-to subject %q makes it a request: whoever answers publishes the answer there (an _INBOX subject the requester subscribed to).", r)
	}
	if l.hdr > 0 {
		w.WriteString(" Headers come before the payload, in the form of HTTP's, after a NATS/1.0 line.")
	}
	return m.Fields, w.String()
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

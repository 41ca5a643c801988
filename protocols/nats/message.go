package nats

import (
	"fmt"
	"strings"

	"github.com/protocollab/protolab/lab"
)

const ref = "NATS client protocol: "

// argNames names the arguments of each verb that has them, with and without
// the optional one, which is the one in brackets.
var argNames = map[string][2][]string{
	"PUB":   {{"subject", "#bytes"}, {"subject", "reply-to", "#bytes"}},
	"HPUB":  {{"subject", "#header bytes", "#total bytes"}, {"subject", "reply-to", "#header bytes", "#total bytes"}},
	"MSG":   {{"subject", "sid", "#bytes"}, {"subject", "sid", "reply-to", "#bytes"}},
	"HMSG":  {{"subject", "sid", "#header bytes", "#total bytes"}, {"subject", "sid", "reply-to", "#header bytes", "#total bytes"}},
	"SUB":   {{"subject", "sid"}, {"subject", "queue group", "sid"}},
	"UNSUB": {{"sid"}, {"sid", "max messages"}},
}

// senders says who sends each verb: the server, the client, or either ("").
var senders = map[string]lab.Dir{
	"INFO": lab.ServerToClient, "MSG": lab.ServerToClient, "HMSG": lab.ServerToClient,
	"+OK": lab.ServerToClient, "-ERR": lab.ServerToClient,
	"CONNECT": lab.ClientToServer, "PUB": lab.ClientToServer, "HPUB": lab.ClientToServer,
	"SUB": lab.ClientToServer, "UNSUB": lab.ClientToServer,
}

// other is the direction opposite d.
func other(d lab.Dir) lab.Dir {
	if d == lab.ServerToClient {
		return lab.ClientToServer
	}
	return lab.ServerToClient
}

func side(d lab.Dir) string {
	if d == lab.ServerToClient {
		return "server"
	}
	return "client"
}

// message is a line being turned into a lab.Message.
type message struct {
	lab.Message
	l    line
	args map[string]string
}

// field adds a field spanning n bytes from off; an empty one spans none.
func (m *message) field(name, value string, off, n int) {
	if n == 0 {
		off = 0
	}
	m.Fields = append(m.Fields, lab.Field{Name: name, Value: value, Off: off, Len: n})
}

// line turns one control line, and its payload, into a message: any but a
// message published or delivered whole by its right sender, which is
// gathered (gather) and framed briefly (brief) or in a burst (burst).
func (a *Analyzer) line(dir lab.Dir, l line) lab.Message {
	v := l.cmd
	m := &message{Message: lab.Message{Dir: dir, Raw: l.raw, Observed: true, Ref: ref + v}, l: l, args: map[string]string{}}
	if l.fault != "" {
		return a.bad(m, v)
	}
	if from, ok := senders[v]; ok && from != dir {
		m.l.fault = fmt.Sprintf("%s sent by the %s: only the %s sends it", v, side(dir), side(from))
		return a.bad(m, v)
	}
	m.lineFields(v)
	switch v {
	case "INFO", "CONNECT":
		a.json(m, v)
	case "PUB", "HPUB", "MSG", "HMSG": // over MaxPayload: the others were framed briefly
		m.Summary = fmt.Sprintf("%s %s: %d bytes, not held", v, m.args["subject"], l.size)
		m.Meaning = fmt.Sprintf("A message of %d bytes, more than the %d the lab holds: it shows the line and counts the rest. "+
			"nats-server refuses a message over its max_payload (1 MiB unless configured) with -ERR 'Maximum Payload Violation'.", l.size, MaxPayload)
	case "SUB":
		a.sub(m)
	case "UNSUB":
		a.unsub(m)
	case "PING":
		m.Summary, m.Role, m.Pair = "PING", lab.RoleRequest, side(dir)+" PING"
		m.Meaning = "The " + side(dir) + " checks that the other end is alive; it must answer PONG. The server pings a quiet client " +
			"every two minutes and closes the connection after two unanswered pings (-ERR 'Stale Connection'); a client's " +
			"PING after CONNECT is also how it learns the server has processed everything it sent."
	case "PONG":
		m.Summary, m.Role, m.Pair = "PONG", lab.RoleAnswer, side(other(dir))+" PING"
		m.Meaning = "The " + side(dir) + " answers a PING: the connection is alive."
	case "+OK":
		m.Summary = "+OK"
		m.Meaning = "The server acknowledges the client's last line. It does so only for a client that asked for verbose mode in its CONNECT."
	case "-ERR":
		errLine(m)
	}
	return m.Message
}

// lineFields adds the fields of m's line: its verb v and its arguments.
func (m *message) lineFields(v string) {
	l := m.l
	m.field("verb", v, l.verb.off, len(l.verb.s))
	if names, ok := argNames[v]; ok {
		ns := names[0]
		if len(l.args) == len(names[1]) {
			ns = names[1]
		}
		for i, t := range l.args {
			m.field(ns[i], t.s, t.off, len(t.s))
			m.args[ns[i]] = t.s
		}
	}
}

// bad reports a line that is not a well-formed line of the protocol.
func (a *Analyzer) bad(m *message, v string) lab.Message {
	m.Summary = "malformed: " + m.l.fault
	m.Fields = append(m.Fields, lab.Field{Name: "error", Value: m.l.fault})
	if m.l.verb.s != "" {
		m.Fields = append(m.Fields, lab.Field{Name: "verb", Value: clip(m.l.verb.s, 40), Off: m.l.verb.off, Len: len(m.l.verb.s)})
	}
	switch {
	case strings.HasPrefix(m.l.fault, "unknown verb"):
		m.Meaning = "Not a verb of the NATS protocol: a server answers -ERR 'Unknown Protocol Operation' and closes the connection."
		m.Ref = ref + "Protocol conventions"
	case m.Dir == lab.ClientToServer:
		m.Meaning = "This line breaks the protocol (" + m.l.fault + "): nats-server answers -ERR 'Parser Error' (or a more precise -ERR) and closes the connection. " +
			"The lab goes on at the next line."
	default:
		m.Meaning = "This line breaks the protocol (" + m.l.fault + "): a client closes the connection. The lab goes on at the next line."
	}
	return m.Message
}

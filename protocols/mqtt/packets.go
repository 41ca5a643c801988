package mqtt

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/protocollab/protolab/lab"
)

// The control packet types (MQTT 3.1.1 §2.2.1); 0 and 15 are reserved.
const (
	CONNECT     = 1
	CONNACK     = 2
	PUBLISH     = 3
	PUBACK      = 4
	PUBREC      = 5
	PUBREL      = 6
	PUBCOMP     = 7
	SUBSCRIBE   = 8
	SUBACK      = 9
	UNSUBSCRIBE = 10
	UNSUBACK    = 11
	PINGREQ     = 12
	PINGRESP    = 13
	DISCONNECT  = 14
)

// kind is what the analyzer knows of one packet type: its name, its section,
// the flags its fixed header must carry (§2.2.2; anyFlags for PUBLISH's, which
// carry DUP, QoS and RETAIN), who may send it (§2.2.1's table: 0 either way) and
// what it is for.
type kind struct {
	name    string
	ref     string
	flags   byte
	from    lab.Dir
	meaning string
}

const anyFlags = 0xff

// kinds is the table of §2.2.1 and §2.2.2, by packet type.
var kinds = [16]kind{
	{name: "reserved", ref: "MQTT 3.1.1 §2.2.1", flags: anyFlags},
	{"CONNECT", "MQTT 3.1.1 §3.1", 0, lab.ClientToServer, ""},
	{"CONNACK", "MQTT 3.1.1 §3.2", 0, lab.ServerToClient, ""},
	{"PUBLISH", "MQTT 3.1.1 §3.3", anyFlags, 0, ""},
	{"PUBACK", "MQTT 3.1.1 §3.4", 0, 0, ""},
	{"PUBREC", "MQTT 3.1.1 §3.5", 0, 0, ""},
	{"PUBREL", "MQTT 3.1.1 §3.6", 2, 0, ""},
	{"PUBCOMP", "MQTT 3.1.1 §3.7", 0, 0, ""},
	{"SUBSCRIBE", "MQTT 3.1.1 §3.8", 2, lab.ClientToServer, ""},
	{"SUBACK", "MQTT 3.1.1 §3.9", 0, lab.ServerToClient, ""},
	{"UNSUBSCRIBE", "MQTT 3.1.1 §3.10", 2, lab.ClientToServer, ""},
	{"UNSUBACK", "MQTT 3.1.1 §3.11", 0, lab.ServerToClient, ""},
	{"PINGREQ", "MQTT 3.1.1 §3.12", 0, lab.ClientToServer,
		"The client asks the broker whether it is still there. A client sends it when it had nothing else to " +
			"send within its keep-alive interval; the broker answers PINGRESP, and drops a client it heard " +
			"nothing from for one and a half keep-alive intervals."},
	{"PINGRESP", "MQTT 3.1.1 §3.13", 0, lab.ServerToClient,
		"The broker answers the client's PINGREQ: the connection and the broker are alive."},
	{"DISCONNECT", "MQTT 3.1.1 §3.14", 0, lab.ClientToServer,
		"The client ends the session cleanly: the broker closes the connection and throws the will away " +
			"(a will is published only when a client goes without saying goodbye)."},
	{name: "reserved", ref: "MQTT 3.1.1 §2.2.1", flags: anyFlags},
}

// side names the end that sent in direction d.
func side(d lab.Dir) string {
	if d == lab.ServerToClient {
		return "broker"
	}
	return "client"
}

// typeTexts and flagTexts are the packet type field's values ("3 PUBLISH")
// and the four flag bits' ("0010"), made once.
var typeTexts, flagTexts [16]string

func init() {
	for i := range typeTexts {
		typeTexts[i] = strconv.Itoa(i) + " " + kinds[i].name
		flagTexts[i] = fmt.Sprintf("%04b", i)
	}
}

// spacedHex is b in hex, a space between bytes: "30 12".
func spacedHex(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 3*len(b))
	for i, c := range b {
		if i > 0 {
			out = append(out, ' ')
		}
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// other is the direction opposite d.
func other(d lab.Dir) lab.Dir {
	if d == lab.ServerToClient {
		return lab.ClientToServer
	}
	return lab.ServerToClient
}

// packet is one control packet being decoded: the reader over its bytes, the
// message it becomes and what is wrong with it.
type packet struct {
	reader
	dir  lab.Dir
	typ  byte
	kind kind
	m    lab.Message
	bad  []string // what is wrong, for the summary and meaning
	refs []string // the conformance statements it breaks
}

// fault records what is wrong with the packet and the statement it breaks.
func (p *packet) fault(what, ref string) {
	p.bad = append(p.bad, what)
	if ref != "" {
		p.refs = append(p.refs, ref)
	}
}

// header reads the fixed header (§2.2) of raw, a whole packet. A brief packet
// records no fields (reader.brief).
func header(dir lab.Dir, raw []byte, brief bool) *packet {
	return header1(new(packet), dir, raw, brief)
}

// header1 is header, reading into p.
func header1(p *packet, dir lab.Dir, raw []byte, brief bool) *packet {
	*p = packet{dir: dir, typ: raw[0] >> 4}
	p.kind = kinds[p.typ]
	p.p = raw
	p.brief = brief
	n := 2
	for n < len(raw) && n < 5 && raw[n-1]&0x80 != 0 {
		n++
	}
	p.off = n
	flags := raw[0] & 0x0f
	if !brief {
		p.fields = make([]lab.Field, 0, 16) // a PUBLISH has 13
		p.add("fixed header", spacedHex(raw[:n]), 0, n)
		p.add("packet type", typeTexts[p.typ], 0, 1)
		p.add("flags", flagTexts[flags], 0, 1)
		p.add("remaining length", strconv.Itoa(len(raw)-n)+" bytes", 1, n-1)
	}
	p.m = lab.Message{Dir: dir, Raw: raw, Ref: p.kind.ref, Observed: true}
	switch {
	case p.typ == 0 || p.typ == 15:
		p.fault(fmt.Sprintf("packet type %d is reserved", p.typ), "")
	case p.kind.flags != anyFlags && flags != p.kind.flags:
		p.fault(fmt.Sprintf("flags %04b, where %s has %04b", flags, p.kind.name, p.kind.flags), "[MQTT-2.2.2-2]")
	}
	if p.kind.from != 0 && p.kind.from != dir {
		p.fault(fmt.Sprintf("sent by the %s, but only the %s sends %s", side(dir), side(p.kind.from), p.kind.name), "MQTT 3.1.1 §2.2.1")
	}
	return p
}

// extra checks that the packet held nothing after its fields.
func (p *packet) extra() {
	if n := p.left(); n > 0 && p.short == "" {
		b, off := p.rest()
		if !p.brief {
			p.add("unexpected bytes", fmt.Sprintf("% x", b[:min(len(b), 32)]), off, n)
		}
		p.fault(fmt.Sprintf("%d bytes after its last field", n), "")
	}
}

// finish completes the message: a packet that is cut short or breaks a rule is
// named malformed, with what is wrong and what a broker does about it.
func (p *packet) finish(summary, meaning string) lab.Message {
	if p.short != "" {
		p.fault(fmt.Sprintf("the remaining length ends before its %s", p.short), "")
	}
	p.m.Summary, p.m.Meaning, p.m.Fields = summary, meaning, p.fields
	if len(p.bad) == 0 {
		return p.m
	}
	p.m.Summary = "malformed " + p.kind.name + ": " + p.bad[0]
	if p.typ == 0 || p.typ == 15 {
		p.m.Summary = fmt.Sprintf("malformed: packet type %d is reserved", p.typ)
	}
	what := strings.Join(p.bad, "; ")
	p.m.Fields = append(p.m.Fields, lab.Field{Name: "error", Value: what})
	p.m.Meaning = "This packet breaks MQTT 3.1.1: " + what + ". "
	if p.dir == lab.ClientToServer {
		p.m.Meaning += "A broker that receives a packet that breaks the protocol closes the network connection (§4.8), " +
			"without a CONNACK or any other answer; if the client had a will, the broker publishes it."
	} else {
		p.m.Meaning += "A client that receives a packet that breaks the protocol closes the network connection (§4.8)."
	}
	if meaning != "" {
		p.m.Meaning += " Had it been valid: " + meaning
	}
	for _, r := range p.refs {
		p.m.Ref += ", " + r
	}
	p.m.Ref += ", §4.8"
	return p.m
}

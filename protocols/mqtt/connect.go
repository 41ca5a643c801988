package mqtt

import (
	"fmt"
	"strings"

	"github.com/protocollab/protolab/lab"
)

const masked = "**** (masked; the raw bytes show it)"

// levels names the protocol levels a CONNECT may carry (§3.1.2.2).
var levels = map[byte]string{3: "MQTT 3.1", 4: "MQTT 3.1.1", 5: "MQTT 5.0"}

// connect decodes a CONNECT (§3.1): the protocol name and level, the connect
// flags, the keep-alive, then the client identifier, will, user name and password.
func (a *Analyzer) connect(p *packet) lab.Message {
	name, _ := p.str("protocol name")
	level, off, ok := p.byte1("protocol level")
	if ok {
		v := levels[level]
		if v == "" {
			v = "unknown"
		}
		p.add("protocol level", fmt.Sprintf("%d (%s)", level, v), off, 1)
	}
	if ok && level == 5 {
		return p.finish("CONNECT (MQTT 5.0)", "The client asks for MQTT 5.0, whose CONNECT carries properties the lab does not decode. "+
			"A broker that speaks only MQTT 3.1.1 answers CONNACK with return code 1, unacceptable protocol version, and closes the connection.")
	}
	flags, off, ok := p.byte1("connect flags")
	if !ok {
		return p.finish("CONNECT", "")
	}
	clean, willFlag, willQoS, willRetain := flags&0x02 != 0, flags&0x04 != 0, int(flags>>3&3), flags&0x20 != 0
	userFlag, passFlag := flags&0x80 != 0, flags&0x40 != 0
	p.add("connect flags", fmt.Sprintf("%08b", flags), off, 1)
	p.add("clean session", yesNo(clean), off, 1)
	p.add("will flag", yesNo(willFlag), off, 1)
	p.add("will QoS", fmt.Sprint(willQoS), off, 1)
	p.add("will retain", yesNo(willRetain), off, 1)
	p.add("user name flag", yesNo(userFlag), off, 1)
	p.add("password flag", yesNo(passFlag), off, 1)
	if flags&1 != 0 {
		p.fault("the reserved connect flag (bit 0) is set", "[MQTT-3.1.2-3]")
	}
	switch {
	case willQoS == 3:
		p.fault("will QoS 3", "[MQTT-3.1.2-14]")
	case !willFlag && (willQoS != 0 || willRetain):
		p.fault("will QoS or will retain set without a will", "[MQTT-3.1.2-13], [MQTT-3.1.2-15]")
	}
	if passFlag && !userFlag {
		p.fault("a password without a user name", "[MQTT-3.1.2-22]")
	}
	keep, _ := p.u16("keep alive")
	id, _ := p.str("client identifier")
	var willTopic, user string
	if willFlag {
		willTopic, _ = p.str("will topic")
		p.lengthPrefixed("will message", showPayload)
		if strings.ContainsAny(willTopic, "+#") {
			p.fault("a wildcard in the will topic", "[MQTT-3.1.2-9]")
		}
	}
	if userFlag {
		user, _ = p.str("user name")
	}
	if passFlag {
		p.lengthPrefixed("password", func([]byte) string { return masked })
	}
	p.extra()
	if ok && level == 4 && name != "MQTT" {
		p.fault(fmt.Sprintf("protocol name %q, where MQTT 3.1.1 has \"MQTT\"", name), "[MQTT-3.1.2-1]")
	}
	if len(p.bad) == 0 && p.short == "" {
		a.will = willTopic
		if !willFlag {
			a.will = ""
		}
	}

	var s strings.Builder
	fmt.Fprintf(&s, "CONNECT %q", id)
	var notes []string
	if clean {
		notes = append(notes, "clean session")
	}
	notes = append(notes, fmt.Sprintf("keep-alive %d s", keep))
	if willFlag {
		notes = append(notes, fmt.Sprintf("will %q", willTopic))
	}
	if userFlag {
		notes = append(notes, fmt.Sprintf("user %q", user))
	}
	fmt.Fprintf(&s, " (%s)", strings.Join(notes, ", "))

	meaning := fmt.Sprintf("The client opens an MQTT session as %q, the first packet it must send. ", id)
	if id == "" {
		meaning = "The client opens an MQTT session without a client identifier: the broker makes one up, which it allows only with a clean session. "
	}
	if clean {
		meaning += "Clean session: the broker forgets any earlier session of this client and keeps none after it. "
	} else {
		meaning += "Clean session off: the broker keeps the client's subscriptions and the QoS 1 and 2 messages it misses while away, for when it comes back. "
	}
	if keep > 0 {
		meaning += fmt.Sprintf("The client promises to send something at least every %d seconds (a PINGREQ when it has nothing else). ", keep)
	} else {
		meaning += "Keep-alive 0: no keep-alive checks. "
	}
	if willFlag {
		meaning += fmt.Sprintf("Its will: should the connection end without DISCONNECT, the broker publishes the will message to %q (QoS %d%s). ",
			willTopic, willQoS, map[bool]string{true: ", retained", false: ""}[willRetain])
	}
	if userFlag {
		meaning += "It logs in as " + fmt.Sprintf("%q", user)
		if passFlag {
			meaning += " with a password, masked here but in clear text in the raw bytes unless TLS protects them"
		}
		meaning += ". "
	}
	if ok && level != 4 {
		meaning += fmt.Sprintf("It asks for protocol level %d; a broker speaking only MQTT 3.1.1 refuses it with CONNACK return code 1. ", level)
	}
	meaning += "The broker answers with CONNACK."
	m := p.finish(s.String(), meaning)
	m.Handshake = true
	if len(p.bad) == 0 {
		a.state.Move(&m, StateConnecting)
	}
	return m
}

// returnCodes explains CONNACK's return codes (§3.2.2.3, Table 3.1).
var returnCodes = []struct{ name, meaning string }{
	{"Connection Accepted", "The broker accepts the session: the client may now subscribe and publish."},
	{"Connection Refused, unacceptable protocol version", "The broker does not speak the protocol level the client asked for."},
	{"Connection Refused, identifier rejected", "The client identifier is well-formed but the broker does not allow it (an empty one without a clean session, for one)."},
	{"Connection Refused, Server unavailable", "The network connection was made but the MQTT service is not available."},
	{"Connection Refused, bad user name or password", "The user name or password is malformed, or wrong."},
	{"Connection Refused, not authorized", "The client is not authorized to connect."},
}

// connack decodes a CONNACK (§3.2): the session present flag and the return code.
func (a *Analyzer) connack(p *packet) lab.Message {
	flags, off, ok := p.byte1("acknowledge flags")
	present := flags&1 != 0
	if ok {
		p.add("acknowledge flags", fmt.Sprintf("%08b", flags), off, 1)
		p.add("session present", yesNo(present), off, 1)
		if flags&^1 != 0 {
			p.fault("reserved acknowledge flags set", "[MQTT-3.2.2-1]")
		}
	}
	rc, off, ok := p.byte1("return code")
	if !ok {
		p.extra()
		return p.finish("CONNACK", "")
	}
	name, meaning := fmt.Sprintf("reserved return code %d", rc), "A return code MQTT 3.1.1 does not define (6–255 are reserved)."
	if int(rc) < len(returnCodes) {
		name, meaning = returnCodes[rc].name, returnCodes[rc].meaning
	}
	p.add("return code", fmt.Sprintf("%d %s", rc, name), off, 1)
	if rc != 0 && present {
		p.fault("session present with a refusal", "[MQTT-3.2.2-4]")
	}
	p.extra()
	summary := fmt.Sprintf("CONNACK %d %s", rc, strings.TrimPrefix(name, "Connection "))
	if present {
		summary += " (session present)"
	}
	if rc == 0 {
		if present {
			meaning += " Session present: the broker still had this client's session (its subscriptions, its messages in flight) from before."
		} else {
			meaning += " The session starts afresh: no subscriptions yet."
		}
	} else {
		meaning += " After a refusal the broker closes the network connection."
	}
	m := p.finish(summary, meaning)
	m.Handshake = true
	switch {
	case len(p.bad) > 0:
	case rc == 0:
		a.state.Move(&m, StateConnected)
	default:
		a.state.Move(&m, StateRefused)
	}
	return m
}

func yesNo(b bool) string {
	if b {
		return "1 (yes)"
	}
	return "0 (no)"
}

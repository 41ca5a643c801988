package sctp

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/protocollab/protolab/lab"
)

// Chunk types (RFC 9260 §3.2, RFC 3758, RFC 6525, RFC 4895).
const (
	chunkData             = 0
	chunkInit             = 1
	chunkInitAck          = 2
	chunkSack             = 3
	chunkHeartbeat        = 4
	chunkHeartbeatAck     = 5
	chunkAbort            = 6
	chunkShutdown         = 7
	chunkShutdownAck      = 8
	chunkError            = 9
	chunkCookieEcho       = 10
	chunkCookieAck        = 11
	chunkShutdownComplete = 14
	chunkAuth             = 15
	chunkReconfig         = 130
	chunkForwardTSN       = 192
	chunkIData            = 64
	chunkIForwardTSN      = 194
)

var chunkNames = map[uint8]string{chunkData: "DATA", chunkInit: "INIT", chunkInitAck: "INIT-ACK", chunkSack: "SACK",
	chunkHeartbeat: "HEARTBEAT", chunkHeartbeatAck: "HEARTBEAT-ACK", chunkAbort: "ABORT", chunkShutdown: "SHUTDOWN",
	chunkShutdownAck: "SHUTDOWN-ACK", chunkError: "ERROR", chunkCookieEcho: "COOKIE-ECHO", chunkCookieAck: "COOKIE-ACK",
	chunkShutdownComplete: "SHUTDOWN-COMPLETE", chunkAuth: "AUTH", 128: "ASCONF-ACK", chunkReconfig: "RE-CONFIG",
	chunkForwardTSN: "FORWARD-TSN", 193: "ASCONF", chunkIData: "I-DATA", chunkIForwardTSN: "I-FORWARD-TSN"}

func chunkName(t uint8) string {
	if n, ok := chunkNames[t]; ok {
		return n
	}
	return fmt.Sprintf("chunk type %d", t)
}

var paramNames = map[uint16]string{1: "Heartbeat Info", 5: "IPv4 Address", 6: "IPv6 Address", 7: "State Cookie",
	8: "Unrecognized Parameter", 9: "Cookie Preservative", 11: "Host Name Address", 12: "Supported Address Types",
	13: "Outgoing SSN Reset Request", 14: "Incoming SSN Reset Request", 15: "SSN/TSN Reset Request",
	16: "Re-configuration Response", 17: "Add Outgoing Streams Request", 18: "Add Incoming Streams Request",
	0x8001: "Zero Checksum Acceptable", 0x8002: "Random", 0x8003: "Chunk List", 0x8004: "Requested HMAC Algorithm",
	0x8008: "Supported Extensions", 0xC000: "Forward-TSN-Supported"}

func paramName(t uint16) string {
	if n, ok := paramNames[t]; ok {
		return n
	}
	return fmt.Sprintf("parameter 0x%04x", t)
}

// chunk explains one chunk of type typ whose value v starts at off+4 in m.Raw.
func (a *Analyzer) chunk(m *lab.Message, typ, flags uint8, v []byte, off int) {
	name := chunkName(typ)
	m.Summary = name
	m.Ref = "RFC 9260 §3.3"
	if !a.brief {
		m.Fields = append(m.Fields,
			lab.Field{Name: "chunk", Value: name, Off: off, Len: 4 + len(v)},
			lab.Field{Name: "chunk type", Value: fmt.Sprintf("%d (%s)", typ, name), Off: off, Len: 1},
			lab.Field{Name: "chunk flags", Value: fmt.Sprintf("0x%02x", flags), Off: off + 1, Len: 1},
			lab.Field{Name: "chunk length", Value: fmt.Sprint(4 + len(v)), Off: off + 2, Len: 2})
	}
	p := off + 4
	short := func(n int) bool {
		if len(v) < n {
			m.Summary = "malformed " + name
			m.Meaning = fmt.Sprintf("A %s chunk holds at least %d bytes; this one %d.", name, n, len(v))
			return true
		}
		return false
	}
	u32 := func(i int) uint32 { return binary.BigEndian.Uint32(v[i:]) }
	u16 := func(i int) uint16 { return binary.BigEndian.Uint16(v[i:]) }
	switch typ {
	case chunkData:
		if short(12) {
			return
		}
		a.data(m, flags, v, p, false)
	case chunkIData:
		if short(16) {
			return
		}
		a.data(m, flags, v, p, true)
	case chunkInit, chunkInitAck:
		if short(16) {
			return
		}
		m.Handshake = true
		m.Fields = append(m.Fields,
			lab.Field{Name: "initiate tag", Value: fmt.Sprintf("0x%08x: the verification tag the peer must put on every packet to this side", u32(0)), Off: p, Len: 4},
			lab.Field{Name: "advertised receiver window", Value: fmt.Sprintf("%d bytes", u32(4)), Off: p + 4, Len: 4},
			lab.Field{Name: "outbound streams", Value: fmt.Sprint(u16(8)), Off: p + 8, Len: 2},
			lab.Field{Name: "inbound streams", Value: fmt.Sprint(u16(10)), Off: p + 10, Len: 2},
			lab.Field{Name: "initial TSN", Value: fmt.Sprint(u32(12)), Off: p + 12, Len: 4})
		params(m, v[16:], p+16)
		m.Summary = fmt.Sprintf("%s (%d/%d streams, initial TSN %d)", name, u16(8), u16(10), u32(12))
		if typ == chunkInit {
			m.Ref = "RFC 9260 §3.3.2"
			m.Meaning = "The first step of SCTP's four-way handshake: the sender offers its verification tag, window, streams and first TSN. In WebRTC both peers may send INIT at once; the association still comes up once."
			a.state.Move(m, StateCookieWait)
		} else {
			m.Ref = "RFC 9260 §3.3.3"
			m.Meaning = "The answer to INIT, with a State Cookie: the responder keeps no state yet, it has put all it needs in the signed cookie, which the initiator must echo (protection against SYN-flood-like attacks)."
		}
	case chunkSack:
		if short(12) {
			return
		}
		m.Ref = "RFC 9260 §3.3.4"
		gaps, dups := int(u16(8)), int(u16(10))
		if !a.brief {
			m.Fields = append(m.Fields,
				lab.Field{Name: "cumulative TSN ack", Value: fmt.Sprintf("%d: every DATA chunk up to this TSN has arrived", u32(0)), Off: p, Len: 4},
				lab.Field{Name: "advertised receiver window", Value: fmt.Sprintf("%d bytes", u32(4)), Off: p + 4, Len: 4},
				lab.Field{Name: "gap ack blocks", Value: fmt.Sprint(gaps), Off: p + 8, Len: 2},
				lab.Field{Name: "duplicate TSNs", Value: fmt.Sprint(dups), Off: p + 10, Len: 2})
		}
		// The summary is built in the analyzer's room: a bulk transfer's
		// receiver sends a SACK for every other packet.
		sum := strconv.AppendUint(append(a.scratch[:0], "SACK (cumulative TSN "...), uint64(u32(0)), 10)
		sum = strconv.AppendUint(append(sum, ", window "...), uint64(u32(4)), 10)
		for i := 0; i < gaps && 12+4*i+4 <= len(v); i++ {
			s, e := u16(12+4*i), u16(14+4*i)
			if i == 0 {
				sum = append(sum, ", gaps "...)
			} else {
				sum = append(sum, ", "...)
			}
			sum = strconv.AppendUint(sum, uint64(u32(0)+uint32(s)), 10)
			sum = strconv.AppendUint(append(sum, "–"...), uint64(u32(0)+uint32(e)), 10)
			if !a.brief {
				m.Fields = append(m.Fields, lab.Field{Name: fmt.Sprintf("gap %d", i+1), Value: fmt.Sprintf("TSNs %d–%d arrived too (after a hole)", u32(0)+uint32(s), u32(0)+uint32(e)), Off: p + 12 + 4*i, Len: 4})
			}
		}
		m.Summary = a.arena.Text(&a.scratch, append(sum, ')'))
		m.Meaning = "The receiver acknowledges DATA: everything up to the cumulative TSN, and the blocks past a hole; the sender resends what is missing."
	case chunkHeartbeat, chunkHeartbeatAck:
		m.Ref = "RFC 9260 §3.3.5"
		params(m, v, p)
		m.Meaning = "A probe that the path is alive (HEARTBEAT); the peer sends the same information back (HEARTBEAT-ACK)."
	case chunkAbort:
		m.Ref = "RFC 9260 §3.3.7"
		m.Teardown = true
		causes(m, v, p)
		m.Meaning = "The sender ends the association at once; data not yet delivered is lost."
		a.state.Move(m, StateClosed)
	case chunkShutdown:
		if short(4) {
			return
		}
		m.Ref = "RFC 9260 §3.3.8"
		m.Teardown = true
		m.Summary = fmt.Sprintf("SHUTDOWN (cumulative TSN %d)", u32(0))
		m.Fields = append(m.Fields, lab.Field{Name: "cumulative TSN ack", Value: fmt.Sprint(u32(0)), Off: p, Len: 4})
		m.Meaning = "The sender closes gracefully: it sends no more new data, and the peer finishes delivering what is outstanding."
		a.state.Move(m, StateShutdownSent)
	case chunkShutdownAck:
		m.Ref = "RFC 9260 §3.3.9"
		m.Teardown = true
		m.Meaning = "The peer has delivered all outstanding data and agrees to close."
		a.state.Move(m, StateShutdownAckSent)
	case chunkShutdownComplete:
		m.Ref = "RFC 9260 §3.3.13"
		m.Teardown = true
		m.Meaning = "The last step of a graceful close: the association is gone."
		a.state.Move(m, StateClosed)
	case chunkError:
		m.Ref = "RFC 9260 §3.3.10"
		causes(m, v, p)
		m.Meaning = "The sender reports a problem that does not end the association."
	case chunkCookieEcho:
		m.Ref = "RFC 9260 §3.3.11"
		m.Handshake = true
		m.Fields = append(m.Fields, lab.Field{Name: "cookie", Value: fmt.Sprintf("%d bytes", len(v)), Off: p, Len: len(v)})
		m.Meaning = "The initiator sends the State Cookie back: the responder checks its signature and only now sets up the association."
		a.state.Move(m, StateCookieEchoed)
	case chunkCookieAck:
		m.Ref = "RFC 9260 §3.3.12"
		m.Handshake = true
		m.Meaning = "The responder accepted the cookie: the association is established and DATA may flow."
		a.state.Move(m, StateEstablished)
	case chunkForwardTSN:
		if short(4) {
			return
		}
		m.Ref = "RFC 3758 §3.2"
		m.Summary = fmt.Sprintf("FORWARD-TSN (new cumulative TSN %d)", u32(0))
		m.Fields = append(m.Fields, lab.Field{Name: "new cumulative TSN", Value: fmt.Sprint(u32(0)), Off: p, Len: 4})
		for i := 4; i+4 <= len(v); i += 4 {
			m.Fields = append(m.Fields, lab.Field{Name: "stream", Value: fmt.Sprintf("stream %d, sequence %d", u16(i), u16(i+2)), Off: p + i, Len: 4})
		}
		m.Meaning = "On a partially reliable channel the sender gives up on messages it will not resend: the receiver moves past them."
	case chunkReconfig:
		m.Ref = "RFC 6525 §3.1"
		params(m, v, p)
		m.Meaning = "Stream reconfiguration: in WebRTC, closing a data channel resets its stream's sequence numbers (RFC 8831 §6.7)."
	default:
		m.Meaning = "A chunk the lab shows as bytes."
		if len(v) > 0 {
			m.Fields = append(m.Fields, lab.Field{Name: "value", Value: hex.EncodeToString(v), Off: p, Len: len(v)})
		}
	}
}

// params frames TLV parameters v, which lie at p in the packet.
func params(m *lab.Message, v []byte, p int) {
	for i := 0; i+4 <= len(v); {
		t, n := binary.BigEndian.Uint16(v[i:]), int(binary.BigEndian.Uint16(v[i+2:]))
		if n < 4 || i+n > len(v) {
			m.Fields = append(m.Fields, lab.Field{Name: "malformed parameter", Value: fmt.Sprintf("length %d", n), Off: p + i, Len: len(v) - i})
			return
		}
		val := v[i+4 : i+n]
		m.Fields = append(m.Fields, lab.Field{Name: paramName(t), Value: paramValue(t, val), Off: p + i, Len: n})
		i += (n + 3) &^ 3
	}
}

func paramValue(t uint16, v []byte) string {
	u32 := func(i int) uint32 { return binary.BigEndian.Uint32(v[i:]) }
	switch {
	case t == 0x8008:
		var ns []string
		for _, c := range v {
			ns = append(ns, chunkName(c))
		}
		return "the peer understands " + strings.Join(ns, ", ")
	case t == 0xC000:
		return "partial reliability (RFC 3758) is supported: data channels may drop messages"
	case t == 7:
		return fmt.Sprintf("%d bytes, signed by the responder", len(v))
	case t == 13 && len(v) >= 12:
		var ss []string
		for i := 12; i+2 <= len(v); i += 2 {
			ss = append(ss, fmt.Sprint(binary.BigEndian.Uint16(v[i:])))
		}
		return fmt.Sprintf("request %d: reset outgoing streams %s after TSN %d", u32(0), strings.Join(ss, ", "), u32(8))
	case t == 16 && len(v) >= 8:
		result := map[uint32]string{0: "nothing to do", 1: "performed", 2: "denied", 3: "error: wrong SSN",
			4: "error: request already in progress", 5: "error: bad sequence number", 6: "in progress"}[u32(4)]
		return fmt.Sprintf("response to request %d: %s", u32(0), result)
	}
	return fmt.Sprintf("%d bytes %s", len(v), hex.EncodeToString(v[:min(len(v), 32)]))
}

var causeNames = map[uint16]string{1: "Invalid Stream Identifier", 2: "Missing Mandatory Parameter", 3: "Stale Cookie Error",
	4: "Out of Resource", 5: "Unresolvable Address", 6: "Unrecognized Chunk Type", 7: "Invalid Mandatory Parameter",
	8: "Unrecognized Parameters", 9: "No User Data", 10: "Cookie Received While Shutting Down",
	11: "Restart of an Association with New Addresses", 12: "User-Initiated Abort", 13: "Protocol Violation"}

// causes frames an ABORT's or ERROR's error causes.
func causes(m *lab.Message, v []byte, p int) {
	var ns []string
	for i := 0; i+4 <= len(v); {
		t, n := binary.BigEndian.Uint16(v[i:]), int(binary.BigEndian.Uint16(v[i+2:]))
		if n < 4 || i+n > len(v) {
			break
		}
		name := causeNames[t]
		if name == "" {
			name = fmt.Sprintf("cause %d", t)
		}
		val := name
		if t == 12 || t == 13 {
			val += ": " + strings.ToValidUTF8(string(v[i+4:i+n]), "?")
		}
		ns = append(ns, name)
		m.Fields = append(m.Fields, lab.Field{Name: "error cause", Value: val, Off: p + i, Len: n})
		i += (n + 3) &^ 3
	}
	if len(ns) > 0 {
		m.Summary += " (" + strings.Join(ns, ", ") + ")"
	}
}

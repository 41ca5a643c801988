package sctp

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/protocollab/protolab/lab"
)

// Payload protocol identifiers of WebRTC (RFC 8831 §8).
const (
	PPIDDCEP        = 50
	PPIDString      = 51
	PPIDBinary      = 53
	PPIDStringEmpty = 56
	PPIDBinaryEmpty = 57
)

var ppidNames = map[uint32]string{PPIDDCEP: "WebRTC DCEP", PPIDString: "WebRTC string", 52: "WebRTC binary partial (deprecated)",
	PPIDBinary: "WebRTC binary", 54: "WebRTC string partial (deprecated)", PPIDStringEmpty: "WebRTC string empty",
	PPIDBinaryEmpty: "WebRTC binary empty"}

// DCEP message types (RFC 8832 §8.2.1).
const (
	dcepAck  = 0x02
	dcepOpen = 0x03
)

var channelTypes = map[uint8]string{0x00: "reliable, ordered", 0x80: "reliable, unordered",
	0x01: "partially reliable (retransmissions), ordered", 0x81: "partially reliable (retransmissions), unordered",
	0x02: "partially reliable (timed), ordered", 0x82: "partially reliable (timed), unordered"}

// maxShown bounds the payload bytes quoted in a field.
const maxShown = 256

// data explains a DATA chunk (or, idata, an I-DATA chunk of RFC 8260 §2.1)
// whose value v lies at p.
func (a *Analyzer) data(m *lab.Message, flags uint8, v []byte, p int, idata bool) {
	m.Ref = "RFC 9260 §3.3.1"
	tsn := binary.BigEndian.Uint32(v)
	stream, ssn := binary.BigEndian.Uint16(v[4:]), uint32(binary.BigEndian.Uint16(v[6:]))
	ppid := binary.BigEndian.Uint32(v[8:])
	payload := v[12:]
	seqName, seqLen, kind := "stream sequence number", 2, "DATA"
	if idata {
		m.Ref = "RFC 8260 §2.1"
		if len(v) < 16 {
			m.Summary = "malformed I-DATA"
			m.Meaning = "An I-DATA chunk holds at least 16 bytes."
			return
		}
		ssn, ppid, payload = binary.BigEndian.Uint32(v[8:]), binary.BigEndian.Uint32(v[12:]), v[16:]
		seqName, seqLen, kind = "message identifier", 4, "I-DATA"
		if flags&2 == 0 { // not the first piece: the field is the fragment sequence number
			// Built in the analyzer's room, as a binary message's summary is.
			b := append(a.scratch[:0], "I-DATA on "...)
			if ch, ok := a.channels[stream]; ok {
				b = strconv.AppendQuote(b, ch.label)
			} else {
				b = strconv.AppendUint(append(b, "stream "...), uint64(stream), 10)
			}
			b = strconv.AppendUint(append(b, ": message "...), uint64(ssn), 10)
			b = strconv.AppendUint(append(b, ", piece "...), uint64(ppid), 10)
			if flags&1 != 0 {
				b = append(b, ", the last"...)
			}
			b = strconv.AppendInt(append(b, " ("...), int64(len(payload)), 10)
			m.Summary = a.arena.Text(&a.scratch, append(b, " bytes)"...))
			m.Meaning = "A later piece of a user message split over several chunks (RFC 8260 §2.1); the receiver puts them together, in the order of the fragment sequence numbers."
			if !a.brief {
				m.Fields = append(m.Fields,
					lab.Field{Name: "TSN", Value: fmt.Sprint(tsn), Off: p, Len: 4},
					lab.Field{Name: "stream", Value: fmt.Sprint(stream), Off: p + 4, Len: 2},
					lab.Field{Name: seqName, Value: fmt.Sprint(ssn), Off: p + 8, Len: 4},
					lab.Field{Name: "fragment sequence number", Value: fmt.Sprint(ppid), Off: p + 12, Len: 4},
					lab.Field{Name: "user data", Value: fmt.Sprintf("%d bytes", len(payload)), Off: p + 16, Len: len(payload)})
			}
			return
		}
	}
	pn := ppidNames[ppid]
	if pn == "" {
		pn = "unknown"
	}
	order := "ordered"
	if flags&4 != 0 {
		order = "unordered"
	}
	frag := ""
	switch flags & 3 {
	case 0:
		frag = ", a middle piece of a message"
	case 1:
		frag = ", the last piece of a message"
	case 2:
		frag = ", the first piece of a message"
	}
	pp := p + 4 + 2 + seqLen
	if idata {
		pp += 2 // I-DATA's reserved field
	}
	if !a.brief {
		m.Fields = append(m.Fields,
			lab.Field{Name: "flags", Value: fmt.Sprintf("%s%s", order, frag), Off: p - 3, Len: 1},
			lab.Field{Name: "TSN", Value: fmt.Sprintf("%d: the transmission sequence number, which SACK acknowledges", tsn), Off: p, Len: 4},
			lab.Field{Name: "stream", Value: fmt.Sprint(stream), Off: p + 4, Len: 2},
			lab.Field{Name: seqName, Value: fmt.Sprint(ssn), Off: pp - seqLen, Len: seqLen},
			lab.Field{Name: "payload protocol", Value: fmt.Sprintf("%d (%s)", ppid, pn), Off: pp, Len: 4})
	}
	p = pp + 4 - 12 // the payload lies at p+12, as in DATA
	ch := a.channels[stream]
	label := ""
	if ch.label != "" || ppid == PPIDString || ppid == PPIDBinary {
		label = ch.on
		if label == "" {
			label = ` on ""`
		}
	}
	switch ppid {
	case PPIDDCEP:
		a.dcep(m, stream, payload, p+12)
		return
	case PPIDString, PPIDStringEmpty:
		text := payload
		if ppid == PPIDStringEmpty {
			text = nil
		}
		m.Summary = fmt.Sprintf("%s%s: %s", kind, label, quote(text))
		m.Meaning = "A text message on a data channel (TSN " + fmt.Sprint(tsn) + ", stream " + fmt.Sprint(stream) + ")."
		if ppid == PPIDStringEmpty {
			m.Meaning = "An empty text message: SCTP cannot carry zero bytes, so the sender sends one byte under PPID 56 (RFC 8831 §6.6)."
		}
		if !a.brief {
			m.Fields = append(m.Fields, lab.Field{Name: "message", Value: quote(text), Off: p + 12, Len: len(payload)})
		}
	case PPIDBinary, PPIDBinaryEmpty:
		// Built in the analyzer's room: a bulk transfer's chunks come by the thousand.
		b := append(append(append(a.scratch[:0], kind...), label...), ": "...)
		if ppid == PPIDBinaryEmpty {
			b = append(b, "empty binary message"...)
		} else {
			b = append(strconv.AppendInt(b, int64(len(payload)), 10), " bytes of binary"...)
		}
		m.Summary = a.arena.Text(&a.scratch, b)
		m.Meaning = "A binary message on a data channel."
		if !a.brief {
			m.Fields = append(m.Fields, lab.Field{Name: "message", Value: hex.EncodeToString(payload[:min(len(payload), maxShown)]), Off: p + 12, Len: len(payload)})
		}
	default:
		m.Summary = fmt.Sprintf("%s (TSN %d, stream %d, %d bytes)", kind, tsn, stream, len(payload))
		m.Meaning = "User data of a payload protocol the lab does not know."
		if !a.brief {
			m.Fields = append(m.Fields, lab.Field{Name: "user data", Value: fmt.Sprintf("%d bytes", len(payload)), Off: p + 12, Len: len(payload)})
		}
	}
}

func quote(b []byte) string {
	s := b
	if len(s) > maxShown {
		s = s[:maxShown]
	}
	if !utf8.Valid(s) {
		return hex.EncodeToString(s)
	}
	q := strconv.Quote(string(s))
	if len(b) > maxShown {
		q += fmt.Sprintf(" … (%d bytes)", len(b))
	}
	return q
}

// dcep explains a data channel protocol message b, which lies at p (RFC 8832 §5).
func (a *Analyzer) dcep(m *lab.Message, stream uint16, b []byte, p int) {
	m.Ref = "RFC 8832 §5"
	if len(b) == 0 {
		m.Summary = "malformed DCEP message: empty"
		return
	}
	m.Fields = append(m.Fields, lab.Field{Name: "message type", Value: fmt.Sprintf("0x%02x", b[0]), Off: p, Len: 1})
	switch b[0] {
	case dcepAck:
		m.Summary = fmt.Sprintf("DATA_CHANNEL_ACK (stream %d", stream)
		if ch, ok := a.channels[stream]; ok {
			m.Summary += fmt.Sprintf(", %q", ch.label)
		}
		m.Summary += ")"
		m.Meaning = "The peer accepted the channel opened on this stream: both sides may now send on it (RFC 8832 §5.2)."
		m.Ref = "RFC 8832 §5.2"
	case dcepOpen:
		m.Ref = "RFC 8832 §5.1"
		if len(b) < 12 {
			m.Summary = "malformed DATA_CHANNEL_OPEN: shorter than 12 bytes"
			return
		}
		ct := b[1]
		prio, rel := binary.BigEndian.Uint16(b[2:]), binary.BigEndian.Uint32(b[4:])
		ll, pl := int(binary.BigEndian.Uint16(b[8:])), int(binary.BigEndian.Uint16(b[10:]))
		if 12+ll+pl > len(b) {
			m.Summary = "malformed DATA_CHANNEL_OPEN: label and protocol run past the message"
			return
		}
		label, proto := string(b[12:12+ll]), string(b[12+ll:12+ll+pl])
		ctn := channelTypes[ct]
		if ctn == "" {
			ctn = fmt.Sprintf("type 0x%02x", ct)
		}
		relText := "—"
		switch ct & 0x7f {
		case 1:
			relText = fmt.Sprintf("at most %d retransmissions", rel)
		case 2:
			relText = fmt.Sprintf("resent for at most %d ms", rel)
		}
		m.Fields = append(m.Fields,
			lab.Field{Name: "channel type", Value: ctn, Off: p + 1, Len: 1},
			lab.Field{Name: "priority", Value: fmt.Sprint(prio), Off: p + 2, Len: 2},
			lab.Field{Name: "reliability parameter", Value: relText, Off: p + 4, Len: 4},
			lab.Field{Name: "label length", Value: fmt.Sprint(ll), Off: p + 8, Len: 2},
			lab.Field{Name: "protocol length", Value: fmt.Sprint(pl), Off: p + 10, Len: 2},
			lab.Field{Name: "label", Value: strconv.Quote(label), Off: p + 12, Len: ll},
			lab.Field{Name: "protocol", Value: strconv.Quote(proto), Off: p + 12 + ll, Len: pl})
		if len(a.channels) < maxChannels {
			a.channels[stream] = channel{label: label, protocol: proto, on: fmt.Sprintf(" on %q", label)}
		}
		m.Summary = fmt.Sprintf("DATA_CHANNEL_OPEN %q (stream %d, %s)", label, stream, ctn)
		m.Meaning = "The sender opens a data channel on this stream: its label, protocol and how reliably and in which order its messages go. The peer answers DATA_CHANNEL_ACK (RFC 8832 §6)."
	default:
		m.Summary = fmt.Sprintf("DCEP message of unknown type 0x%02x", b[0])
	}
}

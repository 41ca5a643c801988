package mqtt

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unsafe"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/payload"
)

// A broker writes to a busy subscriber what is pending all at once: one read
// can hold hundreds of QoS 0 PUBLISH packets of one topic, side by side. As
// NATS's analyzer does (protocols/nats, burst.go), a run of at least
// burstMin like ones in one read is a burst: one message whose bytes are all
// of theirs (lab.Publication.Burst keeps each one's digest, so each can be
// followed through the broker) and whose detail lists each with its bytes,
// as Wireshark shows the PDUs of one TCP segment under one frame. Fewer stay
// messages of their own. Only QoS 0 packets make bursts: a QoS 1 or 2
// PUBLISH opens an exchange of its own, which its acknowledgements follow.

// burstMin is the fewest like QoS 0 PUBLISH packets side by side in one read that make a burst.
const burstMin = 16

// maxListed bounds the packets a burst's detail lists one by one.
const maxListed = 1000

// run is the like PUBLISH packets gathered from the read being framed, the
// bytes of each following the last's: the first framed briefly (first), and
// what each shares with it (its first byte, and its topic name with its
// length), so that each after it is checked by comparing bytes.
type run struct {
	dir   lab.Dir
	first lab.Message
	flags byte
	topic []byte // the topic name's field: its length, then its bytes
	ms    []member
}

// member is one PUBLISH of a run: its bytes and its application message.
type member struct{ raw, data []byte }

// fixedLen returns the length of raw's fixed header: its first byte and its
// remaining length's (the framing checked that it is whole).
func fixedLen(raw []byte) int {
	n := 2
	for n < len(raw) && n < 5 && raw[n-1]&0x80 != 0 {
		n++
	}
	return n
}

// follows reports whether b's bytes begin where a's end, in one array.
func follows(a, b []byte) bool {
	return uintptr(unsafe.Pointer(unsafe.SliceData(a)))+uintptr(len(a)) == uintptr(unsafe.Pointer(unsafe.SliceData(b)))
}

// qos0Publish reports whether raw is a PUBLISH at QoS 0.
func qos0Publish(raw []byte) bool { return raw[0]>>4 == PUBLISH && raw[0]&0x06 == 0 }

// next adds raw, from dir, to the run if it is like the run's PUBLISH
// packets and follows the last one's bytes, and reports whether it did.
func (r *run) next(dir lab.Dir, raw []byte) bool {
	if len(r.ms) == 0 || dir != r.dir || raw[0] != r.flags {
		return false
	}
	n := fixedLen(raw)
	last := r.ms[len(r.ms)-1].raw
	if len(raw) < n+len(r.topic) || !bytes.Equal(raw[n:n+len(r.topic)], r.topic) || !follows(last, raw) {
		return false
	}
	r.ms = append(r.ms, member{raw: raw, data: raw[n+len(r.topic):]})
	return true
}

// frame frames one whole control packet, raw, sent in direction dir: a QoS
// 0 PUBLISH like the run's joins it, a clean one starts a run, anything else
// is a message after the run's.
func (a *Analyzer) frame(dir lab.Dir, raw []byte) {
	if !a.single && a.run.next(dir, raw) {
		return
	}
	m := a.packet(dir, raw)
	if a.single || !qos0Publish(raw) || !m.Deferred() {
		// (A PUBLISH framed briefly and clean is deferred: one that breaks
		// a rule is shown whole at once.)
		a.put(m)
		return
	}
	a.flush()
	n := fixedLen(raw)
	tl := 2 + (int(raw[n])<<8 | int(raw[n+1]))
	a.run = run{dir: dir, first: m, flags: raw[0], topic: raw[n : n+tl], ms: append(a.run.ms[:0], member{raw: raw, data: raw[n+tl:]})}
}

// put emits m after the run gathered before it.
func (a *Analyzer) put(m lab.Message) {
	if len(a.run.ms) > 0 {
		a.flush()
	}
	a.out = append(a.out, m)
}

// flush emits the run gathered: a burst, or each PUBLISH framed briefly.
func (a *Analyzer) flush() {
	r := &a.run
	switch {
	case len(r.ms) == 0:
		return
	case len(r.ms) >= a.burstAt:
		a.out = append(a.out, a.burst(r))
	default:
		a.out = append(a.out, r.first)
		for _, m := range r.ms[1:] {
			a.out = append(a.out, a.packet(r.dir, m.raw))
		}
	}
	clear(r.ms) // no bytes of the read held past it
	*r = run{ms: r.ms[:0]}
}

// burst makes one message of the run's PUBLISH packets.
func (a *Analyzer) burst(r *run) lab.Message {
	first, last := r.ms[0].raw, r.ms[len(r.ms)-1].raw
	n := int(uintptr(unsafe.Pointer(unsafe.SliceData(last)))-uintptr(unsafe.Pointer(unsafe.SliceData(first)))) + len(last)
	size := 0
	for _, m := range r.ms {
		size += len(m.data)
	}
	s := append(a.scratch[:0], "PUBLISH ×"...)
	s = strconv.AppendInt(s, int64(len(r.ms)), 10)
	s = append(append(s, ' '), r.topic[2:]...)
	if r.flags&1 != 0 {
		s = append(s, " retain"...)
	}
	s = append(strconv.AppendInt(append(s, ": "...), int64(size), 10), " bytes in one read"...)
	// The packets follow one another in one array (next): their bytes are
	// one slice of it.
	m := lab.Message{Dir: r.dir, Raw: unsafe.Slice(unsafe.SliceData(first), n), Observed: true, Ref: r.first.Ref, Summary: string(s)}
	if cap(s) <= maxScratch {
		a.scratch = s
	}
	if p := r.first.Pub; p != nil {
		digests := make([]uint64, len(r.ms)-1)
		for i, m := range r.ms[1:] {
			digests[i] = lab.PayloadDigest(m.data)
		}
		m.Pub = a.block.Pub(lab.Publication{Subject: p.Subject, Digest: p.Digest, Size: size, Burst: digests})
	}
	m.Defer(burstDetail)
	return m
}

// burstDetail builds a burst's fields and meaning: what its packets share
// (the first's, whose bytes begin the burst's), then each, with its bytes.
func burstDetail(msg *lab.Message) ([]lab.Field, string) {
	raw := msg.Raw
	var fields, listed []lab.Field
	var pub publication
	count, size := 0, 0
	var w []byte
	for at := 0; at < len(raw); {
		end, err := remaining(raw[at:])
		if err != nil || end == 0 || at+end > len(raw) {
			break // (never so in a burst the analyzer made)
		}
		p := raw[at : at+end]
		if count == 0 {
			first := header(msg.Dir, p, false)
			pub = readPublish(first, nil)
			for _, f := range first.fields {
				switch f.Name {
				case "topic name", "QoS", "RETAIN", "NATS subject":
					fields = append(fields, f)
				}
			}
		}
		n := fixedLen(p)
		tl := 2 + (int(p[n])<<8 | int(p[n+1]))
		data := p[n+tl:]
		count++
		size += len(data)
		if count <= maxListed {
			w = payload.AppendBrief(w[:0], data)
			listed = append(listed, lab.Field{Name: "PUBLISH " + strconv.Itoa(count), Value: string(w), Off: at, Len: end})
		}
		at += end
	}
	fields = append(fields,
		lab.Field{Name: "messages", Value: strconv.Itoa(count)},
		lab.Field{Name: "payload size", Value: fmt.Sprintf("%d bytes in all", size)})
	fields = append(fields, listed...)
	if count > maxListed {
		fields = append(fields, lab.Field{Name: "not listed", Value: fmt.Sprintf("%d more", count-maxListed)})
	}

	var s strings.Builder
	if msg.Dir == lab.ClientToServer {
		fmt.Fprintf(&s, "The client publishes %d messages at QoS 0 to the topic %q side by side, in one read: a client library gathers what "+
			"the program publishes and writes it at once. The broker forwards each to every client subscribed to a matching filter", count, pub.topic)
		if pub.mapped() {
			fmt.Fprintf(&s, ", and, as the NATS subject %q, to NATS subscribers", pub.subject)
		}
		s.WriteString(".")
	} else {
		fmt.Fprintf(&s, "The broker delivers %d messages at QoS 0 published to the topic %q side by side, in one read: it gathers what is "+
			"pending for a subscriber and writes it at once.", count, pub.topic)
	}
	s.WriteString(" " + qosWords[0] + " The lab shows a burst of like messages as one, as Wireshark shows the messages of one TCP " +
		"segment under one frame: each is listed below with its bytes, and each can be followed through the broker.")
	return fields, s.String()
}

package mqtt

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/framing"
)

// Bursts (see framing.BurstMin): a run of at least framing.BurstMin like
// QoS 0 PUBLISH packets — of one topic and one first byte — in one read or write is one
// message, as NATS's publications are (protocols/nats). Only QoS 0 packets
// make bursts: a QoS 1 or 2 PUBLISH opens an exchange of its own, which its
// acknowledgements follow.

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
	if len(raw) < n+len(r.topic) || !bytes.Equal(raw[n:n+len(r.topic)], r.topic) || !framing.Follows(last, raw) {
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
	a.flush() // the run ends before raw, framed before it as on the wire
	m := a.packet(dir, raw)
	if a.single || !qos0Publish(raw) || !m.Deferred() {
		// (A PUBLISH framed briefly and clean is deferred: one that breaks
		// a rule is shown whole at once.)
		a.out = append(a.out, m)
		return
	}
	n := fixedLen(raw)
	tl := 2 + (int(raw[n])<<8 | int(raw[n+1]))
	a.run = run{dir: dir, first: m, flags: raw[0], topic: raw[n : n+tl], ms: append(a.run.ms[:0], member{raw: raw, data: raw[n+tl:]})}
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
	s = append(strconv.AppendInt(append(s, ": "...), int64(size), 10), " bytes sent together"...)
	// (The packets follow one another in one array: next.)
	m := lab.Message{Dir: r.dir, Raw: framing.Joined(r.ms[0].raw, r.ms[len(r.ms)-1].raw), Observed: true, Ref: r.first.Ref, Summary: string(s)}
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
	var shared []lab.Field
	var pub publication
	var list framing.BurstList
	for at := 0; at < len(raw); {
		end, err := remaining(raw[at:])
		if err != nil || end == 0 || at+end > len(raw) {
			break // (never so in a burst the analyzer made)
		}
		p := raw[at : at+end]
		if list.Count == 0 {
			first := header(msg.Dir, p, false)
			pub = readPublish(first, nil)
			for _, f := range first.fields {
				switch f.Name {
				case "topic name", "QoS", "RETAIN", "NATS subject":
					shared = append(shared, f)
				}
			}
		}
		n := fixedLen(p)
		tl := 2 + (int(p[n])<<8 | int(p[n+1]))
		list.Add("PUBLISH", at, end, p[n+tl:])
		at += end
	}
	count := list.Count

	var s strings.Builder
	if msg.Dir == lab.ClientToServer {
		fmt.Fprintf(&s, "The client publishes %d messages at QoS 0 to the topic %q side by side, sent together (the capture saw them in one read or write): a client library gathers what "+
			"the program publishes and writes it at once. The broker forwards each to every client subscribed to a matching filter", count, pub.topic)
		if pub.mapped() {
			fmt.Fprintf(&s, ", and, as the NATS subject %q, to NATS subscribers", pub.subject)
		}
		s.WriteString(".")
	} else {
		fmt.Fprintf(&s, "The broker delivers %d messages at QoS 0 published to the topic %q side by side, sent together (the capture saw them in one read or write): it gathers what is "+
			"pending for a subscriber and writes it at once.", count, pub.topic)
	}
	s.WriteString(" " + qosWords[0] + " The lab shows a burst of like messages as one, as Wireshark shows the messages of one TCP " +
		"segment under one frame: each is listed below with its bytes, and each can be followed through the broker.")
	return list.Fields(shared), s.String()
}

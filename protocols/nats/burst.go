package nats

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/framing"
)

// Bursts (see framing.BurstMin): a run of at least framing.BurstMin like PUBs
// or MSGs — of one verb, subject, subscription and reply subject — in one
// read or write is one message.

// member is one publication of a run being gathered: its verb and arguments,
// its bytes (its line, headers, payload and CR LF) and its payload.
type member struct {
	v    string
	p    pubArgs
	raw  []byte
	data []byte
}

// run is the like publications gathered from the read being framed, the
// bytes of each following the last's.
type run struct {
	dir lab.Dir
	ms  []member
	// The last MSG's or PUB's line up to its byte count: a line that
	// begins so, and then has only a count, is like it (next).
	prefix []byte
}

// next frames the publication at the start of data, whose line (its LF
// included) is ln, when its line is the run's last but for its byte count,
// and reports whether it did, and how many bytes it took (0: not all there
// yet). Any other line is for parseLine to frame.
func (r *run) next(data, ln []byte) (int, bool) {
	if len(r.prefix) == 0 || len(ln) <= len(r.prefix) || !bytes.Equal(ln[:len(r.prefix)], r.prefix) {
		return 0, false
	}
	digits := bytes.TrimSuffix(bytes.TrimSuffix(ln[len(r.prefix):], []byte("\n")), []byte("\r"))
	size, ok := count(digits)
	if !ok || size > MaxPayload {
		return 0, false
	}
	end := len(ln) + size + 2
	if len(data) < end {
		return 0, true
	}
	if data[end-2] != '\r' || data[end-1] != '\n' {
		return 0, false
	}
	last := r.ms[len(r.ms)-1]
	r.ms = append(r.ms, member{v: last.v, p: last.p, raw: data[:end:end], data: data[len(ln) : end-2]})
	return end, true
}

// joins reports whether m, from dir, is like the run's publications and
// follows the last one's bytes.
func (r *run) joins(dir lab.Dir, m member) bool {
	if len(r.ms) == 0 {
		return true
	}
	last := &r.ms[len(r.ms)-1]
	return dir == r.dir && m.v == last.v && m.p == last.p && framing.Follows(last.raw, m.raw)
}

// gather adds to the run the publication l from dir, whose sender is right,
// after emitting the run gathered when l is not like it.
func (a *Analyzer) gather(dir lab.Dir, l line) {
	m := member{v: l.cmd, p: pubArgsOf(l.cmd, l.args), raw: l.raw, data: l.raw[l.n+l.hdr : l.n+l.size]}
	if !a.run.joins(dir, m) {
		a.flush()
	}
	a.run.dir = dir
	a.run.ms = append(a.run.ms, m)
	a.run.prefix = nil
	if m.v == "MSG" || m.v == "PUB" {
		a.run.prefix = l.raw[:l.args[len(l.args)-1].off]
	}
}

// flush emits the run gathered: a burst, or each publication briefly. Any
// other message is framed after it (a SUB or UNSUB changes what a
// delivery's detail reads), as on the wire.
func (a *Analyzer) flush() {
	ms := a.run.ms
	switch {
	case len(ms) >= a.burstAt && !a.single:
		a.out = append(a.out, a.burst(a.run.dir, ms))
	default:
		for _, m := range ms {
			a.out = append(a.out, a.brief(a.run.dir, m))
		}
	}
	clear(ms) // no bytes of the read held past it
	a.run.ms, a.run.prefix = ms[:0], nil
}

// burst makes one message of ms, like publications side by side, from dir.
func (a *Analyzer) burst(dir lab.Dir, ms []member) lab.Message {
	first := ms[0]
	digests := make([]uint64, len(ms)-1)
	size := len(first.data)
	for i, m := range ms[1:] {
		digests[i] = lab.PayloadDigest(m.data)
		size += len(m.data)
	}
	b := append(a.appendHead(a.scratch[:0], first.v, len(ms), first.p), ": "...)
	b = strconv.AppendInt(b, int64(size), 10)
	b = append(b, " bytes sent together"...)
	// (The publications follow one another in one array: joins, next.)
	m := lab.Message{Dir: dir, Raw: framing.Joined(first.raw, ms[len(ms)-1].raw), Observed: true, Ref: pubRefs[first.v], Summary: a.arena.Text(&a.scratch, b)}
	m.Pub = a.block.Pub(lab.Publication{Subject: first.p.subject, Digest: lab.PayloadDigest(first.data), Size: size, Burst: digests})
	f := a.subs[first.p.sid]
	if first.p.sid == "" || f == first.p.subject {
		f = ""
	}
	m.DeferTo(a.bursts.Put(burstDetail{filter: f}))
	return m
}

// appendHead appends the start of the summary of n publications of verb v
// with arguments p: "MSG lab.t1 sid 1 reply _INBOX.x", or for a burst
// "MSG ×300 lab.t1 sid 1" (the count first, where a diagram's short label
// still shows it).
func (a *Analyzer) appendHead(b []byte, v string, n int, p pubArgs) []byte {
	b = append(b, v...)
	if n > 1 {
		b = strconv.AppendInt(append(b, " ×"...), int64(n), 10)
	}
	b = append(append(b, ' '), p.subject...)
	if p.sid != "" {
		b = append(append(b, " sid "...), p.sid...)
	}
	if p.reply != "" {
		b = append(append(b, " reply "...), p.reply...)
	}
	return b
}

// burstDetail builds a burst's fields and meaning: what its publications
// share, then each, with its bytes. filter is the subscription's subject
// when it is not the messages' (it has wildcards).
type burstDetail struct{ filter string }

func (d *burstDetail) Fill(msg *lab.Message) ([]lab.Field, string) {
	raw := msg.Raw
	var shared []lab.Field
	var verb, subject, sid string
	var list framing.BurstList
	for at := 0; at < len(raw); {
		i := bytes.IndexByte(raw[at:], '\n')
		if i < 0 {
			break
		}
		l := parseLine(raw[at : at+i+1])
		end := at + i + 1 + l.size + 2
		if l.size < 0 || end > len(raw) {
			break // (never so in a burst the analyzer made)
		}
		if list.Count == 0 {
			// What they share, as the first's line says it (it starts Raw).
			m := &message{l: l, args: map[string]string{}}
			m.lineFields(l.cmd)
			for _, f := range m.Fields {
				if f.Name != "verb" && !strings.HasPrefix(f.Name, "#") {
					shared = append(shared, f)
				}
			}
			verb, subject, sid = l.cmd, m.args["subject"], m.args["sid"]
		}
		list.Add(verb, at, end-at, raw[at+i+1+l.hdr:end-2])
		at = end
	}
	count := list.Count

	var s strings.Builder
	switch verb {
	case "PUB", "HPUB":
		fmt.Fprintf(&s, "The client publishes %d messages to the subject %q side by side, sent together (the capture saw them in one read or write): "+
			"a client library gathers what the program publishes and writes it at once. The server delivers each, as MSG, to every subscription whose subject matches.", count, subject)
	default:
		fmt.Fprintf(&s, "The server delivers %d messages published to %q to this client, for its subscription %s", count, subject, sid)
		if d.filter != "" {
			fmt.Fprintf(&s, " to %q", d.filter)
		}
		s.WriteString(", side by side, sent together (the capture saw them in one read or write): nats-server gathers what is pending for a subscriber and writes it at once.")
	}
	s.WriteString(" The lab shows a burst of like messages as one, as Wireshark shows the messages of one TCP segment under one frame: " +
		"each is listed below with its bytes, and each can be followed through the broker.")
	return list.Fields(shared), s.String()
}

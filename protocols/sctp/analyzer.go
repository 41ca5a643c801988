package sctp

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"maps"
	"reflect"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/framing"
)

// CommonHeaderLen is the length of SCTP's common header (RFC 9260 §3.1).
const CommonHeaderLen = 12

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Analyzer frames the SCTP packets of one association, one message per chunk,
// and follows the association's state and its data channels' labels. Each Feed
// is one packet (one DTLS record's plaintext). Like every Analyzer it is used
// from one goroutine at a time.
type Analyzer struct {
	state    lab.Machine
	channels map[uint16]channel // by stream
	brief    bool               // frame the summary only: the fields are built when asked for (lab.Message.Defer)
	// snap is the last channel a deferred chunk saw, as a map of its one
	// stream (deferChunk): shared by the chunks of that stream while the
	// channel stays as it is, and only read.
	snap    map[uint16]channel
	arena   framing.Arena // where summaries are kept
	scratch []byte        // where a summary is built
	block   framing.Block // where Feed's messages are kept
	kept    framing.Slab[deferred]
	recent  [4]*deferred // the last ones kept (deferred), the next to replace at next
	next    int
}

// channel is a data channel opened on a stream; on names it in a summary
// (` on "label"`).
type channel struct{ label, protocol, on string }

// maxChannels bounds the channels remembered.
const maxChannels = 1024

// NewAnalyzer returns an analyzer for one association.
func NewAnalyzer() *Analyzer { return &Analyzer{state: machine, channels: map[uint16]channel{}} }

// State is the association's state.
func (a *Analyzer) State() string { return a.state.State() }

// Feed frames one SCTP packet.
func (a *Analyzer) Feed(dir lab.Dir, b []byte, at time.Time) []lab.Message {
	a.state.Start()
	if len(b) < CommonHeaderLen {
		return []lab.Message{{Dir: dir, Raw: b, Observed: true, Ref: "RFC 9260 §3.1",
			Summary: fmt.Sprintf("malformed SCTP packet: %d bytes, fewer than the 12 of the common header", len(b)),
			Meaning: "An SCTP packet starts with 12 bytes: ports, verification tag and checksum. This one is cut short; the receiver drops it."}}
	}
	out := a.block.Start()
	for off := CommonHeaderLen; off < len(b); {
		m := lab.Message{Dir: dir, Raw: b, Observed: true}
		if len(b)-off < 4 {
			m.Fields = headerFields(b)
			m.Summary = "malformed SCTP packet: a chunk header is cut off"
			m.Meaning = fmt.Sprintf("%d bytes are left at offset %d, too few for a chunk header (4).", len(b)-off, off)
			out = append(out, m)
			break
		}
		typ, flags := b[off], b[off+1]
		n := int(binary.BigEndian.Uint16(b[off+2:]))
		if n < 4 || off+n > len(b) {
			m.Fields = headerFields(b)
			m.Summary = fmt.Sprintf("malformed %s chunk: length %d", chunkName(typ), n)
			m.Meaning = fmt.Sprintf("The chunk at offset %d says it is %d bytes long; %d are left. The receiver drops the packet.", off, n, len(b)-off)
			out = append(out, m)
			break
		}
		if typ == chunkData || typ == chunkIData || typ == chunkSack {
			a.deferChunk(&m, typ, flags, b[off+4:off+n], off)
		} else {
			m.Fields = headerFields(b)
			a.chunk(&m, typ, flags, b[off+4:off+n], off)
		}
		out = append(out, m)
		off += (n + 3) &^ 3
	}
	if len(out) == 0 {
		out = append(out, lab.Message{Dir: dir, Raw: b, Observed: true, Fields: headerFields(b), Ref: "RFC 9260 §3",
			Summary: "SCTP packet without chunks", Meaning: "A packet with a common header and no chunk: nothing to do."})
	}
	for i := range out {
		unspanEmpty(out[i].Fields)
	}
	return a.block.Done(out)
}

func headerFields(b []byte) []lab.Field {
	sum := binary.LittleEndian.Uint32(b[8:])
	var c [4]byte
	crc := crc32.Update(crc32.Update(crc32.Update(0, castagnoli, b[:8]), castagnoli, c[:]), castagnoli, b[12:])
	check := fmt.Sprintf("0x%08x: matches the CRC-32c of the packet", sum)
	switch {
	case sum == 0 && crc != 0:
		check = "0: left out, as RFC 9653 allows when DTLS below already protects the packet"
	case sum != crc:
		check = fmt.Sprintf("0x%08x: does not match the CRC-32c of the packet, 0x%08x: the receiver drops it", sum, crc)
	}
	return []lab.Field{
		{Name: "common header", Value: fmt.Sprintf("port %d → %d", binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:])), Off: 0, Len: CommonHeaderLen},
		{Name: "source port", Value: fmt.Sprint(binary.BigEndian.Uint16(b)), Off: 0, Len: 2},
		{Name: "destination port", Value: fmt.Sprint(binary.BigEndian.Uint16(b[2:])), Off: 2, Len: 2},
		{Name: "verification tag", Value: fmt.Sprintf("0x%08x (0 only on INIT; otherwise the tag the receiver chose in its INIT or INIT-ACK)", binary.BigEndian.Uint32(b[4:])), Off: 4, Len: 4},
		{Name: "checksum", Value: check, Off: 8, Len: 4},
	}
}

// unspanEmpty gives fields of no bytes no offset either: a field spans bytes or none.
func unspanEmpty(fs []lab.Field) {
	for i := range fs {
		if fs[i].Len <= 0 {
			fs[i].Off, fs[i].Len = 0, 0
		}
	}
}

var _ lab.ConnAnalyzer = (*Analyzer)(nil)

// Opened adds nothing: the flow's opening is not SCTP's.
func (a *Analyzer) Opened(lab.OpenInfo) []lab.Message { return nil }

// Closed ends the association with the flow below it, if neither ABORT nor
// SHUTDOWN-COMPLETE ended it before.
func (a *Analyzer) Closed(lab.CloseInfo) []lab.Message {
	if s := a.state.State(); s == "" || s == StateClosed {
		return nil
	}
	m := lab.Message{Summary: "SCTP association ended with the flow", Teardown: true, Ref: "RFC 9260 §4",
		Meaning: "The flow below ended without ABORT or SHUTDOWN: the association is gone all the same."}
	a.state.Set(StateClosed)
	m.NextState = StateClosed
	return []lab.Message{m}
}

// deferChunk frames one of the chunks bulk data brings by the thousand (DATA,
// I-DATA, SACK) as a summary, and leaves its fields and meaning to be built
// when someone looks (lab.Message.Defer), from the packet and the channel's
// label as they were now.
func (a *Analyzer) deferChunk(m *lab.Message, typ, flags uint8, v []byte, off int) {
	a.brief = true
	a.chunk(m, typ, flags, v, off)
	a.brief = false
	m.Fields, m.Meaning = nil, "" // what the brief pass built anyway (DCEP's) comes again from fill
	var snap map[uint16]channel
	if typ != chunkSack && len(v) >= 6 {
		stream := binary.BigEndian.Uint16(v[4:])
		if ch, ok := a.channels[stream]; ok {
			if seen, ok := a.snap[stream]; !ok || seen != ch {
				a.snap = map[uint16]channel{stream: ch}
			}
			snap = a.snap
		}
	}
	m.DeferTo(a.deferred(deferred{snap: snap, typ: typ, flags: flags, off: off, n: len(v)}))
}

// deferred returns a kept copy of d: one kept before for a chunk like it if
// there is one among the last few, as a bulk transfer's chunks are alike
// (DATA of one size at one place in its packet, on one channel; SACK the
// other way). A filler shared is one the hub's log keeps once, not once a
// message (its collector reads each).
func (a *Analyzer) deferred(d deferred) *deferred {
	for _, k := range a.recent {
		if k != nil && k.typ == d.typ && k.flags == d.flags && k.off == d.off && k.n == d.n && sameMap(k.snap, d.snap) {
			return k
		}
	}
	k := a.kept.Put(d)
	a.recent[a.next] = k
	a.next = (a.next + 1) % len(a.recent)
	return k
}

// sameMap reports whether a and b are the same map (not maps alike).
func sameMap(a, b map[uint16]channel) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// deferred is what a chunk framed briefly keeps to build its fields and
// meaning when someone looks (lab.Message.DeferTo): its place in the packet,
// msg.Raw, and the channel it saw.
type deferred struct {
	snap       map[uint16]channel
	typ, flags uint8
	off, n     int
}

// Fill frames the chunk again, whole.
func (d *deferred) Fill(msg *lab.Message) ([]lab.Field, string) {
	// The snapshot is shared: what framing the chunk again writes goes to a
	// copy of its own.
	channels := maps.Clone(d.snap)
	if channels == nil {
		channels = map[uint16]channel{}
	}
	s := &Analyzer{state: machine, channels: channels}
	t := lab.Message{Dir: msg.Dir, Raw: msg.Raw, Fields: headerFields(msg.Raw)}
	s.chunk(&t, d.typ, d.flags, msg.Raw[d.off+4:d.off+4+d.n], d.off)
	unspanEmpty(t.Fields)
	return t.Fields, t.Meaning
}

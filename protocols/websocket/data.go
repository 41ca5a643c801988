package websocket

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"
	"unsafe"

	"github.com/protocollab/protolab/lab"
)

// Data frames: text, binary and continuation frames, framed briefly with
// their fields made when someone looks.

// finishData turns a text, binary or continuation frame just read into a
// message. Its summary is made now; a well-formed frame's fields and meaning
// when someone looks (lab.Message.Defer), from the frame and its message as
// they were.
func (fr *frames) finishData(d *direction, f *frame, compressed bool, problems []string) lab.Message {
	msg := d.msg // as the frame found it: the fields show it so
	summary, ref := dataFrame(d, &msg, f)
	if f.fin {
		if msg.op == opText && !msg.compressed && !msg.utf8.valid() {
			problems = append(problems, "the text message is not valid UTF-8 (§8.1); the receiver must fail the connection with 1007")
		}
		d.msg = fragmented{}
	}
	m := lab.Message{Dir: d.dir, Ref: ref, Raw: f.raw.Bytes(), Observed: true, Layer: Layer}
	if f.raw.Copied() {
		m.Holds(f.raw.Len()) // its own copy, beside the fed bytes the data events hold
	}
	if len(problems) > 0 {
		m.Summary, m.Meaning, m.Fields = described(f, summary, maskedMeaning(f, dataMeaning(&msg, f)), dataFields(f, &msg, compressed), problems)
	} else {
		m.Summary = summary
		k := fr.kept.Put(keepFrame(f, &msg, compressed))
		m.DeferTo(k)
		held := int(unsafe.Sizeof(*k))
		if !f.fed {
			held += len(f.payload)
		}
		if msg.frames != 1 { // the first frame's preview is its payload (payload)
			held += len(msg.preview)
		}
		m.Holds(held)
	}
	return m
}

// keptFrame is what a well-formed data frame keeps for its fields: its
// header's parts, its preview and its message's, as they were when it was
// framed; its bytes are its message's Raw.
type keptFrame struct {
	payload, preview  []byte // the frame's unmasked first bytes, the message's
	length, msgLength uint64
	frames            int
	key               [4]byte
	lenBits           byte
	fin, masked       bool
	rsv, op, msgOp    byte
	compressed        bool // RSV1 compresses this frame's message (permessage-deflate)
	msgCompressed     bool // the message's first frame said so
}

// keepFrame is what frame f of message msg keeps for its fields.
func keepFrame(f *frame, msg *fragmented, compressed bool) keptFrame {
	return keptFrame{payload: f.payload, preview: msg.preview, length: f.length, msgLength: msg.length,
		frames: msg.frames, key: f.key, lenBits: byte(f.lenBits), fin: f.fin, masked: f.masked,
		rsv: f.rsv, op: f.op, msgOp: msg.op, compressed: compressed, msgCompressed: msg.compressed}
}

// Fill builds the frame's fields and meaning from what it kept and its
// bytes, m.Raw (lab.Message.DeferTo).
func (k *keptFrame) Fill(m *lab.Message) ([]lab.Field, string) {
	f := frame{fin: k.fin, rsv: k.rsv, op: k.op, masked: k.masked, key: k.key, lenBits: int(k.lenBits),
		length: k.length, payload: k.payload, data: true}
	f.raw.Start(m.Raw, true, 0)
	msg := fragmented{open: true, op: k.msgOp, frames: k.frames, length: k.msgLength, preview: k.preview, compressed: k.msgCompressed}
	_, meaning, fields := described(&f, "", maskedMeaning(&f, dataMeaning(&msg, &f)), dataFields(&f, &msg, k.compressed), nil)
	return fields, meaning
}

// dataFrame summarizes a text, binary or continuation frame f of message m,
// which went in direction d, and gives its reference (dataMeaning explains it).
func dataFrame(d *direction, m *fragmented, f *frame) (summary, ref string) {
	kind := opName(m.op)
	switch {
	case f.fin && m.frames == 1:
		switch {
		case m.op == opBinary:
			summary = "binary " + bytesText(f.length)
		case f.length > 0:
			// "text" and the payload's preview, kept in the arena.
			d.scratch = lab.AppendPreview(append(append(d.scratch[:0], kind...), ' '), f.payload, previewSummary)
			summary = d.arena.String(d.scratch)
		default:
			summary = kind
		}
		return summary, "RFC 6455 §5.6"
	case f.op != opContinuation:
		summary = fmt.Sprintf("%s, fragment 1 (more follow), %s", kind, bytesText(f.length))
	case !f.fin:
		summary = fmt.Sprintf("continuation, fragment %d of a %s message, %s", m.frames, kind, bytesText(f.length))
	default:
		summary = fmt.Sprintf("continuation, last of %d fragments: %s message of %s", m.frames, kind, bytesText(m.length))
		if m.op == opText {
			summary += " " + lab.Preview(m.preview, previewSummary)
		}
	}
	return summary, "RFC 6455 §5.4"
}

// previewSummary is how many payload bytes a data frame's summary shows.
const previewSummary = 60

// dataMeaning explains a text, binary or continuation frame f of message m.
func dataMeaning(m *fragmented, f *frame) string {
	var meaning string
	switch {
	case f.fin && m.frames == 1:
		meaning = "A " + opName(m.op) + " message in one frame (FIN 1). "
	case f.op != opContinuation:
		meaning = "The first frame of a " + opName(m.op) + " message sent in fragments: FIN 0 says more frames follow, as continuation frames. "
	case !f.fin:
		meaning = "A middle fragment: a continuation frame (opcode 0) with FIN 0 adds to the message begun earlier. "
	default:
		meaning = "The last fragment (FIN 1) completes the message; the receiver delivers the fragments' payloads joined as one " + opName(m.op) + " message. "
	}
	if m.op == opText {
		return meaning + "Text data must be UTF-8 (§5.6)."
	}
	return meaning + "Binary data is whatever bytes the application chose (§5.6)."
}

// dataFields are the fields of data frame f of message m.
func dataFields(f *frame, m *fragmented, compressed bool) []lab.Field {
	fields := append(headerFields(f, compressed), payloadField(f.payload, f.length))
	if f.fin && m.frames != 1 { // the last of several: the whole message too
		kind := opName(m.op)
		fields = append(fields, lab.Field{Name: "message", Value: fmt.Sprintf("%s, %d fragments, %s", kind, m.frames, bytesText(m.length))})
		fields = append(fields, payloadField(m.preview, m.length))
		fields[len(fields)-1].Name = "message " + fields[len(fields)-1].Name
	}
	return fields
}

// unmask XORs b, the payload's bytes from offset got on, with the masking
// key (RFC 6455 §5.3): eight bytes at a time, then the rest one by one.
func unmask(b []byte, key [4]byte, got uint64) {
	var k [4]byte
	for i := range k {
		k[i] = key[(got+uint64(i))&3]
	}
	k32 := binary.LittleEndian.Uint32(k[:])
	k64 := uint64(k32) | uint64(k32)<<32
	i := 0
	for ; i+8 <= len(b); i += 8 {
		binary.LittleEndian.PutUint64(b[i:], binary.LittleEndian.Uint64(b[i:])^k64)
	}
	for ; i < len(b); i++ {
		b[i] ^= k[i&3]
	}
}

// utf8Check validates UTF-8 that arrives in pieces, holding at most one
// unfinished character.
type utf8Check struct {
	bad   bool
	carry [utf8.UTFMax]byte
	n     int
}

func (u *utf8Check) write(b []byte) {
	if u.n == 0 && utf8.Valid(b) {
		return // the usual case, checked a word at a time: whole runes, all valid
	}
	for len(b) > 0 && !u.bad {
		if u.n > 0 {
			u.carry[u.n] = b[0]
			u.n++
			b = b[1:]
			if !utf8.FullRune(u.carry[:u.n]) {
				continue
			}
			if r, size := utf8.DecodeRune(u.carry[:u.n]); r == utf8.RuneError && size == 1 {
				u.bad = true
			}
			u.n = 0
			continue
		}
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			if !utf8.FullRune(b) {
				u.n = copy(u.carry[:], b)
				return
			}
			u.bad = true
			return
		}
		b = b[size:]
	}
}

func (u *utf8Check) valid() bool { return !u.bad && u.n == 0 }

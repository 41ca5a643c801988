package websocket

import (
	"encoding/binary"
	"fmt"
	"github.com/protocollab/protolab/protocols/internal/framing"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/protocollab/protolab/lab"
)

// Bounds on what the analyzer holds per direction.
const (
	// MaxKeptBytes bounds the bytes of one frame kept as its Raw; the rest of a
	// long payload is counted, not kept.
	MaxKeptBytes = 64 << 10
	// PreviewBytes bounds the unmasked payload kept for a frame's summary and fields.
	PreviewBytes = 256
	// maxControl is the longest payload a control frame may carry (§5.5).
	maxControl = 125
)

// The opcodes of §5.2.
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

func opName(op byte) string {
	switch op {
	case opContinuation:
		return "continuation"
	case opText:
		return "text"
	case opBinary:
		return "binary"
	case opClose:
		return "close"
	case opPing:
		return "ping"
	case opPong:
		return "pong"
	}
	if op >= 8 {
		return "reserved control"
	}
	return "reserved data"
}

// frame is the frame being read in one direction.
type frame struct {
	fin     bool
	rsv     byte // the three RSV bits, RSV1 highest
	op      byte
	masked  bool
	key     [4]byte
	lenBits int // 7, 16 or 64: the length field used
	length  uint64
	got     uint64
	raw     framing.Raw // header and payload as sent, up to MaxKeptBytes
	payload []byte      // the payload unmasked, up to PreviewBytes
	fed     bool        // payload is the fed bytes themselves, which the data events count
	data    bool        // a text, binary or continuation frame of an open message
	probs   []string
}

// fragmented is the data message under way: one frame, or a first frame with
// FIN 0 and its continuations.
type fragmented struct {
	open    bool
	op      byte
	frames  int
	length  uint64
	preview []byte // the message's first PreviewBytes
	utf8    utf8Check
	// compressed says RSV1 marked the first frame as compressed (RFC 7692 §6).
	compressed bool
}

// direction frames one direction of the connection.
type direction struct {
	dir     lab.Dir
	hdr     [14]byte
	nhdr    int
	inFrame bool // the header is read, the payload is arriving
	f       frame
	msg     fragmented
	broken  bool // framing is lost: bytes are only counted
	closed  bool // a close frame went this way
	scratch []byte
	arena   framing.Arena // room for the frames' previews and summaries, which their messages keep
}

// frames follows the frames of both directions after the opening handshake.
type frames struct {
	block   framing.Block // where Feed's messages are kept
	kept    framing.Slab[keptFrame]
	s       *session
	dirs    [3]direction // by lab.Dir
	deflate bool         // the client offered permessage-deflate: RSV1 may mark compression
	ended   bool
	at      time.Time     // the time of the bytes being fed
	carried []lab.Message // the subprotocol's messages, waiting for their frame's (see carry)
}

var _ lab.ConnAnalyzer = (*frames)(nil)

func newFrames(s *session, deflate bool) *frames {
	fr := &frames{s: s, deflate: deflate}
	fr.dirs[lab.ClientToServer].dir = lab.ClientToServer
	fr.dirs[lab.ServerToClient].dir = lab.ServerToClient
	return fr
}

func (fr *frames) State() string                     { return fr.s.state.State() }
func (fr *frames) Opened(lab.OpenInfo) []lab.Message { return nil }

// Pending is how many bytes are held for dir: a partial header and the kept part
// of an unfinished frame.
func (fr *frames) Pending(dir lab.Dir) int {
	if dir != lab.ClientToServer && dir != lab.ServerToClient {
		return 0
	}
	d := &fr.dirs[dir]
	n := d.nhdr + d.f.raw.Len() + len(d.f.payload)
	if d.msg.frames != 1 {
		n += len(d.msg.preview) // else the frame's payload (payload)
	}
	return n
}

// Feed frames b.
func (fr *frames) Feed(dir lab.Dir, b []byte, at time.Time) []lab.Message {
	if dir != lab.ClientToServer && dir != lab.ServerToClient {
		return nil
	}
	fr.at = at
	b = b[:len(b):len(b)] // a frame's bytes in place reach no further (framing.Raw)
	d := &fr.dirs[dir]
	out := fr.block.Start()
	for len(b) > 0 && !d.broken {
		if !d.inFrame {
			n, m := d.readHeader(fr, b)
			b = b[n:]
			if m != nil {
				out = append(out, *m)
			}
			if !d.inFrame {
				continue
			}
			if d.f.length == 0 {
				out = append(out, fr.finish(d))
			}
			continue
		}
		n := int(min(uint64(len(b)), d.f.length-d.f.got))
		d.payload(b[:n])
		fr.carry(d, b[:n:n])
		b = b[n:]
		if d.f.got == d.f.length {
			out = append(out, fr.finish(d))
			out = fr.takeCarried(out)
		}
	}
	if len(fr.carried) > maxCarried {
		out = fr.takeCarried(out)
	}
	return fr.block.Done(out)
}

// headerLen is the length of a header whose first two bytes are h0 and h1.
func headerLen(h1 byte) int {
	n := 2
	switch h1 & 0x7f {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if h1&0x80 != 0 {
		n += 4
	}
	return n
}

// readHeader gathers a frame's header from b; it returns the bytes used and, if
// the header cannot be framed, a message saying so.
func (d *direction) readHeader(fr *frames, b []byte) (int, *lab.Message) {
	need := 2
	if d.nhdr >= 2 {
		need = headerLen(d.hdr[1])
	}
	inPlace := d.nhdr == 0 // the header begins in b: its bytes are b's own
	used := 0
	for d.nhdr < need && used < len(b) {
		d.hdr[d.nhdr] = b[used]
		d.nhdr++
		used++
		if d.nhdr == 2 {
			need = headerLen(d.hdr[1])
		}
	}
	if d.nhdr < need {
		return used, nil
	}
	h := d.hdr[:d.nhdr]
	f := frame{
		fin:    h[0]&0x80 != 0,
		rsv:    (h[0] >> 4) & 7,
		op:     h[0] & 0x0f,
		masked: h[1]&0x80 != 0,
	}
	i := 2
	switch l := h[1] & 0x7f; l {
	case 126:
		f.lenBits, f.length = 16, uint64(binary.BigEndian.Uint16(h[2:4]))
		i = 4
	case 127:
		f.lenBits, f.length = 64, binary.BigEndian.Uint64(h[2:10])
		i = 10
	default:
		f.lenBits, f.length = 7, uint64(l)
	}
	if f.masked {
		copy(f.key[:], h[i:i+4])
	}
	if inPlace {
		f.raw.Start(b[:used], true, 0) // the payload that follows it in b extends it (payload)
	} else {
		f.raw.Start(h, false, int(min(uint64(d.nhdr)+f.length, MaxKeptBytes)))
	}
	d.nhdr = 0
	if f.lenBits == 64 && f.length>>63 != 0 {
		d.broken = true
		m := fr.malformed(d.dir, f, "the 64-bit payload length has its most significant bit set, which §5.2 forbids; the frame's end cannot be found, so the lab stops reading this direction")
		return used, &m
	}
	// Fragmentation (§5.4): a text or binary frame starts a message, continuation
	// frames add to it, the frame with FIN 1 ends it; control frames may come between.
	switch f.op {
	case opText, opBinary:
		if d.msg.open {
			f.probs = append(f.probs, "a new "+opName(f.op)+" frame while a fragmented message is unfinished (§5.4)")
		}
		d.msg = fragmented{open: true, op: f.op, frames: 1, length: f.length, compressed: f.rsv&4 != 0 && fr.deflate}
		f.data = true
	case opContinuation:
		if d.msg.open {
			d.msg.frames++
			d.msg.length += f.length
			f.data = true
		} else {
			f.probs = append(f.probs, "a continuation frame with no fragmented message to continue (§5.4)")
		}
	}
	d.f = f
	d.inFrame = true
	return used, nil
}

// payload takes the next bytes of the frame's payload.
func (d *direction) payload(b []byte) {
	f := &d.f
	if room := MaxKeptBytes - f.raw.Len(); room > 0 {
		f.raw.Add(b[:min(len(b), room)]) // in place while the frame came in one piece
	}
	// Unmask what the previews and the UTF-8 check need.
	text := f.data && d.msg.op == opText && !d.msg.compressed
	want := max(PreviewBytes-len(f.payload), 0)
	if f.data {
		want = max(want, PreviewBytes-len(d.msg.preview))
	}
	if text {
		want = len(b)
	}
	want = min(want, len(b))
	if want > 0 {
		u := b[:want:want] // unmasked: the fed bytes themselves, which nobody writes
		if f.masked {
			if cap(d.scratch) < want {
				d.scratch = make([]byte, want)
			}
			u = d.scratch[:want]
			copy(u, b[:want])
			unmask(u, f.key, f.got)
		}
		if room := PreviewBytes - len(f.payload); room > 0 {
			switch {
			case f.payload == nil && !f.masked:
				// The preview is the payload's first bytes as fed; more fed
				// later are added to a copy (append: no room after them).
				f.payload = u[:min(len(u), room):min(len(u), room)]
				f.fed = true
			case f.payload == nil:
				// Room for the whole preview at once: the frame's length says it.
				f.payload = d.arena.Room(int(min(f.length, PreviewBytes)))
				fallthrough
			default:
				f.payload = append(f.payload, u[:min(len(u), room)]...)
				f.fed = false // a copy now
			}
		}
		switch {
		case f.data && d.msg.frames == 1:
			// The message's first bytes are its first frame's: one copy, which a
			// continuation frame's bytes do not extend in place.
			d.msg.preview = f.payload[:len(f.payload):len(f.payload)]
		case f.data:
			if room := PreviewBytes - len(d.msg.preview); room > 0 {
				d.msg.preview = append(d.msg.preview, u[:min(len(u), room)]...)
			}
		}
		if text {
			d.msg.utf8.write(u)
		}
	}
	f.got += uint64(len(b))
}

// finish turns the frame just read into a message.
func (fr *frames) finish(d *direction) lab.Message {
	f := d.f
	d.f, d.inFrame = frame{}, false
	problems := f.probs
	problem := func(s string) { problems = append(problems, s) }

	if d.dir == lab.ClientToServer && !f.masked {
		problem("a client must mask every frame it sends (§5.1); the server must close the connection with 1002")
	}
	if d.dir == lab.ServerToClient && f.masked {
		problem("a server must not mask its frames (§5.1); the client must close the connection with 1002")
	}
	control := f.op >= 8
	name := opName(f.op)
	switch {
	case strings.HasPrefix(name, "reserved"):
		problem(fmt.Sprintf("the opcode 0x%X is reserved (§5.2); the receiver must fail the connection", f.op))
	case control && f.length > maxControl:
		problem(fmt.Sprintf("a control frame's payload may be at most 125 bytes (§5.5); this one has %d", f.length))
	}
	if control && !f.fin {
		problem("a control frame must not be fragmented: its FIN must be 1 (§5.5)")
	}
	compressed := f.rsv&4 != 0 && fr.deflate && (f.op == opText || f.op == opBinary)
	if f.rsv&3 != 0 || (f.rsv&4 != 0 && !compressed) {
		problem("an RSV bit is set without an extension that defines it (§5.2); the receiver must fail the connection")
	}
	if d.closed {
		problem("a frame after this side's close frame (§5.5.1): nothing may follow a close")
	}

	if f.data {
		return fr.finishData(d, &f, compressed, problems)
	}
	fields := headerFields(&f, compressed)

	var summary, meaning, ref string
	next := ""
	teardown := false
	switch {
	case f.op == opClose:
		summary, meaning, next = fr.closeFrame(d, &f, &fields, problem)
		ref, teardown = "RFC 6455 §5.5.1", true
	case f.op == opPing:
		summary, ref = "ping"+payloadNote(f.payload, f.length), "RFC 6455 §5.5.2"
		meaning = "A ping asks the other side to answer with a pong carrying the same payload, as soon as it can: a check that the connection and the peer are alive, or a keep-alive through proxies that drop quiet connections."
		fields = append(fields, payloadField(f.payload, f.length))
	case f.op == opPong:
		summary, ref = "pong"+payloadNote(f.payload, f.length), "RFC 6455 §5.5.3"
		meaning = "A pong answers a ping with the ping's payload (an unasked pong is a one-way heartbeat and needs no answer)."
		fields = append(fields, payloadField(f.payload, f.length))
	default:
		summary, ref = name+" frame, "+bytesText(f.length), "RFC 6455 §5.2"
		meaning = "A frame the lab cannot place in a message."
		fields = append(fields, payloadField(f.payload, f.length))
	}
	m := lab.Message{Dir: d.dir, Ref: ref, Raw: f.raw.Bytes(), Teardown: teardown, Observed: true, Layer: Layer}
	m.Summary, m.Meaning, m.Fields = described(&f, summary, maskedMeaning(&f, meaning), fields, problems)
	fr.s.state.Move(&m, next)
	return m
}

// headerFields are the fields of f's header: its flags, opcode, mask and length.
func headerFields(f *frame, compressed bool) []lab.Field {
	fields := make([]lab.Field, 0, 12)
	fields = append(fields,
		lab.Field{Name: "FIN", Value: finText(f.fin)},
		lab.Field{Name: "RSV1 RSV2 RSV3", Value: rsvText[f.rsv&7]},
		lab.Field{Name: "opcode", Value: opcodeText[f.op&0x0f]},
		lab.Field{Name: "MASK", Value: maskText(f.masked)},
	)
	if f.masked {
		fields = append(fields, lab.Field{Name: "masking key", Value: lab.HexPreview(f.key[:], 4)})
	}
	fields = append(fields, lab.Field{Name: "payload length", Value: bytesText(f.length) + lengthFieldText(f.lenBits)})
	if compressed {
		fields = append(fields, lab.Field{Name: "compression", Value: "RSV1 set: the payload is compressed (permessage-deflate, RFC 7692) and shown as sent"})
	}
	return fields
}

// maskedMeaning is meaning, with what masking did when the client masked f.
func maskedMeaning(f *frame, meaning string) string {
	if f.masked && f.length > 0 {
		meaning += " The client masked the payload by XOR with the 4-byte masking key, so that no byte pattern a script chooses reaches the wire as it is (which could fool a cache in between); the lab shows it unmasked."
	}
	return meaning
}

// described ends a frame's description: what of it was kept, and its
// problems, which make it malformed; its fields placed in its bytes.
func described(f *frame, summary, meaning string, fields []lab.Field, problems []string) (string, string, []lab.Field) {
	raw := f.raw.Bytes()
	if uint64(len(raw)) < uint64(headerLen(raw[1]))+f.length {
		fields = append(fields, lab.Field{Name: "kept", Value: fmt.Sprintf("the first %s of the frame; the rest was counted", bytesText(uint64(len(raw))))})
	}
	for _, p := range problems {
		fields = append(fields, lab.Field{Name: "problem", Value: p})
	}
	if len(problems) > 0 {
		summary = "malformed WebSocket frame: " + problems[0] + " (" + summary + ")"
		meaning = "This frame breaks RFC 6455's rules: " + strings.Join(problems, "; ") + ". A receiver that sees it must fail the WebSocket connection, normally with close code 1002 (protocol error). " + meaning
	}
	placeFrame(fields, raw)
	return summary, meaning, fields
}

// closeFrame describes a close frame and moves the closing handshake on.
func (fr *frames) closeFrame(d *direction, f *frame, fields *[]lab.Field, problem func(string)) (summary, meaning, next string) {
	p := f.payload
	other := &fr.dirs[lab.ServerToClient]
	if d.dir == lab.ServerToClient {
		other = &fr.dirs[lab.ClientToServer]
	}
	switch {
	case f.length == 0:
		summary = "close (no status code)"
		*fields = append(*fields, lab.Field{Name: "status code", Value: "none (the receiver's API reports 1005, no status received)"})
	case f.length == 1:
		summary = "close with a 1-byte payload"
		problem("a close frame's payload is empty or starts with a 2-byte status code; this one has 1 byte (§5.5.1)")
	case len(p) >= 2:
		code := int(binary.BigEndian.Uint16(p))
		name, what := CloseCodeText(code)
		reason := p[2:]
		summary = fmt.Sprintf("close %d %s", code, name)
		if len(reason) > 0 {
			summary += " " + lab.Preview(reason, 60)
		}
		*fields = append(*fields,
			lab.Field{Name: "status code", Value: fmt.Sprintf("%d %s: %s", code, name, what)},
			lab.Field{Name: "reason", Value: lab.Preview(reason, PreviewBytes)})
		if s := closeCodeProblem(code); s != "" {
			problem(s)
		}
		if f.length <= maxControl && !utf8.Valid(reason) {
			problem("the close reason is not valid UTF-8 (§5.5.1)")
		}
	}
	switch {
	case d.closed:
		meaning = "A second close frame from the same side: it changes nothing."
	case other.closed:
		meaning = "The answer to the other side's close frame: the closing handshake is complete, the WebSocket is CLOSED, and the server now closes the TCP connection (§7.1.1)."
		next = StateClosed
	default:
		meaning = "A close frame starts the closing handshake: the sender will send no more data, and waits for the other side to answer with a close frame of its own (usually echoing the status code) before the TCP connection is closed. The status code says why (§7.4)."
		next = StateClosing
	}
	d.closed = true
	return summary, meaning, next
}

// Closed ends the frames when the connection ends: an unfinished frame is reported
// as cut short, and a WebSocket that did not finish its closing handshake is CLOSED
// with 1006, abnormal closure.
func (fr *frames) Closed(info lab.CloseInfo) []lab.Message {
	if fr.ended {
		return nil
	}
	fr.ended = true
	var out []lab.Message
	for _, dir := range []lab.Dir{lab.ClientToServer, lab.ServerToClient} {
		d := &fr.dirs[dir]
		if d.broken || (!d.inFrame && d.nhdr == 0) {
			continue
		}
		raw := append([]byte(nil), d.hdr[:d.nhdr]...)
		got := "a partial frame header"
		if d.inFrame {
			raw = d.f.raw.Bytes()
			got = fmt.Sprintf("%s of a %s frame's %s payload", bytesText(d.f.got), opName(d.f.op), bytesText(d.f.length))
		}
		out = append(out, lab.Message{Dir: dir, Summary: "incomplete WebSocket frame: the connection ended in the middle",
			Meaning: "The connection ended before this frame was complete, so the receiver got only part of it.",
			Ref:     "RFC 6455 §5.2", Fields: []lab.Field{{Name: "problem", Value: "only " + got + " arrived"}},
			Raw: raw, Observed: true, Layer: Layer})
		d.inFrame, d.nhdr, d.f = false, 0, frame{}
	}
	if fr.s.state.State() == StateClosed {
		return out
	}
	m := lab.Message{Dir: info.By.Outbound(), Ref: "RFC 6455 §7.1.5", Teardown: true, Observed: true, Layer: Layer}
	if fr.s.state.State() == StateClosing {
		m.Summary = "connection closed before the close frame was answered"
		m.Meaning = "The TCP connection ended while one side still waited for the other's close frame. The closing handshake is cut short, but the side that sent its close frame had said goodbye."
	} else {
		m.Summary = "connection closed without a closing handshake (1006 abnormal closure)"
		m.Meaning = "The TCP connection ended (" + info.How + " from the " + info.By.String() + ") while the WebSocket was open, with no close frames: each side's API reports 1006, abnormal closure — a code that is never sent on the wire."
	}
	m.Fields = []lab.Field{{Name: "closed by", Value: info.By.String() + " (" + info.How + ")"}}
	fr.s.state.Move(&m, StateClosed)
	return append(out, m)
}

// rsvText and opcodeText are the header's RSV bits and opcode as the fields
// show them, made once rather than for every frame.
var rsvText, opcodeText = func() (rsv [8]string, op [16]string) {
	for i := range rsv {
		rsv[i] = fmt.Sprintf("%d %d %d", i>>2, (i>>1)&1, i&1)
	}
	for i := range op {
		op[i] = fmt.Sprintf("0x%X %s", i, opName(byte(i)))
	}
	return rsv, op
}()

// lengthFieldText names the length field a frame's header used: 7, 16 or 64 bits.
func lengthFieldText(bits int) string {
	switch bits {
	case 7:
		return " (7-bit length field)"
	case 16:
		return " (16-bit length field)"
	}
	return " (64-bit length field)"
}

func finText(fin bool) string {
	if fin {
		return "1 (the last frame of its message)"
	}
	return "0 (more fragments follow)"
}

func maskText(masked bool) string {
	if masked {
		return "1 (the payload is masked)"
	}
	return "0 (the payload is not masked)"
}

// payloadNote is a short quote of a payload for a summary: ` "hello"`, or its
// size when it is not printable text.
func payloadNote(p []byte, n uint64) string {
	if n == 0 {
		return ""
	}
	if printable(p, uint64(len(p)) == n) {
		return " " + lab.Preview(p, 60)
	}
	return " " + bytesText(n)
}

// payloadField shows an unmasked payload as text or hex.
func payloadField(p []byte, n uint64) lab.Field {
	switch {
	case n == 0:
		return lab.Field{Name: "payload", Value: "empty"}
	case printable(p, uint64(len(p)) == n):
		return lab.Field{Name: "payload", Value: lab.Preview(p, PreviewBytes)}
	}
	return lab.Field{Name: "payload (hex)", Value: lab.HexPreview(p, 64)}
}

// printable reports whether p reads as text: UTF-8 without control characters
// other than tab and line ends. A prefix (whole false) may end inside a character.
func printable(p []byte, whole bool) bool {
	if !whole {
		if len(p) > utf8.UTFMax {
			p = p[:len(p)-utf8.UTFMax]
		}
	}
	for len(p) > 0 {
		r, size := utf8.DecodeRune(p)
		if (r == utf8.RuneError && size == 1) || (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
			return false
		}
		p = p[size:]
	}
	return true
}

func bytesText(n uint64) string {
	if n == 1 {
		return "1 byte"
	}
	return strconv.FormatUint(n, 10) + " bytes"
}

// malformed reports a frame whose end cannot be found.
func (fr *frames) malformed(dir lab.Dir, f frame, why string) lab.Message {
	return lab.Message{Dir: dir, Summary: "malformed WebSocket frame: " + why,
		Meaning: "These bytes break RFC 6455's framing, so the lab cannot tell where the frame ends; a receiver must fail the connection.",
		Ref:     "RFC 6455 §5.2", Fields: []lab.Field{{Name: "problem", Value: why}}, Raw: f.raw.Bytes(), Observed: true, Layer: Layer}
}

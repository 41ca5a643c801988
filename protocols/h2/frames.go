package h2

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"unsafe"

	"github.com/protocollab/protolab/lab"
	httpproto "github.com/protocollab/protolab/protocols/http"
)

// frame describes one whole frame and applies it to the connection's and its
// streams' state. payload is the whole payload, except for a DATA frame (or one of
// a type the lab does not decode) that did not arrive in one piece: then it is
// the first bytes only, and h.length says how long the frame was.
func (a *Analyzer) frame(d *direction, h header, payload, raw []byte, out []lab.Message) []lab.Message {
	first := d.frames == 0
	d.frames++
	// The message is made in f (not pointed to from it), where it stays on the stack.
	f := &frameCtx{a: a, d: d, h: h, p: payload, m: lab.Message{Dir: d.dir, Raw: raw, Observed: true}}
	m := &f.m
	if i, ok := frameTypes[h.typ]; ok {
		m.Meaning, m.Ref = i.meaning, i.ref
	} else if i, ok := extensionTypes[h.typ]; ok {
		m.Meaning, m.Ref = i.meaning, i.ref
	}
	switch {
	case h.typ == typeData && f.dataLater():
		// Its fields and meaning are built when someone looks (keptData).
		f.data()
	case h.typ == typeHeaders && h.flags&flagEndHeaders != 0:
		// A whole header block: the same (keptHeaders), once it decodes.
	default:
		m.Fields = headerFields(make([]lab.Field, 0, 8), h, len(raw) >= frameHeaderLen)
	}
	switch h.typ {
	case typeData:
		if m.Deferred() {
			break
		}
		f.dataNow()
	case typeHeaders:
		f.headers()
	case typePriority:
		f.priority()
	case typeRSTStream:
		f.rstStream()
	case typeSettings:
		f.settings(first)
	case typePushPromise:
		f.pushPromise()
	case typePing:
		f.ping()
	case typeGoAway:
		f.goAway()
	case typeWindowUpdate:
		f.windowUpdate()
	case typeContinuation:
		f.continuation()
	default:
		f.unknown()
	}
	if f.fatal != "" {
		return append(out, a.malformed(d, typeName(h.typ)+" "+streamText(h.stream)+": "+f.fatal, raw))
	}
	mark(m, d.dir, a.pair(h.stream), a.asked)
	a.asked = false
	a.advance(m)
	out = append(out, *m)
	out = append(out, a.after...)
	clear(a.after)
	a.after = a.after[:0]
	return out
}

// mark sets m's role for the timing view: the frame that finished a request's
// header block asks, and every frame the server sends on a stream is part of
// the answer on that stream.
func mark(m *lab.Message, dir lab.Dir, pair string, asked bool) {
	if pair == "" {
		return
	}
	m.Pair = pair
	switch {
	case asked:
		m.Role = lab.RoleRequest
	case dir == lab.ServerToClient:
		m.Role = lab.RoleAnswer
	}
}

// pair is the Pair of stream id's messages: its ID, made once per stream
// remembered; "" for stream 0.
func (a *Analyzer) pair(id uint32) string {
	if id == 0 {
		return ""
	}
	s := a.streams.get(id)
	if s == nil {
		return strconv.FormatUint(uint64(id), 10)
	}
	if s.pair == "" {
		s.pair = strconv.FormatUint(uint64(id), 10)
	}
	return s.pair
}

// frameCtx is one frame being described.
type frameCtx struct {
	a     *Analyzer
	d     *direction
	h     header
	p     []byte
	m     lab.Message
	fatal string // why framing must stop
}

func (f *frameCtx) field(name, value string) {
	f.m.Fields = append(f.m.Fields, lab.Field{Name: name, Value: value})
}

// problem notes a rule the frame breaks that does not stop the framing.
func (f *frameCtx) problem(code, why string) {
	f.m.Summary += " [" + code + "]"
	f.field("problem", why+" ("+code+")")
	f.m.Meaning += " Here the frame breaks a rule: " + why + "; a receiver treats that as " + code + "."
}

// fixedLength checks a frame type's fixed payload length.
func (f *frameCtx) fixedLength(n uint32) bool {
	if f.h.length != n {
		f.problem("FRAME_SIZE_ERROR", fmt.Sprintf("the payload is %d bytes, not %d", f.h.length, n))
		return false
	}
	return true
}

func (f *frameCtx) onStream0(must bool) {
	switch {
	case must && f.h.stream != 0:
		f.problem("PROTOCOL_ERROR", "this frame belongs to the connection and must use stream 0")
	case !must && f.h.stream == 0:
		f.problem("PROTOCOL_ERROR", "this frame belongs to a stream and must not use stream 0")
	}
}

// unpad strips the Pad Length byte and the padding of a PADDED frame (§6.1),
// and says how long the padding was in a field.
func (f *frameCtx) unpad() ([]byte, bool) {
	p, n, ok := unpadded(f.p, f.h.flags)
	if ok && n >= 0 {
		f.m.Fields = appendPadding(f.m.Fields, n)
	}
	return p, ok
}

// unpadded strips the Pad Length byte and the padding from a frame's payload
// p when flags has PADDED, and returns how long the padding was (-1: not
// PADDED).
func unpadded(p []byte, flags uint8) ([]byte, int, bool) {
	if flags&flagPadded == 0 {
		return p, -1, true
	}
	if len(p) < 1 {
		return nil, 0, false
	}
	n := int(p[0])
	p = p[1:]
	if n > len(p) {
		return nil, 0, false
	}
	return p[:len(p)-n], n, true
}

// appendPadding appends the field of n bytes of padding.
func appendPadding(fields []lab.Field, n int) []lab.Field {
	return append(fields, lab.Field{Name: "padding", Value: strconv.Itoa(n) + " bytes"})
}

// headerFields appends to fields those of the frame header h (§4.1): length
// (24 bits), type, flags, stream (31 bits); spanned in the frame's bytes when
// they hold the header.
func headerFields(fields []lab.Field, h header, spans bool) []lab.Field {
	fields = append(fields,
		lab.Field{Name: "type", Value: typeFields[h.typ], Off: 3, Len: 1},
		lab.Field{Name: "stream", Value: strconv.FormatUint(uint64(h.stream), 10), Off: 5, Len: 4},
		lab.Field{Name: "flags", Value: flagsText(h.typ, h.flags), Off: 4, Len: 1},
		lab.Field{Name: "length", Value: strconv.FormatUint(uint64(h.length), 10), Off: 0, Len: 3},
	)
	if !spans { // not a frame's bytes: no spans
		for i := len(fields) - 4; i < len(fields); i++ {
			fields[i].Off, fields[i].Len = 0, 0
		}
	}
	return fields
}

// maxDataStart is how many payload bytes a DATA frame's "data (start)" field
// looks at.
const maxDataStart = 128

// dataLater reports whether the DATA frame's fields and meaning can wait for
// someone to look (data, keptData): it is well formed, on a stream, and its
// bytes hold its header and the start of its payload. Any other is described
// now (dataNow).
func (f *frameCtx) dataLater() bool {
	h := f.h
	if h.stream == 0 || len(f.m.Raw) < frameHeaderLen+min(len(f.p), maxDataStart) {
		return false
	}
	return h.flags&flagPadded == 0 || h.length > 0 && int64(f.p[0])+1 <= int64(h.length)
}

// data applies a well-formed DATA frame (dataLater) to its stream and sums it
// up; its fields and meaning are built from what it keeps (keptData) when
// someone looks, as dataNow would have built them.
func (f *frameCtx) data() {
	a, d, h := f.a, f.d, f.h
	k := keptData{h: h, body: int64(h.length), preview: min(len(f.p), maxDataStart)}
	if h.flags&flagPadded != 0 {
		k.pad = int(f.p[0])
		k.body -= int64(k.pad) + 1
		k.preview = 0
	}
	s := a.streams.open(h.stream)
	s.body[d.dir] += k.body
	k.request = s.request()
	end := h.flags&flagEndStream != 0
	if end {
		s.endSide(d.dir)
		a.closedStream(d.dir, s)
	}
	k.state = s.state
	f.m.Summary = a.arena.Text(&a.scratch, appendDataSummary(a.scratch[:0], d.dir, h.stream, k.request, k.body, end))
	f.m.Meaning = "" // keptData.Fill gives it whole
	kept := a.kept.Put(k)
	f.m.DeferTo(kept)
	f.m.Holds(int(unsafe.Sizeof(*kept)))
}

// keptData is what a DATA frame keeps to build its fields and meaning when
// someone looks (lab.Message.DeferTo): its header, and its stream as it was.
// The payload's start it shows is in the message's Raw.
type keptData struct {
	h       header
	body    int64  // payload bytes without padding
	pad     int    // padding bytes (with the PADDED flag)
	preview int    // payload bytes "data (start)" shows, after the header in Raw
	request string // the stream's request, "" when unknown
	state   streamState
}

// Fill builds the fields and meaning dataNow builds for the same frame.
func (k *keptData) Fill(m *lab.Message) ([]lab.Field, string) {
	h := k.h
	fields := headerFields(make([]lab.Field, 0, 9), h, true)
	if h.flags&flagPadded != 0 {
		fields = append(fields, lab.Field{Name: "padding", Value: strconv.Itoa(k.pad) + " bytes"})
	}
	fields = append(fields, lab.Field{Name: "data", Value: strconv.FormatInt(k.body, 10) + " bytes"})
	if k.request != "" {
		fields = append(fields, lab.Field{Name: "request", Value: k.request})
	}
	if k.preview > 0 {
		fields = append(fields, lab.Field{Name: "data (start)", Value: lab.Preview(m.Raw[frameHeaderLen:frameHeaderLen+k.preview], 96)})
	}
	fields = append(fields, lab.Field{Name: "stream state", Value: k.state.String()})
	return fields, dataMeaning(frameTypes[typeData].meaning, m.Dir, h, k.body, k.state)
}

// dataMeaning is a DATA frame's meaning: the type's, then what its bytes are
// and, with END_STREAM, what the stream is now.
func dataMeaning(meaning string, dir lab.Dir, h header, body int64, state streamState) string {
	what := "request"
	if dir == lab.ServerToClient {
		what = "response"
	}
	if body == 0 {
		meaning += " This one carries no body bytes."
	} else {
		meaning += fmt.Sprintf(" These %s are part of the %s's body on stream %d.", sizeText(body), what, h.stream)
	}
	if h.flags&flagEndStream != 0 {
		meaning += fmt.Sprintf(" END_STREAM: they are the last; the %s's side of the stream is done, which is now %s.", sender(dir), state)
	}
	return meaning
}

// dataNow describes a DATA frame now: one on stream 0 or with bad padding
// (problems), or whose bytes do not hold what data would keep.
func (f *frameCtx) dataNow() {
	a, d, h := f.a, f.d, f.h
	body := int64(h.length)
	tag := "" // the padding's problem, for the summary made below
	if h.flags&flagPadded != 0 {
		if h.length == 0 || int64(f.p[0])+1 > body {
			f.problem("PROTOCOL_ERROR", "the padding is longer than the frame")
			body, tag = 0, " [PROTOCOL_ERROR]"
		} else {
			body -= int64(f.p[0]) + 1
			f.field("padding", strconv.Itoa(int(f.p[0]))+" bytes")
		}
	}
	f.field("data", strconv.FormatInt(body, 10)+" bytes")
	if h.stream == 0 {
		f.m.Summary = string(appendDataSummary(nil, d.dir, 0, "", body, false)) + tag
		f.onStream0(false)
		return
	}
	s := a.streams.open(h.stream)
	s.body[d.dir] += body
	r := s.request()
	if r != "" {
		f.field("request", r)
	}
	if n := min(len(f.p), maxDataStart); n > 0 && h.flags&flagPadded == 0 {
		f.field("data (start)", lab.Preview(f.p[:n], 96))
	}
	end := h.flags&flagEndStream != 0
	if end {
		s.endSide(d.dir)
		a.closedStream(d.dir, s)
	}
	f.m.Summary = string(appendDataSummary(nil, d.dir, h.stream, r, body, end)) + tag
	f.m.Meaning = dataMeaning(f.m.Meaning, d.dir, h, body, s.state)
	f.field("stream state", s.state.String())
}

// appendDataSummary appends a DATA frame's summary: "DATA stream 1 (response
// to GET /): 5 B (END_STREAM)".
func appendDataSummary(b []byte, dir lab.Dir, stream uint32, request string, body int64, end bool) []byte {
	b = strconv.AppendUint(append(b, "DATA stream "...), uint64(stream), 10)
	if request != "" {
		if dir == lab.ServerToClient {
			b = append(b, " (response to "...)
		} else {
			b = append(b, " (body of "...)
		}
		b = append(append(b, request...), ')')
	}
	b = append(append(b, ": "...), sizeText(body)...)
	if end {
		b = append(b, " (END_STREAM)"...)
	}
	return b
}

func (f *frameCtx) headers() {
	h := f.h
	p, pad, ok := unpadded(f.p, h.flags)
	if !ok {
		f.fatal = "the padding is longer than the frame (PROTOCOL_ERROR, RFC 9113 §6.2)"
		return
	}
	var prio []byte
	if h.flags&flagPriority != 0 {
		if len(p) < 5 {
			f.fatal = "the PRIORITY flag is set but the frame is too short for its priority fields (FRAME_SIZE_ERROR, RFC 9113 §6.2)"
			return
		}
		prio, p = p[:5], p[5:]
	}
	f.d.startBlock(typeHeaders, h.stream, h.stream, h.flags&flagEndStream != 0)
	if h.flags&flagEndHeaders != 0 {
		f.wholeBlock(p, pad, prio)
		return
	}
	f.m.Summary = "HEADERS " + streamText(h.stream)
	f.m.Fields = appendHeadersFields(f.m.Fields, pad, prio, len(p))
	f.block(p)
}

// appendHeadersFields appends a HEADERS frame's fields after its frame
// header's: its padding (pad bytes, -1 for none), priority (nil for none) and
// fragment (frag bytes).
func appendHeadersFields(fields []lab.Field, pad int, prio []byte, frag int) []lab.Field {
	if pad >= 0 {
		fields = appendPadding(fields, pad)
	}
	if prio != nil {
		fields = append(fields, lab.Field{Name: "priority", Value: priorityText(prio)})
	}
	return append(fields, lab.Field{Name: "header block fragment", Value: strconv.Itoa(frag) + " bytes"})
}

// wholeBlock decodes a HEADERS frame's whole header block (the frame has
// END_HEADERS), applies it and sums it up; the frame's fields and meaning are
// built from what it keeps (keptHeaders) when someone looks, as block would
// have built them.
func (f *frameCtx) wholeBlock(frag []byte, pad int, prio []byte) {
	a, d, h := f.a, f.d, f.h
	if why := d.decode(frag, true); why != "" {
		f.fatal = why
		return
	}
	sum := strconv.AppendUint(append(a.scratch[:0], "HEADERS stream "...), uint64(h.stream), 10)
	sum, end := a.headersDone(d, append(sum, ": "...))
	f.m.Summary = a.arena.Text(&a.scratch, sum)
	f.m.Meaning = "" // keptHeaders.Fill gives it whole
	k := keptHeaders{h: h, spans: len(f.m.Raw) >= frameHeaderLen, pad: pad, frag: len(frag), end: end}
	if prio != nil {
		k.prio, k.hasPrio = [5]byte(prio), true
	}
	held := int(unsafe.Sizeof(k)) + len(end.method) + len(end.promised) + len(end.request)
	k.fields = appendPseudoFirst(a.fields.Room(len(d.block.fields)), d.block.fields)
	for _, f := range k.fields {
		held += int(unsafe.Sizeof(f)) + len(f.Name) + len(f.Value)
	}
	if s := a.streams.get(d.block.target); s != nil {
		k.state, k.hasState = s.state, true
	}
	d.endBlock()
	kept := a.heads.Put(k)
	f.m.DeferTo(kept)
	f.m.Holds(held)
}

// keptHeaders is what a HEADERS frame with a whole header block keeps to
// build its fields and meaning when someone looks (lab.Message.DeferTo).
type keptHeaders struct {
	h        header
	spans    bool // the message's Raw holds the frame header
	pad      int  // padding bytes, -1 without PADDED
	prio     [5]byte
	hasPrio  bool
	frag     int         // the header block fragment's length
	fields   []lab.Field // the decoded fields, pseudo-header fields first
	state    streamState // the stream's state after the frame
	hasState bool
	end      blockEnd
}

// Fill builds the fields and meaning block builds for the same frame.
func (k *keptHeaders) Fill(m *lab.Message) ([]lab.Field, string) {
	fields := headerFields(make([]lab.Field, 0, 8+len(k.fields)), k.h, k.spans)
	var prio []byte
	if k.hasPrio {
		prio = k.prio[:]
	}
	fields = append(appendHeadersFields(fields, k.pad, prio, k.frag), k.fields...)
	if k.hasState {
		fields = append(fields, lab.Field{Name: "stream state", Value: k.state.String()})
	}
	return fields, k.end.meaning(m.Dir) + " " + frameTypes[typeHeaders].meaning
}

// block decodes a header block fragment and, at the block's end, describes it.
func (f *frameCtx) block(frag []byte) {
	d := f.d
	end := f.h.flags&flagEndHeaders != 0
	if why := d.decode(frag, end); why != "" {
		f.fatal = why
		return
	}
	if !end {
		f.m.Summary += ": header block continues"
		if f.h.typ != typeContinuation {
			f.m.Summary += " in CONTINUATION frames"
		}
		f.m.Meaning += " The header block goes on in the CONTINUATION frames that follow."
		return
	}
	text, e := f.a.headersDone(d, nil)
	f.m.Summary += ": " + string(text)
	f.m.Meaning = e.meaning(d.dir) + " " + f.m.Meaning
	f.m.Fields = appendPseudoFirst(f.m.Fields, d.block.fields)
	if s := f.a.streams.get(d.block.target); s != nil {
		f.field("stream state", s.state.String())
	}
	d.endBlock()
}

func (f *frameCtx) continuation() {
	h, d := f.h, f.d
	f.m.Summary = "CONTINUATION " + streamText(h.stream)
	if !d.block.active {
		f.problem("PROTOCOL_ERROR", "no header block awaits a CONTINUATION frame")
		return
	}
	if h.flags&flagEndHeaders != 0 {
		f.m.Summary += " ends the " + typeName(d.block.typ) + " block"
	}
	f.field("header block fragment", strconv.Itoa(len(f.p))+" bytes")
	f.block(f.p)
}

func (f *frameCtx) pushPromise() {
	h, d := f.h, f.d
	f.m.Summary = "PUSH_PROMISE " + streamText(h.stream)
	p, ok := f.unpad()
	if !ok || len(p) < 4 {
		f.fatal = "the frame is too short for its padding and promised stream ID (PROTOCOL_ERROR, RFC 9113 §6.6)"
		return
	}
	promised := binary.BigEndian.Uint32(p) & (1<<31 - 1)
	f.field("promised stream", strconv.FormatUint(uint64(promised), 10))
	p = p[4:]
	d.startBlock(typePushPromise, h.stream, promised, false)
	f.block(p)
	if d.dir == lab.ClientToServer && f.fatal == "" {
		f.problem("PROTOCOL_ERROR", "only a server may send PUSH_PROMISE")
	}
}

func (f *frameCtx) priority() {
	f.m.Summary = "PRIORITY " + streamText(f.h.stream)
	f.onStream0(false)
	if !f.fixedLength(5) {
		return
	}
	t := priorityText(f.p)
	f.m.Summary += ": " + t
	f.field("priority", t)
}

// priorityText shows the 5 bytes of a stream dependency and weight (§6.3).
func priorityText(p []byte) string {
	dep := binary.BigEndian.Uint32(p) & (1<<31 - 1)
	s := fmt.Sprintf("depends on stream %d, weight %d", dep, int(p[4])+1)
	if p[0]&0x80 != 0 {
		s += " (exclusive)"
	}
	return s
}

func (f *frameCtx) rstStream() {
	a, d, h := f.a, f.d, f.h
	f.m.Summary = "RST_STREAM " + streamText(h.stream)
	f.m.Teardown = true
	f.onStream0(false)
	if !f.fixedLength(4) {
		return
	}
	code := binary.BigEndian.Uint32(f.p)
	f.m.Summary += ": " + errorName(code)
	f.field("error code", fmt.Sprintf("%s (0x%x)", errorName(code), code))
	f.m.Meaning += " " + errorMeaning(code)
	if h.stream == 0 {
		return
	}
	s := a.streams.open(h.stream)
	if r := s.request(); r != "" {
		f.field("request", r)
		f.m.Meaning += fmt.Sprintf(" The %s ends stream %d (%s); the other streams go on.", sender(d.dir), h.stream, r)
	}
	s.reset, s.resetBy = errorName(code), d.dir
	if s.state != stClosed {
		s.state = stClosed
		a.closedStream(d.dir, s)
	}
	f.field("stream state", s.state.String())
}

func (f *frameCtx) settings(first bool) {
	a, d, h := f.a, f.d, f.h
	f.onStream0(true)
	if h.flags&flagAck != 0 {
		f.m.Summary = "SETTINGS ACK"
		other := peer(d.dir)
		f.m.Meaning = fmt.Sprintf("The %s acknowledges the %s's SETTINGS: it now applies those values. ", sender(d.dir), sender(other)) + f.m.Meaning
		if !d.ack && a.settings[other] {
			f.m.Handshake = true
			a.acked[other] = true
		}
		d.ack = true
		if h.length != 0 {
			f.problem("FRAME_SIZE_ERROR", "a SETTINGS ACK must be empty")
		}
		return
	}
	var list []string
	var explain []string
	for p := f.p; len(p) >= 6; p = p[6:] {
		id, v := binary.BigEndian.Uint16(p), binary.BigEndian.Uint32(p[2:])
		name := settingName(id)
		list = append(list, name+"="+strconv.FormatUint(uint64(v), 10))
		f.field(name, strconv.FormatUint(uint64(v), 10))
		if s, ok := settingNames[id]; ok {
			explain = append(explain, s.name+": "+s.meaning)
		}
		a.applySetting(d.dir, id, v)
	}
	if len(list) == 0 {
		f.m.Summary = "SETTINGS (empty: the defaults stand)"
	} else {
		f.m.Summary = "SETTINGS: " + short(strings.Join(list, ", "), 200)
	}
	lead := fmt.Sprintf("The %s states its settings.", sender(d.dir))
	if first {
		lead = fmt.Sprintf("The %s's first SETTINGS frame, part of the connection preface: its limits for this connection.", sender(d.dir))
	}
	f.m.Meaning = lead + " " + f.m.Meaning
	if len(explain) > 0 {
		f.m.Meaning += " " + strings.Join(explain, "; ") + "."
	}
	if !d.settings {
		f.m.Handshake = true
		d.settings = true
		a.settings[d.dir] = true
	}
	if h.length%6 != 0 {
		f.problem("FRAME_SIZE_ERROR", "the payload is not a whole number of 6-byte settings")
	}
}

// applySetting records what a setting sent in direction dir changes for the analyzer.
func (a *Analyzer) applySetting(dir lab.Dir, id uint16, v uint32) {
	toSender := &a.dirs[peer(dir)] // frames the sender of the setting receives
	switch id {
	case settingHeaderTableSize:
		if v = min(v, maxTableSize); v > toSender.tableLimit {
			toSender.tableLimit = v
			toSender.dec.SetAllowedMaxDynamicTableSize(v)
		}
	case settingMaxFrameSize:
		if v >= defaultMaxFrameSize && v <= maxFrameSize && v > toSender.maxFrame {
			toSender.maxFrame = v
		}
	}
}

func (f *frameCtx) ping() {
	f.m.Summary = "PING"
	if f.h.flags&flagAck != 0 {
		f.m.Summary = "PING ACK"
		f.m.Meaning = "The answer to a PING, echoing its 8 bytes. " + f.m.Meaning
	}
	f.onStream0(true)
	if f.fixedLength(8) {
		f.field("opaque data", lab.HexPreview(f.p, 8))
	}
}

func (f *frameCtx) goAway() {
	a, d := f.a, f.d
	f.m.Summary = "GOAWAY"
	f.m.Teardown = true
	a.goaway = true
	f.onStream0(true)
	if len(f.p) < 8 {
		f.problem("FRAME_SIZE_ERROR", "the payload is shorter than 8 bytes")
		return
	}
	last := binary.BigEndian.Uint32(f.p) & (1<<31 - 1)
	code := binary.BigEndian.Uint32(f.p[4:])
	f.m.Summary = fmt.Sprintf("GOAWAY last stream %d: %s", last, errorName(code))
	f.field("last stream", strconv.FormatUint(uint64(last), 10))
	f.field("error code", fmt.Sprintf("%s (0x%x)", errorName(code), code))
	if debug := f.p[8:]; len(debug) > 0 {
		f.m.Summary += " " + lab.Preview(debug, 60)
		f.field("debug data", lab.Preview(debug, 256))
	}
	f.m.Meaning += fmt.Sprintf(" The %s will handle no stream above %d. ", sender(d.dir), last) + errorMeaning(code)
}

func (f *frameCtx) windowUpdate() {
	d, h := f.d, f.h
	f.m.Summary = "WINDOW_UPDATE " + streamText(h.stream)
	if !f.fixedLength(4) {
		return
	}
	inc := binary.BigEndian.Uint32(f.p) & (1<<31 - 1)
	f.m.Summary += " +" + strconv.FormatUint(uint64(inc), 10)
	f.field("increment", strconv.FormatUint(uint64(inc), 10))
	where := "on the whole connection"
	if h.stream != 0 {
		where = "on stream " + strconv.FormatUint(uint64(h.stream), 10)
		if s := f.a.streams.get(h.stream); s != nil && s.request() != "" {
			where += " (" + s.request() + ")"
		}
	}
	f.m.Meaning = fmt.Sprintf("The %s lets the %s send %d more bytes of DATA %s. ", sender(d.dir), sender(peer(d.dir)), inc, where) + f.m.Meaning
	if inc == 0 {
		f.problem("PROTOCOL_ERROR", "an increment of 0")
	}
}

func (f *frameCtx) unknown() {
	h := f.h
	f.m.Summary = fmt.Sprintf("%s %s: %s", typeName(h.typ), streamText(h.stream), sizeText(int64(h.length)))
	if _, ok := extensionTypes[h.typ]; !ok {
		f.m.Summary = fmt.Sprintf("frame type 0x%x %s: %s (unknown, ignored)", h.typ, streamText(h.stream), sizeText(int64(h.length)))
		f.m.Ref = "RFC 9113 §5.5"
	}
	f.m.Meaning += " Endpoints ignore frame types they do not know (RFC 9113 §5.5): that is how HTTP/2 is extended."
	f.m.Meaning = strings.TrimPrefix(f.m.Meaning, " ")
}

// closedStream adds the summary of stream s's exchange if dir's frame closed
// it. Its fields and meaning are built when someone looks (keptStream).
func (a *Analyzer) closedStream(dir lab.Dir, s *stream) {
	if s.state != stClosed || s.summarized {
		return
	}
	s.summarized = true
	k := keptStream{id: s.id, request: s.request(), body: s.body, status: s.status, reset: s.reset, resetBy: s.resetBy, pushed: s.pushed}
	var buf [160]byte
	m := lab.Message{Dir: dir, Summary: a.arena.String(k.appendSummary(buf[:0])), Ref: "RFC 9113 §8.1"}
	kept := a.streamsKept.Put(k)
	m.DeferTo(kept)
	m.Holds(int(unsafe.Sizeof(k)) + len(k.request) + len(k.reset))
	a.after = append(a.after, m)
}

// keptStream is what a stream's summary keeps of the stream as it closed.
type keptStream struct {
	id      uint32
	request string // "" when unknown
	body    [3]int64
	status  int
	reset   string
	resetBy lab.Dir
	pushed  bool
}

// appendSummary appends the stream's summary: "stream 1: GET / → 200 OK, 5 B body".
func (k *keptStream) appendSummary(b []byte) []byte {
	b = append(strconv.AppendUint(append(b, "stream "...), uint64(k.id), 10), ": "...)
	if k.request != "" {
		b = append(b, k.request...)
	} else {
		b = append(b, "request unknown"...)
	}
	if n := k.body[lab.ClientToServer]; n > 0 {
		b = append(append(b, " with "...), sizeText(n)...)
	}
	b = append(b, " → "...)
	switch {
	case k.reset != "" && k.status == 0:
		b = append(append(append(append(b, "reset by the "...), sender(k.resetBy)...), ": "...), k.reset...)
	case k.status != 0:
		b = strconv.AppendInt(b, int64(k.status), 10)
		if t := httpproto.StatusText(k.status); t != "" {
			b = append(append(b, ' '), t...)
		}
		b = append(append(append(b, ", "...), sizeText(k.body[lab.ServerToClient])...), " body"...)
		if k.reset != "" {
			b = append(append(append(append(b, ", then reset by the "...), sender(k.resetBy)...), ": "...), k.reset...)
		}
	default:
		b = append(b, "no response"...)
	}
	if k.pushed {
		b = append(b, " (pushed)"...)
	}
	return b
}

// Fill builds the summary's fields and meaning.
func (k *keptStream) Fill(*lab.Message) ([]lab.Field, string) {
	meaning := fmt.Sprintf("Stream %d carried one request and its response. Both sides are done with it, so it is "+
		"closed and its ID is never used again; other streams share the same connection meanwhile.", k.id)
	if k.reset != "" {
		meaning = fmt.Sprintf("Stream %d was ended early with RST_STREAM (%s) by the %s: it is closed and its ID is "+
			"never used again, while the connection and its other streams go on.", k.id, k.reset, sender(k.resetBy))
	}
	meaning += " (The lab adds this summary of the stream; it is not a frame.)"
	fields := []lab.Field{
		{Name: "stream", Value: strconv.FormatUint(uint64(k.id), 10)},
		{Name: "request", Value: k.request},
		{Name: "request body", Value: sizeText(k.body[lab.ClientToServer])},
		{Name: "status", Value: strconv.Itoa(k.status)},
		{Name: "response body", Value: sizeText(k.body[lab.ServerToClient])},
	}
	if k.reset != "" {
		fields = append(fields, lab.Field{Name: "reset", Value: k.reset + " by the " + sender(k.resetBy)})
	}
	return fields, meaning
}

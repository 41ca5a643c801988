package h2

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/http2/hpack"

	"github.com/protocollab/protolab/lab"
	httpproto "github.com/protocollab/protolab/protocols/http"
)

// headerBlock is a header block being decoded: a HEADERS or PUSH_PROMISE frame's
// fragment and those of the CONTINUATION frames after it (RFC 9113 §4.3).
type headerBlock struct {
	active    bool   // waiting for CONTINUATION
	typ       uint8  // typeHeaders or typePushPromise
	stream    uint32 // the stream of the frames
	target    uint32 // the stream the fields are for (the promised one of a PUSH_PROMISE)
	endStream bool   // the HEADERS frame had END_STREAM
	fields    []lab.Field
	size      int // header list size so far (§6.5.2)
	truncated bool
}

// emit is the HPACK decoder's callback for one decoded field.
func (d *direction) emit(f hpack.HeaderField) {
	b := &d.block
	b.size += len(f.Name) + len(f.Value) + 32
	if b.size > MaxHeaderListBytes {
		b.truncated = true
		d.dec.SetEmitEnabled(false)
		return
	}
	b.fields = append(b.fields, lab.Field{Name: f.Name, Value: printable(f.Value)})
}

// startBlock begins a header block.
func (d *direction) startBlock(typ uint8, stream, target uint32, endStream bool) {
	d.block = headerBlock{active: true, typ: typ, stream: stream, target: target, endStream: endStream, fields: d.fieldBuf}
	d.fieldBuf = nil
	d.dec.SetEmitEnabled(true)
}

// maxFieldBuf is the most decoded fields whose room a direction keeps for its
// next header block.
const maxFieldBuf = 64

// endBlock ends a header block described in full (its fields copied
// elsewhere), keeping its fields' room for the next.
func (d *direction) endBlock() {
	if f := d.block.fields; cap(f) <= maxFieldBuf {
		clear(f)
		d.fieldBuf = f[:0]
	}
	d.block = headerBlock{}
}

// decode feeds a fragment of the block to HPACK, and ends the block if end is
// set. It returns why the block cannot be decoded, or "".
func (d *direction) decode(frag []byte, end bool) string {
	if _, err := d.dec.Write(frag); err != nil {
		return hpackProblem(err)
	}
	if end {
		d.block.active = false
		if err := d.dec.Close(); err != nil {
			return hpackProblem(err)
		}
	}
	return ""
}

func hpackProblem(err error) string {
	if errors.Is(err, hpack.ErrStringLength) {
		return fmt.Sprintf("a header field longer than %s, more than the lab decodes (RFC 7541 §5.2)", sizeText(MaxHeaderListBytes))
	}
	return "HPACK cannot decode the header block: " + strings.TrimPrefix(strings.TrimPrefix(err.Error(), "hpack: "), "decoding error: ") + " (COMPRESSION_ERROR, RFC 7541)"
}

// appendPseudoFirst appends fields to dst with the pseudo-header fields first.
func appendPseudoFirst(dst, fields []lab.Field) []lab.Field {
	for _, f := range fields {
		if strings.HasPrefix(f.Name, ":") {
			dst = append(dst, f)
		}
	}
	for _, f := range fields {
		if !strings.HasPrefix(f.Name, ":") {
			dst = append(dst, f)
		}
	}
	return dst
}

// get returns the value of the first field called name, or "".
func (b *headerBlock) get(name string) string {
	for _, f := range b.fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// appendRequestTarget appends a request's target: "https://www.lab.test:8443/echo".
func (b *headerBlock) appendRequestTarget(t []byte) []byte {
	method, scheme, auth, path := b.get(":method"), b.get(":scheme"), b.get(":authority"), b.get(":path")
	switch {
	case method == "CONNECT" && path == "":
		return append(t, auth...)
	case auth != "" && scheme != "":
		t = append(append(append(t, scheme...), "://"...), auth...)
	case auth != "":
		t = append(t, auth...)
	}
	return append(t, path...)
}

// blockKind is what a finished header block is.
type blockKind uint8

const (
	blockOnStream0 blockKind = iota // on stream 0, where no block belongs
	blockPromise                    // a PUSH_PROMISE's request
	blockRequest
	blockInterim // a 1xx response
	blockResponse
	blockTrailers
)

// blockEnd is what a finished header block was and did to its stream: what
// its meaning is built from (meaning), at once or when someone looks
// (keptHeaders).
type blockEnd struct {
	kind      blockKind
	target    uint32
	method    string // a promise's request method
	promised  string // a promise's request target, shortened
	request   string // a response's request ("GET /echo"), "" when unknown
	truncated bool
	endStream bool
	noBody    bool        // the client's END_STREAM ends a request that sent no body
	state     streamState // the stream's state after the block
}

// headersDone applies a finished header block to its stream and describes it.
// It appends to text the summary's text after "TYPE stream N: ", and returns
// what the meaning is built from.
func (a *Analyzer) headersDone(d *direction, text []byte) ([]byte, blockEnd) {
	b := &d.block
	e := blockEnd{target: b.target, truncated: b.truncated, endStream: b.endStream}
	if b.target == 0 {
		return append(strconv.AppendInt(text, int64(len(b.fields)), 10), " fields on stream 0"...), e
	}
	s := a.streams.open(b.target)
	switch {
	case b.typ == typePushPromise:
		e.kind = blockPromise
		s.pushed = true
		if s.state == stIdle {
			s.state = stReservedRemote
		}
		setRequest(s, b)
		e.method = s.method
		e.promised = string(shorten(b.appendRequestTarget(nil), 0, 120))
		text = fmt.Appendf(text, "promises stream %d for %s %s", b.target, e.method, e.promised)
	case b.get(":method") != "" && d.dir == lab.ClientToServer && s.method == "":
		e.kind = blockRequest
		a.asked = true
		setRequest(s, b)
		if s.state == stIdle {
			s.state = stOpen
		}
		text = append(append(text, s.method...), ' ')
		text = shorten(b.appendRequestTarget(text), len(text), 160)
	case b.get(":status") != "" && d.dir == lab.ServerToClient:
		code, _ := strconv.Atoi(b.get(":status"))
		text = strconv.AppendInt(text, int64(code), 10)
		if t := httpproto.StatusText(code); t != "" {
			text = append(append(text, ' '), t...)
		}
		e.kind = blockInterim
		if code < 100 || code >= 200 {
			e.kind = blockResponse
			s.status = code
			if s.state == stReservedRemote {
				s.state = stHalfClosedLocal
			}
			e.request = s.request()
		}
	default:
		e.kind = blockTrailers
		text = append(strconv.AppendInt(append(text, "trailers ("...), int64(len(b.fields)), 10), " fields)"...)
	}
	if b.endStream {
		text = append(text, " (END_STREAM)"...)
		s.endSide(d.dir)
		e.noBody = d.dir == lab.ClientToServer && s.method != "" && s.body[d.dir] == 0
	}
	e.state = s.state
	a.closedStream(d.dir, s)
	return text, e
}

// meaning is the meaning of a header block that dir's sender finished.
func (e *blockEnd) meaning(dir lab.Dir) string {
	who := sender(dir)
	var meaning string
	switch e.kind {
	case blockOnStream0:
		return "Header blocks belong on a stream; stream 0 is the connection itself."
	case blockPromise:
		meaning = fmt.Sprintf("The server will push the response to %s %s on stream %d, which is now reserved (remote): "+
			"the client did not ask for it, and may refuse it with RST_STREAM.", e.method, e.promised, e.target)
	case blockRequest:
		meaning = fmt.Sprintf("The client opens stream %d with a request. The pseudo-header fields :method, :scheme, "+
			":authority and :path take the place of HTTP/1.1's request line and Host header; HPACK compressed them "+
			"against the table this direction keeps, so a repeated request costs only a few bytes.", e.target)
	case blockInterim:
		meaning = fmt.Sprintf("An interim response on stream %d: the final one follows in another HEADERS frame.", e.target)
	case blockResponse:
		meaning = fmt.Sprintf("The server answers the request of stream %d", e.target)
		if e.request != "" {
			meaning += " (" + e.request + ")"
		}
		meaning += ". The :status pseudo-header field replaces HTTP/1.1's status line; there is no reason phrase in HTTP/2."
	default:
		meaning = fmt.Sprintf("A header block after the body is the %s's trailer section on stream %d (RFC 9113 §8.1).", who, e.target)
	}
	if e.truncated {
		meaning += fmt.Sprintf(" The header list is longer than %s: the lab shows its first fields only.", sizeText(MaxHeaderListBytes))
	}
	if e.endStream {
		meaning += fmt.Sprintf(" END_STREAM: the %s sends nothing more on stream %d", who, e.target)
		if e.noBody {
			meaning += " (the request has no body)"
		}
		meaning += "; the stream is now " + e.state.String() + "."
	}
	return meaning
}

// setRequest fills in a stream's request from a header block.
func setRequest(s *stream, b *headerBlock) {
	s.method = short(b.get(":method"), 40)
	s.scheme = b.get(":scheme")
	s.authority = short(b.get(":authority"), 200)
	s.path = short(b.get(":path"), 200)
	s.req = ""
	switch {
	case s.method == "":
	case s.path == "":
		s.req = s.method + " " + s.authority
	default:
		s.req = s.method + " " + s.path
	}
}

// printable returns s, quoted if it holds control characters or invalid UTF-8.
func printable(s string) string {
	if !utf8.ValidString(s) {
		return strconv.Quote(s)
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return strconv.Quote(s)
		}
	}
	return s
}

// short cuts s to at most n bytes, marking the cut with "…".
func short(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:cut(s, n)] + "…"
}

// shorten cuts what was appended to b from start on to at most n bytes,
// marking the cut with "…", as short does.
func shorten(b []byte, start, n int) []byte {
	if len(b)-start <= n {
		return b
	}
	return append(b[:start+cut(b[start:], n)], "…"...)
}

// cut is where short cuts s (longer than n bytes): at n, or before the rune
// that n falls in.
func cut[T string | []byte](s T, n int) int {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}

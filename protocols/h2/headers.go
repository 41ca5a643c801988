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
	d.block = headerBlock{active: true, typ: typ, stream: stream, target: target, endStream: endStream}
	d.dec.SetEmitEnabled(true)
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

// fieldsPseudoFirst returns the block's fields with the pseudo-header fields first.
func (b *headerBlock) fieldsPseudoFirst() []lab.Field {
	out := make([]lab.Field, 0, len(b.fields))
	for _, f := range b.fields {
		if strings.HasPrefix(f.Name, ":") {
			out = append(out, f)
		}
	}
	for _, f := range b.fields {
		if !strings.HasPrefix(f.Name, ":") {
			out = append(out, f)
		}
	}
	return out
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

// requestTarget shows a request's target: "https://www.lab.test:8443/echo".
func (b *headerBlock) requestTarget() string {
	method, scheme, auth, path := b.get(":method"), b.get(":scheme"), b.get(":authority"), b.get(":path")
	switch {
	case method == "CONNECT" && path == "":
		return auth
	case auth != "" && scheme != "":
		return scheme + "://" + auth + path
	case auth != "":
		return auth + path
	}
	return path
}

// headersDone applies a finished header block to its stream and describes it.
// It returns the summary's text after "TYPE stream N: " and the meaning.
func (a *Analyzer) headersDone(d *direction) (string, string) {
	b := &d.block
	who := sender(d.dir)
	if b.target == 0 {
		return fmt.Sprintf("%d fields on stream 0", len(b.fields)), "Header blocks belong on a stream; stream 0 is the connection itself."
	}
	s := a.streams.open(b.target)
	var text, meaning string
	switch {
	case b.typ == typePushPromise:
		s.pushed = true
		if s.state == stIdle {
			s.state = stReservedRemote
		}
		setRequest(s, b)
		text = fmt.Sprintf("promises stream %d for %s %s", b.target, s.method, short(b.requestTarget(), 120))
		meaning = fmt.Sprintf("The server will push the response to %s %s on stream %d, which is now reserved (remote): "+
			"the client did not ask for it, and may refuse it with RST_STREAM.", s.method, short(b.requestTarget(), 120), b.target)
	case b.get(":method") != "" && d.dir == lab.ClientToServer && s.method == "":
		a.asked = true
		setRequest(s, b)
		if s.state == stIdle {
			s.state = stOpen
		}
		text = s.method + " " + short(b.requestTarget(), 160)
		meaning = fmt.Sprintf("The client opens stream %d with a request. The pseudo-header fields :method, :scheme, "+
			":authority and :path take the place of HTTP/1.1's request line and Host header; HPACK compressed them "+
			"against the table this direction keeps, so a repeated request costs only a few bytes.", b.target)
	case b.get(":status") != "" && d.dir == lab.ServerToClient:
		code, _ := strconv.Atoi(b.get(":status"))
		text = strconv.Itoa(code)
		if t := httpproto.StatusText(code); t != "" {
			text += " " + t
		}
		if code >= 100 && code < 200 {
			meaning = fmt.Sprintf("An interim response on stream %d: the final one follows in another HEADERS frame.", b.target)
		} else {
			s.status = code
			if s.state == stReservedRemote {
				s.state = stHalfClosedLocal
			}
			meaning = fmt.Sprintf("The server answers the request of stream %d", b.target)
			if r := s.request(); r != "" {
				meaning += " (" + r + ")"
			}
			meaning += ". The :status pseudo-header field replaces HTTP/1.1's status line; there is no reason phrase in HTTP/2."
		}
	default:
		text = fmt.Sprintf("trailers (%d fields)", len(b.fields))
		meaning = fmt.Sprintf("A header block after the body is the %s's trailer section on stream %d (RFC 9113 §8.1).", who, b.target)
	}
	if b.truncated {
		meaning += fmt.Sprintf(" The header list is longer than %s: the lab shows its first fields only.", sizeText(MaxHeaderListBytes))
	}
	if b.endStream {
		text += " (END_STREAM)"
		s.endSide(d.dir)
		meaning += fmt.Sprintf(" END_STREAM: the %s sends nothing more on stream %d", who, b.target)
		if d.dir == lab.ClientToServer && s.method != "" && s.body[d.dir] == 0 {
			meaning += " (the request has no body)"
		}
		meaning += "; the stream is now " + s.state.String() + "."
	}
	a.closedStream(d.dir, s)
	return text, meaning
}

// setRequest fills in a stream's request from a header block.
func setRequest(s *stream, b *headerBlock) {
	s.method = short(b.get(":method"), 40)
	s.scheme = b.get(":scheme")
	s.authority = short(b.get(":authority"), 200)
	s.path = short(b.get(":path"), 200)
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
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

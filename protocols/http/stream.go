package http

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/protocollab/protolab/lab"
)

// phase is where one direction's framing stands.
type phase uint8

const (
	phaseHead      phase = iota // reading a start line and headers
	phaseLength                 // reading a body of known length
	phaseChunkSize              // reading a chunk-size line
	phaseChunkData              // reading a chunk's data
	phaseChunkEnd               // reading the CRLF after a chunk's data
	phaseTrailers               // reading the trailer section after the last chunk
	phaseClose                  // reading a body that ends with the connection
	phaseSwitched               // no longer HTTP: bytes are counted only
	phaseBroken                 // malformed input: framing stopped
)

// stream frames one direction of a connection.
type stream struct {
	dir    lab.Dir
	phase  phase
	seen   bool
	head   []byte   // an unfinished head (phaseHead) or trailer section (phaseTrailers)
	line   []byte   // an unfinished chunk-size or chunk-end line
	remain int64    // bytes left in the body or the chunk
	msg    *message // the message being read, from its head on
	room   headRoom // where its head was parsed (parseHead)
	last   uint64   // the hash of the head parsed last (memo.go)
	memo   *memo    // the head met twice in a row last, parsed

	lastCL      int64 // the last Content-Length framed, and its framing's text
	lastFraming string
}

// busy reports whether a message is under way in this direction.
func (s *stream) busy() bool {
	return s.msg != nil || (s.phase == phaseHead && len(s.head) > 0)
}

// feed frames b, appending finished messages to out.
func (s *stream) feed(out []lab.Message, a *Analyzer, b []byte) []lab.Message {
	s.seen = true
	b = b[:len(b):len(b)] // a message's bytes in place reach no further (framing.Raw)
	for len(b) > 0 {
		var n int
		switch s.phase {
		case phaseSwitched:
			if a.up != nil {
				out = append(out, a.up.Feed(s.dir, b, a.at)...)
			}
			return out
		case phaseBroken:
			return out
		case phaseHead:
			n, out = s.readHead(out, a, b)
		case phaseLength, phaseChunkData:
			n = int(min(int64(len(b)), s.remain))
			s.msg.addBody(b[:n])
			s.remain -= int64(n)
			if s.remain == 0 {
				if s.phase == phaseLength {
					out = s.finish(out, a)
				} else {
					s.phase = phaseChunkEnd
				}
			}
		case phaseClose:
			n = len(b)
			s.msg.addBody(b)
		case phaseChunkSize, phaseChunkEnd:
			n, out = s.readLine(out, a, b)
		case phaseTrailers:
			n, out = s.readTrailers(out, a, b)
		}
		b = b[n:]
	}
	return out
}

// headEnd finds the empty line that ends a head in h, searching from from; it
// returns the index just past it, or -1.
func headEnd(h []byte, from int) int {
	from = max(from, 0)
	for i := from; i < len(h); i++ {
		if h[i] != '\n' {
			k := bytes.IndexByte(h[i:], '\n')
			if k < 0 {
				return -1
			}
			i += k
		}
		switch {
		case i+1 < len(h) && h[i+1] == '\n':
			return i + 2
		case i+2 < len(h) && h[i+1] == '\r' && h[i+2] == '\n':
			return i + 3
		}
	}
	return -1
}

// gather appends b to buf up to limit plus one byte and finds a section's end:
// it returns the bytes of b consumed, the section (nil if unfinished), and whether
// the section outgrew limit. An empty section is one bare line end.
func gather(buf *[]byte, b []byte, limit int) (int, []byte, bool) {
	n0 := len(*buf)
	if n0 == 0 {
		// The whole section in b, as it mostly comes: found in place, not
		// copied first.
		if n, sec := sectionIn(b[:min(len(b), limit+1)], 0); sec != nil {
			return n, sec, false
		}
	}
	k := min(len(b), limit+1-n0)
	*buf = append(*buf, b[:k]...)
	h := *buf
	if n, sec := sectionIn(h, n0-3); sec != nil {
		*buf = nil
		return n - n0, sec, false
	}
	return k, nil, len(h) > limit
}

// sectionIn finds a whole section at the start of h, its end looked for from
// from on (what was looked at before cannot end it): the bytes it takes and
// the section, nil if h does not hold it all.
func sectionIn(h []byte, from int) (int, []byte) {
	switch {
	case len(h) >= 2 && h[0] == '\r' && h[1] == '\n':
		return 2, h[:2]
	case len(h) >= 1 && h[0] == '\n':
		return 1, h[:1]
	}
	if e := headEnd(h, from); e >= 0 {
		return e, h[:e]
	}
	return 0, nil
}

// readHead reads a start line and headers from b.
func (s *stream) readHead(out []lab.Message, a *Analyzer, b []byte) (int, []lab.Message) {
	if len(s.head) == 0 {
		// RFC 9112 §2.2: empty lines before a request line are ignored.
		skip := 0
		for skip < len(b) && (b[skip] == '\r' || b[skip] == '\n') {
			skip++
		}
		if skip > 0 {
			return skip, out
		}
	}
	inPlace := len(s.head) == 0 // a head found whole in b is b's own bytes (gather)
	n, head, tooLong := gather(&s.head, b, MaxHeadBytes)
	switch {
	case tooLong:
		return len(b), s.fail(out, "the start line and headers are longer than 64 KiB without an empty line ending them", s.head)
	case head == nil:
		return n, out
	}
	m, err := s.parse(head, inPlace)
	if err != "" {
		return n, s.fail(out, err, head)
	}
	s.msg = m
	if s.dir == lab.ClientToServer {
		if !a.pushMethod(m.method) {
			return n, s.fail(out, "more than 1024 requests wait for their responses", head)
		}
	} else {
		m.method = a.peekMethod()
		if m.status < 100 || m.status >= 200 {
			a.popMethod()
		}
	}
	return n, s.body(out, a)
}

// body decides how the message just read ends (RFC 9112 §6.3) and finishes it at
// once if it has no body.
func (s *stream) body(out []lab.Message, a *Analyzer) []lab.Message {
	m := s.msg
	te, chunked := m.transferCoding()
	cl, clErr := m.contentLength()
	switch {
	case m.status == 101 || (m.method == "CONNECT" && m.status >= 200 && m.status < 300):
		m.framing = "none: the connection is no longer HTTP after this response"
		out = s.finish(out, a)
		s.phase = phaseSwitched
		if m.status == 101 {
			out = a.switchTo(out)
		}
		a.streams[lab.ClientToServer].phase = phaseSwitched
		return out
	case m.status != 0 && (m.method == "HEAD" || m.status < 200 || m.status == 204 || m.status == 304):
		m.framing = "none: " + noBodyReason(m)
		return s.finish(out, a)
	case te != "" && chunked:
		m.framing = "chunked (Transfer-Encoding: " + te + ")"
		s.phase = phaseChunkSize
	case te != "" && s.dir == lab.ClientToServer:
		return s.fail(out, "a request's Transfer-Encoding must end in chunked, not "+strconv.Quote(te), m.raw.Bytes())
	case te != "":
		m.framing = "until the server closes the connection (Transfer-Encoding: " + te + ")"
		s.phase = phaseClose
	case clErr != "":
		return s.fail(out, clErr, m.raw.Bytes())
	case cl >= 0:
		if cl != s.lastCL || s.lastFraming == "" {
			// A keep-alive connection's messages are often the same length.
			s.lastCL, s.lastFraming = cl, "Content-Length: "+strconv.FormatInt(cl, 10)
		}
		m.framing = s.lastFraming
		if cl == 0 {
			return s.finish(out, a)
		}
		s.phase, s.remain = phaseLength, cl
	case s.dir == lab.ClientToServer:
		m.framing = "none: a request without Content-Length or Transfer-Encoding has no body"
		return s.finish(out, a)
	default:
		m.framing = "until the server closes the connection (no Content-Length, not chunked)"
		s.phase = phaseClose
	}
	return out
}

func noBodyReason(m *message) string {
	switch {
	case m.method == "HEAD":
		return "the response to HEAD has headers only"
	case m.status < 200:
		return "an interim (1xx) response has headers only"
	}
	return "a " + strconv.Itoa(m.status) + " response never has a body"
}

// readLine reads a chunk-size line or the line end after a chunk's data.
func (s *stream) readLine(out []lab.Message, a *Analyzer, b []byte) (int, []lab.Message) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		if len(s.line)+len(b) > maxLine {
			return len(b), s.fail(out, "a chunk-size line longer than 4 KiB", nil)
		}
		s.line = append(s.line, b...)
		return len(b), out
	}
	line := strings.TrimSuffix(string(s.line)+string(b[:i]), "\r")
	s.line = nil
	if s.phase == phaseChunkEnd {
		if line != "" {
			return i + 1, s.fail(out, "a chunk's data is not followed by a line end: the chunk size was wrong", nil)
		}
		s.phase = phaseChunkSize
		return i + 1, out
	}
	size, ext, _ := strings.Cut(line, ";")
	size = strings.TrimRight(size, " \t")
	n, err := strconv.ParseInt(size, 16, 64)
	if err != nil || n < 0 || size == "" || strings.ContainsAny(size, "+-") {
		return i + 1, s.fail(out, "the chunk size "+strconv.Quote(line)+" is not a hexadecimal number", nil)
	}
	s.msg.chunk(n, ext)
	if n == 0 {
		s.phase = phaseTrailers
	} else {
		s.phase, s.remain = phaseChunkData, n
	}
	return i + 1, out
}

// readTrailers reads the trailer section after the last chunk.
func (s *stream) readTrailers(out []lab.Message, a *Analyzer, b []byte) (int, []lab.Message) {
	n, sec, tooLong := gather(&s.head, b, MaxHeadBytes)
	switch {
	case tooLong:
		return len(b), s.fail(out, "the trailer section is longer than 64 KiB", nil)
	case sec == nil:
		return n, out
	}
	for _, line := range lines(sec) {
		name, value, ok := field(line)
		if !ok {
			return n, s.fail(out, "the trailer line "+strconv.Quote(line)+" is not a field", nil)
		}
		s.msg.trailers = append(s.msg.trailers, lab.Field{Name: name, Value: value})
	}
	s.msg.appendRaw(sec)
	return n, s.finish(out, a)
}

// finish shows the message read and starts on the next one.
func (s *stream) finish(out []lab.Message, a *Analyzer) []lab.Message {
	// A message that takes part in an upgrade is read by the protocol it
	// upgrades to (a Handshaker); any other is built in full only when someone
	// looks.
	out = append(out, s.msg.message(s.dir, !a.upgrading(s.msg, s.dir), &a.types, &a.room))
	a.upgrade(&out[len(out)-1], s.msg) // in out's room: no message of its own on the heap
	s.msg, s.phase, s.remain = nil, phaseHead, 0
	return out
}

// end finishes this direction at the end of the connection.
func (s *stream) end(out []lab.Message, a *Analyzer) []lab.Message {
	s.memo = nil // no more heads come: an ended connection keeps none
	switch {
	case s.phase == phaseClose && s.msg != nil:
		return s.finish(out, a)
	case s.msg != nil || (s.phase == phaseHead && len(s.head) > 0):
		out = append(out, cutShort(s.dir, s.msg, s.head))
		s.msg, s.head, s.line, s.phase = nil, nil, nil, phaseBroken
	}
	return out
}

// fail reports malformed input and stops framing this direction.
func (s *stream) fail(out []lab.Message, why string, raw []byte) []lab.Message {
	if raw == nil && s.msg != nil {
		raw = s.msg.raw.Bytes()
	}
	out = append(out, malformed(s.dir, why, raw))
	s.msg, s.head, s.line, s.phase = nil, nil, nil, phaseBroken
	return out
}

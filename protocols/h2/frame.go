package h2

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"

	"golang.org/x/net/http2/hpack"

	"github.com/protocollab/protolab/lab"
)

// direction frames the bytes one endpoint sends.
type direction struct {
	dir       lab.Dir
	prefaceAt int    // bytes of the client preface seen; len(clientPreface) once done
	head      []byte // the preface's bytes while it is split across chunks
	stopped   bool   // malformed input: framing stopped
	frames    int

	// Bytes that are not HTTP/2 at all are gathered up to a line before they are
	// reported, so the report can say what they are ("GET / HTTP/1.1").
	sniffing bool
	sniff    []byte
	sniffWhy string // the framing problem, for a server's first bytes

	hdr  [frameHeaderLen]byte // a frame header split across chunks
	nhdr int
	cur  header // the frame being read
	in   bool   // a frame's payload is arriving
	got  uint32 // its payload bytes so far
	buf  []byte // its bytes kept: all of them, or for DATA the first MaxKeptBytes

	maxFrame   uint32 // the receiver's SETTINGS_MAX_FRAME_SIZE (the largest announced)
	tableLimit uint32 // the receiver's SETTINGS_HEADER_TABLE_SIZE (the largest announced)
	dec        *hpack.Decoder
	block      headerBlock
	fieldBuf   []lab.Field // room for the next header block's fields (endBlock)
	settings   bool        // this side's first SETTINGS has been seen
	ack        bool        // this side's first SETTINGS ACK has been seen
}

// header is a frame header (§4.1).
type header struct {
	length uint32
	typ    uint8
	flags  uint8
	stream uint32
}

func parseHeader(b []byte) header {
	return header{
		length: uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]),
		typ:    b[3],
		flags:  b[4],
		stream: binary.BigEndian.Uint32(b[5:9]) & (1<<31 - 1),
	}
}

// streamed reports whether frames of type t are counted as they arrive rather than
// held whole: DATA, and types the lab does not decode.
func streamed(t uint8) bool {
	_, known := frameTypes[t]
	return t == typeData || !known
}

// feed frames b, appending what it finds to out.
func (a *Analyzer) feed(d *direction, b []byte, out []lab.Message) []lab.Message {
	for len(b) > 0 && !d.stopped {
		if d.sniffing {
			n := min(len(b), sniffMax-len(d.sniff))
			d.sniff = append(d.sniff, b[:n]...)
			return a.sniffed(d, false, out)
		}
		if d.prefaceAt < len(clientPreface) {
			var n int
			n, out = a.readPreface(d, b, out)
			b = b[n:]
			continue
		}
		if d.in {
			h := &d.cur
			n := int(min(uint32(len(b)), h.length-d.got))
			if !streamed(h.typ) {
				d.buf = append(d.buf, b[:n]...)
			} else if room := MaxKeptBytes - len(d.buf); room > 0 {
				d.buf = append(d.buf, b[:min(n, room)]...)
			}
			d.got += uint32(n)
			b = b[n:]
			if d.got == h.length {
				out = a.finish(d, out)
			}
			continue
		}
		if d.nhdr == 0 && len(b) >= frameHeaderLen {
			// The whole header is here: most frames arrive whole and are framed
			// in place, their Raw pointing into b.
			h := parseHeader(b)
			if why := d.check(h); why != "" {
				return a.notFramed(d, why, bytes.Clone(b[:min(len(b), sniffMax)]), out)
			}
			if end := frameHeaderLen + int(h.length); end <= len(b) {
				out = a.frame(d, h, b[frameHeaderLen:end], b[:min(end, MaxKeptBytes)], out)
				b = b[end:]
				continue
			}
			out = a.begin(d, h, b[:frameHeaderLen], out)
			b = b[frameHeaderLen:]
			continue
		}
		n := copy(d.hdr[d.nhdr:], b)
		d.nhdr += n
		b = b[n:]
		if d.nhdr < frameHeaderLen {
			break
		}
		d.nhdr = 0
		h := parseHeader(d.hdr[:])
		if why := d.check(h); why != "" {
			return a.notFramed(d, why, append(d.hdr[:], b[:min(len(b), sniffMax-frameHeaderLen)]...), out)
		}
		out = a.begin(d, h, d.hdr[:], out)
	}
	return out
}

// begin starts reading a frame whose payload has not all arrived.
func (a *Analyzer) begin(d *direction, h header, hdr []byte, out []lab.Message) []lab.Message {
	size := frameHeaderLen + int(h.length)
	if streamed(h.typ) {
		size = min(size, MaxKeptBytes)
	}
	d.cur, d.in, d.got = h, true, 0
	d.buf = append(make([]byte, 0, size), hdr...)
	if h.length == 0 {
		return a.finish(d, out)
	}
	return out
}

// finish handles the frame whose bytes have all arrived.
func (a *Analyzer) finish(d *direction, out []lab.Message) []lab.Message {
	raw := d.buf
	d.buf, d.in = nil, false
	payload := raw[frameHeaderLen:]
	if len(raw) > MaxKeptBytes {
		raw = bytes.Clone(raw[:MaxKeptBytes])
	}
	return a.frame(d, d.cur, payload, raw, out)
}

// check returns why a frame with header h cannot be framed, or "".
func (d *direction) check(h header) string {
	who := sender(d.dir)
	switch {
	case d.frames == 0 && (h.typ != typeSettings || h.flags&flagAck != 0):
		what := typeName(h.typ)
		if h.typ == typeSettings {
			what = "a SETTINGS ACK"
		}
		if d.dir == lab.ClientToServer {
			return "the client's first frame after the preface is " + what + ", not its SETTINGS (RFC 9113 §3.4)"
		}
		return "the server's first frame is " + what + ", not the SETTINGS frame that is its connection preface (RFC 9113 §3.4)"
	case h.length > d.maxFrame:
		return fmt.Sprintf("a %s frame of %d bytes is larger than the %d bytes SETTINGS_MAX_FRAME_SIZE allows (FRAME_SIZE_ERROR, RFC 9113 §4.2)",
			typeName(h.typ), h.length, d.maxFrame)
	case !streamed(h.typ) && h.length > maxBuffered:
		return fmt.Sprintf("a %s frame of %d bytes: the lab decodes frames other than DATA only up to %s", typeName(h.typ), h.length, sizeText(maxBuffered))
	case d.block.active && (h.typ != typeContinuation || h.stream != d.block.stream):
		return fmt.Sprintf("the %s's header block on stream %d awaits a CONTINUATION frame, but a %s frame on stream %d came (PROTOCOL_ERROR, RFC 9113 §6.10)",
			who, d.block.stream, typeName(h.typ), h.stream)
	}
	return ""
}

// readPreface matches the client's connection preface and returns how many bytes of b it used.
func (a *Analyzer) readPreface(d *direction, b []byte, out []lab.Message) (int, []lab.Message) {
	want := clientPreface[d.prefaceAt:]
	n := min(len(want), len(b))
	if string(b[:n]) != want[:n] {
		d.sniffing = true
		d.sniff = append(d.head, b[:min(len(b), sniffMax)]...)
		d.head = nil
		return len(b), a.sniffed(d, false, out)
	}
	d.prefaceAt += n
	if d.prefaceAt < len(clientPreface) {
		d.head = append(d.head, b[:n]...)
		return n, out
	}
	raw := b[:n]
	if len(d.head) > 0 {
		raw = append(d.head, raw...)
		d.head = nil
	}
	a.preface = true
	m := lab.Message{
		Dir:     d.dir,
		Summary: "connection preface (PRI * HTTP/2.0)",
		Meaning: "Every HTTP/2 connection begins with these 24 fixed bytes from the client, " +
			`"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", then the client's SETTINGS frame. They look like an ` +
			"HTTP/1 request with the method PRI, so a server that only speaks HTTP/1.1 rejects them at once " +
			"instead of misreading binary frames. The server's preface is its own first SETTINGS frame.",
		Ref:       "RFC 9113 §3.4",
		Fields:    []lab.Field{{Name: "preface", Value: lab.Preview(raw, 64), Len: len(raw)}},
		Raw:       raw,
		Handshake: true,
		Observed:  true,
	}
	a.advance(&m)
	return n, append(out, m)
}

// sniffMax bounds the bytes gathered to say what bytes that are not HTTP/2 are.
const sniffMax = 128

// notFramed reports a frame header that cannot be framed; if the bytes may be a
// server's HTTP/1.x answer, it first gathers the line to show it.
func (a *Analyzer) notFramed(d *direction, why string, seen []byte, out []lab.Message) []lab.Message {
	if d.frames == 0 && d.dir == lab.ServerToClient && bytes.HasPrefix(seen, []byte("HTTP/")) {
		d.sniffing, d.sniff, d.sniffWhy = true, seen, why
		return a.sniffed(d, false, out)
	}
	return append(out, a.malformed(d, why, seen))
}

// sniffed reports the gathered bytes once they hold a line, or are as many as
// the lab gathers, or they look like TLS, or (end) the connection is over.
func (a *Analyzer) sniffed(d *direction, end bool, out []lab.Message) []lab.Message {
	s := d.sniff
	tls := len(s) >= 2 && s[0] == 0x16 && s[1] == 0x03
	if !end && !tls && len(s) < sniffMax && !bytes.Contains(s, []byte("\r\n")) {
		return out
	}
	d.sniffing, d.sniff = false, nil
	if d.sniffWhy != "" {
		return append(out, a.malformed(d, d.sniffWhy, s))
	}
	return append(out, a.notPreface(d, s))
}

// notPreface reports a client that did not begin with the connection preface.
func (a *Analyzer) notPreface(d *direction, seen []byte) lab.Message {
	var summary, why string
	line, _, _ := bytes.Cut(seen, []byte("\r\n"))
	switch {
	case len(seen) >= 2 && seen[0] == 0x16 && seen[1] == 0x03:
		summary = "not HTTP/2: a TLS handshake"
		why = "These bytes are a TLS record (a ClientHello), not the HTTP/2 connection preface: the client speaks " +
			"HTTPS here. HTTP/2 over TLS is chosen with ALPN and shows inside the TLS layer."
	case isHTTP1(line):
		summary = "not HTTP/2: the client sent " + lab.Preview(line, 80)
		why = "This is an HTTP/1.x request, not the HTTP/2 connection preface: the client does not use HTTP/2 " +
			"with prior knowledge on this connection (RFC 9113 §3.3)."
		if bytes.Contains(bytes.ToLower(seen), []byte("upgrade: h2c")) {
			why += " It asks to switch with Upgrade: h2c, a way RFC 9113 §3.1 deprecates."
		}
	default:
		summary = "not HTTP/2: the connection does not begin with the preface"
		why = "An HTTP/2 client's first bytes are the 24-byte connection preface " + lab.Preview([]byte(clientPreface), 64) +
			"; these bytes are " + lab.Preview(seen, 48) + ", so this is not HTTP/2."
	}
	return a.stop(d, lab.Message{
		Summary: summary,
		Meaning: why + " The lab stops reading this direction of the connection as HTTP/2.",
		Ref:     "RFC 9113 §3.4",
		Fields:  []lab.Field{{Name: "problem", Value: why}, {Name: "first bytes", Value: lab.Preview(seen, 80)}},
		Raw:     seen,
	})
}

// isHTTP1 reports whether line looks like an HTTP/1.x request or status line.
func isHTTP1(line []byte) bool {
	s := string(line)
	return strings.HasPrefix(s, "HTTP/1.") || strings.Contains(s, " HTTP/1.")
}

// malformed reports a frame the analyzer cannot frame or decode and stops this
// direction's framing.
func (a *Analyzer) malformed(d *direction, why string, raw []byte) lab.Message {
	summary := "malformed HTTP/2: " + why
	meaning := "These bytes break HTTP/2's framing or header compression, so the lab cannot tell where the next " +
		"frame begins or what the next header block means; it stops reading this direction of the connection. " +
		"A real endpoint would end the connection with GOAWAY."
	if d.frames == 0 && d.dir == lab.ServerToClient {
		if line, _, _ := bytes.Cut(raw, []byte("\r\n")); isHTTP1(line) {
			summary = "not HTTP/2: the server answered " + lab.Preview(line, 80)
			meaning = "The server answered in HTTP/1.x: it does not speak HTTP/2 with prior knowledge on this port " +
				"(an HTTP/2 server's first frame is SETTINGS, RFC 9113 §3.4). The lab stops reading this direction as HTTP/2."
		}
	}
	return a.stop(d, lab.Message{
		Summary: summary,
		Meaning: meaning,
		Ref:     "RFC 9113 §4.1",
		Fields:  []lab.Field{{Name: "problem", Value: why}},
		Raw:     bytes.Clone(raw[:min(len(raw), MaxKeptBytes)]),
	})
}

// stop ends framing in d's direction with message m.
func (a *Analyzer) stop(d *direction, m lab.Message) lab.Message {
	d.stopped, a.broken = true, true
	d.buf, d.head, d.in, d.block = nil, nil, false, headerBlock{}
	m.Dir = d.dir
	m.Observed = true
	a.advance(&m)
	return m
}

// sender names the endpoint that sends in dir.
func sender(dir lab.Dir) string {
	if dir == lab.ServerToClient {
		return "server"
	}
	return "client"
}

// peer is the direction opposite dir.
func peer(dir lab.Dir) lab.Dir {
	if dir == lab.ServerToClient {
		return lab.ClientToServer
	}
	return lab.ServerToClient
}

package export

import (
	"bytes"
	"strconv"
	"strings"
)

// maxHead bounds a message's start line and header section, as the lab's HTTP
// analyzer does (protocols/http.MaxHeadBytes).
const maxHead = 64 << 10

// nv is a header field, a query parameter or a cookie, in the order it came.
type nv struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// wireMsg is one HTTP/1.x message framed from captured bytes (RFC 9112).
type wireMsg struct {
	start, headEnd, end int    // offsets in the stream: first byte, after the blank line, after the body
	line                string // the start line
	headers             []nv
	body                []byte // the body, chunked coding removed
	complete            bool   // the body's end is in the bytes
}

// header returns the values of header name joined by commas, and whether it is present.
func (m *wireMsg) header(name string) (string, bool) {
	var vs []string
	for _, h := range m.headers {
		if strings.EqualFold(h.Name, name) {
			vs = append(vs, h.Value)
		}
	}
	return strings.Join(vs, ", "), len(vs) > 0
}

// chunked reports whether the last transfer coding is chunked (RFC 9112 §6.1).
func (m *wireMsg) chunked() bool {
	te, ok := m.header("Transfer-Encoding")
	if !ok {
		return false
	}
	codings := strings.Split(te, ",")
	return strings.EqualFold(strings.TrimSpace(codings[len(codings)-1]), "chunked")
}

// contentLength returns Content-Length, -1 when absent, or false when it is not a length.
func (m *wireMsg) contentLength() (int64, bool) {
	cl, ok := m.header("Content-Length")
	if !ok {
		return -1, true
	}
	var n int64 = -1
	for _, s := range strings.Split(cl, ",") {
		x, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || x < 0 || n >= 0 && x != n {
			return 0, false
		}
		n = x
	}
	return n, true
}

// readHead reads a start line and header section at b[off:]. ok is false when the
// bytes end first or are not a message head.
func readHead(b []byte, off int) (*wireMsg, bool) {
	rest := b[off:]
	// Tolerate the empty lines RFC 9112 §2.2 lets a recipient skip before a request.
	skip := 0
	for skip < len(rest) && (rest[skip] == '\r' || rest[skip] == '\n') && skip < 4 {
		skip++
	}
	rest = rest[skip:]
	end, sep := -1, 0
	if i := bytes.Index(rest[:min(len(rest), maxHead)], []byte("\r\n\r\n")); i >= 0 {
		end, sep = i, 4
	}
	if i := bytes.Index(rest[:min(len(rest), maxHead)], []byte("\n\n")); i >= 0 && (end < 0 || i < end) {
		end, sep = i, 2
	}
	if end < 0 {
		return nil, false
	}
	m := &wireMsg{start: off + skip, headEnd: off + skip + end + sep}
	for i, l := range strings.Split(string(rest[:end]), "\n") {
		l = strings.TrimSuffix(l, "\r")
		if i == 0 {
			m.line = l
			continue
		}
		name, value, ok := strings.Cut(l, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, false
		}
		m.headers = append(m.headers, nv{name, strings.Trim(value, " \t")})
	}
	return m, m.line != ""
}

// readBody frames the body that follows m's head in b: n bytes (n ≥ 0), chunked,
// or up to the end of the bytes (n < 0, a response delimited by the connection's
// close). It sets m.end, m.body and m.complete.
func (m *wireMsg) readBody(b []byte, n int64, chunked, toClose bool) {
	off := m.headEnd
	switch {
	case chunked:
		m.readChunked(b)
	case toClose:
		m.body, m.end, m.complete = b[off:], len(b), true
	default:
		have := int64(len(b) - off)
		if n > have {
			m.body, m.end = b[off:], len(b)
			return
		}
		m.body, m.end, m.complete = b[off:off+int(n)], off+int(n), true
	}
}

// readChunked removes the chunked coding (RFC 9112 §7.1), trailers skipped.
func (m *wireMsg) readChunked(b []byte) {
	off := m.headEnd
	var body []byte
	line := func() (string, bool) {
		i := bytes.IndexByte(b[off:], '\n')
		if i < 0 || i > 4096 {
			return "", false
		}
		l := strings.TrimSuffix(string(b[off:off+i]), "\r")
		off += i + 1
		return l, true
	}
	defer func() { m.body, m.end = body, off }()
	for {
		l, ok := line()
		if !ok {
			return
		}
		size, _, _ := strings.Cut(l, ";")
		n, err := strconv.ParseInt(strings.TrimSpace(size), 16, 64)
		if err != nil || n < 0 {
			return
		}
		if n == 0 {
			for {
				t, ok := line()
				if !ok {
					return
				}
				if t == "" {
					m.complete = true
					return
				}
			}
		}
		if n > int64(len(b)-off) {
			body = append(body, b[off:]...)
			off = len(b)
			return
		}
		body = append(body, b[off:off+int(n)]...)
		off += int(n)
		if _, ok := line(); !ok {
			return
		}
	}
}

// requestLineParts splits a request line of any HTTP version ("GET / HTTP/2.0"
// as the lab writes HTTP/2's request heads).
func requestLineParts(line string) (method, target, version string) {
	parts := strings.Split(line, " ")
	if len(parts) != 3 {
		return "", "", ""
	}
	return parts[0], parts[1], parts[2]
}

// splitRequestLine splits an HTTP/1.x request line: "GET /a?b=1 HTTP/1.1".
func splitRequestLine(line string) (method, target, version string, ok bool) {
	method, target, version = requestLineParts(line)
	if method == "" || target == "" || !strings.HasPrefix(version, "HTTP/1.") {
		return "", "", "", false
	}
	return method, target, version, true
}

// splitStatusLine splits a status line: "HTTP/1.1 200 OK".
func splitStatusLine(line string) (version string, code int, reason string, ok bool) {
	v, rest, _ := strings.Cut(line, " ")
	c, reason, _ := strings.Cut(rest, " ")
	n, err := strconv.Atoi(c)
	if !strings.HasPrefix(v, "HTTP/") || len(c) != 3 || err != nil || n < 100 {
		return "", 0, "", false
	}
	return v, n, reason, true
}

// readRequest frames a request at b[off:].
func readRequest(b []byte, off int) (*wireMsg, bool) {
	m, ok := readHead(b, off)
	if !ok {
		return nil, false
	}
	if _, _, _, ok := splitRequestLine(m.line); !ok {
		return nil, false
	}
	n, ok := m.contentLength()
	if !ok {
		return nil, false
	}
	m.readBody(b, max(n, 0), m.chunked(), false)
	return m, true
}

// readResponse frames a response to a request with method at b[off:].
func readResponse(b []byte, off int, method string) (*wireMsg, int, bool) {
	m, ok := readHead(b, off)
	if !ok {
		return nil, 0, false
	}
	_, code, _, ok := splitStatusLine(m.line)
	if !ok {
		return nil, 0, false
	}
	switch {
	case method == "HEAD" || code < 200 || code == 204 || code == 304 ||
		method == "CONNECT" && code < 300:
		m.end, m.complete = m.headEnd, true
		return m, code, true
	}
	n, ok := m.contentLength()
	if !ok {
		return nil, 0, false
	}
	m.readBody(b, n, m.chunked(), !m.chunked() && n < 0)
	return m, code, true
}

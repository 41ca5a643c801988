package http

import (
	"bytes"
	"fmt"
	"mime"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/framing"
)

// message is a request or response being read.
type message struct {
	method, target, version string // request line; version also for responses
	status                  int    // responses only
	reason                  string
	headers                 []lab.Field
	trailers                []lab.Field
	framing                 string
	body                    int64       // body bytes (decoded chunk data for chunked)
	chunks                  int         // chunks with data
	preview                 []byte      // the body's first bytes
	raw                     framing.Raw // the bytes on the wire, up to MaxKeptBytes
	startLen                int         // the start line's length with its end, in raw
	headLen                 int         // the head's length (start line, headers, empty line), in raw
	memo                    *memo       // the stream's memo the head was parsed as (or taken from), if any
}

const previewBytes = 256

// parseHead parses a start line and header section (ending in an empty line).
// Each header field's span is its line, line end included. With inPlace the
// message's bytes are head itself, which the analyzer was fed and owns (its
// capacity reaching no further than the fed bytes), while its body follows
// it there; otherwise a copy.
//
// With room (a stream's), the head's header fields are cut in room's slice,
// which the next head reuses: the message's headers last until it is
// framed. A head in place is read without a copy: its text is the fed bytes
// (or, building a framed message's fields, its captured bytes), which nobody
// writes.
func parseHead(dir lab.Dir, head []byte, inPlace bool, room *headRoom) (*message, string) {
	var hs []lab.Field
	if room != nil {
		clear(room.headers)
		hs = room.headers[:0]
	}
	text := ""
	if inPlace && len(head) > 0 {
		text = unsafe.String(unsafe.SliceData(head), len(head))
	} else {
		text = string(head) // one string for the head, its lines cut from it
	}
	// The first line that is not empty is the start line; the others that
	// are not are header lines, read in turn (nextLine).
	off, start, startLen := 0, "", 0
	for off < len(text) && start == "" {
		start, startLen = nextLine(text, off)
		off += startLen
	}
	if start == "" {
		return nil, "an empty message head"
	}
	if hs == nil {
		hs = make([]lab.Field, 0, strings.Count(text[off:], "\n")+1)
	}
	var m *message
	if room != nil {
		// The stream reads one message at a time, and nothing holds the last one
		// once it is framed (kept holds what its fields need, its preview a
		// copy): its preview's room is the next one's.
		m = &room.msg
		preview := m.preview[:0]
		*m = message{preview: preview}
	} else {
		m = new(message)
	}
	m.startLen, m.headLen, m.headers = startLen, len(head), hs
	m.raw.Start(head[:min(len(head), MaxKeptBytes)], inPlace && len(head) <= MaxKeptBytes, 0)
	if dir == lab.ClientToServer {
		// Three parts apart by single spaces (strings.Split's three, without its slice).
		method, rest, ok1 := strings.Cut(start, " ")
		target, ver, ok2 := strings.Cut(rest, " ")
		if !ok1 || !ok2 || strings.IndexByte(ver, ' ') >= 0 || !token(method) || target == "" || !version(ver) {
			return nil, "the request line " + quote(start) + " is not METHOD target HTTP/x.y"
		}
		m.method, m.target, m.version = method, target, ver
	} else {
		v, rest, _ := strings.Cut(start, " ")
		code, reason, _ := strings.Cut(rest, " ")
		n, err := strconv.Atoi(code)
		if !version(v) || len(code) != 3 || err != nil || n < 100 {
			return nil, "the status line " + quote(start) + " is not HTTP/x.y code reason"
		}
		m.version, m.status, m.reason = v, n, reason
	}
	for off < len(text) {
		l, n := nextLine(text, off)
		lineOff := off
		off += n
		if l == "" {
			continue
		}
		if l[0] == ' ' || l[0] == '\t' {
			return nil, "a header line starts with white space (obsolete line folding, RFC 9112 §5.2)"
		}
		name, value, ok := field(l)
		if !ok {
			return nil, "the header line " + quote(l) + " is not name: value"
		}
		m.headers = append(m.headers, lab.Field{Name: name, Value: value, Off: lineOff, Len: n})
	}
	if room != nil {
		room.headers = m.headers
	}
	return m, ""
}

// keepRoom is where an analyzer keeps what its messages keep: their
// summaries' text, what they keep for their fields, and the room a summary is
// built in.
type keepRoom struct {
	arena   framing.Arena
	kept    framing.Slab[kept]
	scratch []byte
}

// text keeps the summary built in b (r.scratch's room), keeping the room for
// the next while it is small.
func (r *keepRoom) text(b []byte) string { return r.arena.Text(&r.scratch, b) }

// headRoom is where a stream parses its heads (parseHead): the message being
// read and its header fields.
type headRoom struct {
	msg     message
	headers []lab.Field
}

// nextLine returns the line of all that begins at off, without its end, and
// its length with its end.
func nextLine(all string, off int) (string, int) {
	n := len(all) - off
	if i := strings.IndexByte(all[off:], '\n'); i >= 0 {
		n = i + 1
	}
	return strings.TrimSuffix(strings.TrimSuffix(all[off:off+n], "\n"), "\r"), n
}

// lines splits a section into its non-empty lines, without line ends.
func lines(sec []byte) []string {
	var out []string
	for _, l := range strings.Split(string(sec), "\n") {
		if l = strings.TrimSuffix(l, "\r"); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// field splits a header line into name and value.
func field(l string) (string, string, bool) {
	name, value, ok := strings.Cut(l, ":")
	if !ok || !token(name) {
		return "", "", false
	}
	return name, trimBlanks(value), true
}

// trimBlanks is strings.Trim(s, " \t"), without the set Trim makes each call.
func trimBlanks(s string) string {
	i, j := 0, len(s)
	for i < j && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	for j > i && (s[j-1] == ' ' || s[j-1] == '\t') {
		j--
	}
	return s[i:j]
}

// token reports whether s is an RFC 9110 §5.6.2 token.
func token(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tchar[s[i]] {
			return false
		}
	}
	return true
}

// tchar marks the bytes a token may hold (RFC 9110 §5.6.2): visible ASCII
// but the delimiters.
var tchar = func() (t [256]bool) {
	for c := 0x21; c < 0x7f; c++ {
		t[c] = strings.IndexByte("\"(),/:;<=>?@[\\]{}", byte(c)) < 0
	}
	return t
}()

func version(v string) bool {
	return len(v) == 8 && strings.HasPrefix(v, "HTTP/") && isDigit(v[5]) && v[6] == '.' && isDigit(v[7])
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func quote(s string) string { return lab.Preview([]byte(s), 80) }

// header returns the values of header name, joined by commas (RFC 9110 §5.3).
func (m *message) header(name string) (string, int) {
	var vs []string
	var one string
	n := 0
	for _, f := range m.headers {
		// Field names are ASCII tokens (RFC 9110 §5.1): the same name is the
		// same length, which most fields fail at once.
		if len(f.Name) != len(name) || !strings.EqualFold(f.Name, name) {
			continue
		}
		switch n++; n {
		case 1:
			one = f.Value // the usual case: one field, its value as it is
		case 2:
			vs = append(vs, one, f.Value)
		default:
			vs = append(vs, f.Value)
		}
	}
	if n < 2 {
		return one, n
	}
	return strings.Join(vs, ", "), n
}

// transferCoding returns Transfer-Encoding and whether its last coding is chunked.
func (m *message) transferCoding() (string, bool) {
	te, _ := m.header("Transfer-Encoding")
	last := te
	if i := strings.LastIndexByte(te, ','); i >= 0 {
		last = te[i+1:]
	}
	return te, strings.EqualFold(strings.TrimSpace(last), "chunked")
}

// contentLength returns Content-Length (-1 if absent) or why it is invalid.
func (m *message) contentLength() (int64, string) {
	cl, n := m.header("Content-Length")
	if n == 0 {
		return -1, ""
	}
	var v int64 = -1
	for rest, more := cl, true; more; {
		var s string
		s, rest, more = strings.Cut(rest, ",")
		s = strings.TrimSpace(s)
		x, err := strconv.ParseInt(s, 10, 64)
		if err != nil || x < 0 || strings.HasPrefix(s, "+") {
			return 0, "Content-Length " + quote(cl) + " is not a number of bytes"
		}
		if v >= 0 && x != v {
			return 0, "Content-Length " + quote(cl) + " gives different lengths"
		}
		v = x
	}
	return v, ""
}

// addBody counts body bytes, keeping the first ones.
func (m *message) addBody(b []byte) {
	m.body += int64(len(b))
	if len(m.preview) < previewBytes {
		m.preview = append(m.preview, b[:min(len(b), previewBytes-len(m.preview))]...)
	}
	m.appendRaw(b)
}

// appendRaw adds b, the next bytes of the message, to its raw bytes as far as
// MaxKeptBytes allows: in place while they follow them in what was fed, as a
// copy from the first that do not (framing.Raw).
func (m *message) appendRaw(b []byte) {
	if room := MaxKeptBytes - m.raw.Len(); room > 0 {
		m.raw.Add(b[:min(len(b), room)])
	}
}

// chunk records a chunk-size line.
func (m *message) chunk(n int64, ext string) {
	if n > 0 {
		m.chunks++
	}
	line := strconv.FormatInt(n, 16)
	if ext != "" {
		line += ";" + ext
	}
	m.appendRaw([]byte(line + "\r\n"))
}

// appendKept appends b to raw as far as MaxKeptBytes allows.
func appendKept(raw, b []byte) []byte {
	if room := MaxKeptBytes - len(raw); room > 0 {
		raw = append(raw, b[:min(len(b), room)]...)
	}
	return raw
}

// message turns m into the lab's message. With lazy its fields and meaning
// are built when someone looks (lab.Message.Defer): m is not changed once it
// is a message, so they are built from what was framed.
func (m *message) message(dir lab.Dir, lazy bool, types *mediaTypes, r *keepRoom) lab.Message {
	role, about := lab.RoleAnswer, info{}
	if dir == lab.ClientToServer {
		role, about = lab.RoleRequest, methodInfo(m.method)
	} else {
		about = statusInfo(m.status)
	}
	summary, summed := m.memo.summaryOf(m)
	if !summed {
		summary = m.summary(dir, about, types, r)
		m.memo.sum(m, summary)
	}
	out := lab.Message{Dir: dir, Summary: summary, Ref: about.ref, Raw: m.raw.Bytes(), Observed: true, Role: role}
	if m.raw.Copied() {
		out.Holds(m.raw.Len()) // its own copy, beside the fed bytes the data events hold
	}
	if lazy {
		k := m.keep(dir, &r.kept)
		out.DeferTo(k)
		held := int(unsafe.Sizeof(*k))
		if k.more != nil {
			held += int(unsafe.Sizeof(*k.more)) + len(k.more.preview)
		}
		if p := k.memo; p != nil && !p.held {
			p.held = true // by the first message that keeps it
			held += p.size()
		}
		out.Holds(held)
	} else {
		out.Fields, out.Meaning = m.fields(dir), m.meaning(dir, about)
	}
	return out
}

// summary is m's one line, kept in r: the request line, or the status with
// the body's media type and size ("200 OK (text/plain, 12 bytes)"), built in
// one buffer.
func (m *message) summary(dir lab.Dir, about info, types *mediaTypes, r *keepRoom) string {
	if dir == lab.ClientToServer {
		return r.text(append(append(append(append(append(r.scratch[:0], m.method...), ' '), m.target...), ' '), m.version...))
	}
	reason := m.reason
	if reason == "" {
		reason = about.text
	}
	b := strconv.AppendInt(r.scratch[:0], int64(m.status), 10)
	b = append(append(b, ' '), reason...)
	sep := " ("
	if ct, _ := m.header("Content-Type"); ct != "" {
		b = append(append(b, sep...), types.of(ct)...)
		sep = ", "
	}
	if m.body > 0 || strings.HasPrefix(m.framing, "Content-Length") || m.chunks > 0 {
		b = appendSize(append(b, sep...), m.body)
		sep = ", "
	}
	if sep == ", " {
		b = append(b, ')')
	}
	return r.text(b)
}

// mediaTypes remembers the last Content-Type's media type, as a server
// mostly sends the same one: no parsing again.
type mediaTypes struct{ ct, t string }

// of is mediaType(ct).
func (c *mediaTypes) of(ct string) string {
	if ct != c.ct || c.ct == "" {
		c.ct, c.t = ct, mediaType(ct)
	}
	return c.t
}

// mediaType is a Content-Type's media type, without its parameters, as
// mime.ParseMediaType gives it, or the value as it is when that fails.
func mediaType(ct string) string {
	if t, _, err := mime.ParseMediaType(ct); err == nil {
		return t
	}
	return ct
}

// kept is what a message framed keeps for its fields and meaning, made
// when someone looks: what its head does not say. The head is parsed again
// from the message's bytes (Raw), which begin with it whole, so the parse's
// structures (its fields, its copy of the head) are not held meanwhile.
//
// A message is held for every one the lab shows, so kept is small, 64
// bytes with 3 pointers: what only some messages have is in keptMore. A
// message whose head the stream remembered (a memo) keeps the memo, shared
// by the messages of that head, and its fields are built from the memo's
// parse rather than from parsing its bytes again.
type kept struct {
	framing  string
	more     *keptMore // nil when the message has no trailers and Raw holds its preview
	memo     *memo     // the head's parse, when the stream remembered it (memo.go)
	body     int64
	chunks   int
	headLen  int32 // at most MaxHeadBytes
	previewN int32 // the body's first bytes, in Raw after the head unless more has them
	dir      lab.Dir
}

// keptMore is what a chunked message, or one whose bytes do not hold its
// body's start as it crossed the wire, keeps beside kept.
type keptMore struct {
	trailers []lab.Field
	preview  []byte // the body's first bytes
}

// keep is what m keeps for its fields once framed, sent in direction dir.
func (m *message) keep(dir lab.Dir, slab *framing.Slab[kept]) *kept {
	k := slab.Put(kept{dir: dir, framing: m.framing, body: m.body, chunks: m.chunks,
		headLen: int32(m.headLen), previewN: int32(len(m.preview)), memo: m.memo})
	if raw, end := m.raw.Bytes(), m.headLen+len(m.preview); m.chunks > 0 || end > len(raw) || !bytes.Equal(raw[m.headLen:end], m.preview) {
		// m's preview is the next message's room; Raw does not hold the
		// body's start as it crossed the wire.
		k.more = &keptMore{preview: bytes.Clone(m.preview)}
	}
	if m.trailers != nil {
		if k.more == nil {
			k.more = &keptMore{}
		}
		k.more.trailers = m.trailers
	}
	return k
}

// Fill builds the fields and meaning of the message framed as k, whose
// bytes are msg.Raw (lab.Message.DeferTo).
func (k *kept) Fill(msg *lab.Message) ([]lab.Field, string) {
	// Parsed once already: it parses again, in the message's bytes, which
	// nobody writes, and which the fields' text then holds; or it takes the
	// memo's parse of the same bytes, which nobody writes either.
	var m *message
	if k.memo != nil {
		parsed := k.memo.msg
		m = &parsed
	} else if m, _ = parseHead(k.dir, msg.Raw[:k.headLen:k.headLen], true, nil); m == nil {
		return nil, ""
	}
	m.raw.Start(msg.Raw, true, 0)
	m.framing, m.body, m.chunks = k.framing, k.body, k.chunks
	if k.more != nil {
		m.trailers, m.preview = k.more.trailers, k.more.preview
	}
	if m.preview == nil && k.previewN > 0 {
		m.preview = msg.Raw[k.headLen : k.headLen+k.previewN]
	}
	about := statusInfo(m.status)
	if k.dir == lab.ClientToServer {
		about = methodInfo(m.method)
	}
	return m.fields(k.dir), m.meaning(k.dir, about)
}

// meaning explains the message in plain words.
func (m *message) meaning(dir lab.Dir, about info) string {
	if dir == lab.ClientToServer {
		return about.meaning + " The body's end: " + m.framing + "."
	}
	return about.meaning
}

// fields are the message's fields: its start line's parts, its header
// fields, its framing and body.
func (m *message) fields(dir lab.Dir) []lab.Field {
	raw := m.raw.Bytes()
	fields := make([]lab.Field, 0, len(m.headers)+len(m.trailers)+8)
	if dir == lab.ClientToServer {
		fields = append(fields, lab.Field{Name: "request line", Value: m.method + " " + m.target + " " + m.version, Len: m.startLen},
			lab.Field{Name: "method", Value: m.method, Len: len(m.method)},
			lab.Field{Name: "target", Value: m.target, Off: len(m.method) + 1, Len: len(m.target)},
			lab.Field{Name: "version", Value: m.version, Off: len(m.method) + len(m.target) + 2, Len: len(m.version)})
	} else {
		fields = append(fields, lab.Field{Name: "status line", Value: strings.TrimSpace(m.version + " " + strconv.Itoa(m.status) + " " + m.reason), Len: m.startLen},
			lab.Field{Name: "version", Value: m.version, Len: len(m.version)},
			lab.Field{Name: "status code", Value: strconv.Itoa(m.status), Off: len(m.version) + 1, Len: 3})
		if m.reason != "" {
			fields = append(fields, lab.Field{Name: "reason", Value: m.reason, Off: len(m.version) + 5, Len: len(m.reason)})
		}
	}
	if len(m.headers) > 0 {
		// The header section, over the fields in it (the detail nests them).
		fields = append(fields, lab.Field{Name: "header section", Value: plural(len(m.headers), "field"), Off: m.startLen, Len: m.headLen - m.startLen})
	}
	fields = append(fields, m.headers...)
	fields = append(fields, lab.Field{Name: "framing", Value: m.framing})
	if m.chunks > 0 {
		fields = append(fields, lab.Field{Name: "chunks", Value: strconv.Itoa(m.chunks)})
	}
	fields = append(fields, lab.Field{Name: "body length", Value: bytesText(m.body)})
	for _, t := range m.trailers {
		fields = append(fields, lab.Field{Name: "trailer " + t.Name, Value: t.Value})
	}
	if len(m.preview) > 0 {
		// The body's span is the bytes after the head, as they crossed the wire
		// (chunked: with the chunks' size lines) and as far as they were kept.
		body := lab.Field{Name: "body", Value: lab.Preview(m.preview, previewBytes), Off: m.headLen, Len: max(0, len(raw)-m.headLen)}
		if !utf8.Valid(m.preview[:max(0, len(m.preview)-utf8.UTFMax)]) {
			body.Name, body.Value = "body (hex)", lab.HexPreview(m.preview, 64)
		}
		fields = append(fields, body)
	}
	if len(raw) >= MaxKeptBytes {
		fields = append(fields, lab.Field{Name: "kept", Value: fmt.Sprintf("the first %s of the message; the rest was counted", bytesText(int64(len(raw))))})
	}
	for i := range fields {
		if !fields[i].Spanned(raw) { // past what was kept
			fields[i].Off, fields[i].Len = 0, 0
		}
	}
	return fields
}

// malformed reports input the analyzer cannot frame.
func malformed(dir lab.Dir, why string, raw []byte) lab.Message {
	what := "request"
	if dir == lab.ServerToClient {
		what = "response"
	}
	return lab.Message{
		Dir:     dir,
		Summary: "malformed HTTP " + what + ": " + why,
		Meaning: "These bytes do not follow HTTP/1.1's message syntax, so the lab cannot tell where this " +
			what + " or the next one ends; it stops framing this direction of the connection.",
		Ref:      "RFC 9112 §2",
		Fields:   []lab.Field{{Name: "problem", Value: why}},
		Raw:      appendKept(nil, raw),
		Observed: true,
	}
}

// cutShort reports a message the connection's end interrupted.
func cutShort(dir lab.Dir, m *message, head []byte) lab.Message {
	what := "request"
	if dir == lab.ServerToClient {
		what = "response"
	}
	raw := head
	fields := []lab.Field{{Name: "problem", Value: "the connection ended before the " + what + " did"}}
	if m != nil {
		raw = m.raw.Bytes()
		fields = append(fields, lab.Field{Name: "framing", Value: m.framing}, lab.Field{Name: "body length", Value: bytesText(m.body)})
	}
	return lab.Message{
		Dir:      dir,
		Summary:  "incomplete HTTP " + what + ": the connection ended in the middle",
		Meaning:  "The sender closed or reset the connection before the " + what + " was complete, so the receiver got only part of it.",
		Ref:      "RFC 9112 §8",
		Fields:   fields,
		Raw:      appendKept(nil, raw),
		Observed: true,
	}
}

// size is a byte count the way a person reads it: "512 bytes", "1.2 kB", "3.4 MB".
func size(n int64) string {
	switch {
	case n < 1000:
		return bytesText(n)
	case n < 1000*1000:
		return strconv.FormatFloat(float64(n)/1000, 'f', 1, 64) + " kB"
	}
	return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB"
}

// appendSize appends size(n) to b.
func appendSize(b []byte, n int64) []byte {
	switch {
	case n == 1:
		return append(b, "1 byte"...)
	case n < 1000:
		return append(strconv.AppendInt(b, n, 10), " bytes"...)
	case n < 1000*1000:
		return append(strconv.AppendFloat(b, float64(n)/1000, 'f', 1, 64), " kB"...)
	}
	return append(strconv.AppendFloat(b, float64(n)/1e6, 'f', 1, 64), " MB"...)
}

// plural is n and noun, with an s when n is not 1: "1 field", "3 fields".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func bytesText(n int64) string {
	if n == 1 {
		return "1 byte"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

package smtp

import (
	"bytes"
	"fmt"
	"mime"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/protocollab/protolab/lab"
)

// dataBytes takes the DATA section's bytes from the start of b, up to and
// including the line with a single dot, and returns how many it took. The end
// is "\r\n.\r\n", the section's first line counting as following a CRLF.
func (a *Analyzer) dataBytes(b []byte) int {
	for i, c := range b {
		switch {
		case c == '\r' && a.dataScan == 3:
			a.dataScan = 4
		case c == '\r':
			a.dataScan = 1
		case c == '\n' && a.dataScan == 4:
			a.keep(b[:i+1])
			a.dataDone()
			return i + 1
		case c == '\n' && a.dataScan == 1:
			a.dataScan = 2
		case c == '.' && a.dataScan == 2:
			a.dataScan = 3
		default:
			a.dataScan = 0
		}
	}
	a.keep(b)
	return len(b)
}

// keep adds b to the message being sent, within MaxDataKept.
func (a *Analyzer) keep(b []byte) {
	a.dataLen += int64(len(b))
	if room := MaxDataKept - len(a.data); room > 0 {
		a.data = append(a.data, b[:min(room, len(b))]...)
	}
}

// dataDone reports the whole DATA section as one message. Its summary is
// built now from three header fields; the rest when someone looks (keptMail).
func (a *Analyzer) dataDone() {
	a.inData = false
	m := lab.Message{Dir: lab.ClientToServer, Raw: a.data, Observed: true, Ref: "RFC 5321 §4.1.1.4, RFC 5322"}
	body := bytes.TrimSuffix(a.data, []byte(".\r\n"))
	k := keptMail{size: a.dataLen - int64(len(a.data)-len(body)), kept: len(a.data), cut: a.dataLen > int64(len(a.data))}
	m.Summary = a.arena.Text(&a.scratch, appendMailSummary(a.scratch[:0], body, k.size))
	m.DeferTo(a.keptMails.Put(k))
	a.data, a.dataLen = nil, 0
	a.out = append(a.out, m)
	a.pending.Push(Command{Verb: "."}, maxPending)
}

// keptMail is what a DATA section's message keeps to build its fields and
// meaning when someone looks (lab.Message.DeferTo); its bytes are its Raw.
type keptMail struct {
	size int64 // the message's size, without the line with the dot
	kept int   // the bytes of it kept as Raw
	cut  bool  // the message was longer than MaxDataKept
}

// Fill builds the DATA section's fields (from its header) and meaning.
func (k *keptMail) Fill(m *lab.Message) ([]lab.Field, string) {
	fields := mailFields(bytes.TrimSuffix(m.Raw, []byte(".\r\n")), k.size, k.cut)
	meaning := "The message itself: header lines (From, To, Subject, ...), an empty line, then the body. " +
		"It ends with a line holding a single dot; a line of the message that begins with a dot is sent with a second dot (dot-stuffing), which the server removes."
	if k.cut {
		meaning += fmt.Sprintf(" The lab keeps the first %d bytes of it.", k.kept)
	}
	return fields, meaning
}

// appendMailSummary appends a message's summary: from, to, subject and size,
// read from the header fields they need alone (as headers reads them).
func appendMailSummary(b, msg []byte, size int64) []byte {
	var from, to, subject []byte
	var seen, owned [3]bool
	last := -1 // the field a folded line continues
	for {
		line, rest, ok := headerLine(msg)
		if !ok {
			break
		}
		msg = rest
		vals := [...]*[]byte{&from, &to, &subject}
		if line[0] == ' ' || line[0] == '\t' {
			// Unfolded as headers does: joined by one space, up to its bound.
			if last >= 0 && len(*vals[last]) < 4096 {
				v := *vals[last]
				if !owned[last] {
					v, owned[last] = bytes.Clone(v), true // not over the message's bytes
				}
				*vals[last] = append(append(v, ' '), bytes.TrimSpace(line)...)
			}
			continue
		}
		last = -1
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		k = bytes.TrimSpace(k)
		for j, name := range [...]string{"from", "to", "subject"} {
			if !seen[j] && len(k) == len(name) && bytes.EqualFold(k, []byte(name)) {
				seen[j] = true
				*vals[j] = bytes.TrimSpace(v)
				last = j
			}
		}
	}
	b = append(b, "message"...)
	if seen[0] {
		b = appendShort(append(b, " from "...), from)
	}
	if seen[1] {
		b = appendShort(append(b, " to "...), to)
	}
	if seen[2] {
		b = append(b, ' ')
		b = strconv.AppendQuote(b, string(shortBytes(decodeWords(subject))))
	}
	b = append(b, " ("...)
	return append(appendHumanSize(b, size), ')')
}

// appendShort appends a header field's value, its encoded words decoded, cut
// as short cuts it.
func appendShort(b, v []byte) []byte { return append(b, shortBytes(decodeWords(v))...) }

// decodeWords decodes the RFC 2047 encoded words of a header field's value.
func decodeWords(v []byte) []byte {
	if !bytes.Contains(v, []byte("=?")) {
		return v
	}
	if d, err := wordDecoder.DecodeHeader(string(v)); err == nil {
		return []byte(d)
	}
	return v
}

// shortBytes is short for bytes.
func shortBytes(v []byte) []byte {
	if len(v) <= 60 || utf8.RuneCount(v) <= 60 {
		return v
	}
	return []byte(short(string(v)))
}

// chunkBytes takes a BDAT chunk's bytes from the start of b.
func (a *Analyzer) chunkBytes(b []byte) int {
	n := int(min(int64(len(b)), a.bdatLeft))
	a.keep(b[:n])
	a.bdatLeft -= int64(n)
	if a.bdatLeft == 0 {
		a.chunkDone()
	}
	return n
}

// chunkDone reports a BDAT chunk as one message.
func (a *Analyzer) chunkDone() {
	m := lab.Message{Dir: lab.ClientToServer, Raw: a.data, Observed: true, Ref: "RFC 3030 §2"}
	m.Summary = string(appendMailSummary([]byte("chunk: "), a.data, a.dataLen))
	m.Fields = mailFields(a.data, a.dataLen, a.dataLen > int64(len(a.data)))
	if a.bdatLast {
		m.Summary += " (last)"
	}
	m.Meaning = "A chunk of the message, sent after BDAT with exactly the announced size: no dot ends it and no dot-stuffing is needed."
	a.data, a.dataLen = nil, 0
	a.out = append(a.out, m)
}

var wordDecoder = mime.WordDecoder{CharsetReader: nil}

// mailFields are a message's fields: its size and the header fields a
// person looks for first.
func mailFields(msg []byte, size int64, cut bool) []lab.Field {
	h := headers(msg)
	fields := []lab.Field{{Name: "size", Value: strconv.FormatInt(size, 10) + " bytes"}}
	for _, name := range []string{"From", "To", "Cc", "Subject", "Date", "Message-ID", "Content-Type"} {
		v, ok := h[strings.ToLower(name)]
		if !ok {
			continue
		}
		if d, err := wordDecoder.DecodeHeader(v); err == nil {
			v = d
		}
		fields = append(fields, lab.Field{Name: name, Value: v})
	}
	if cut {
		fields = append(fields, lab.Field{Name: "kept", Value: "the first part only"})
	}
	return fields
}

func short(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

func appendHumanSize(b []byte, n int64) []byte {
	switch {
	case n < 1024:
		return append(strconv.AppendInt(b, n, 10), " bytes"...)
	case n < 1<<20:
		return append(strconv.AppendFloat(b, float64(n)/1024, 'f', 1, 64), " KiB"...)
	}
	return append(strconv.AppendFloat(b, float64(n)/(1<<20), 'f', 1, 64), " MiB"...)
}

// headerLine splits the header section's next line (its CR LF cut off) from
// msg; false at the empty line that ends the section, or at msg's end.
func headerLine(msg []byte) (line, rest []byte, ok bool) {
	if len(msg) == 0 {
		return nil, nil, false
	}
	line, rest, _ = bytes.Cut(msg, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	return line, rest, len(line) > 0
}

// headers reads the header section of msg (RFC 5322 §2.2), unfolded, by
// lower-case name; the first of a repeated field wins.
func headers(msg []byte) map[string]string {
	h := map[string]string{}
	var name string
	for len(h) < 200 {
		line, rest, ok := headerLine(msg)
		if !ok {
			break
		}
		msg = rest
		if line[0] == ' ' || line[0] == '\t' {
			if name != "" && len(h[name]) < 4096 {
				h[name] += " " + string(bytes.TrimSpace(line))
			}
			continue
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			name = ""
			continue
		}
		name = strings.ToLower(string(bytes.TrimSpace(k)))
		if _, dup := h[name]; dup {
			name = ""
			continue
		}
		h[name] = string(bytes.TrimSpace(v))
	}
	return h
}

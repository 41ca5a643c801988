package smtp

import (
	"bytes"
	"fmt"
	"mime"
	"strconv"
	"strings"

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

// dataDone reports the whole DATA section as one message.
func (a *Analyzer) dataDone() {
	a.inData = false
	m := lab.Message{Dir: lab.ClientToServer, Raw: a.data, Observed: true, Ref: "RFC 5321 §4.1.1.4, RFC 5322"}
	body := bytes.TrimSuffix(a.data, []byte(".\r\n"))
	size := a.dataLen - int64(len(a.data)-len(body))
	m.Summary, m.Fields = describeMail(body, size, a.dataLen > int64(len(a.data)))
	m.Meaning = "The message itself: header lines (From, To, Subject, ...), an empty line, then the body. " +
		"It ends with a line holding a single dot; a line of the message that begins with a dot is sent with a second dot (dot-stuffing), which the server removes."
	if a.dataLen > int64(len(a.data)) {
		m.Meaning += fmt.Sprintf(" The lab keeps the first %d bytes of it.", len(a.data))
	}
	a.data, a.dataLen = nil, 0
	a.out = append(a.out, m)
	a.pending.Push(Command{Verb: "."}, maxPending)
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
	m.Summary, m.Fields = describeMail(a.data, a.dataLen, a.dataLen > int64(len(a.data)))
	m.Summary = "chunk: " + m.Summary
	if a.bdatLast {
		m.Summary += " (last)"
	}
	m.Meaning = "A chunk of the message, sent after BDAT with exactly the announced size: no dot ends it and no dot-stuffing is needed."
	a.data, a.dataLen = nil, 0
	a.out = append(a.out, m)
}

var wordDecoder = mime.WordDecoder{CharsetReader: nil}

// describeMail summarises a message by its headers: from, to, subject, size.
func describeMail(msg []byte, size int64, cut bool) (string, []lab.Field) {
	h := headers(msg)
	fields := []lab.Field{{Name: "size", Value: strconv.FormatInt(size, 10) + " bytes"}}
	var sum []string
	for _, name := range []string{"From", "To", "Cc", "Subject", "Date", "Message-ID", "Content-Type"} {
		v, ok := h[strings.ToLower(name)]
		if !ok {
			continue
		}
		if d, err := wordDecoder.DecodeHeader(v); err == nil {
			v = d
		}
		fields = append(fields, lab.Field{Name: name, Value: v})
		switch name {
		case "From":
			sum = append(sum, "from "+short(v))
		case "To":
			sum = append(sum, "to "+short(v))
		case "Subject":
			sum = append(sum, strconv.Quote(short(v)))
		}
	}
	s := "message"
	if len(sum) > 0 {
		s += " " + strings.Join(sum, " ")
	}
	s += fmt.Sprintf(" (%s)", humanSize(size))
	if cut {
		fields = append(fields, lab.Field{Name: "kept", Value: "the first part only"})
	}
	return s, fields
}

func short(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

func humanSize(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// headers reads the header section of msg (RFC 5322 §2.2), unfolded, by
// lower-case name; the first of a repeated field wins.
func headers(msg []byte) map[string]string {
	h := map[string]string{}
	var name string
	for len(msg) > 0 && len(h) < 200 {
		i := bytes.IndexByte(msg, '\n')
		var line []byte
		if i < 0 {
			line, msg = msg, nil
		} else {
			line, msg = msg[:i], msg[i+1:]
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			break
		}
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

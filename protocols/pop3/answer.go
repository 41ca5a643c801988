package pop3

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/framing"
)

// answer explains the single-line response r to cmd and moves the state.
func (a *Analyzer) answer(m *lab.Message, r Response, cmd Command) {
	in := "In answer to " + cmd.String() + ": "
	if !r.OK {
		m.Meaning = in + "-ERR, refused."
		switch cmd.Keyword {
		case "PASS", "APOP", "AUTH":
			m.Meaning = in + "-ERR, the login failed; the session stays in the AUTHORIZATION state and the client may try again."
		case "USER":
			m.Meaning = in + "-ERR, the server will not take a password for this name."
		case "STLS":
			m.Meaning = in + "-ERR, no TLS: the connection stays in clear text."
		case "QUIT":
			if a.state.State() == StateUpdate {
				m.Meaning = in + "-ERR: the server could not delete every marked message (RFC 1939 §6)."
			}
			a.state.Move(m, StateClosed)
		case "?":
			m.Meaning = "In answer to the malformed command: -ERR."
		}
		return
	}
	m.Meaning = in + "+OK."
	switch cmd.Keyword {
	case "USER":
		m.Meaning = in + "+OK, the server waits for the password (PASS). Many servers say +OK to any name, so as not to tell who has a mailbox."
	case "PASS", "APOP", "AUTH":
		m.Meaning = in + "+OK, logged in: the server has locked the maildrop for this session and the session enters the TRANSACTION state."
		m.Ref = "RFC 1939 §4"
		a.marked, a.nmarked = nil, 0
		a.state.Move(m, StateTransaction)
	case "STAT":
		f := strings.Fields(r.Text)
		if len(f) >= 2 {
			m.Meaning = fmt.Sprintf("%s the maildrop holds %s messages, %s octets in all (those marked deleted are not counted).", in, f[0], f[1])
			m.Fields = append(m.Fields, lab.Field{Name: "messages", Value: f[0]}, lab.Field{Name: "octets", Value: f[1]})
		}
	case "LIST":
		if f := strings.Fields(r.Text); len(f) >= 2 {
			m.Meaning = fmt.Sprintf("%s message %s is %s octets long.", in, f[0], f[1])
		}
	case "UIDL":
		if f := strings.Fields(r.Text); len(f) >= 2 {
			m.Meaning = fmt.Sprintf("%s message %s's unique id is %s.", in, f[0], f[1])
		}
	case "DELE":
		n, err := strconv.Atoi(firstArg(cmd))
		if err == nil {
			a.nmarked++
			if len(a.marked) < maxMarked {
				a.marked = append(a.marked, n)
			}
		}
		m.Meaning = in + "+OK, the message is marked deleted — and only marked: it is still on the server, and goes at QUIT (the UPDATE state) unless RSET unmarks it. " +
			"Marked so far: " + a.markedText() + "."
		m.Ref = "RFC 1939 §5"
	case "RSET":
		m.Meaning = in + "+OK, " + a.markedText() + " unmarked: nothing will be deleted at QUIT unless marked again."
		a.marked, a.nmarked = nil, 0
		m.Ref = "RFC 1939 §5"
	case "NOOP":
		m.Meaning = in + "+OK, the server is there."
	case "QUIT":
		m.Teardown = true
		if a.state.State() == StateUpdate {
			m.Meaning = in + "+OK: in the UPDATE state the server deleted " + a.markedText() + " and closes the connection."
		} else {
			m.Meaning = in + "+OK, goodbye: no one logged in, so nothing changes in the maildrop."
		}
		m.Ref = "RFC 1939 §6"
		a.state.Move(m, StateClosed)
	case "STLS":
		m.Meaning = in + "+OK, begin TLS: the client starts a TLS handshake now."
		m.Ref = "RFC 2595 §4"
	}
}

// bodyMessage makes the message of a multi-line response: its summary (the
// status line) and bytes now, its fields and meaning when someone looks
// (bodyDetail). A client that fetches mail over and over gets one for each.
func (a *Analyzer) bodyMessage(b *multi) lab.Message {
	m := lab.Message{Dir: lab.ServerToClient, Raw: b.raw.Bytes(), Observed: true, Ref: bodyRef(b.cmd.Keyword), Summary: b.line}
	if b.raw.Copied() {
		m.Holds(b.raw.Len())
	}
	m.DeferTo(a.bodies.Put(bodyDetail{cmd: b.cmd, status: b.status, total: b.total, lines: b.lines, overflow: b.overflow}))
	return m
}

// bodyRef is where the multi-line response to keyword is specified.
func bodyRef(keyword string) string {
	switch keyword {
	case "RETR", "TOP":
		return "RFC 1939 §5"
	case "UIDL":
		return "RFC 1939 §7"
	case "CAPA":
		return "RFC 2449 §5"
	case "AUTH":
		return "RFC 5034 §4"
	}
	return "RFC 1939 §3"
}

// bodyDetail is what a multi-line response's fields and meaning are built
// from, besides its bytes: what the analyzer knew of it when it ended.
type bodyDetail struct {
	cmd      Command
	status   Response
	total    int64
	lines    int
	overflow bool
}

// Fill builds the fields and meaning of msg, a multi-line response.
func (b *bodyDetail) Fill(msg *lab.Message) ([]lab.Field, string) {
	m := lab.Message{Raw: msg.Raw}
	m.Fields = statusFields(b.status)
	framing.Place(&m, statusNames...)
	m.Fields = append(m.Fields, lab.Field{Name: "in answer to", Value: b.cmd.String()},
		lab.Field{Name: "size", Value: fmt.Sprintf("%d bytes on the wire, %d lines", b.total, b.lines)})
	if b.overflow {
		m.Fields = append(m.Fields, lab.Field{Name: "kept", Value: fmt.Sprintf("the first %d bytes", len(m.Raw))})
	}
	in := "In answer to " + b.cmd.String() + ": "
	stuffing := " The body ends with a line holding only \".\"; a line of the mail that begins with \".\" is sent with one more (dot-stuffing), which the client removes."
	switch b.cmd.Keyword {
	case "RETR", "TOP":
		body := unstuffed(m.Raw)
		info := ParseMailInfo(body)
		size := int64(len(body))
		if b.overflow {
			size = b.total // roughly: the lab did not keep it all
		}
		m.Fields = append(m.Fields, lab.Field{Name: "what follows", Value: follows(b.cmd)},
			lab.Field{Name: "mail", Value: fmt.Sprintf("%d bytes, dot-stuffing undone", size)})
		for _, f := range []lab.Field{{Name: "From", Value: info.From}, {Name: "To", Value: info.To}, {Name: "Subject", Value: info.Subject},
			{Name: "Date", Value: info.Date}, {Name: "Message-ID", Value: info.MessageID}} {
			if f.Value != "" {
				m.Fields = append(m.Fields, f)
			}
		}
		if b.cmd.Keyword == "RETR" {
			m.Meaning = in + "the whole message: headers, a blank line, the body." + stuffing +
				" Retrieving does not delete it: a POP3 client that \"moves\" mail off the server follows with DELE."
		} else {
			m.Meaning = in + follows(b.cmd) + ", the blank line after the headers included." + stuffing
		}
	default:
		lines := bodyLineList(m.Raw, 20)
		switch b.cmd.Keyword {
		case "LIST":
			m.Meaning = in + "one line per message: its number and its size in octets (messages marked deleted are left out)." + stuffing
		case "UIDL":
			m.Meaning = in + "one line per message: its number and its unique id, which stays the same across sessions: a client that keeps mail on the server remembers the ids it already downloaded." + stuffing
		case "CAPA":
			m.Meaning = in + "the capabilities the server offers, one per line." + stuffing
			if hasLine(lines, "STLS") {
				m.Meaning += " STLS is among them: the client can turn on TLS before logging in."
			}
		case "AUTH":
			m.Meaning = in + "the SASL mechanisms the server offers." + stuffing
		default:
			m.Meaning = in + "a multi-line response." + stuffing
		}
		if len(lines) > 0 {
			m.Fields = append(m.Fields, lab.Field{Name: "lines", Value: strings.Join(lines, "\n")})
		}
	}
	return m.Fields, m.Meaning
}

// statusNames are the names statusFields gives.
var statusNames = []string{"status", "response code", "text"}

// statusFields are the fields of a status line.
func statusFields(r Response) []lab.Field {
	f := []lab.Field{{Name: "status", Value: r.Status()}}
	if r.Code != "" {
		f = append(f, lab.Field{Name: "response code", Value: r.Code})
	}
	if r.Text != "" {
		f = append(f, lab.Field{Name: "text", Value: r.Text})
	}
	return f
}

// codeText explains a response code for the end of a meaning.
func codeText(code string) string {
	if code == "" {
		return ""
	}
	if s := CodeMeaning(code); s != "" {
		return " [" + code + "]: " + s + "."
	}
	return " [" + code + "] is a response code this lab does not know."
}

// markedText names the messages marked deleted: "no messages", "message 2",
// "3 messages (1, 2, 5)".
func (a *Analyzer) markedText() string {
	switch a.nmarked {
	case 0:
		return "no messages marked deleted"
	case 1:
		if len(a.marked) == 1 {
			return "message " + strconv.Itoa(a.marked[0])
		}
		return "1 message"
	}
	nums := make([]string, 0, 10)
	for _, n := range a.marked[:min(len(a.marked), 10)] {
		nums = append(nums, strconv.Itoa(n))
	}
	list := strings.Join(nums, ", ")
	if a.nmarked > len(nums) {
		list += ", …"
	}
	return fmt.Sprintf("%d messages (%s)", a.nmarked, list)
}

// follows says what a positive answer to RETR or TOP carries: "message 1,
// whole", "the headers and the first 5 lines of message 1".
func follows(c Command) string {
	n := firstArg(c)
	if c.Keyword == "RETR" {
		return "message " + n + ", whole: its headers, a blank line and its body"
	}
	k := ""
	if len(c.Args) > 1 {
		k = c.Args[1]
	}
	switch k {
	case "":
		return "the headers and the first lines of the body of message " + n
	case "0":
		return "the headers of message " + n + " and none of its body"
	case "1":
		return "the headers and the first line of the body of message " + n
	default:
		return "the headers and the first " + k + " lines of the body of message " + n
	}
}

func firstArg(c Command) string {
	if len(c.Args) > 0 {
		return c.Args[0]
	}
	return ""
}

// timestamp finds the APOP timestamp ("<1896.697170952@dbc.mtview.ca.us>") in
// a greeting's text (RFC 1939 §7).
func timestamp(text string) string {
	i := strings.IndexByte(text, '<')
	if i < 0 {
		return ""
	}
	j := strings.IndexByte(text[i:], '>')
	if j < 0 || !strings.Contains(text[i:i+j], "@") {
		return ""
	}
	return text[i : i+j+1]
}

// unstuffed is the body of a kept multi-line response (status line, lines,
// terminator) with the dot-stuffing undone.
func unstuffed(raw []byte) []byte {
	i := bytes.IndexByte(raw, '\n')
	if i < 0 {
		return nil
	}
	var out []byte
	for _, line := range splitLines(raw[i+1:]) {
		if string(line) == ".\r\n" || string(line) == ".\n" {
			break
		}
		if len(line) > 0 && line[0] == '.' {
			line = line[1:]
		}
		out = append(out, line...)
	}
	return out
}

// bodyLineList returns up to max body lines of a kept multi-line response,
// without line endings or stuffing.
func bodyLineList(raw []byte, max int) []string {
	var lines []string
	for _, line := range splitLines(unstuffed(raw)) {
		if len(lines) == max {
			lines = append(lines, "…")
			break
		}
		lines = append(lines, oneLine(string(line)))
	}
	return lines
}

func hasLine(lines []string, word string) bool {
	for _, l := range lines {
		if f := strings.Fields(l); len(f) > 0 && strings.EqualFold(f[0], word) {
			return true
		}
	}
	return false
}

// splitLines splits b after each LF, keeping the endings.
func splitLines(b []byte) [][]byte {
	var lines [][]byte
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			lines = append(lines, b)
			break
		}
		lines = append(lines, b[:i+1])
		b = b[i+1:]
	}
	return lines
}

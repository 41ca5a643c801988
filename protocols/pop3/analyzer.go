package pop3

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/framing"
	"github.com/protocollab/protolab/protocols/internal/starttls"
)

// Bounds on what the Analyzer holds.
const (
	// maxHeld bounds the bytes of one direction held while a line is incomplete;
	// past it they are shown as they are and the rest of the line is skipped.
	maxHeld = 64 << 10
	// MaxBodyKept bounds the bytes of one multi-line response (a retrieved mail)
	// kept as its message's Raw; past it the rest is counted, not kept.
	MaxBodyKept = 1 << 20
	// maxPending bounds the commands waiting for their responses (RFC 2449 §6.8
	// lets a client pipeline).
	maxPending = 64
	// maxMarked bounds the message numbers remembered as marked for deletion.
	maxMarked = 4096
)

// Analyzer frames one POP3 connection into commands and responses and follows
// the session's state (States, Transitions). A message's summary is the line
// that crossed, secrets masked (PASS ****); what it carries and means is in its
// fields and meaning. A multi-line response is one message, summed up by its
// status line: a retrieved mail's sender, subject and size are its fields. It is a
// lab.ConnAnalyzer and a lab.KeyUser: after STLS it decrypts the rest with the
// lab's key log, when the secrets are there. Like every lab.Analyzer it is used
// from one goroutine at a time.
type Analyzer struct {
	state   lab.Machine            // the session's state (Transitions)
	buf     [3]framing.Lines       // incomplete input, by lab.Dir
	pending framing.Queue[Command] // commands waiting for their responses
	inBody  bool                   // a multi-line response is being read: cur
	cur     multi
	block   framing.Block            // where Feed's messages are kept
	arena   framing.Arena            // status lines' text
	bodies  framing.Slab[bodyDetail] // what multi-line responses' details are built from (bodyMessage)
	greeted bool
	sasl    bool  // a SASL continuation was sent: the next client line answers it
	marked  []int // messages marked deleted this session, in order
	nmarked int   // how many, including any past maxMarked

	starttls.Handoff           // after +OK to STLS: the TLS of the rest (its UseKeys and UseLayers are the analyzer's)
	inner            *Analyzer // the POP3 analyzer inside TLS, once there is one
	inTLS            bool      // this analyzer is the one inside TLS
}

// multi is a multi-line response being read.
type multi struct {
	cmd      Command
	status   Response
	line     string      // the status line as it crossed, without its CRLF
	raw      framing.Raw // the bytes kept: status line, body lines and terminator (the fed bytes themselves while they follow one another)
	total    int64       // every byte of the response
	lines    int         // body lines
	midLine  bool        // the last byte consumed was not the end of a line
	overflow bool        // raw stopped at MaxBodyKept
}

var (
	_ lab.ConnAnalyzer = (*Analyzer)(nil)
	_ lab.KeyUser      = (*Analyzer)(nil)
	_ lab.LayerUser    = (*Analyzer)(nil)
)

// NewAnalyzer returns an analyzer for one connection.
func NewAnalyzer() *Analyzer { return &Analyzer{state: machine} }

// State is one of States, "" before the connection opened.
func (a *Analyzer) State() string {
	if a.inner != nil {
		return a.inner.state.State()
	}
	return a.state.State()
}

// Opened starts the session in the AUTHORIZATION state, where the greeting
// leaves it.
func (a *Analyzer) Opened(info lab.OpenInfo) []lab.Message {
	a.state.Start()
	return a.Handoff.Opened(info)
}

// Closed ends the session. A connection that ends in TRANSACTION, without QUIT,
// deletes nothing: the analyzer says so.
func (a *Analyzer) Closed(info lab.CloseInfo) []lab.Message {
	out := a.Handoff.Unanswered(a.Feed)
	out = append(out, a.Handoff.Closed(info)...)
	if a.inner != nil {
		// The POP3 inside TLS has ended its own session.
		a.inner.state.Set(StateClosed)
		a.state.Set(StateClosed)
		return out
	}
	if a.inBody {
		a.inBody = false
		m := a.bodyMessage(&a.cur)
		fields, meaning := m.Detail()
		m.Defer(nil)
		m.Fields = append(fields, lab.Field{Name: "cut off", Value: "the connection ended before the line \".\""})
		m.Meaning = "The connection ended before the line \".\" that ends a multi-line response: the client did not get all of it. " + meaning
		out = append(out, m)
	}
	out = framing.Unended(out, &a.buf,
		"The connection ended in the middle of a line: every POP3 command and response line ends with CRLF.", "RFC 1939 §3")
	if a.state.State() == "" {
		return out
	}
	return a.state.End(out, StateClosed, a.closing())
}

// closing is the message for the connection's end when nothing else says it.
func (a *Analyzer) closing() lab.Message {
	m := lab.Message{Summary: "connection closed", Meaning: "With the connection the POP3 session ends.", Ref: "RFC 1939 §6", Teardown: true}
	switch a.state.State() {
	case StateTransaction:
		m.Meaning = "The connection ended without QUIT, so the server never entered the UPDATE state: " +
			a.markedText() + " stay in the maildrop (RFC 1939 §6)."
	case StateUpdate:
		m.Meaning = "The connection ended after QUIT without the server's answer; whether the marked messages were deleted is not shown."
	}
	return m
}

// Feed frames the bytes b that went in direction dir.
func (a *Analyzer) Feed(dir lab.Dir, b []byte, at time.Time) []lab.Message {
	if len(b) == 0 || (dir != lab.ClientToServer && dir != lab.ServerToClient) {
		return nil
	}
	a.state.Start()
	if a.Handoff.Takes(dir) {
		return a.Handoff.Feed(dir, b, at)
	}
	out := a.block.Start()
	rest, long := a.buf[dir].Feed(b, maxHeld, func(data []byte) (n int, then framing.Then) {
		switch {
		case dir == lab.ClientToServer:
			n, out = a.command(data, out)
		case a.inBody:
			n, out = a.bodyLines(data, out)
		default:
			n, out = a.response(data, out, at)
		}
		return n, framing.StopIf(a.Handoff.Stops(dir))
	})
	out = framing.Overlong(out, dir, long, maxHeld,
		"POP3 command and status lines are short (255 and 512 bytes at most); this one is far longer. The lab shows its start and skips the rest of the line.", "RFC 2449 §4")
	out = a.block.Done(out)
	// Bytes after +OK to STLS belong to TLS; after STLS, the client's wait for
	// its response; after -ERR to STLS, they are commands.
	return append(out, a.Handoff.Rest(dir, rest, at, a.Feed)...)
}

// command frames one command line at the start of data; n is 0 when the line
// is incomplete.
func (a *Analyzer) command(data []byte, out []lab.Message) (int, []lab.Message) {
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		return 0, out
	}
	raw := data[:i+1]
	m := lab.Message{Dir: lab.ClientToServer, Raw: raw, Observed: true, Ref: "RFC 1939 §3"}
	if a.sasl {
		a.sasl = false
		m.Summary, m.Ref = "****", "RFC 5034 §4"
		m.Meaning = "The client's answer to the server's SASL challenge, base64-encoded; it may carry the credentials, so the lab masks it (the raw bytes show it). \"*\" cancels the login."
		m.Fields = []lab.Field{{Name: "SASL response", Value: "**** (masked; the raw bytes show it)"}}
		if bytes.Equal(bytes.TrimRight(raw, "\r\n"), []byte("*")) {
			m.Summary = "*"
			m.Meaning = "The client cancels the SASL login (RFC 5034 §4): the server answers -ERR."
			m.Fields = []lab.Field{{Name: "SASL response", Value: "* (cancel)"}}
		}
		return i + 1, append(out, m)
	}
	cmd, err := ParseCommand(raw)
	if errors.Is(err, ErrEmpty) {
		return i + 1, out
	}
	if err != nil {
		m.Summary = fmt.Sprintf("malformed command %q", trimEOL(raw[:min(len(raw), 80)]))
		m.Meaning = "Not a POP3 command: " + err.Error() + ". A server answers -ERR."
		if errors.Is(err, ErrLineTooLong) {
			m.Ref = "RFC 2449 §4"
		}
		// The server answers it all the same.
		a.pending.Push(Command{Keyword: "?"}, maxPending)
		return i + 1, append(out, m)
	}
	m.Summary = wireCommand(raw, cmd)
	a.pending.Push(cmd, maxPending)
	if info, ok := commands[cmd.Keyword]; ok {
		m.Ref = info.ref
	}
	switch cmd.Keyword {
	case "QUIT", "STLS", "PASS":
	default:
		// Its fields and meaning are its line's alone: built when someone
		// looks (a client fetching mail sends one command after another).
		m.Defer(commandDetail)
		return i + 1, append(out, m)
	}
	m.Fields, m.Meaning = commandDetail(&m)
	switch cmd.Keyword {
	case "QUIT":
		m.Teardown = true
		if a.state.State() == StateTransaction {
			m.Meaning = "The client ends the session. The server enters the UPDATE state: now, and only now, it deletes the messages marked with DELE — " +
				a.markedText() + " — and then answers and closes (RFC 1939 §6)."
			a.state.Move(&m, StateUpdate)
		}
	case "STLS":
		a.Handoff.Ask(cmd.Keyword, "RFC 2595 §4")
	case "PASS":
		if a.inTLS {
			m.Meaning += " Here the connection is TLS (after STLS), so the password crossed encrypted; the lab decrypted it with its key log."
		}
	}
	return i + 1, append(out, m)
}

// commandDetail builds the fields and meaning of m, a well-formed command line,
// from its bytes: its keyword and arguments (a password or an initial SASL
// response masked) and what it asks.
func commandDetail(m *lab.Message) ([]lab.Field, string) {
	cmd, _ := ParseCommand(m.Raw)
	d := lab.Message{Raw: m.Raw, Fields: []lab.Field{{Name: "command", Value: cmd.Keyword}}}
	if cmd.Arg != "" {
		arg := cmd.Arg
		switch {
		case cmd.Keyword == "PASS":
			arg = "**** (masked; the raw bytes show it)"
		case cmd.Keyword == "AUTH" && len(cmd.Args) > 1:
			arg = cmd.Args[0] + " **** (initial response masked; the raw bytes show it)"
		}
		d.Fields = append(d.Fields, lab.Field{Name: "arguments", Value: arg})
	}
	framing.Place(&d, "command", "arguments")
	if info, ok := commands[cmd.Keyword]; ok {
		return d.Fields, "The client " + info.meaning + "."
	}
	return d.Fields, "A command this lab does not know; the server will likely answer -ERR."
}

// response frames one status line at the start of data, and starts reading a
// multi-line body when one follows.
func (a *Analyzer) response(data []byte, out []lab.Message, at time.Time) (int, []lab.Message) {
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		return 0, out
	}
	raw := data[:i+1]
	r, err := ParseResponse(raw)
	if err != nil {
		if len(bytes.TrimRight(raw, "\r\n")) == 0 {
			return i + 1, out
		}
		return i + 1, append(out, lab.Message{
			Dir:      lab.ServerToClient,
			Summary:  fmt.Sprintf("malformed response %q", trimEOL(raw[:min(len(raw), 80)])),
			Meaning:  "Not a POP3 response: each begins with +OK or -ERR.",
			Ref:      "RFC 1939 §3",
			Raw:      raw,
			Observed: true,
		})
	}
	if r.Continue {
		a.sasl = true
		return i + 1, append(out, lab.Message{
			Dir:      lab.ServerToClient,
			Summary:  trimEOL(raw),
			Meaning:  "A SASL challenge (base64): the server waits for the client's answer on the next line.",
			Ref:      "RFC 5034 §4",
			Raw:      raw,
			Observed: true,
		})
	}
	cmd, answered := a.pending.Answer(true)
	if r.OK && answered && Multiline(cmd) {
		a.cur = multi{cmd: cmd, status: r, line: a.arena.String(bytes.TrimRight(raw, "\r\n")), total: int64(len(raw))}
		a.cur.raw.Start(raw, true, 0)
		a.inBody = true
		return i + 1, out
	}
	m := lab.Message{Dir: lab.ServerToClient, Raw: raw, Observed: true, Ref: "RFC 1939 §3", Summary: trimEOL(raw)}
	m.Fields = statusFields(r)
	framing.Place(&m, statusNames...)
	switch {
	case answered:
		m.Fields = append(m.Fields, lab.Field{Name: "in answer to", Value: cmd.String()})
		a.answer(&m, r, cmd)
	case !a.greeted:
		a.greeted = true
		if r.OK {
			m.Meaning = "The greeting: the server is ready, and the session is in the AUTHORIZATION state: the client must log in first."
			if s := timestamp(r.Text); s != "" {
				m.Meaning += " The " + s + " in it is the timestamp APOP digests with the password."
				m.Fields = append(m.Fields, lab.Field{Name: "APOP timestamp", Value: s})
			}
			m.Ref = "RFC 1939 §4"
		} else {
			m.Meaning = "The server refuses the connection in its greeting and closes it."
			a.state.Move(&m, StateClosed)
		}
	default:
		m.Meaning = "A response no command asked for."
	}
	m.Meaning += codeText(r.Code)
	out = append(out, m)
	if answered && cmd.Keyword == "STLS" && a.Handoff.Asked() {
		if r.OK && !a.inTLS && a.state.State() == StateAuthorization {
			out = a.startTLS(out, at)
		} else {
			a.Handoff.Refuse()
		}
	}
	return i + 1, out
}

// bodyLines reads the lines of a multi-line body at the start of data, and
// returns its message once the line "." ends it. Partial lines are consumed as
// they come (a mail may have long ones); only the start of a possible
// terminator is held.
func (a *Analyzer) bodyLines(data []byte, out []lab.Message) (int, []lab.Message) {
	b := &a.cur
	n := 0
	for n < len(data) {
		rest := data[n:]
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			if !b.midLine && len(rest) <= 2 && bytes.HasPrefix([]byte(".\r\n"), rest) {
				return n, out // maybe the terminator: wait for its end
			}
			b.keep(rest)
			b.midLine = true
			return len(data), out
		}
		line := rest[:i+1]
		n += i + 1
		end := !b.midLine && (bytes.Equal(line, []byte(".\r\n")) || bytes.Equal(line, []byte(".\n")))
		b.keep(line)
		if end {
			a.inBody = false
			return n, append(out, a.bodyMessage(b))
		}
		b.lines++
		b.midLine = false
	}
	return n, out
}

func (b *multi) keep(p []byte) {
	b.total += int64(len(p))
	if room := MaxBodyKept - b.raw.Len(); room > 0 {
		b.raw.Add(p[:min(len(p), room)])
	}
	if b.raw.Len() >= MaxBodyKept {
		b.overflow = true
	}
}

// trimEOL drops a trailing CRLF or LF.
func trimEOL(b []byte) string {
	return string(bytes.TrimRight(b, "\r\n"))
}

// wireCommand is the command line raw as it crossed, without its CRLF and with
// the keyword as the client spelled it ("retr 1"), its secrets masked as
// cmd.String masks them ("PASS ****").
func wireCommand(raw []byte, cmd Command) string {
	s := cmd.String()
	return string(raw[:len(cmd.Keyword)]) + s[len(cmd.Keyword):]
}

// startTLS hands the rest of the connection to TLS, whose decrypted application
// data goes to a fresh POP3 analyzer in the AUTHORIZATION state: RFC 2595 §4 has
// the client forget what it learned before, so it starts over (CAPA, then the
// login). What the client sent after STLS, before the +OK, the server discards.
func (a *Analyzer) startTLS(out []lab.Message, at time.Time) []lab.Message {
	a.pending.Clear()
	a.sasl = false
	return a.Handoff.Begin(out, at, starttls.Notice("After +OK to STLS the client starts a TLS handshake on this connection; the commands and responses that follow, "+
		"the password among them, are encrypted. The lab decrypts them with its key log when the server is the lab's own; otherwise only the TLS records show.", "RFC 2595 §4"),
		Name, func() lab.Analyzer {
			a.inner = &Analyzer{state: machine, greeted: true, inTLS: true}
			a.inner.state.Start()
			return a.inner
		})
}

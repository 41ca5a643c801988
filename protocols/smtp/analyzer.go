package smtp

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/framing"
	"github.com/protocollab/protolab/protocols/internal/starttls"
)

// Bounds on what the Analyzer holds.
const (
	// maxHeld bounds the bytes of one direction held while a line or reply is
	// incomplete, or while the client's bytes wait for a reply (hold); past it
	// they are shown as they are and dropped.
	maxHeld = 64 << 10
	// maxPending bounds the commands waiting for their replies.
	maxPending = 256
	// MaxDataKept bounds the bytes of one message (DATA section or BDAT chunk)
	// kept as its Raw; the rest is counted, not kept.
	MaxDataKept = 1 << 20
)

// Analyzer frames one SMTP connection into commands, replies and messages, and
// follows the session's state (States, Transitions). It is a lab.ConnAnalyzer
// (it learns of the connection's end) and a lab.KeyUser (after STARTTLS it
// decrypts the rest with the lab's key log, when the secrets are there). Like
// every lab.Analyzer it is used from one goroutine at a time.
type Analyzer struct {
	state   lab.Machine            // the session's state (Transitions)
	buf     [3]framing.Lines       // unparsed input, by lab.Dir
	pending framing.Queue[Command] // commands waiting for their final reply
	// hold keeps the client's bytes unparsed until the reply to the last
	// command says how they are framed: after DATA (the message, or more
	// commands), STARTTLS (TLS, or more commands) and AUTH (a SASL response).
	hold     bool
	sasl     bool   // the next client line is a SASL response
	saslMech string // the mechanism of the AUTH in progress
	saslStep int    // SASL responses sent so far

	inData   bool   // the client is sending a DATA section
	data     []byte // its bytes, up to MaxDataKept
	dataLen  int64  // its length, all of it
	dataScan int    // how much of "\r\n.\r\n" was just seen
	bdatLeft int64  // bytes of a BDAT chunk still to come
	bdatLast bool

	starttls.Handoff           // after 220 to STARTTLS: the TLS of the rest (its UseKeys and UseLayers are the analyzer's)
	inner            *Analyzer // the SMTP analyzer inside TLS, once there is one
	inTLS            bool      // this analyzer is the one inside TLS
	out              []lab.Message
	keptReplies      framing.Slab[keptReply] // what the replies keep for their fields
	keptMails        framing.Slab[keptMail]  // what the messages sent keep for theirs
	arena            framing.Arena           // the summaries' text, and the commands' arguments
	scratch          []byte                  // where the next summary is built
}

var (
	_ lab.ConnAnalyzer = (*Analyzer)(nil)
	_ lab.KeyUser      = (*Analyzer)(nil)
	_ lab.LayerUser    = (*Analyzer)(nil)
)

// NewAnalyzer returns an analyzer for one SMTP connection.
func NewAnalyzer() *Analyzer { return &Analyzer{state: machine} }

// State is one of States, "" before the connection opened.
func (a *Analyzer) State() string {
	if a.inner != nil {
		return a.inner.State()
	}
	return a.state.State()
}

// Opened notes the connection's start.
func (a *Analyzer) Opened(info lab.OpenInfo) []lab.Message {
	a.state.Start()
	return a.Handoff.Opened(info)
}

// Closed ends the session.
func (a *Analyzer) Closed(info lab.CloseInfo) []lab.Message {
	out := a.Handoff.Closed(info)
	if a.inner != nil {
		a.inner.state.Set(StateClosed)
	}
	if a.inData && a.dataLen > 0 {
		out = append(out, lab.Message{
			Dir:      lab.ClientToServer,
			Summary:  fmt.Sprintf("unfinished message, %d bytes", a.dataLen),
			Meaning:  "The connection ended before the line with a single dot that ends a message: the server must not deliver it.",
			Ref:      "RFC 5321 §4.1.1.4",
			Raw:      a.data,
			Observed: true,
		})
		a.inData, a.data = false, nil
	}
	out = framing.Unended(out, &a.buf,
		"The connection ended in the middle of a line: every SMTP command and reply line ends with CRLF.", "RFC 5321 §2.3.8")
	return a.state.End(out, StateClosed,
		lab.Message{Summary: "connection closed", Meaning: "With the connection the SMTP session ends.", Ref: "RFC 5321 §3.8", Teardown: true})
}

// Feed frames the bytes b that went in direction dir.
func (a *Analyzer) Feed(dir lab.Dir, b []byte, at time.Time) []lab.Message {
	if len(b) == 0 || (dir != lab.ClientToServer && dir != lab.ServerToClient) {
		return nil
	}
	a.state.Start()
	if a.Handoff.Active() {
		return a.Handoff.Feed(dir, b, at)
	}
	a.out = nil
	a.feed(dir, b, at)
	out := a.out
	a.out = nil
	return out
}

// feed frames b, which went in direction dir, after the bytes held for dir; a
// nil b frames the held bytes alone (the client's, when a reply frees them).
func (a *Analyzer) feed(dir lab.Dir, b []byte, at time.Time) {
	frame := a.client
	if dir == lab.ServerToClient {
		frame = func(data []byte) (int, framing.Then) { return a.replies(data, at) }
	}
	rest, long := a.buf[dir].Feed(b, maxHeld, frame)
	a.overlong(dir, long)
	if len(rest) > 0 {
		// Bytes after the 220 to STARTTLS belong to TLS.
		a.out = append(a.out, a.Handoff.Feed(dir, rest, at)...)
	}
}

// client frames the client's bytes at the start of data, unless they wait for
// a reply (hold): a command or SASL line, or the message's bytes.
func (a *Analyzer) client(data []byte) (int, framing.Then) {
	switch {
	case a.hold && len(data) > maxHeld:
		a.early(data)
		return len(data), framing.Go
	case a.hold:
		return 0, framing.Go
	case a.inData:
		return a.dataBytes(data), framing.Go
	case a.bdatLeft > 0:
		return a.chunkBytes(data), framing.Go
	}
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		return 0, framing.Go
	}
	if a.sasl {
		a.saslResponse(data[:i+1])
	} else {
		a.command(data[:i+1])
	}
	return i + 1, framing.Go
}

// early reports and drops the client's bytes data, held for the reply to its
// last command, once they outgrow maxHeld.
func (a *Analyzer) early(data []byte) {
	what := "its last command"
	if c, ok := a.pending.Newest(); ok {
		what = c.Verb
	}
	a.out = append(a.out, lab.Message{
		Dir:     lab.ClientToServer,
		Summary: fmt.Sprintf("%d bytes sent before the reply to %s", len(data), what),
		Meaning: "The client sent these bytes before the server's reply to " + what + " said how to read them: the message after 354, " +
			"TLS after 220, or a SASL response after 334. A client waits for that reply; the lab holds no more than " +
			strconv.Itoa(maxHeld) + " bytes for it, so it shows their start and drops them.",
		Ref:      "RFC 5321 §4.1.1.4",
		Raw:      data[:min(len(data), 256)],
		Observed: true,
	})
}

// replies frames the reply at the start of data.
func (a *Analyzer) replies(data []byte, at time.Time) (int, framing.Then) {
	d := lab.ServerToClient
	var first []byte
	lines := 0
	code, enh, n, err := scanReply(data, func(text []byte) {
		if lines == 0 {
			first = text
		}
		lines++
	})
	switch {
	case errors.Is(err, ErrIncomplete):
		return 0, framing.Go
	case errors.Is(err, ErrLineTooLong):
		a.overlong(d, data)
		if n == 0 {
			return 0, framing.Skip
		}
		return len(data), framing.Go
	case err != nil:
		raw := data[:n]
		a.out = append(a.out, lab.Message{
			Dir:      d,
			Summary:  fmt.Sprintf("malformed reply %q", trimEOL(raw[:min(len(raw), 80)])),
			Meaning:  "Not an SMTP reply: each line begins with a three-digit code (200 to 599) and a space, or a hyphen when more lines follow.",
			Ref:      "RFC 5321 §4.2",
			Raw:      raw,
			Observed: true,
		})
		return n, framing.Go
	}
	// The summary is the reply's first line as Reply.String writes it.
	b := strconv.AppendInt(a.scratch[:0], int64(code), 10)
	if len(enh) > 0 {
		b = append(append(b, ' '), enh...)
	}
	if len(first) > 0 {
		b = append(append(b, ' '), first...)
	}
	if lines > 1 {
		b = append(b, " (+"...)
		b = strconv.AppendInt(b, int64(lines-1), 10)
		b = append(b, " lines)"...)
	}
	a.reply(code, len(enh) > 0, b, data[:n], at)
	return n, framing.StopIf(a.Handoff.Active())
}

// overlong adds the message for a line too long, data its start (nil: none).
func (a *Analyzer) overlong(dir lab.Dir, data []byte) {
	a.out = framing.Overlong(a.out, dir, data, maxHeld,
		"SMTP lines are short (RFC 5321 allows 512 bytes for a command); this one is too long. The lab shows its start and skips the rest of the line.", "RFC 5321 §4.5.3.1")
}

// command frames one command line.
func (a *Analyzer) command(raw []byte) {
	cmd, err := a.parseCommand(raw)
	if errors.Is(err, ErrEmpty) {
		return
	}
	m := lab.Message{Dir: lab.ClientToServer, Raw: raw, Observed: true, Ref: "RFC 5321 §4.1"}
	if err != nil {
		m.Summary = fmt.Sprintf("malformed command %q", trimEOL(raw[:min(len(raw), 80)]))
		m.Meaning = "Not an SMTP command: " + err.Error() + ". A server answers 500."
		a.out = append(a.out, m)
		return
	}
	m.Meaning, m.Ref = CommandMeaning(cmd.Verb)
	if cmd.Verb != "AUTH" && cmd.Verb != "BDAT" {
		// Its fields are built from its line when someone looks.
		m.Defer(fillCommand)
		b := append(a.scratch[:0], cmd.Verb...)
		if cmd.Arg != "" {
			b = append(append(b, ' '), cmd.Arg...)
		}
		m.Summary = a.arena.Text(&a.scratch, b)
	} else {
		m.Summary = cmd.String()
		m.Fields = commandLineFields(cmd)
	}
	switch cmd.Verb {
	case "AUTH":
		a.auth(&m, cmd)
	case "BDAT":
		f := strings.Fields(cmd.Arg)
		if len(f) >= 1 {
			if n, err := strconv.ParseInt(f[0], 10, 64); err == nil && n >= 0 {
				a.bdatLeft, a.bdatLast = n, len(f) > 1 && strings.EqualFold(f[1], "LAST")
				a.data, a.dataLen = nil, 0
				m.Fields = append(m.Fields, lab.Field{Name: "chunk size", Value: strconv.FormatInt(n, 10)})
				if a.state.State() == StateRcpt {
					a.state.Move(&m, StateData)
				}
				if n == 0 {
					framing.Place(&m, commandFields...)
					a.out = append(a.out, m)
					a.pending.Push(cmd, maxPending)
					a.chunkDone()
					return
				}
			}
		}
	case "STARTTLS":
		a.Handoff.Ask(cmd.Verb, "RFC 3207 §4.2")
		a.hold = true
	case "DATA":
		a.hold = true
	}
	framing.Place(&m, commandFields...)
	a.out = append(a.out, m)
	a.pending.Push(cmd, maxPending)
}

// commandLineFields are the fields a command's line gives: the verb, the
// argument (not AUTH's, which auth shows in parts), and MAIL's sender or
// RCPT's recipient with their parameters.
func commandLineFields(cmd Command) []lab.Field {
	fields := []lab.Field{{Name: "command", Value: cmd.Verb}}
	if cmd.Arg != "" && cmd.Verb != "AUTH" {
		fields = append(fields, lab.Field{Name: "argument", Value: cmd.Arg})
	}
	if cmd.Verb == "MAIL" || cmd.Verb == "RCPT" {
		if addr, params, ok := pathArg(cmd.Arg); ok {
			name := "sender"
			if cmd.Verb == "RCPT" {
				name = "recipient"
			}
			if addr == "" {
				addr = "<> (the null sender: a bounce)"
			}
			fields = append(fields, lab.Field{Name: name, Value: addr})
			for _, p := range params {
				fields = append(fields, lab.Field{Name: "parameter", Value: p})
			}
		}
	}
	return fields
}

// fillCommand builds the fields of a command other than AUTH and BDAT from
// its line (lab.Message.Defer), placed in it.
func fillCommand(m *lab.Message) ([]lab.Field, string) {
	cmd, err := ParseCommand(m.Raw)
	if err != nil {
		return nil, "" // not so: the command was framed from this line
	}
	placed := lab.Message{Raw: m.Raw, Fields: commandLineFields(cmd)}
	framing.Place(&placed, commandFields...)
	return placed.Fields, ""
}

// commandFields are the fields of a command written as they are on its line.
var commandFields = []string{"command", "argument", "sender", "recipient", "parameter", "chunk size", "mechanism"}

// pathArg splits "FROM:<a@b> SIZE=10" into the address and the parameters.
func pathArg(arg string) (addr string, params []string, ok bool) {
	_, rest, ok := strings.Cut(arg, ":")
	if !ok {
		return "", nil, false
	}
	rest = strings.TrimSpace(rest)
	if !strings.HasPrefix(rest, "<") {
		f := strings.Fields(rest)
		if len(f) == 0 {
			return "", nil, false
		}
		return f[0], f[1:], true
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", nil, false
	}
	return rest[1:end], strings.Fields(rest[end+1:]), true
}

// reply reports the server's reply with the given code, whose bytes are raw
// and summary is built in sum (a.scratch's room), and moves the session by it.
// Its fields and meaning are built when someone looks (keptReply), from raw and
// the command it answers.
func (a *Analyzer) reply(code int, enhanced bool, sum, raw []byte, at time.Time) {
	m := lab.Message{Dir: lab.ServerToClient, Raw: raw, Observed: true, Ref: "RFC 5321 §4.2"}
	cmd, answered := a.pending.Answer(code != 334)
	if !answered && code == 220 {
		m.Handshake = true
	}
	if enhanced {
		m.Ref += ", RFC 3463 §3"
	}
	if code == 334 {
		if r, _, err := ParseReply(raw); err == nil {
			if dec, ok := decode64(strings.TrimSpace(r.Text())); ok && printable(dec) {
				sum = fmt.Appendf(sum, " (%q)", dec)
			}
		}
		m.Ref = "RFC 4954 §4"
	}
	m.Summary = a.arena.Text(&a.scratch, sum)
	m.DeferTo(a.keptReplies.Put(keptReply{cmd: cmd, answered: answered}))
	a.advance(&m, code, cmd, answered)
	a.out = append(a.out, m)
	if code == 220 && answered && cmd.Verb == "STARTTLS" && !a.inTLS {
		a.startTLS(at)
		return
	}
	a.feed(lab.ClientToServer, nil, at) // a reply may free the client's held bytes
}

// keptReply is what a reply's message keeps to build its fields and meaning
// when someone looks (lab.Message.DeferTo): the command it answers, if any.
// The reply itself is the message's Raw.
type keptReply struct {
	cmd      Command
	answered bool
}

// Fill builds the reply m's fields and meaning from its bytes and the
// command it answers.
func (k *keptReply) Fill(m *lab.Message) ([]lab.Field, string) {
	r, _, err := ParseReply(m.Raw)
	if err != nil {
		return nil, "" // not so: the reply was framed from these bytes
	}
	cmd, answered := k.cmd, k.answered
	fields := []lab.Field{{Name: "code", Value: strconv.Itoa(r.Code)}}
	if r.Enhanced != "" {
		fields = append(fields, lab.Field{Name: "enhanced code", Value: r.Enhanced})
	}
	fields = append(fields, lab.Field{Name: "text", Value: r.Text()})
	if answered {
		what := cmd.String()
		if cmd.Verb == "." {
			what = "the message"
		}
		fields = append(fields, lab.Field{Name: "in answer to", Value: what})
	}
	meaning := ReplyMeaning(r.Code)
	switch {
	case answered && cmd.Verb == ".":
		meaning = "In answer to the message: " + meaning
	case answered:
		meaning = "In answer to " + cmd.String() + ": " + meaning
	case r.Code == 220:
		meaning = "The greeting: " + meaning
	}
	if r.Enhanced != "" {
		meaning += " " + EnhancedMeaning(r.Enhanced)
	}
	if answered && cmd.Verb == "EHLO" && r.Code == 250 && len(r.Lines) > 1 {
		exts := r.Lines[1:]
		meaning += " The server offers: " + strings.Join(exts, ", ") + "."
		for _, e := range exts {
			fields = append(fields, lab.Field{Name: "extension", Value: e})
		}
		if !hasExt(exts, "AUTH") && hasExt(exts, "STARTTLS") {
			meaning += " No AUTH before STARTTLS: the server keeps passwords off the wire until TLS protects them."
		}
	}
	if r.Code == 334 {
		if dec, ok := decode64(strings.TrimSpace(r.Text())); ok && printable(dec) {
			fields = append(fields, lab.Field{Name: "challenge (decoded)", Value: dec})
		}
	}
	if answered && cmd.Verb == "AUTH" {
		switch r.Code {
		case 235:
			meaning += " The client is logged in for the rest of the session."
		case 535:
			meaning += " The server refuses the login; it may wait a while before answering the next try."
		}
	}
	placed := lab.Message{Raw: m.Raw, Fields: fields}
	framing.Place(&placed, "code", "enhanced code", "text", "extension")
	return placed.Fields, meaning
}

func hasExt(exts []string, name string) bool {
	for _, e := range exts {
		if f := strings.Fields(e); len(f) > 0 && strings.EqualFold(f[0], name) {
			return true
		}
	}
	return false
}

// advance moves the session by the reply with the given code to cmd.
func (a *Analyzer) advance(m *lab.Message, code int, cmd Command, answered bool) {
	if code == 421 {
		a.hold, a.sasl = false, false
		a.state.Move(m, StateClosed)
		return
	}
	if !answered {
		return
	}
	ok := code/100 == 2
	switch cmd.Verb {
	case "EHLO", "HELO":
		if ok {
			a.state.Move(m, StateGreeted)
		}
	case "MAIL":
		if ok {
			a.state.Move(m, StateMail)
		}
	case "RCPT":
		if ok {
			a.state.Move(m, StateRcpt)
		}
	case "DATA":
		a.hold = false
		if code == 354 {
			a.inData, a.data, a.dataLen, a.dataScan = true, nil, 0, 2
			a.state.Move(m, StateData)
		}
	case ".":
		a.state.Move(m, StateGreeted)
	case "BDAT":
		if code/100 != 2 || a.bdatLastSeen(cmd) {
			a.state.Move(m, StateGreeted)
		}
	case "RSET":
		if ok && a.state.State() != StateConnected {
			a.state.Move(m, StateGreeted)
		}
	case "STARTTLS":
		a.hold = false
		if code == 220 {
			a.state.Move(m, StateConnected)
		} else {
			a.Handoff.Release() // SMTP holds the client's bytes itself: none are the Handoff's
		}
	case "AUTH":
		a.hold = false
		a.sasl = code == 334
		if !a.sasl {
			a.saslMech, a.saslStep = "", 0
		}
		// What the reply means for the login is said with its meaning
		// (keptReply.Fill).
	case "QUIT":
		if code == 221 {
			a.state.Move(m, StateQuit)
		}
	}
}

func (a *Analyzer) bdatLastSeen(cmd Command) bool {
	f := strings.Fields(cmd.Arg)
	return len(f) > 1 && strings.EqualFold(f[1], "LAST")
}

// startTLS hands the rest of the connection to TLS, whose decrypted application
// data goes to an SMTP analyzer inside it that carries on the session (in state
// connected: the client greets again). The client's bytes held until the 220
// were sent before it: the lines the server discards, then perhaps the start of
// TLS.
func (a *Analyzer) startTLS(at time.Time) {
	a.out = starttls.Before(a.out, a.Handoff.Hold(a.buf[lab.ClientToServer].Take())...)
	a.out = a.Handoff.Begin(a.out, at, starttls.Notice("After 220 the client starts a TLS handshake on this connection; the commands and replies that follow are encrypted. "+
		"The lab decrypts them with its key log when the server is the lab's own; otherwise only the TLS records show.", "RFC 3207 §4"),
		Name, func() lab.Analyzer {
			a.inner = &Analyzer{state: a.state, inTLS: true}
			return a.inner
		})
}

package ftp

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/framing"
	"github.com/protocollab/protolab/protocols/internal/starttls"
)

// Bounds on what the Analyzer holds.
const (
	// maxHeld bounds the bytes of one direction held while a line or a multi-line
	// reply is incomplete; past it they are shown as they are and dropped.
	maxHeld = 64 << 10
	// maxPending bounds the commands waiting for their replies.
	maxPending = 64
)

// Analyzer frames one FTP control connection into commands and replies and follows
// the session's state (States, Transitions). It is a lab.ConnAnalyzer (it learns the
// server's address, for EPSV, and the connection's end) and a lab.KeyUser (after
// AUTH TLS it decrypts the rest with the lab's key log, when the secrets are there).
// Like every lab.Analyzer it is used from one goroutine at a time.
type Analyzer struct {
	state            lab.Machine            // the session's state (Transitions)
	buf              [3]framing.Lines       // incomplete input, by lab.Dir
	pending          framing.Queue[Command] // commands waiting for their final reply
	server           netip.Addr
	starttls.Handoff           // after 234: the TLS of the rest (its UseKeys and UseLayers are the analyzer's)
	inner            *Analyzer // the FTP analyzer inside TLS, once there is one
	inTLS            bool      // this analyzer is the one inside TLS
}

var (
	_ lab.ConnAnalyzer = (*Analyzer)(nil)
	_ lab.KeyUser      = (*Analyzer)(nil)
	_ lab.LayerUser    = (*Analyzer)(nil)
)

// NewAnalyzer returns an analyzer for one control connection.
func NewAnalyzer() *Analyzer { return &Analyzer{state: machine} }

// State is one of States, "" before the connection opened.
func (a *Analyzer) State() string {
	if a.inner != nil {
		return a.inner.state.State()
	}
	return a.state.State()
}

// Opened notes the server's address (EPSV's reply names only a port on it).
func (a *Analyzer) Opened(info lab.OpenInfo) []lab.Message {
	if info.Server != nil {
		if ap, err := netip.ParseAddrPort(info.Server.String()); err == nil {
			a.server = ap.Addr().Unmap()
		}
	}
	a.state.Start()
	return a.Handoff.Opened(info)
}

// Closed ends the session: a control connection closed by either end ends FTP
// on it.
func (a *Analyzer) Closed(info lab.CloseInfo) []lab.Message {
	out := a.Handoff.Unanswered(a.Feed)
	out = append(out, a.Handoff.Closed(info)...)
	if a.inner != nil {
		a.inner.state.Set(StateClosed)
	}
	out = framing.Unended(out, &a.buf,
		"The connection ended in the middle of a line: every FTP command and reply line ends with CRLF.", "RFC 959 §4.1")
	return a.state.End(out, StateClosed,
		lab.Message{Summary: "control connection closed", Meaning: "With the control connection the FTP session ends.", Ref: "RFC 959 §5.4", Teardown: true})
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
	var out []lab.Message
	rest, long := a.buf[dir].Feed(b, maxHeld, func(data []byte) (n int, then framing.Then) {
		if dir == lab.ClientToServer {
			n, out = a.command(data, out)
		} else {
			n, out = a.reply(data, out, at)
		}
		return n, framing.StopIf(a.Handoff.Stops(dir))
	})
	out = framing.Overlong(out, dir, long, maxHeld,
		"FTP lines are short; this one is too long to be a command or reply. The lab shows its start and skips the rest of the line.", "RFC 959 §4.1")
	// Bytes after the 234 reply belong to TLS; after AUTH, the client's wait
	// for its reply; after a refusal, they are commands.
	return append(out, a.Handoff.Rest(dir, rest, at, a.Feed)...)
}

// command frames one command line at the start of data; n is 0 when the line is
// incomplete.
func (a *Analyzer) command(data []byte, out []lab.Message) (int, []lab.Message) {
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		return 0, out
	}
	raw := data[:i+1]
	cmd, err := ParseCommand(raw)
	if errors.Is(err, ErrEmpty) {
		return i + 1, out
	}
	m := lab.Message{Dir: lab.ClientToServer, Raw: raw, Observed: true, Ref: "RFC 959 §4.1"}
	if err != nil {
		m.Summary = fmt.Sprintf("malformed command %q", trimEOL(raw[:min(len(raw), 80)]))
		m.Meaning = "Not an FTP command: " + err.Error() + ". A server answers 500."
		return i + 1, append(out, m)
	}
	m.Summary = cmd.String()
	m.Fields = []lab.Field{{Name: "command", Value: cmd.Verb}}
	if cmd.Arg != "" {
		arg := cmd.Arg
		if cmd.Verb == "PASS" {
			arg = "**** (masked; the raw bytes show it)"
		}
		m.Fields = append(m.Fields, lab.Field{Name: "argument", Value: arg})
	}
	if info, ok := commands[cmd.Verb]; ok {
		m.Meaning, m.Ref = "The client "+info.meaning+".", info.ref
	} else {
		m.Meaning = "A command this lab does not know; the server will likely answer 500 or 502."
	}
	switch cmd.Verb {
	case "PORT":
		if ap, err := ParseHostPort(cmd.Arg); err == nil {
			m.Meaning += fmt.Sprintf(" The server will connect to the client's %s (active).", ap)
			m.Fields = append(m.Fields, lab.Field{Name: "data address", Value: ap.String()})
		} else {
			m.Meaning += " The address does not parse: " + err.Error() + "."
		}
	case "EPRT":
		if _, ap, err := ParseEPRT(cmd.Arg); err == nil {
			m.Meaning += fmt.Sprintf(" The server will connect to the client's %s (active).", ap)
			m.Fields = append(m.Fields, lab.Field{Name: "data address", Value: ap.String()})
		} else {
			m.Meaning += " The address does not parse: " + err.Error() + "."
		}
	case "PASS":
		m.Summary = "PASS ****"
	case "AUTH":
		a.Handoff.Ask(cmd.String(), "RFC 4217 §4")
	}
	if a.state.State() == StateRenamePending && cmd.Verb != "RNTO" {
		a.state.Move(&m, StateLoggedIn)
	}
	framing.Place(&m, "command", "argument")
	a.pending.Push(cmd, maxPending)
	return i + 1, append(out, m)
}

// reply frames one reply at the start of data.
func (a *Analyzer) reply(data []byte, out []lab.Message, at time.Time) (int, []lab.Message) {
	r, n, err := ParseReply(data)
	switch {
	case errors.Is(err, ErrIncomplete):
		return 0, out
	case errors.Is(err, ErrLineTooLong) && n == 0:
		return 0, out
	case err != nil:
		raw := data[:n]
		meaning := "Not an FTP reply: each begins with a three-digit code (100 to 599) and a space, or a hyphen for a multi-line reply."
		if errors.Is(err, ErrLineTooLong) {
			meaning = fmt.Sprintf("A reply line longer than %d bytes: RFC 959 sets no limit, but no server sends such lines, "+
				"and the lab's own client and server refuse them. Its bytes are shown as they came; what follows is read anew.", MaxLine)
		}
		return n, append(out, lab.Message{
			Dir:      lab.ServerToClient,
			Summary:  fmt.Sprintf("malformed reply %q", trimEOL(raw[:min(len(raw), 80)])),
			Meaning:  meaning,
			Ref:      "RFC 959 §4.2",
			Raw:      raw,
			Observed: true,
		})
	}
	m := lab.Message{Dir: lab.ServerToClient, Raw: data[:n], Observed: true, Ref: "RFC 959 §4.2", Summary: r.String()}
	if r.Multiline() {
		m.Summary += fmt.Sprintf(" (+%d lines)", len(r.Lines)-1)
	}
	m.Fields = []lab.Field{{Name: "code", Value: strconv.Itoa(r.Code)}, {Name: "text", Value: r.Text()}}
	cmd, answered := a.pending.Answer(r.Class() != 1)
	if answered {
		m.Fields = append(m.Fields, lab.Field{Name: "in answer to", Value: cmd.String()})
	}
	meaning := ReplyMeaning(r.Code)
	if answered {
		meaning = "In answer to " + cmd.String() + ": " + meaning
	} else if r.Code == 220 {
		meaning = "The greeting: " + meaning
	}
	switch r.Code {
	case 227:
		if ap, err := ParsePASV(r.Lines[0]); err == nil {
			meaning += fmt.Sprintf(" The client will connect to %s (passive).", ap)
			m.Fields = append(m.Fields, lab.Field{Name: "data address", Value: ap.String()})
		}
	case 229:
		if port, err := ParseEPSV(r.Lines[0]); err == nil {
			where := fmt.Sprintf("port %d at the server's address", port)
			if a.server.IsValid() {
				where = netip.AddrPortFrom(a.server, port).String()
			}
			meaning += fmt.Sprintf(" The client will connect to %s (passive).", where)
			m.Fields = append(m.Fields, lab.Field{Name: "data address", Value: where})
		}
	case 234:
		meaning += " Encrypted from here: the rest of the control connection is TLS."
	}
	m.Meaning = meaning
	framing.Place(&m, "code", "text")
	a.advance(&m, r, cmd, answered)
	out = append(out, m)
	if answered && cmd.Verb == "AUTH" && a.Handoff.Asked() {
		if r.Code == 234 && !a.inTLS {
			out = a.startTLS(out, at)
		} else if r.Class() != 1 {
			a.Handoff.Refuse()
		}
	}
	return n, out
}

// advance moves the session's state by the reply r to cmd.
func (a *Analyzer) advance(m *lab.Message, r Reply, cmd Command, answered bool) {
	if r.Code == 421 {
		a.state.Move(m, StateClosed)
		return
	}
	if !answered {
		return
	}
	switch cmd.Verb {
	case "USER":
		switch {
		case r.Code == 331 || r.Code == 332:
			a.state.Move(m, StateAwaitingPassword)
		case r.Class() == 2:
			a.state.Move(m, StateLoggedIn)
		case r.Class() >= 4:
			a.state.Move(m, StateConnected)
		}
	case "PASS", "ACCT":
		switch {
		case r.Class() == 2:
			a.state.Move(m, StateLoggedIn)
		case r.Class() >= 4:
			a.state.Move(m, StateConnected)
		}
	case "RNFR":
		if r.Code == 350 {
			a.state.Move(m, StateRenamePending)
		}
	case "RNTO":
		a.state.Move(m, StateLoggedIn)
	case "RETR", "STOR", "STOU", "APPE", "LIST", "NLST", "MLSD":
		if r.Class() == 1 {
			a.state.Move(m, StateTransfer)
		} else {
			a.state.Move(m, StateLoggedIn)
		}
	case "ABOR":
		a.state.Move(m, StateLoggedIn)
	case "REIN":
		if r.Class() == 2 {
			a.state.Move(m, StateConnected)
		}
	case "QUIT":
		if r.Code == 221 {
			a.state.Move(m, StateClosed)
		}
	}
}

// startTLS hands the rest of the connection to TLS, whose decrypted application
// data goes to an FTP analyzer inside it that carries on the session. What the
// client sent after AUTH, before the 234, the server discards.
func (a *Analyzer) startTLS(out []lab.Message, at time.Time) []lab.Message {
	return a.Handoff.Begin(out, at, starttls.Notice("After 234 the client starts a TLS handshake on the control connection; the commands and replies that follow are encrypted. "+
		"The lab decrypts them with its key log when the server is the lab's own; otherwise only the TLS records show.", "RFC 4217 §4"),
		Name, func() lab.Analyzer {
			a.inner = &Analyzer{state: a.state, server: a.server, inTLS: true}
			return a.inner
		})
}

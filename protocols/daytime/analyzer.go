package daytime

import (
	"bytes"
	"strings"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/framing"
)

// MaxLineBytes bounds the answer the analyzer holds while waiting for its line
// end. RFC 867 sets no length; real servers send well under 100 bytes.
const MaxLineBytes = 512

// Analyzer frames one daytime connection: the server's answer (a line, or what
// arrived before the server closed) and any line the client sent, which the
// server throws away. It is a lab.ConnAnalyzer; like every lab.Analyzer it is
// used from one goroutine at a time.
type Analyzer struct {
	state    lab.Machine
	buf      [3]framing.Lines // by lab.Dir
	answered bool
}

var _ lab.ConnAnalyzer = (*Analyzer)(nil)

// NewAnalyzer returns an analyzer for one connection.
func NewAnalyzer() *Analyzer { return &Analyzer{state: machine} }

// State is the session's state ("" before the connection opened).
func (a *Analyzer) State() string { return a.state.State() }

// Opened starts the session.
func (a *Analyzer) Opened(info lab.OpenInfo) []lab.Message {
	a.state.Start()
	return nil
}

// Feed frames the lines of either direction.
func (a *Analyzer) Feed(dir lab.Dir, b []byte, at time.Time) []lab.Message {
	if dir != lab.ClientToServer && dir != lab.ServerToClient {
		return nil
	}
	a.state.Start()
	var out []lab.Message
	_, long := a.buf[dir].Feed(b, MaxLineBytes, func(data []byte) (int, framing.Then) {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return 0, framing.Go
		}
		out = append(out, a.line(dir, data[:i+1], true))
		return i + 1, framing.Go
	})
	return framing.Overlong(out, dir, long, MaxLineBytes,
		"RFC 867 sets no length, but a date and time fit in far less: this is not a daytime answer.", Ref)
}

// Closed reports what was left without a line end, and ends the session.
func (a *Analyzer) Closed(info lab.CloseInfo) []lab.Message {
	var out []lab.Message
	for _, dir := range []lab.Dir{lab.ClientToServer, lab.ServerToClient} {
		if held := a.buf[dir].Take(); len(held) > 0 {
			out = append(out, a.line(dir, held, false))
		}
	}
	// The state moves without a message of its own: the close is TCP's, drawn
	// by the layer below from what the sockets saw.
	a.state.Set(StateClosed)
	return out
}

// line is one line that went in direction dir; ended says whether its line end arrived.
func (a *Analyzer) line(dir lab.Dir, raw []byte, ended bool) lab.Message {
	text := strings.ToValidUTF8(strings.TrimRight(string(raw), "\r\n"), "\uFFFD")
	m := lab.Message{Dir: dir, Ref: Ref, Raw: raw, Observed: true} // framed from bytes the taps saw
	switch {
	case dir == lab.ClientToServer:
		m.Summary = "thrown away: " + text
		m.Meaning = "A daytime client need send nothing: the server answers as soon as the connection opens, and throws away anything it receives."
	case a.answered:
		m.Summary = "after the answer: " + text
		m.Meaning = "A daytime server sends one answer and closes; more lines are not part of the protocol."
	default:
		a.answered = true
		a.state.Move(&m, StateAnswered)
		m.Summary = "daytime: " + text
		m.Meaning = "The server sent the date and time as text, unasked, and will now close the connection. RFC 867 fixes no format: " +
			"a person reads it, a program should not parse it (NTP, RFC 5905, is for clocks)."
		m.Fields = []lab.Field{{Name: "time", Value: text, Len: len(strings.TrimRight(string(raw), "\r\n"))}}
	}
	if !ended {
		m.Fields = append(m.Fields, lab.Field{Name: "line end", Value: "none: the connection closed right after the text"})
	}
	return m
}

package pgsql

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/framing"
	"github.com/protocollab/protolab/protocols/internal/starttls"
)

// Bounds on what the analyzer holds.
const (
	// MaxMessage bounds the bytes of one message the analyzer holds: a longer
	// one (a big DataRow or CopyData) is shown by its header and counted.
	MaxMessage = 4 << 20
	// maxLength is the largest length any message may announce: PostgreSQL
	// refuses a message of a gigabyte or more (PQ_LARGE_MESSAGE_LIMIT), so a
	// larger length means the stream is out of step and nothing after it can
	// be framed.
	maxLength = 0x3fffffff
	// maxStartup is the largest startup packet PostgreSQL reads
	// (MAX_STARTUP_PACKET_LENGTH).
	maxStartup = 10000
	// keptBig is how many bytes of a message over MaxMessage its message keeps.
	keptBig = 64
	// maxNames bounds the prepared statements and portals remembered, maxOps
	// the requests waiting for their answers.
	maxNames = 256
	maxOps   = 1024
)

// Analyzer frames one PostgreSQL connection into the messages of the
// frontend/backend protocol, version 3, and follows the session's state
// (States, Transitions). It is a lab.ConnAnalyzer (the connection's end ends
// the session), and a lab.KeyUser and lab.LayerUser: after an SSLRequest
// answered 'S' it hands the rest to TLS, which decrypts it with the lab's key
// log and passes the plaintext to a PostgreSQL analyzer inside. Like every
// lab.Analyzer it is used from one goroutine at a time.
type Analyzer struct {
	block framing.Block // where Feed's messages are kept
	state lab.Machine
	dirs  [3]direction // by lab.Dir
	sizes [3]framing.Size

	started  bool   // the client's StartupMessage came: its messages are typed from here on
	asked    byte   // 'S' after an SSLRequest, 'G' after a GSSENCRequest, until the one-byte answer
	auth     byte   // what the client's next 'p' message is: see authFor
	sasl     string // the SASL mechanism chosen
	sealed   bool   // GSSAPI encryption began: the rest cannot be read
	terminal bool   // Terminate or a FATAL error was seen

	rq rounds // requests waiting for their answers, for the timing view and the rows' columns

	scratch []byte                 // where a summary is built, kept while small (text)
	desc    lastDesc               // the last RowDescription framed briefly, for the next alike
	fill    rowFiller              // the fields of its rows, made when someone looks (rowFill)
	bound   []uint32               // the parameter types of the statement of the Bind just decoded
	pf, rf  []int16                // where a Bind's parameter and result formats are read
	lastRF  []int16                // the result formats the last Bind's portal keeps (never changed once made)
	types   []uint32               // the types a Bind's fields are built with, when asked (bindFill)
	binds   framing.Slab[bindFill] // what Binds framed briefly keep for their fields
	arena   framing.Arena          // where summaries are kept (text)

	starttls.Handoff           // after 'S': the TLS of the rest (its UseKeys and UseLayers are the analyzer's)
	inner            *Analyzer // the analyzer inside TLS, once there is one
}

// direction is the input of one direction.
type direction struct {
	buf     framing.Length
	big     int   // the length of the message over MaxMessage just met
	skip    int   // bytes of a message over MaxMessage still to count
	stopped bool  // a length no message can have: nothing more is framed
	ignored int64 // bytes counted after stopping
}

var (
	_ lab.ConnAnalyzer = (*Analyzer)(nil)
	_ lab.KeyUser      = (*Analyzer)(nil)
	_ lab.LayerUser    = (*Analyzer)(nil)
)

// text returns the summary built in b (a.scratch's room), kept in the
// arena with the summaries before it (framing.Arena.Text).
func (a *Analyzer) text(b []byte) string { return a.arena.Text(&a.scratch, b) }

// NewAnalyzer returns an analyzer for one PostgreSQL connection.
func NewAnalyzer() *Analyzer {
	a := &Analyzer{state: machine}
	a.sizes[lab.ClientToServer] = a.clientSize
	a.sizes[lab.ServerToClient] = a.serverSize
	return a
}

// State is the session's state: one of States, "" before the connection opened.
func (a *Analyzer) State() string {
	if a.inner != nil {
		return a.inner.State()
	}
	return a.state.State()
}

// Pending is how many bytes the analyzer holds for dir: the start of a message.
func (a *Analyzer) Pending(dir lab.Dir) int {
	if dir != lab.ClientToServer && dir != lab.ServerToClient {
		return 0
	}
	n := a.dirs[dir].buf.Held()
	if a.inner != nil {
		n += a.inner.Pending(dir)
	}
	return n
}

// Opened notes the connection's start: the session is in startup.
func (a *Analyzer) Opened(info lab.OpenInfo) []lab.Message {
	a.state.Start()
	return a.Handoff.Opened(info)
}

// Errors of the sizes, for Feed to report.
var (
	errTooBig    = errors.New("pgsql: a message longer than the lab holds")
	errBadLength = errors.New("pgsql: a length no message can have")
)

// clientSize is the length of the client's message at the start of data: a
// startup packet (untyped: its Int32 length first) until the StartupMessage,
// then a typed message.
func (a *Analyzer) clientSize(data []byte) (int, error) {
	if a.started {
		return a.dirs[lab.ClientToServer].typedSize(data)
	}
	if len(data) < 4 {
		return 0, nil
	}
	n := int(int32(binary.BigEndian.Uint32(data)))
	if n >= 8 && n <= maxStartup {
		return n, nil
	}
	// A typed message before the startup: framed by its own length, so
	// that it is named (see startup).
	if len(data) < 5 {
		return 0, nil
	}
	if frontend[data[0]].name != "" {
		if m, err := a.dirs[lab.ClientToServer].typedSize(data); err == nil {
			return m, nil
		}
	}
	return 0, errBadLength
}

// serverSize is the length of the server's message at the start of data: the
// one byte that answers an SSLRequest or GSSENCRequest, or a typed message.
func (a *Analyzer) serverSize(data []byte) (int, error) {
	if a.asked != 0 && (data[0] == 'S' || data[0] == 'N' || data[0] == 'G') {
		return 1, nil
	}
	return a.dirs[lab.ServerToClient].typedSize(data)
}

// typedSize is the length of the typed message at the start of data: its type
// byte and its Int32 length, which counts itself but not the type byte.
func (d *direction) typedSize(data []byte) (int, error) {
	if len(data) < 5 {
		return 0, nil
	}
	n := int(int32(binary.BigEndian.Uint32(data[1:])))
	switch {
	case n < 4 || n > maxLength:
		return 0, errBadLength
	case 1+n > MaxMessage:
		d.big = 1 + n
		return 0, errTooBig
	}
	return 1 + n, nil
}

// Feed frames the bytes b that went in direction dir.
func (a *Analyzer) Feed(dir lab.Dir, b []byte, at time.Time) []lab.Message {
	if dir != lab.ClientToServer && dir != lab.ServerToClient {
		return nil
	}
	if a.Handoff.Takes(dir) {
		return a.Handoff.Feed(dir, b, at)
	}
	a.state.Start()
	d := &a.dirs[dir]
	if a.sealed {
		d.ignored += int64(len(b))
		return nil
	}
	if dir == lab.ClientToServer && !a.started && a.asked == 0 && d.buf.Held() == 0 && len(b) > 0 && b[0] == 22 {
		return a.directTLS(b, at)
	}
	out := a.block.Start()
	for len(b) > 0 {
		if d.skip > 0 {
			k := min(d.skip, len(b))
			d.skip -= k
			b = b[k:]
			continue
		}
		if d.stopped || a.sealed {
			d.ignored += int64(len(b))
			break
		}
		rest, err := d.buf.Feed(b, a.sizes[dir], func(p []byte) bool {
			out = a.message(out, dir, p, at)
			return a.Handoff.Takes(dir) || a.sealed
		})
		b = nil
		switch {
		case errors.Is(err, errTooBig):
			out = append(out, a.tooBig(dir, rest, d.big))
			d.skip, b = d.big, rest
		case err != nil:
			out = append(out, a.badLength(dir, rest))
			d.stopped = true
			d.ignored += int64(len(rest))
		case len(rest) > 0 && a.Handoff.Takes(dir):
			out = append(out, a.Handoff.Feed(dir, rest, at)...)
		case len(rest) > 0:
			d.ignored += int64(len(rest))
		}
	}
	return a.block.Done(out)
}

// message decodes one whole message, raw, sent in direction dir, and appends
// it (and what it causes) to out.
func (a *Analyzer) message(out []lab.Message, dir lab.Dir, raw []byte, at time.Time) []lab.Message {
	if dir == lab.ClientToServer {
		if !a.started && (len(raw) < 8 || int(binary.BigEndian.Uint32(raw)) != len(raw)) {
			return append(out, a.early(raw))
		}
		if !a.started {
			return a.startup(out, raw, at)
		}
		// Decoded in its place in out, not built and copied there.
		out = append(out, lab.Message{})
		a.frontend(&out[len(out)-1], raw)
		return out
	}
	if len(raw) == 1 {
		return a.answer(out, raw, at)
	}
	out = append(out, lab.Message{})
	a.backend(&out[len(out)-1], raw)
	return out
}

// tooBig reports a message of n bytes, more than MaxMessage, whose start is data.
func (a *Analyzer) tooBig(dir lab.Dir, data []byte, n int) lab.Message {
	k := kindOf(dir, data[0])
	m := lab.Message{
		Dir:     dir,
		Summary: fmt.Sprintf("%s of %d bytes, not held", k.label(data[0]), n),
		Meaning: fmt.Sprintf("A message longer than the %d bytes the lab holds of one message (a large row or COPY chunk): "+
			"the lab shows its type and length and counts the rest.", MaxMessage),
		Ref:      k.ref(),
		Raw:      data[:min(len(data), keptBig)],
		Observed: true,
	}
	typeFields(&m, k, data[0])
	return m
}

// badLength reports a length no message can have at the start of data: the
// stream is out of step, so that direction is only counted from here.
func (a *Analyzer) badLength(dir lab.Dir, data []byte) lab.Message {
	raw := data[:min(len(data), 16)]
	m := lab.Message{Dir: dir, Raw: raw, Observed: true, Ref: refFormats + "; Message Flow, Start-up"}
	if dir == lab.ClientToServer && !a.started {
		n := int32(binary.BigEndian.Uint32(raw))
		m.Summary = fmt.Sprintf("malformed startup packet: length %d", n)
		m.Meaning = fmt.Sprintf("A connection begins with an untyped startup packet whose first four bytes are its length, "+
			"from 8 to %d. These bytes announce %d, so this is not PostgreSQL's protocol (or not its start): "+
			"the server closes the connection (\"invalid length of startup packet\"). The lab only counts the rest of this direction.", maxStartup, n)
		m.Fields = []lab.Field{{Name: "length", Value: fmt.Sprint(n), Off: 0, Len: 4}}
		return m
	}
	n := int32(binary.BigEndian.Uint32(raw[1:]))
	k := kindOf(dir, raw[0])
	m.Summary = fmt.Sprintf("malformed: %s with length %d", k.label(raw[0]), n)
	m.Meaning = fmt.Sprintf("After the type byte comes the message's length, an Int32 that counts itself and the body: "+
		"at least 4, and under a gigabyte. %d cannot be, so the stream is out of step and nothing after it can be framed. "+
		"A server answers with ErrorResponse 08P01 (protocol violation) and closes the connection. The lab only counts the rest of this direction.", n)
	m.Ref = k.ref()
	typeFields(&m, k, raw[0])
	return m
}

// Closed ends the session with the connection: bytes of an unfinished message
// are shown, and the session is terminated.
func (a *Analyzer) Closed(info lab.CloseInfo) []lab.Message {
	var out []lab.Message
	if a.Handoff.Active() {
		// TLS passes the end on to the analyzer inside it.
		a.state.Set(StateTerminated)
		return a.Handoff.Closed(info)
	}
	if a.Handoff.Asked() { // an SSLRequest never answered: what the client sent after it is framed now
		out = a.Handoff.Unanswered(a.Feed)
	}
	for d := lab.ClientToServer; d <= lab.ServerToClient; d++ {
		if raw := a.dirs[d].buf.Take(); len(raw) > 0 {
			out = append(out, lab.Message{
				Dir:      d,
				Summary:  fmt.Sprintf("%d bytes of an unfinished message", len(raw)),
				Meaning:  "The connection ended before the whole message its length announced had come.",
				Ref:      refFormats,
				Raw:      raw,
				Observed: true,
			})
		}
	}
	closing := lab.Message{
		Dir:      info.By.Outbound(),
		Summary:  "connection closed without Terminate",
		Meaning:  "The connection ended without the client's Terminate message. The server rolls back a transaction left open.",
		Ref:      "PostgreSQL protocol, Message Flow: Termination",
		Teardown: true,
	}
	switch {
	case a.terminal:
		closing = lab.Message{}
	case a.state.State() == StateStartup || a.state.State() == "":
		closing.Summary, closing.Meaning = "connection closed", "The connection ended before a session began."
	}
	if closing.Summary != "" && len(out) > 0 {
		out = append(out, closing)
	}
	return a.state.End(out, StateTerminated, closing)
}

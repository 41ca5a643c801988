package h2

import (
	"time"

	"golang.org/x/net/http2/hpack"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/framing"
)

// Bounds on what the analyzer holds.
const (
	// MaxKeptBytes bounds a frame's Raw: a longer frame is counted in full and kept
	// in part.
	MaxKeptBytes = 64 << 10
	// MaxHeaderListBytes bounds the decoded header fields kept from one header
	// block, counted as SETTINGS_MAX_HEADER_LIST_SIZE counts them (name, value and
	// 32 bytes each); HPACK still decodes the rest, so its state stays right.
	MaxHeaderListBytes = 64 << 10
	// MaxStreams bounds the streams remembered per connection.
	MaxStreams = 1000
	// maxBuffered bounds a frame other than DATA (or an unknown type), which is
	// held whole until it has arrived.
	maxBuffered = 1 << 20
	// maxTableSize bounds an HPACK dynamic table, whatever SETTINGS_HEADER_TABLE_SIZE says.
	maxTableSize = 1 << 20
	// defaultMaxFrameSize is SETTINGS_MAX_FRAME_SIZE's initial value (§6.5.2).
	defaultMaxFrameSize = 1 << 14
	// maxFrameSize is the largest value SETTINGS_MAX_FRAME_SIZE may take.
	maxFrameSize = 1<<24 - 1
	// frameHeaderLen is the length of a frame header (§4.1).
	frameHeaderLen = 9
)

// clientPreface is what a client sends first on every HTTP/2 connection (§3.4).
const clientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// Analyzer frames one HTTP/2 connection (or the plaintext inside one TLS
// connection) into the client's preface and frames, and follows the connection's
// and its streams' states. It is a lab.ConnAnalyzer, so a cleartext connection's
// end closes it. Like every lab.Analyzer it is used from one goroutine at a time.
type Analyzer struct {
	dirs    [3]direction // by lab.Dir
	streams streamTable
	state   lab.Machine // the connection's state, as reached says it

	preface  bool    // the client's preface has been seen
	settings [3]bool // by lab.Dir: that side's first SETTINGS has been seen
	acked    [3]bool // by lab.Dir: that side's first SETTINGS has been acknowledged
	goaway   bool
	broken   bool
	closed   bool
	asked    bool // the current frame finished a request's header block

	after []lab.Message // messages that follow the current frame's (stream summaries)

	block       framing.Block             // where Feed's messages are cut from
	kept        framing.Slab[keptData]    // what DATA frames keep for their fields
	heads       framing.Slab[keptHeaders] // what HEADERS frames keep for theirs
	fields      framing.Runs[lab.Field]   // the decoded header fields they keep
	streamsKept framing.Slab[keptStream]  // what streams' summaries keep
	arena       framing.Arena             // room for the DATA frames' summaries
	scratch     []byte                    // where a summary is built (framing.Arena.Text)
}

var _ lab.ConnAnalyzer = (*Analyzer)(nil)

// NewAnalyzer returns an analyzer for one connection.
func NewAnalyzer() *Analyzer {
	a := &Analyzer{state: machine}
	for _, dir := range []lab.Dir{lab.ClientToServer, lab.ServerToClient} {
		d := &a.dirs[dir]
		d.dir = dir
		d.maxFrame = defaultMaxFrameSize
		d.dec = hpack.NewDecoder(4096, d.emit)
		d.dec.SetMaxStringLength(MaxHeaderListBytes)
	}
	// A server sends no preface of bytes: its preface is its first SETTINGS frame.
	a.dirs[lab.ServerToClient].prefaceAt = len(clientPreface)
	return a
}

// State is where the connection stands: one of States, "" before anything happened.
func (a *Analyzer) State() string { return a.state.State() }

// reached is the state the connection has reached by what was seen of it.
func (a *Analyzer) reached() string {
	c, s := lab.ClientToServer, lab.ServerToClient
	switch {
	case a.closed:
		return StateClosed
	case a.broken:
		return StateError
	case a.goaway:
		return StateGoingAway
	case a.settings[c] && a.settings[s] && a.acked[c] && a.acked[s]:
		return StateOpen
	case a.settings[c] || a.settings[s]:
		return StateSettings
	case a.preface:
		return StatePreface
	}
	return ""
}

// Opened is part of lab.ConnAnalyzer; TCP's analyzer shows the handshake.
func (a *Analyzer) Opened(lab.OpenInfo) []lab.Message { return nil }

// Closed ends the connection: HTTP/2 has no half-closed connection, so either
// side's FIN or reset is its end. Bytes that are not HTTP/2, still gathered to say
// what they are, are reported now.
func (a *Analyzer) Closed(lab.CloseInfo) []lab.Message {
	var out []lab.Message
	for _, dir := range []lab.Dir{lab.ClientToServer, lab.ServerToClient} {
		if d := &a.dirs[dir]; d.sniffing {
			out = a.sniffed(d, true, out)
		}
	}
	if !a.closed {
		a.closed = true
		var last *lab.Message
		if len(out) > 0 {
			last = &out[len(out)-1]
		}
		a.state.Move(last, StateClosed)
	}
	return out
}

// Feed frames the bytes b that went in direction dir.
func (a *Analyzer) Feed(dir lab.Dir, b []byte, _ time.Time) []lab.Message {
	if len(b) == 0 || (dir != lab.ClientToServer && dir != lab.ServerToClient) {
		return nil
	}
	return a.block.Done(a.feed(&a.dirs[dir], b, a.block.Start()))
}

// Pending is how many bytes the analyzer holds for dir: an unfinished preface,
// frame header, and the kept bytes of an unfinished frame.
func (a *Analyzer) Pending(dir lab.Dir) int {
	if dir != lab.ClientToServer && dir != lab.ServerToClient {
		return 0
	}
	d := &a.dirs[dir]
	return d.nhdr + len(d.buf) + len(d.head) + len(d.sniff)
}

// advance moves the connection's state to the one it reached with message m.
func (a *Analyzer) advance(m *lab.Message) {
	a.state.Move(m, a.reached())
}

package http

import (
	"github.com/protocollab/protolab/protocols/internal/framing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// Bounds on what the analyzer holds.
const (
	// MaxHeadBytes bounds a message's start line and header section (and its
	// trailer section); a longer one is reported as malformed.
	MaxHeadBytes = 64 << 10
	// MaxKeptBytes bounds the bytes of one message kept as its Raw; the rest of a
	// long body is counted, not kept.
	MaxKeptBytes = 64 << 10
	// maxLine bounds a chunk-size line.
	maxLine = 4 << 10
	// maxPipelined bounds the requests waiting for their responses.
	maxPipelined = 1024
)

// Analyzer frames one HTTP/1.x connection into requests and responses. It follows
// the connection's life too (as a lab.ConnAnalyzer): a response delimited by the
// end of the connection is shown when the server closes it. Like every lab.Analyzer
// it is used from one goroutine at a time.
type Analyzer struct {
	block   framing.Block // where Feed's messages are kept
	room    keepRoom      // what its messages keep
	layers  lab.Layers    // where the layer a 101 switches to is found (UseLayers)
	offers  []offer       // requests waiting for their final responses, oldest first
	up      lab.Analyzer  // what follows a 101 response, if the table had a layer for it
	at      time.Time     // the time of the bytes being fed
	streams [3]stream     // by lab.Dir
	methods []string      // methods of requests whose responses have not begun, oldest first
	types   mediaTypes    // the last Content-Type's media type, for the next response's summary
	opened  bool
	closed  bool
	fins    [3]bool // by lab.Side
}

var (
	_ lab.ConnAnalyzer = (*Analyzer)(nil)
	_ lab.LayerUser    = (*Analyzer)(nil)
)

// NewAnalyzer returns an analyzer for one connection. What follows a 101
// Switching Protocols goes to the layer its table (UseLayers) has for the
// protocol switched to: it is fed the rest of the connection in both directions,
// from the first byte after the 101's head (and any bytes the client sent after
// its request), and its messages are passed on as they are, so they should name
// their Layer. If it is a lab.ConnAnalyzer it is told when the connection closes.
func NewAnalyzer() *Analyzer {
	a := &Analyzer{}
	a.streams[lab.ClientToServer].dir = lab.ClientToServer
	a.streams[lab.ServerToClient].dir = lab.ServerToClient
	return a
}

// State is where the connection stands: one of the Protocol's States, "" before
// anything happened.
func (a *Analyzer) State() string {
	c2s, s2c := &a.streams[lab.ClientToServer], &a.streams[lab.ServerToClient]
	switch {
	case a.closed:
		return StateClosed
	case c2s.phase == phaseSwitched || s2c.phase == phaseSwitched:
		return StateSwitched
	case s2c.busy():
		return StateResponse
	case c2s.busy() || len(a.methods) > 0:
		return StateRequest
	case a.opened || c2s.seen || s2c.seen:
		return StateIdle
	}
	return ""
}

// Opened marks the connection open; TCP's analyzer shows the handshake.
func (a *Analyzer) Opened(lab.OpenInfo) []lab.Message {
	a.opened = true
	return nil
}

// Closed ends what the closing endpoint was sending: a response delimited by the
// connection's end is complete now; any other unfinished message was cut short.
func (a *Analyzer) Closed(info lab.CloseInfo) []lab.Message {
	var out []lab.Message
	switch {
	case info.How == lab.HowFIN && (info.By == lab.SideClient || info.By == lab.SideServer):
		out = a.streams[info.By.Outbound()].end(out, a)
		a.fins[info.By] = true
		// A server's FIN ends HTTP on this connection; a client's ends it once
		// nothing is owed to the client any more.
		idle := !a.streams[lab.ServerToClient].busy() && len(a.methods) == 0
		a.closed = a.closed || info.By == lab.SideServer || idle || a.fins[lab.SideServer]
	default:
		out = a.streams[lab.ClientToServer].end(out, a)
		out = a.streams[lab.ServerToClient].end(out, a)
		a.closed = true
	}
	if ca, ok := a.up.(lab.ConnAnalyzer); ok {
		out = append(out, ca.Closed(info)...)
	}
	for _, o := range a.offers { // upgrades the connection's end cut short
		if ca, ok := o.a.(lab.ConnAnalyzer); ok {
			out = append(out, ca.Closed(info)...)
		}
	}
	return out
}

// Feed frames the bytes b that went in direction dir.
func (a *Analyzer) Feed(dir lab.Dir, b []byte, at time.Time) []lab.Message {
	if len(b) == 0 || (dir != lab.ClientToServer && dir != lab.ServerToClient) {
		return nil
	}
	a.at = at
	if a.streams[dir].phase == phaseSwitched {
		// No longer HTTP: what follows the switch frames its own messages, in
		// its own room, not copied into this analyzer's.
		if a.up == nil {
			return nil
		}
		return a.up.Feed(dir, b, at)
	}
	before := a.State()
	return a.block.Done(a.caused(a.streams[dir].feed(a.block.Start(), a, b), before))
}

// caused gives the last of out, if it is HTTP's own, the state the connection
// moved to from before, so the message that moved it says so.
func (a *Analyzer) caused(out []lab.Message, before string) []lab.Message {
	if n := len(out); n > 0 && out[n-1].Layer == "" && out[n-1].NextState == "" {
		if s := a.State(); s != before {
			out[n-1].NextState = s
		}
	}
	return out
}

// Pending is how many bytes the analyzer holds for dir: an unfinished head or
// chunk line and the kept part of an unfinished message.
func (a *Analyzer) Pending(dir lab.Dir) int {
	if dir != lab.ClientToServer && dir != lab.ServerToClient {
		return 0
	}
	s := &a.streams[dir]
	n := len(s.head) + len(s.line)
	if s.msg != nil {
		n += s.msg.raw.Len()
	}
	if p, ok := a.up.(interface{ Pending(lab.Dir) int }); ok {
		n += p.Pending(dir)
	}
	return n
}

// switchTo hands the connection to the analyzer of the layer the 101 switched
// to (see upgrade), with what the client sent after its request; it returns the
// messages that made.
func (a *Analyzer) switchTo(out []lab.Message) []lab.Message {
	if a.up == nil {
		return out
	}
	// The client may have sent its first bytes of the new protocol before the 101
	// arrived; they wait as the start of an unfinished head.
	if c := &a.streams[lab.ClientToServer]; c.phase == phaseHead && len(c.head) > 0 {
		early := c.head
		c.head = nil
		out = append(out, a.up.Feed(lab.ClientToServer, early, a.at)...)
	}
	return out
}

// pushMethod records a request whose response is still to come.
func (a *Analyzer) pushMethod(m string) bool {
	if len(a.methods) >= maxPipelined {
		return false
	}
	a.methods = append(a.methods, m)
	return true
}

// popMethod takes the method of the oldest request without a response ("" if none).
func (a *Analyzer) popMethod() string {
	if len(a.methods) == 0 {
		return ""
	}
	m := a.methods[0]
	a.methods[0] = ""
	if len(a.methods) == 1 {
		a.methods = a.methods[:0] // kept for the next request's method
	} else {
		a.methods = a.methods[1:]
	}
	return m
}

// peekMethod is the method of the oldest request without a response ("" if none).
func (a *Analyzer) peekMethod() string {
	if len(a.methods) == 0 {
		return ""
	}
	return a.methods[0]
}

package tcp

import (
	"time"

	"github.com/protocollab/protolab/lab"
	fr "github.com/protocollab/protolab/protocols/internal/framing"
)

// Analyzer follows one TCP connection: its handshake and teardown (as lab.ConnAnalyzer)
// and its application bytes (Feed). It keeps the state of both endpoints and reports
// one of them: the client's when the client's tap is in the lab, otherwise the
// server's. Like every lab.Analyzer it is used from one goroutine at a time.
//
// Messages may share memory with the bytes given to Feed, which the caller must not
// modify afterwards (the Hub gives each Feed a copy of its own).
type Analyzer struct {
	ep      [3]lab.Machine // each endpoint's state, by lab.Side
	me      lab.Side       // the endpoint State reports; SideNone before Opened
	client  string         // endpoint addresses, for fields
	server  string
	streams [3]stream // partial lines, by lab.Dir
	limit   int       // the partial-line bound; 0 means FlushLimit
	block   fr.Block  // where Feed's messages are kept
	arena   fr.Arena  // room for the summaries the messages keep
	scratch []byte    // where a summary is built (framing.Arena.Text)
}

var _ lab.ConnAnalyzer = (*Analyzer)(nil)

// NewAnalyzer returns an analyzer for one connection.
func NewAnalyzer() *Analyzer { return &Analyzer{ep: [3]lab.Machine{machine, machine, machine}} }

// State is the tracked endpoint's RFC 9293 state, "" before the connection opened.
func (a *Analyzer) State() string { return a.ep[a.me].State() }

// Side is the endpoint whose state State reports (lab.SideNone before Opened).
func (a *Analyzer) Side() lab.Side { return a.me }

// Opened turns a new connection into its three-way handshake, inferred from the
// connect or accept that returned it. It follows the client endpoint when the
// client's tap is in the lab (info.ClientInLab), so a joined conversation shows the
// same path whichever tap saw it first. When the other end's tap joins later, no
// handshake is repeated; if the joining tap is the client's, the analyzer follows the
// client endpoint from then on.
func (a *Analyzer) Opened(info lab.OpenInfo) []lab.Message {
	if info.Joined {
		if info.JoinedSide == lab.SideClient && a.me == lab.SideServer {
			a.me = lab.SideClient
		}
		return nil
	}
	if a.me != lab.SideNone {
		return nil
	}
	a.me = lab.SideServer
	if info.Side == lab.SideClient || info.ClientInLab {
		a.me = lab.SideClient
	}
	if info.Client != nil {
		a.client = info.Client.String()
	}
	if info.Server != nil {
		a.server = info.Server.String()
	}
	a.ep[lab.SideClient].Set(StateClosed)
	a.ep[lab.SideServer].Set(StateListen)
	return a.handshake(info)
}

// Closed turns one endpoint's close into its teardown messages: a FIN and the peer's
// acknowledgment, or an RST, each only as the taps saw it or as is certain (see
// lab.CloseInfo). A socket that closed without the lab knowing what it sent
// (lab.HowClosed) is shown as that, with no segment. Bytes still held as a partial
// line in the closing endpoint's direction (both directions for a reset) are shown first.
func (a *Analyzer) Closed(info lab.CloseInfo) []lab.Message {
	var out []lab.Message
	by := info.By
	known := by == lab.SideClient || by == lab.SideServer
	switch {
	case known && info.How == lab.HowFIN:
		out = a.flush(out, by.Outbound(), flushClosed)
		return append(out, a.fin(info), a.finACK(peer(by)))
	case known && info.How == lab.HowRST:
		out = a.flush(out, lab.ClientToServer, flushClosed)
		out = a.flush(out, lab.ServerToClient, flushClosed)
		return append(out, a.rst(info))
	case known && info.How == lab.HowClosed:
		out = a.flush(out, by.Outbound(), flushClosed)
		return append(out, a.unknownClose(info))
	}
	// An idle flow or an error ends nothing TCP would send; show what is held.
	out = a.flush(out, lab.ClientToServer, flushClosed)
	return a.flush(out, lab.ServerToClient, flushClosed)
}

// Feed frames the application's bytes in direction dir; see stream.go. Bytes without
// a direction are ignored.
func (a *Analyzer) Feed(dir lab.Dir, b []byte, _ time.Time) []lab.Message {
	if len(b) == 0 || (dir != lab.ClientToServer && dir != lab.ServerToClient) {
		return nil
	}
	return a.feed(dir, b)
}

// step applies seg, sent by endpoint from, to both endpoints and returns the tracked
// endpoint's new state if it changed ("" otherwise), for Message.NextState.
func (a *Analyzer) step(from lab.Side, seg segment) string {
	to := peer(from)
	before := a.ep[a.me].State()
	move(&a.ep[from], seg, false)
	move(&a.ep[to], seg, true)
	if after := a.ep[a.me].State(); after != before {
		return after
	}
	return ""
}

func peer(s lab.Side) lab.Side {
	if s == lab.SideClient {
		return lab.SideServer
	}
	return lab.SideClient
}

// Pending is how many bytes of a partial line the analyzer holds for dir.
func (a *Analyzer) Pending(dir lab.Dir) int {
	if dir != lab.ClientToServer && dir != lab.ServerToClient {
		return 0
	}
	return len(a.streams[dir].pending)
}

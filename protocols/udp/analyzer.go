package udp

import (
	"strconv"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/framing"
)

// Analyzer shows each datagram of one flow as one message. It is used from one
// goroutine at a time, like every lab.Analyzer. Messages share memory with the bytes
// given to Feed, which the caller must not modify afterwards (the Hub gives each
// Feed a copy of its own).
type Analyzer struct {
	count   [3]int        // datagrams so far, by lab.Dir
	block   framing.Block // where Feed's messages are kept
	kept    framing.Slab[kept]
	arena   framing.Arena // room for the summaries the messages keep
	scratch []byte        // where a summary is built (framing.Arena.Text)
}

// kept is what a datagram's message keeps to build its fields when someone
// looks (lab.Message.DeferTo): its number in its direction. The rest is its
// bytes, Raw.
type kept struct{ n int }

// Fill builds the fields of the datagram m: its length, its number, and its
// bytes as text or hex.
func (k *kept) Fill(m *lab.Message) ([]lab.Field, string) {
	b := m.Raw
	fields := make([]lab.Field, 0, 3)
	fields = append(fields,
		lab.Field{Name: "length", Value: framing.ByteCount(len(b))},
		lab.Field{Name: "datagram", Value: ordinal(k.n, m.Dir)})
	if framing.Binary(b) {
		// Escaped binary reads worse than hex and costs more to make.
		return append(fields, lab.Field{Name: "hex", Value: lab.HexPreview(b, 64), Len: len(b)}), ""
	}
	// All of it, up to 256 bytes: the summary shows the first 60.
	return append(fields, lab.Field{Name: "text", Value: lab.Preview(b, 256), Len: len(b)}), ""
}

var _ lab.Analyzer = (*Analyzer)(nil)

// NewAnalyzer returns an analyzer for one flow.
func NewAnalyzer() *Analyzer { return &Analyzer{} }

// State is always "": UDP keeps no connection state.
func (a *Analyzer) State() string { return "" }

const meaning = "One UDP datagram: it arrives whole, exactly as sent, or not at all. UDP has no " +
	"handshake and no connection: the sender just sends, and nothing tells it whether the datagram " +
	"arrived. Datagrams may be lost, duplicated or reordered, and any answer is the application's own."

// Feed turns b, exactly one datagram (possibly empty), into one message. Its
// fields are built when someone looks (kept.Fill).
func (a *Analyzer) Feed(dir lab.Dir, b []byte, _ time.Time) []lab.Message {
	if dir > lab.ServerToClient {
		dir = lab.DirNone
	}
	a.count[dir]++
	s := framing.AppendByteCount(append(a.scratch[:0], "datagram "...), len(b))
	if framing.Binary(b) {
		s = lab.AppendHexPreview(append(s, " binary: "...), b, 12)
	} else {
		s = lab.AppendPreview(append(s, ' '), b, 60)
	}
	m := lab.Message{
		Dir:      dir,
		Summary:  a.arena.Text(&a.scratch, s),
		Meaning:  meaning,
		Ref:      "RFC 768",
		Raw:      b,
		Observed: true,
	}
	m.DeferTo(a.kept.Put(kept{n: a.count[dir]}))
	return a.block.Done(append(a.block.Start(), m))
}

func ordinal(n int, dir lab.Dir) string {
	switch dir {
	case lab.ClientToServer:
		return "#" + strconv.Itoa(n) + " from the client in this flow"
	case lab.ServerToClient:
		return "#" + strconv.Itoa(n) + " from the server in this flow"
	}
	return "#" + strconv.Itoa(n) + " in this flow"
}

package udp

import (
	"strconv"
	"time"

	"github.com/protocollab/protolab/lab"
)

// Analyzer shows each datagram of one flow as one message. It is used from one
// goroutine at a time, like every lab.Analyzer. Messages share memory with the bytes
// given to Feed, which the caller must not modify afterwards (the Hub gives each
// Feed a copy of its own).
type Analyzer struct {
	count [3]int // datagrams so far, by lab.Dir
}

var _ lab.Analyzer = (*Analyzer)(nil)

// NewAnalyzer returns an analyzer for one flow.
func NewAnalyzer() *Analyzer { return &Analyzer{} }

// State is always "": UDP keeps no connection state.
func (a *Analyzer) State() string { return "" }

const meaning = "One UDP datagram: it arrives whole, exactly as sent, or not at all. UDP has no " +
	"handshake and no connection: the sender just sends, and nothing tells it whether the datagram " +
	"arrived. Datagrams may be lost, duplicated or reordered, and any answer is the application's own."

// Feed turns b, exactly one datagram (possibly empty), into one message.
func (a *Analyzer) Feed(dir lab.Dir, b []byte, _ time.Time) []lab.Message {
	if dir > lab.ServerToClient {
		dir = lab.DirNone
	}
	a.count[dir]++
	size := byteCount(len(b))
	fields := make([]lab.Field, 0, 3)
	fields = append(fields,
		lab.Field{Name: "length", Value: size},
		lab.Field{Name: "datagram", Value: ordinal(a.count[dir], dir)})
	var summary string
	if text(b) {
		preview := lab.Preview(b, 60)
		t := preview
		if len(b) > 60 {
			t = lab.Preview(b, 256)
		}
		fields = append(fields, lab.Field{Name: "text", Value: t, Len: len(b)})
		summary = "datagram " + size + " " + preview
	} else {
		// Escaped binary reads worse than hex and costs more to make.
		fields = append(fields, lab.Field{Name: "hex", Value: lab.HexPreview(b, 64), Len: len(b)})
		summary = "datagram " + size + " binary: " + lab.HexPreview(b, 12)
	}
	return []lab.Message{{
		Dir:      dir,
		Summary:  summary,
		Meaning:  meaning,
		Ref:      "RFC 768",
		Fields:   fields,
		Raw:      b,
		Observed: true,
	}}
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

// text reports whether b reads as text: no NUL or other control byte that text
// does not use (tab, newlines, form feed and escape are fine).
func text(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\b' && c != '\t' && c != '\n' && c != '\v' && c != '\f' && c != '\r' && c != 0x1b {
			return false
		}
	}
	return true
}

func byteCount(n int) string {
	if n == 1 {
		return "1 byte"
	}
	return strconv.Itoa(n) + " bytes"
}

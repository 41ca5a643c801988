package export

import (
	"slices"
	"strings"

	"github.com/protocollab/protolab/lab"
)

// byConv groups events by conversation, keeping their order.
func byConv(events []lab.Event) map[lab.ConvID][]lab.Event {
	m := make(map[lab.ConvID][]lab.Event)
	for _, e := range events {
		if e.Conv != 0 {
			m[e.Conv] = append(m[e.Conv], e)
		}
	}
	return m
}

// sources says, for each direction, which tap's data events carry its bytes. When
// both ends of a conversation are in the lab, both taps saw every byte: the
// writer's view is taken (as the lab's analyzers do), so nothing is doubled. A
// direction only the reader's tap saw comes from the reader.
func sources(evs []lab.Event) [3]lab.Side {
	var seen [3][3]bool // by Side and Dir
	for _, e := range evs {
		if e.Kind == lab.KindData && e.Side <= lab.SideServer && e.Dir <= lab.ServerToClient {
			seen[e.Side][e.Dir] = true
		}
	}
	var src [3]lab.Side
	for _, d := range []lab.Dir{lab.ClientToServer, lab.ServerToClient} {
		writer, reader := lab.SideClient, lab.SideServer
		if d == lab.ServerToClient {
			writer, reader = reader, writer
		}
		switch {
		case seen[writer][d]:
			src[d] = writer
		case seen[reader][d]:
			src[d] = reader
		case seen[lab.SideNone][d]:
			src[d] = lab.SideNone
		default:
			src[d] = writer
		}
	}
	return src
}

// isSource reports whether e is a data event from its direction's source tap.
func isSource(e *lab.Event, src [3]lab.Side) bool {
	return e.Kind == lab.KindData && (e.Dir == lab.ClientToServer || e.Dir == lab.ServerToClient) && e.Side == src[e.Dir]
}

// stream is one direction's bytes, with the time each part was seen.
type stream struct {
	b    []byte
	offs []int // offs[i]: where the i-th data event's bytes begin in b
	ats  []lab.Event
}

// streams joins each direction's bytes from its source tap.
func streams(evs []lab.Event) [3]*stream {
	src := sources(evs)
	var out [3]*stream
	for _, d := range []lab.Dir{lab.ClientToServer, lab.ServerToClient} {
		out[d] = &stream{}
	}
	for i := range evs {
		e := &evs[i]
		if !isSource(e, src) {
			continue
		}
		s := out[e.Dir]
		s.offs = append(s.offs, len(s.b))
		s.ats = append(s.ats, lab.Event{At: e.At, Seq: e.Seq})
		s.b = append(s.b, e.Data...)
	}
	return out
}

// at returns the event that carried byte off of s (its time and sequence number);
// off past the end gives the last one.
func (s *stream) at(off int) lab.Event {
	if len(s.ats) == 0 {
		return lab.Event{}
	}
	i, found := slices.BinarySearch(s.offs, off)
	if !found {
		i--
	}
	return s.ats[max(0, min(i, len(s.ats)-1))]
}

// limited reports which directions of a conversation passed its protocol's
// capture limit: the lab kept their first bytes and only counted the rest.
func limited(evs []lab.Event) [3]bool {
	var out [3]bool
	for _, e := range evs {
		if e.Kind == lab.KindMessage && e.Msg != nil && e.Dir <= lab.ServerToClient &&
			strings.HasPrefix(e.Msg.Summary, "capture limit reached") {
			out[e.Dir] = true
		}
	}
	return out
}

// opened reports whether the conversation's opening is among evs; when it is not,
// its first events were dropped by the hub's bound.
func opened(evs []lab.Event) bool {
	for _, e := range evs {
		if e.Kind == lab.KindOpen {
			return true
		}
	}
	return false
}

func otherDir(d lab.Dir) lab.Dir {
	if d == lab.ClientToServer {
		return lab.ServerToClient
	}
	return lab.ClientToServer
}

func sender(d lab.Dir) string {
	if d == lab.ServerToClient {
		return "server"
	}
	return "client"
}

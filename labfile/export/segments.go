package export

import (
	"net/netip"
	"time"

	"github.com/protocollab/protolab/lab"
)

// The MSS a SYN announces: what fits an IP packet of the interface's MTU. On a
// loopback interface (MTU 65,536) that is the largest IP packet, 65,535 bytes;
// elsewhere the lab's peers are taken to be on Ethernet (MTU 1,500).
const (
	mss4     = 65535 - 20 - 20 // IPv4 and TCP headers
	mss6     = 65535 - 20 - 40 // the TCP header, within IPv6's payload length, and a margin like Linux's
	mssEth4  = 1500 - 20 - 20
	mssEth6  = 1500 - 40 - 20
	tsOption = 12 // Linux sends TCP timestamps: 12 bytes of options in every segment
	minMSS   = 536
)

// coalesceGap is how close in time two reads must be for the reader's bytes to be
// taken as one segment.
const coalesceGap = time.Millisecond

// mssFor returns the MSS the SYNs announce and the largest payload of a segment
// of conversation c between a and its peer. On a loopback interface that is what
// Linux sends there, the announced MSS less its 12-byte timestamps option: 65,483
// bytes over IPv4 (the loopback's packets are handed to a capture whole, up to
// 64 KiB, whatever the connection's MSS). Elsewhere it is the kernel's own send
// MSS for the connection when the lab read it (TCP_INFO, Linux), else the same
// rule on Ethernet: 1,448 bytes over IPv4.
func mssFor(c lab.ConvInfo, a netip.Addr) (announce uint16, seg int) {
	switch {
	case a.IsLoopback() && a.Is4():
		announce = mss4
	case a.IsLoopback():
		announce = mss6
	case a.Is4():
		announce = mssEth4
	default:
		announce = mssEth6
	}
	seg = int(announce) - tsOption
	if k := c.Kernel; k != nil && k.SndMSS >= minMSS && !a.IsLoopback() {
		seg = min(k.SndMSS, int(announce))
	}
	return announce, seg
}

// segmentPlan says which bytes each data event of a conversation sends as
// segments: plan[i] holds the bytes to send when event i is reached (nil: none).
//
// A direction whose writer's tap is in the lab keeps each write as it was made:
// one write is one segment (split at the MSS when it is larger). A direction only
// the reader's tap saw cannot know the writer's boundaries, only how the reader
// took the bytes: reads that came back to back (within coalesceGap of each other,
// with no byte nor close the other way between them) are joined into one
// segment when the earlier read may have been cut by the reader's buffer, that
// is when the later one is no larger. A reader taking one byte at a time
// (SSH's version line) then gives the line's segment, not a segment per byte;
// a larger read after a smaller one shows the smaller one had taken all that had
// arrived, so it starts a segment of its own.
func segmentPlan(evs []lab.Event, src [3]lab.Side) [][]byte {
	plan := make([][]byte, len(evs))
	var (
		run  [3]int // by Dir: the event whose plan holds the open run, -1 for none
		prev [3]*lab.Event
	)
	run[lab.ClientToServer], run[lab.ServerToClient] = -1, -1
	for i := range evs {
		e := &evs[i]
		switch {
		case e.Kind == lab.KindClose:
			run[lab.ClientToServer], run[lab.ServerToClient] = -1, -1
			continue
		case !isSource(e, src):
			continue
		}
		d := e.Dir
		run[otherDir(d)] = -1
		if fromReader(d, src) && run[d] >= 0 && e.At.Sub(prev[d].At) <= coalesceGap && len(e.Data) <= len(prev[d].Data) {
			plan[run[d]] = append(plan[run[d]], e.Data...)
		} else {
			plan[i] = e.Data[:len(e.Data):len(e.Data)] // shared: a join appends to a copy
			run[d] = i
		}
		prev[d] = e
	}
	return plan
}

// fromReader reports whether direction d's bytes come from the reader's tap.
func fromReader(d lab.Dir, src [3]lab.Side) bool {
	reader := lab.SideServer
	if d == lab.ServerToClient {
		reader = lab.SideClient
	}
	return src[d] == reader
}

package inspector

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/protocollab/protolab/lab"
)

// convRow is one line of the conversation list: a conversation and how deep it
// is indented under its parent.
type convRow struct {
	info  lab.ConvInfo
	depth int
}

// maxDepth bounds the indentation of nested conversations.
const maxDepth = 4

// orderConvs puts the conversations of protocol proto ("" for all) in creation
// order, each child right under its parent. A child whose parent is not listed
// (forgotten, or of another protocol) stands at the top level.
func orderConvs(list []lab.ConvInfo, proto string) []convRow {
	return orderKept(list, func(c *lab.ConvInfo) bool { return proto == "" || c.Protocol == proto })
}

// orderKept is orderConvs of the conversations keep keeps: a child whose parent
// is not kept stands at the top level.
func orderKept(list []lab.ConvInfo, keep func(c *lab.ConvInfo) bool) []convRow {
	shown := make(map[lab.ConvID]bool, len(list))
	for i := range list {
		if keep(&list[i]) {
			shown[list[i].ID] = true
		}
	}
	children := make(map[lab.ConvID][]int)
	var roots []int
	for i, c := range list {
		if !shown[c.ID] {
			continue
		}
		if c.Link.Parent != 0 && c.Link.Parent != c.ID && shown[c.Link.Parent] {
			children[c.Link.Parent] = append(children[c.Link.Parent], i)
		} else {
			roots = append(roots, i)
		}
	}
	out := make([]convRow, 0, len(shown))
	done := make(map[lab.ConvID]bool, len(shown))
	var walk func(i, depth int)
	walk = func(i, depth int) {
		c := list[i]
		if done[c.ID] {
			return
		}
		done[c.ID] = true
		out = append(out, convRow{info: c, depth: min(depth, maxDepth)})
		for _, k := range children[c.ID] {
			walk(k, depth+1)
		}
	}
	for _, i := range roots {
		walk(i, 0)
	}
	// A cycle of parents has no root: list its members at the top level.
	for i, c := range list {
		if shown[c.ID] && !done[c.ID] {
			walk(i, 0)
		}
	}
	return out
}

// convColumns are the conversation list's column titles.
// The state comes early so that it stays in view in a narrow pane.
var convColumns = []string{"#", "proto", "client → server", "state", "duration", "bytes ↑/↓", "start"}

// convCell is the text of one cell of the conversation list.
func convCell(r convRow, col int, now time.Time) string {
	c := r.info
	switch col {
	case 0:
		if r.depth > 0 {
			return strings.Repeat("  ", r.depth-1) + "└ " + fmt.Sprint(c.ID)
		}
		return fmt.Sprint(c.ID)
	case 1:
		return c.Protocol
	case 2:
		s := shortAddr(c.Client) + " → " + shortAddr(c.Server)
		switch {
		case c.ClientSeen && !c.ServerSeen:
			s += " (client side)"
		case c.ServerSeen && !c.ClientSeen:
			s += " (server side)"
		}
		if c.Link.Text() != "" {
			s = c.Link.Text() + " · " + s
		}
		return s
	case 3:
		return convStateShort(c)
	case 4:
		return fmtDuration(c.Duration(now))
	case 5:
		return fmtBytes(c.BytesC2S) + " / " + fmtBytes(c.BytesS2C)
	case 6:
		return c.Start.Format("15:04:05")
	}
	return ""
}

// convState says whether c is live or how it ended, and its protocol state.
func convState(c lab.ConvInfo) string {
	var s string
	switch {
	case c.Live:
		s = "live"
	case c.CloseHow == lab.HowRST:
		s = "reset"
		if c.ClosedBy != lab.SideNone {
			s += " by " + c.ClosedBy.String()
		}
	case c.CloseHow == lab.HowFIN && c.ClosedBy != lab.SideNone:
		s = "closed by " + c.ClosedBy.String() + " (FIN)"
	case c.CloseHow == lab.HowIdle:
		s = "idle"
	case c.CloseHow != "":
		s = "ended (" + c.CloseHow + ")"
	default:
		s = "ended"
	}
	if c.State != "" {
		s += " · " + c.State
	}
	return s
}

// convStateShort is convState for the list, where room is short: a live
// conversation's protocol state, or how it ended ("FIN · client first",
// "RST · by server"). The detail's header has the whole of convState.
func convStateShort(c lab.ConvInfo) string {
	switch {
	case c.Live && c.State != "":
		return c.State
	case c.Live:
		return "live"
	case c.CloseHow == lab.HowRST && c.ClosedBy != lab.SideNone:
		return "RST · by " + c.ClosedBy.String()
	case c.CloseHow == lab.HowRST:
		return "RST"
	case c.CloseHow == lab.HowFIN && c.ClosedBy != lab.SideNone:
		return "FIN · " + c.ClosedBy.String() + " first"
	case c.CloseHow == lab.HowIdle:
		return "idle"
	case c.CloseHow != "":
		return c.CloseHow
	}
	return "ended"
}

// shortAddr drops a loopback host: "127.0.0.1:7000" → ":7000".
func shortAddr(a string) string {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return a
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return ":" + port
	}
	return a
}

// fmtBytes is a byte count in three significant characters: "812", "1.2k", "3.4M".
func fmtBytes(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprint(n)
	case n < 1_000_000:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	case n < 1_000_000_000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1fG", float64(n)/1e9)
}

// fmtDuration is a duration for a list: "0.11 ms", "41 ms", "2.3 s", "4m05s".
func fmtDuration(d time.Duration) string {
	switch {
	case d < 0:
		return ""
	case d < time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// fmtOffset is a time since the conversation's start, fixed-width for a column:
// "+0.112 ms", "+41.250 ms", "+2.301 s", "+4m05.1s".
func fmtOffset(d time.Duration) string {
	switch {
	case d < 0:
		return "−" + fmtOffset(-d)[1:]
	case d < time.Second:
		var b [24]byte
		return string(append(strconv.AppendFloat(append(b[:0], '+'), float64(d)/1e6, 'f', 3, 64), " ms"...))
	case d < time.Minute:
		var b [24]byte
		return string(append(strconv.AppendFloat(append(b[:0], '+'), d.Seconds(), 'f', 3, 64), " s"...))
	}
	return fmt.Sprintf("+%dm%04.1fs", int(d.Minutes()), d.Seconds()-60*float64(int(d.Minutes())))
}

// printable renders raw bytes as text for the detail view: printable characters
// and line breaks as they are, anything else as "·".
func printable(b []byte) string {
	var s strings.Builder
	s.Grow(len(b))
	for _, r := range strings.ToValidUTF8(string(b), "\uFFFD") {
		switch {
		case r == '\n' || r == '\t':
			s.WriteRune(r)
		case r == '\r':
		case r < 0x20 || r == 0x7f || r == '\uFFFD':
			s.WriteRune('·')
		default:
			s.WriteRune(r)
		}
	}
	return s.String()
}

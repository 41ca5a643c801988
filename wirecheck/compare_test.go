package wirecheck_test

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/protocollab/protolab/lab"
)

// item is one message of one connection, on the wire or in the lab.
type item struct {
	conv   lab.ConvID
	dir    lab.Dir
	key    string
	pos    int       // its place in its list: the wire's frame order, or the lab's event order
	note   string    // where it was seen: "frame 12", "event 340 (server)"
	wireAt time.Time // wire items: when the capture saw its frame
	// Lab items only.
	seq  uint64
	at   time.Time // when its tap recorded it
	late bool      // its tap learnt of it after the kernel had it: an accept's SYN and SYN-ACK, a FIN or RST a read reported
}

func (it item) String() string {
	return fmt.Sprintf("#%d %s %s", it.conv, it.dir, it.key)
}

// endpoints finds a conversation by either order of its two endpoints; the
// conversations of one pair (a port used again), by start.
type endpoints map[string][]lab.ConvInfo

func newEndpoints(convs []lab.ConvInfo) endpoints {
	e := make(endpoints)
	for _, c := range convs {
		e[c.Client+" "+c.Server] = append(e[c.Client+" "+c.Server], c)
		e[c.Server+" "+c.Client] = append(e[c.Server+" "+c.Client], c)
	}
	for _, cs := range e {
		slices.SortFunc(cs, func(a, b lab.ConvInfo) int { return a.Start.Compare(b.Start) })
	}
	return e
}

// find returns the conversation of src and dst a frame sent at belongs to: the
// last of theirs to start by then (a second's slack for the clocks' reading).
func (e endpoints) find(src, dst string, at time.Time) (lab.ConvInfo, bool) {
	cs := e[src+" "+dst]
	if len(cs) == 0 {
		return lab.ConvInfo{}, false
	}
	c := cs[0]
	for _, x := range cs[1:] {
		if !x.Start.After(at.Add(time.Second)) {
			c = x
		}
	}
	return c, true
}

// counts are what wireItems leaves out by the known table.
type counts struct{ rst, retrans, data, encrypted int }

// wireItems turns tshark's frames into items of the conversations in ends, and
// counts what it leaves out, by conversation. Frames of no conversation of the
// lab's are returned apart, as the lab missing a whole connection or flow.
func wireItems(frames []frame, ends endpoints) (items []item, strays []string, skipped map[lab.ConvID]*counts) {
	skipped = make(map[lab.ConvID]*counts)
	literal := make(map[string]*int) // per connection and direction: an IMAP literal's line to skip
	reset := make(map[string]bool)
	for _, f := range frames {
		k := f.get("tcp.stream") + "/" + f.get("tcp.srcport")
		if literal[k] == nil {
			literal[k] = new(int)
		}
		src, dst, keys, skip, opaque := frameKeys(f, literal[k])
		c, ok := ends.find(src, dst, f.time())
		if !ok {
			if len(keys) > 0 {
				strays = append(strays, fmt.Sprintf("frame %s %s → %s: %s", f.num, src, dst, strings.Join(keys, ", ")))
			}
			continue
		}
		n := skipped[c.ID]
		if n == nil {
			n = new(counts)
			skipped[c.ID] = n
		}
		if skip {
			n.retrans++
			continue
		}
		if opaque {
			n.encrypted++
		}
		dir := lab.ClientToServer
		if src == c.Server {
			dir = lab.ServerToClient
		}
		for _, k := range keys {
			side := fmt.Sprint(c.ID, dir)
			if k == "TCP RST" {
				if reset[side] {
					n.rst++
					continue
				}
				reset[side] = true
			}
			if p := lastOf(items, c.ID, dir); k == "FTP-DATA data" && p != nil && p.key == k {
				n.data++
				continue
			}
			items = append(items, item{conv: c.ID, dir: dir, key: k, pos: len(items), note: "frame " + f.num, wireAt: f.time()})
		}
	}
	return items, strays, skipped
}

func lastOf(items []item, conv lab.ConvID, dir lab.Dir) *item {
	for i := len(items) - 1; i >= 0; i-- {
		if items[i].conv == conv && items[i].dir == dir {
			return &items[i]
		}
	}
	return nil
}

// labItems turns the lab's events of convs into items, in the order of their
// time (when each crossed its socket; the pcapng export's order). An item its tap read (an
// accept, the bytes of a read, an end of file) is late: the wire carried it
// when it reached the kernel, the tap saw it when the program read it.
func labItems(events []lab.Event, convs []lab.ConvInfo) (items []item, tlsAsData int) {
	in := make(map[lab.ConvID]bool)
	dataConv := make(map[lab.ConvID]bool)
	for _, c := range convs {
		in[c.ID] = true
		dataConv[c.ID] = c.Link.Kind == lab.LinkData
	}
	for _, e := range events {
		if !in[e.Conv] {
			continue
		}
		k, ok := labKey(e)
		if !ok {
			continue
		}
		it := item{conv: e.Conv, dir: e.Dir, key: k, pos: len(items), seq: e.Seq, at: e.At,
			note: fmt.Sprintf("event %d, %s's tap", e.Seq, e.Side)}
		switch {
		case (k == "TCP SYN" || k == "TCP SYN-ACK") && e.Side == lab.SideServer:
			it.late = true // the kernel made the handshake before accept() told the tap of it
		case isClose(k) && e.Dir == e.Side.Inbound():
			it.late = true // a read reported it
		}
		if dataConv[e.Conv] && strings.HasPrefix(k, "TLS ") {
			it.key = "FTP-DATA data" // known: tshark reads TLS on an FTP data connection as data
			tlsAsData++
		}
		if it.key == "FTP-DATA data" {
			if p := lastOf(items, e.Conv, e.Dir); p != nil && p.key == it.key {
				continue
			}
		}
		items = append(items, it)
	}
	// The lab's order is its events' time: when each crossed its socket.
	slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
	for i := range items {
		items[i].pos = i
	}
	return items, tlsAsData
}

// difference is the first way two lists of items disagree.
type difference struct {
	what string
	a, b []item // the two lists
	i, j int    // where to show them from
}

// perDirection compares the two lists one connection and direction at a time:
// the same keys in the same order. It returns the first difference, by the
// position in list a.
func perDirection(a, b []item, aName, bName string) *difference {
	split := func(items []item) map[string][]item {
		m := make(map[string][]item)
		for _, it := range items {
			k := fmt.Sprint(it.conv, it.dir)
			m[k] = append(m[k], it)
		}
		return m
	}
	sa, sb := split(a), split(b)
	var best *difference
	consider := func(d *difference) {
		if best == nil || d.i < best.i {
			best = d
		}
	}
	keys := make(map[string]bool)
	for k := range sa {
		keys[k] = true
	}
	for k := range sb {
		keys[k] = true
	}
	for k := range keys {
		la, lb := sa[k], sb[k]
		n := 0
		for n < len(la) && n < len(lb) && la[n].key == lb[n].key {
			n++
		}
		if n == len(la) && n == len(lb) {
			continue
		}
		d := &difference{a: a, b: b, i: len(a), j: len(b)}
		switch {
		case n < len(la) && n < len(lb):
			d.what = fmt.Sprintf("%s has %q where %s has %q (%s)", aName, la[n].String(), bName, lb[n].String(), la[n].note)
			d.i, d.j = la[n].pos, lb[n].pos
		case n < len(la):
			d.what = fmt.Sprintf("%s has %q (%s) that %s has not", aName, la[n].String(), la[n].note, bName)
			d.i = la[n].pos
			if n > 0 {
				d.j = lb[n-1].pos + 1
			} else {
				d.j = closest(b, la[n])
			}
		default:
			d.what = fmt.Sprintf("%s has %q (%s) that %s has not", bName, lb[n].String(), lb[n].note, aName)
			d.j = lb[n].pos
			if n > 0 {
				d.i = la[n-1].pos + 1
			} else {
				d.i = closest(a, lb[n])
			}
		}
		consider(d)
	}
	return best
}

// closest is where in items a missing first item of its connection and
// direction would go: after the last item of its connection.
func closest(items []item, it item) int {
	p := 0
	for _, x := range items {
		if x.conv == it.conv {
			p = x.pos + 1
		}
	}
	return min(p, len(items))
}

// order checks, once each connection and direction agree, that the lab shows
// its messages in the wire's order. Two messages the wire carried in one order
// and the lab shows in the other are excused (known's "learnt late" and
// "crossed") when the later one in the lab is one its tap could only learn of
// late, and did, after the earlier one; or when it reached the wire only after
// the lab had recorded the earlier one (a write under way as it arrived). open
// says whether a pair is a known difference of ours not yet fixed (and counts
// it). order returns the first other pair, and the numbers excused.
func order(wireList, labList []item, open func(a, b item) bool) (d *difference, learnt, crossed int) {
	idx := make(map[string]int) // "conv dir/n" → wire position
	count := make(map[string]int)
	for _, it := range wireList {
		k := fmt.Sprint(it.conv, it.dir)
		idx[fmt.Sprint(k, "/", count[k])] = it.pos
		count[k]++
	}
	clear(count)
	at := make([]int, len(labList)) // each lab item's wire position
	for i, it := range labList {
		k := fmt.Sprint(it.conv, it.dir)
		at[i] = idx[fmt.Sprint(k, "/", count[k])]
		count[k]++
	}
	for j := range labList {
		for i := 0; i < j; i++ {
			a, b := labList[i], labList[j]
			switch {
			case at[i] < at[j]:
			case b.late && b.at.After(a.at):
				learnt++
			case !wireList[at[j]].wireAt.Before(a.at):
				crossed++
			case open(a, b):
			case d == nil:
				d = &difference{
					what: fmt.Sprintf("the lab shows %q (%s) before %q (%s); on the wire it came after it (%s, %s; "+
						"the second reached the wire %v before the lab recorded the first)",
						a.String(), a.note, b.String(), b.note, wireList[at[i]].note, wireList[at[j]].note,
						a.at.Sub(wireList[at[j]].wireAt)),
					a: wireList, b: labList, i: min(at[i], at[j]), j: i,
				}
			}
		}
	}
	return d, learnt, crossed
}

// sideBySide prints the two lists from the difference on, a few lines before it.
func (d *difference) sideBySide(aName, bName string) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s\n%-52s | %s\n", d.what, aName, bName)
	i, j := max(d.i-3, 0), max(d.j-3, 0)
	for n := 0; n < 24 && (i < len(d.a) || j < len(d.b)); n++ {
		var l, r string
		if i < len(d.a) {
			l = fmt.Sprintf("%s  [%s]", d.a[i], d.a[i].note)
			if i == d.i {
				l = "> " + l
			}
			i++
		}
		if j < len(d.b) {
			r = fmt.Sprintf("%s  [%s]", d.b[j], d.b[j].note)
			if j == d.j {
				r = "> " + r
			}
			j++
		}
		fmt.Fprintf(&sb, "%-52s | %s\n", l, r)
	}
	return sb.String()
}

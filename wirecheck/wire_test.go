package wirecheck_test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/labfile/export"
)

func splitAddr(a string) (string, string) {
	h, p, _ := net.SplitHostPort(a)
	return h, p
}

// result counts one protocol's comparisons for the results table.
type result struct {
	compared int            // the wire's messages compared with the lab's
	known    map[string]int // excused by the known table
	open     map[string]int // open differences of the lab's, by name
	failed   []string       // other differences: failures
}

func (r *result) String() string {
	var left []string
	for _, f := range r.failed {
		left = append(left, "FAILED: "+f)
	}
	for _, o := range open {
		if n := r.open[o.name]; n > 0 {
			left = append(left, fmt.Sprintf("%s (%d)", o.name, n))
		}
	}
	if len(left) == 0 {
		left = []string{"none"}
	}
	var ks []string
	for _, k := range known {
		if n := r.known[k.name]; n > 0 {
			ks = append(ks, fmt.Sprintf("%s (%d)", k.name, n))
		}
	}
	if len(ks) == 0 {
		ks = []string{"none"}
	}
	return fmt.Sprintf("%d | %s | %s", r.compared, strings.Join(ks, ", "), strings.Join(left, "; "))
}

// TestWire is the differential test: the scenarios' outside clients drive the
// lab's servers while tcpdump captures the loopback interface; then, per
// scenario and group of linked conversations, tshark's dissection of the
// capture is compared with the lab's messages (kinds, counts, codes, order, FIN
// or RST and whose) and with tshark's dissection of the lab's pcapng export.
// The results table ends the test's log:
//
//	go test -v -count=1 -run TestWire ./wirecheck/ 2>&1 | grep -o '|.*|$'
func TestWire(t *testing.T) {
	python := needTools(t)
	bn := startBench(t, python)

	// Drive: one capture for every scenario, each with its conversations.
	c := bn.startCapture(t)
	convsOf := make(map[string][]lab.ConvInfo)
	var all []lab.ConvInfo
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			last := bn.lastConv()
			sc.run(t, bn)
			convsOf[sc.name] = bn.settled(t, last, sc.convs)
			all = append(all, convsOf[sc.name]...)
		})
	}
	file := c.stop(t, bn)

	// Dissect the capture and the lab's export of the same conversations.
	keys := bn.hub.Keys().Lines()
	rules := export.DecodeAs(wire.Registry(), all)
	if d := os.Getenv("WIRECHECK_KEEP"); d != "" { // a folder to keep the capture in, for a look with Wireshark
		b, _ := os.ReadFile(file)
		os.WriteFile(filepath.Join(d, "wire.pcap"), b, 0o644)
		os.WriteFile(filepath.Join(d, "keys.log"), []byte(strings.Join(keys, "\n")+"\n"), 0o644)
		os.WriteFile(filepath.Join(d, "decode-as"), []byte(strings.Join(rules, "\n")+"\n"), 0o644)
	}
	events := bn.hub.Events(0)
	ends := newEndpoints(all)
	wireAll, strays, skipped := wireItems(dissect(t, file, keys, rules), ends)
	for _, s := range strays {
		t.Errorf("the lab has no conversation of %s", s)
	}
	exportAll, strays, _ := wireItems(dissect(t, writePCAPNG(t, all, events, keys), nil, rules), ends)
	for _, s := range strays {
		t.Errorf("the export has a frame of no conversation: %s", s)
	}

	// Compare, scenario by scenario, and count by protocol.
	results := make(map[string]*result)
	var rows []string
	for _, sc := range scenarios {
		r := results[sc.protocol]
		if r == nil {
			r = &result{known: make(map[string]int), open: make(map[string]int)}
			results[sc.protocol] = r
			rows = append(rows, sc.protocol)
		}
		convs, ok := convsOf[sc.name]
		if !ok {
			continue // not run, or failed
		}
		for _, c := range convs {
			n := skipped[c.ID]
			if n == nil {
				continue
			}
			r.known["one RST per side"] += n.rst
			r.known["retransmission"] += n.retrans
			r.known["FTP data as one message"] += n.data
			r.known["SSH after NEWKEYS"] += n.encrypted
		}
		t.Run(sc.name, func(t *testing.T) {
			for _, g := range groups(convs) {
				if os.Getenv("WIRECHECK_DEBUG") != "" { // every message of the lab's, as it shows them
					for _, e := range events {
						if slices.ContainsFunc(g, func(c lab.ConvInfo) bool { return c.ID == e.Conv }) && e.Msg != nil {
							t.Logf("lab #%d %s %s's tap %s: %s", e.Conv, e.Dir, e.Side, e.Layer, e.Msg.Summary)
						}
					}
				}
				l, n := labItems(events, g)
				r.known["TLS on FTP data"] += n
				compare(t, sc.name, r, g, of(wireAll, g), l, of(exportAll, g))
			}
		})
	}
	t.Log("| protocol | messages compared | known differences (the table in known_test.go) | differences left |")
	t.Log("| --- | --- | --- | --- |")
	for _, p := range rows {
		t.Logf("| %s | %s |", p, results[p])
	}
	for _, o := range open {
		if slices.ContainsFunc(rows, func(p string) bool { return results[p].open[o.name] > 0 }) {
			t.Logf("open, the lab's own: %s: %s", o.name, o.why)
		}
	}
}

// compare compares one group of linked conversations of a scenario: the wire's
// items w with the lab's l and the export's x.
func compare(t *testing.T, scenario string, r *result, g []lab.ConvInfo, w, l, x []item) {
	w, n := afterOwnClose(w, l, g)
	r.known["after own close"] += n
	w, n = unreadFIN(w, l, g)
	r.open["unread FIN"] += n
	w, n = resetAfterOwnFIN(w, l, g)
	r.open["reset after own FIN"] += n
	w, n = crossedResets(w, l, g)
	r.open["crossed resets"] += n
	l, wl, n := closeRace(l, w) // wl: the wire, for the lab

	r.open["FIN foretold, RST on the wire"] += n
	r.compared += len(wl)
	name := fmt.Sprintf("conversation #%d (%s)", g[0].ID, g[0].Protocol)
	if d := perDirection(wl, l, "wire (tshark)", "lab"); d != nil {
		fail(t, r, name+": the lab differs from the wire: "+d.sideBySide("wire (tshark)", "lab"))
	} else {
		d, learnt, crossed := order(wl, l, func(a, b item) bool {
			for _, o := range open {
				if o.order != nil && (o.scenario == "" || o.scenario == scenario) && o.order(a, b) {
					r.open[o.name]++
					return true
				}
			}
			return false
		})
		r.known["learnt late"] += learnt
		r.known["crossed"] += crossed
		if d != nil {
			fail(t, r, name+": the lab's order differs from the wire's: "+d.sideBySide("wire (tshark)", "lab"))
		}
	}
	x, wx, _ := closeRace(x, w)
	if d := perDirection(wx, x, "wire (tshark)", "export (tshark)"); d != nil {
		fail(t, r, name+": the export differs from the wire: "+d.sideBySide("wire (tshark)", "export (tshark)"))
	}
}

// fail records a difference that is a failure.
func fail(t *testing.T, r *result, msg string) {
	t.Helper()
	first, _, _ := strings.Cut(msg, "\n")
	r.failed = append(r.failed, first)
	t.Error(msg)
}

// groups splits conversations into linked groups: a conversation with the ones
// that exist because of it (an FTP control connection and its data
// connections, a mail and its relay).
func groups(convs []lab.ConvInfo) [][]lab.ConvInfo {
	byID := make(map[lab.ConvID]lab.ConvInfo)
	for _, c := range convs {
		byID[c.ID] = c
	}
	idx := make(map[lab.ConvID]int)
	var out [][]lab.ConvInfo
	for _, c := range convs {
		r := c
		for r.Link.Parent != 0 {
			p, ok := byID[r.Link.Parent]
			if !ok {
				break
			}
			r = p
		}
		i, ok := idx[r.ID]
		if !ok {
			i = len(out)
			idx[r.ID] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], c)
	}
	return out
}

// of returns the items of the group's conversations, renumbered.
func of(items []item, group []lab.ConvInfo) []item {
	in := make(map[lab.ConvID]bool)
	for _, c := range group {
		in[c.ID] = true
	}
	out, _ := filter(items, func(it item) bool { return in[it.conv] })
	return out
}

// writePCAPNG exports the conversations as the lab's pcapng export does, into
// a file for tshark.
func writePCAPNG(t *testing.T, convs []lab.ConvInfo, events []lab.Event, keys []string) string {
	t.Helper()
	var b bytes.Buffer
	if err := export.PCAPNG(&b, wire.Registry(), convs, events, keys); err != nil {
		t.Fatalf("PCAPNG: %v", err)
	}
	file := filepath.Join(t.TempDir(), "lab.pcapng")
	if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

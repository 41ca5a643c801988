package wirecheck_test

import (
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// These tests check the comparison itself, without a capture: what it finds and
// what it lets pass.

func items(specs ...string) []item {
	var out []item
	t0 := time.Unix(0, 0)
	for i, s := range specs { // "c>KEY" (client to server) or "s<KEY"; a trailing "~" marks one learnt late
		it := item{conv: 1, dir: lab.ClientToServer, pos: i, at: t0.Add(time.Duration(i) * time.Millisecond)}
		if s[0] == 's' {
			it.dir = lab.ServerToClient
		}
		it.key, it.late = strings.TrimSuffix(s[2:], "~"), strings.HasSuffix(s, "~")
		it.note = s
		out = append(out, it)
	}
	return out
}

var perDirectionTests = []struct {
	name      string
	wire, lab []string
	want      string // in the difference; "" for none
}{
	{"same", []string{"c>SMTP EHLO", "s<SMTP 250"}, []string{"c>SMTP EHLO", "s<SMTP 250"}, ""},
	{"misses", []string{"c>SMTP EHLO", "s<SMTP 250", "c>TCP FIN"}, []string{"c>SMTP EHLO", "s<SMTP 250"},
		`wire has "#1 c2s TCP FIN" (c>TCP FIN) that lab has not`},
	{"invents", []string{"c>SMTP EHLO"}, []string{"c>SMTP EHLO", "s<TCP FIN"}, `lab has "#1 s2c TCP FIN" (s<TCP FIN) that wire has not`},
	{"merges", []string{"c>SMTP DATA", "c>SMTP message", "c>SMTP QUIT"}, []string{"c>SMTP DATA", "c>SMTP QUIT"},
		`wire has "#1 c2s SMTP message" where lab has "#1 c2s SMTP QUIT"`},
	{"RST for FIN", []string{"s<TCP FIN"}, []string{"s<TCP RST"}, `wire has "#1 s2c TCP FIN" where lab has "#1 s2c TCP RST"`},
}

func TestPerDirection(t *testing.T) {
	for _, tt := range perDirectionTests {
		d := perDirection(items(tt.wire...), items(tt.lab...), "wire", "lab")
		switch {
		case tt.want == "" && d != nil:
			t.Errorf("%s: difference %q, want none", tt.name, d.what)
		case tt.want != "" && (d == nil || !strings.Contains(d.what, tt.want)):
			t.Errorf("%s: difference %v, want one with %q", tt.name, d, tt.want)
		}
	}
}

func TestOrder(t *testing.T) {
	never := func(a, b item) bool { return false }
	// A peer's FIN a read reported after the server's reply, which the wire has
	// after the FIN: the socket learnt of it late.
	if d, learnt, _ := order(items("c>TCP FIN", "s<SMTP 221"), items("s<SMTP 221", "c>TCP FIN~"), never); d != nil || learnt != 1 {
		t.Errorf("a FIN learnt late: %v, %d excused; want it excused", d, learnt)
	}
	// The client's EHLO shown after the server's 220: excused only if it reached
	// the wire after the lab recorded the 220 (the two crossed)...
	lab := items("s<SMTP 220", "c>SMTP EHLO")
	wire := items("c>SMTP EHLO", "s<SMTP 220")
	wire[0].wireAt = lab[0].at.Add(time.Millisecond)
	if d, _, crossed := order(wire, lab, never); d != nil || crossed != 1 {
		t.Errorf("crossed segments: %v, %d excused; want them excused", d, crossed)
	}
	// ...not if it was there before: the lab shows the reply before its request.
	wire[0].wireAt = lab[0].at.Add(-time.Millisecond)
	d, _, _ := order(wire, lab, never)
	if d == nil || !strings.Contains(d.sideBySide("wire", "lab"), "> #1 s2c SMTP 220") {
		t.Errorf("a reply shown before its request: %v, want a difference pointing at the 220", d)
	}
	// An open difference is counted by the callback, not failed.
	opened := 0
	if d, _, _ := order(wire, lab, func(a, b item) bool { opened++; return true }); d != nil || opened != 1 {
		t.Errorf("an open difference: %v, %d counted", d, opened)
	}
}

// A PDML frame as tshark writes it: an EHLO's multi-line reply in two segments'
// worth of lines, and a FIN.
const pdmlReply = `<?xml version="1.0"?><pdml>
<packet><proto name="frame"><field name="frame.number" show="7"/><field name="frame.time_epoch" show="1700000000.5"/></proto>
<proto name="ip"><field name="ip.src" show="127.0.0.1"/><field name="ip.dst" show="127.0.0.2"/></proto>
<proto name="tcp"><field name="tcp.srcport" show="25"/><field name="tcp.dstport" show="40000"/>
<field name="tcp.len" show="40"/><field name="tcp.flags.ack" show="1"/><field name="tcp.flags.reset" show="0"/>
<field name="tcp.flags.syn" show="0"/><field name="tcp.flags.fin" show="1"/></proto>
<proto name="smtp"><field name="smtp.response" show="250-Hello x&#10;"/><field name="smtp.response" show="250 SIZE 100&#10;"/>
<field name="smtp.req.command" show="starttls"/></proto></packet></pdml>`

func TestFrameKeys(t *testing.T) {
	frames, err := parsePDML(strings.NewReader(pdmlReply))
	if err != nil || len(frames) != 1 {
		t.Fatalf("parsePDML = %d frames, %v", len(frames), err)
	}
	var literal int
	src, dst, keys, skip, _ := frameKeys(frames[0], &literal)
	if src != "127.0.0.1:25" || dst != "127.0.0.2:40000" || skip {
		t.Errorf("frame from %s to %s (skip %v), want 127.0.0.1:25 to 127.0.0.2:40000", src, dst, skip)
	}
	if got, want := strings.Join(keys, ", "), "SMTP 250, SMTP STAR, TCP FIN"; got != want {
		t.Errorf("keys = %q, want %q", got, want)
	}
	if got := frames[0].time(); !got.Equal(time.Unix(1700000000, 5e8)) {
		t.Errorf("time = %v", got)
	}
}

// TestCrossedResets: a RST the lab misses is left to open's "crossed resets"
// only when the wire has the other end's RST too and the lab shows that one.
func TestCrossedResets(t *testing.T) {
	for _, tt := range []struct {
		name       string
		wire, lab  []string
		kept, gone int
	}{
		{"crossed, the lab shows the client's", []string{"c>TCP RST", "s<TCP RST"}, []string{"c>TCP RST"}, 1, 1},
		{"both shown", []string{"c>TCP RST", "s<TCP RST"}, []string{"c>TCP RST", "s<TCP RST"}, 2, 0},
		{"one RST, missed", []string{"s<TCP RST"}, []string{"c>TCP FIN"}, 1, 0},
		{"crossed, neither shown", []string{"c>TCP RST", "s<TCP RST"}, []string{"c>TCP FIN"}, 2, 0},
	} {
		kept, gone := crossedResets(items(tt.wire...), items(tt.lab...), nil)
		if len(kept) != tt.kept || gone != tt.gone {
			t.Errorf("%s: kept %d, removed %d; want %d and %d", tt.name, len(kept), gone, tt.kept, tt.gone)
		}
	}
}

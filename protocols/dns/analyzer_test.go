package dns

import (
	"bytes"
	"encoding/binary"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	mdns "github.com/miekg/dns"

	"github.com/protocollab/protolab/lab"
)

func TestProtocol(t *testing.T) {
	p := Protocol()
	if p.Name != "dns" || p.Title != "DNS lab.test" || p.DefaultPort != 5354 || p.Transport != "udp" || !p.Connectionless {
		t.Errorf("Protocol() = %q %q %d %q %v", p.Name, p.Title, p.DefaultPort, p.Transport, p.Connectionless)
	}
	if len(p.Settings) != 1 || p.Settings[0].Key != SettingZone || p.Settings[0].Default != DefaultZone {
		t.Errorf("Settings = %+v, want the zone", p.Settings)
	}
	if _, ok := p.NewAnalyzer().(*Analyzer); !ok {
		t.Errorf("NewAnalyzer() = %T", p.NewAnalyzer())
	}
	if _, ok := p.NewStreamAnalyzer().(*StreamAnalyzer); !ok {
		t.Errorf("NewStreamAnalyzer() = %T", p.NewStreamAnalyzer())
	}
}

func pack(t testing.TB, m *mdns.Msg) []byte {
	t.Helper()
	b, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func query(name string, qt uint16) *mdns.Msg {
	m := new(mdns.Msg)
	m.SetQuestion(name, qt)
	m.Id = 4242
	return m
}

func answer(q *mdns.Msg, rc int, rrs ...string) *mdns.Msg {
	r := new(mdns.Msg)
	r.SetRcode(q, rc)
	r.Authoritative = true
	for _, s := range rrs {
		rr, err := mdns.NewRR(s)
		if err != nil {
			panic(err)
		}
		r.Answer = append(r.Answer, rr)
	}
	return r
}

var messageTests = []struct {
	dir     lab.Dir
	msg     *mdns.Msg
	summary string
	fields  map[string]string
	meaning string
}{
	{lab.ClientToServer, query("www.lab.test.", mdns.TypeA), "query A www.lab.test",
		map[string]string{"id": "4242", "flags": "RD, opcode QUERY", "question": "www.lab.test IN A"}, "asks for the A records"},
	{lab.ServerToClient, answer(query("www.lab.test.", mdns.TypeA), mdns.RcodeSuccess, "www.lab.test. 300 IN A 127.0.0.1"),
		"response NOERROR A www.lab.test → 127.0.0.1",
		map[string]string{"flags": "QR AA RD, opcode QUERY, rcode NOERROR", "answer": "www.lab.test.\t300\tIN\tA\t127.0.0.1"}, "authoritative"},
	{lab.ServerToClient, answer(query("alpha.test.", mdns.TypeMX), mdns.RcodeSuccess, "alpha.test. 300 IN MX 10 mail.alpha.test.", "alpha.test. 300 IN MX 20 mx2.alpha.test."),
		"response NOERROR MX alpha.test → 10 mail.alpha.test., 20 mx2.alpha.test.",
		map[string]string{"answer 2": "alpha.test.\t300\tIN\tMX\t20 mx2.alpha.test."}, "NOERROR"},
	{lab.ServerToClient, answer(query("nope.lab.test.", mdns.TypeA), mdns.RcodeNameError), "response NXDOMAIN A nope.lab.test",
		map[string]string{"flags": "QR AA RD, opcode QUERY, rcode NXDOMAIN"}, "no such name"},
}

func field(m lab.Message, name string) string {
	fields, _ := m.Detail()
	for _, f := range fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

func TestDatagrams(t *testing.T) {
	a := NewAnalyzer()
	for _, tt := range messageTests {
		b := pack(t, tt.msg)
		msgs := a.Feed(tt.dir, b, time.Time{})
		if len(msgs) != 1 {
			t.Fatalf("Feed gave %d messages, want 1", len(msgs))
		}
		m := msgs[0]
		if m.Summary != tt.summary {
			t.Errorf("summary = %q, want %q", m.Summary, tt.summary)
		}
		for k, want := range tt.fields {
			if got := field(m, k); got != want {
				t.Errorf("%s: field %q = %q, want %q", tt.summary, k, got, want)
			}
		}
		if _, meaning := m.Detail(); !strings.Contains(meaning, tt.meaning) {
			t.Errorf("%s: meaning %q, want it to contain %q", tt.summary, meaning, tt.meaning)
		}
		if m.Ref != "RFC 1035 §4.1" || !bytes.Equal(m.Raw, b) || m.Dir != tt.dir || !m.Observed {
			t.Errorf("%s: message %+v", tt.summary, m)
		}
	}
}

func TestMalformed(t *testing.T) {
	for _, b := range [][]byte{{}, []byte("hello"), {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w'}} {
		msgs := NewAnalyzer().Feed(lab.ClientToServer, b, time.Time{})
		if len(msgs) != 1 || !strings.HasPrefix(msgs[0].Summary, "malformed DNS message") || field(msgs[0], "error") == "" {
			t.Errorf("Feed(%q) = %+v, want one malformed message with the error", b, msgs)
		}
	}
}

func frame(b []byte) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(len(b))), b...)
}

// TestStream feeds two framed messages one byte at a time, then both in one chunk.
func TestStream(t *testing.T) {
	q := frame(pack(t, messageTests[0].msg))
	r := frame(pack(t, messageTests[1].msg))
	a := NewStreamAnalyzer()
	var got []lab.Message
	for _, c := range append(append([]byte(nil), q...), r...) {
		got = append(got, a.Feed(lab.ClientToServer, []byte{c}, time.Time{})...)
	}
	got = append(got, a.Feed(lab.ServerToClient, append(append([]byte(nil), q...), r...), time.Time{})...)
	if len(got) != 4 {
		t.Fatalf("%d messages, want 4", len(got))
	}
	for i, m := range got {
		want, raw := messageTests[i%2].summary, [][]byte{q, r}[i%2]
		if m.Summary != want || !bytes.Equal(m.Raw, raw) || m.Ref != "RFC 1035 §4.2.2, §4.1" {
			t.Errorf("message %d = %q raw %d bytes, want %q raw %d bytes", i, m.Summary, len(m.Raw), want, len(raw))
		}
		if got, want := field(m, "length prefix"), strconv.Itoa(len(raw)-2)+" bytes"; got != want {
			t.Errorf("message %d length prefix = %q, want %q", i, got, want)
		}
	}
}

// TestValue checks that a record's value is what its zone-file line holds
// after the header, the addresses written directly included.
// TestFirstMessagesKeptApart: the messages an analyzer keeps with it are
// each handed out with no room past it, so appending to one never writes
// over the next.
func TestFirstMessagesKeptApart(t *testing.T) {
	a := NewAnalyzer()
	q := pack(t, query("www.lab.test.", mdns.TypeA))
	var got [][]lab.Message
	for range 3 {
		msgs := a.Feed(lab.ClientToServer, q, time.Time{})
		if len(msgs) != 1 || cap(msgs) != 1 {
			t.Fatalf("Feed gave %d messages in room for %d, want 1 in 1", len(msgs), cap(msgs))
		}
		got = append(got, msgs)
	}
	_ = append(got[0], lab.Message{Summary: "appended"})
	if got[1][0].Summary != "query A www.lab.test" {
		t.Errorf("the second message reads %q after the first was appended to", got[1][0].Summary)
	}
}

func TestValue(t *testing.T) {
	for _, line := range []string{
		"a.lab.test. 300 IN A 127.0.0.1",
		"a.lab.test. 300 IN AAAA ::1",
		"a.lab.test. 300 IN AAAA 2001:db8::5",
		"a.lab.test. 300 IN AAAA ::ffff:10.0.0.1",
		"lab.test. 300 IN MX 10 mail.lab.test.",
		"lab.test. 300 IN TXT \"v=spf1 -all\" \"two\"",
		"www.lab.test. 300 IN CNAME lab.test.",
	} {
		rr, err := mdns.NewRR(line)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSpace(strings.TrimPrefix(rr.String(), rr.Header().String()))
		if got := Value(rr); got != want {
			t.Errorf("%s: value %q, want %q", line, got, want)
		}
		if got := string(appendValue([]byte("→ "), rr)); got != "→ "+want {
			t.Errorf("%s: appended value %q, want %q", line, got, "→ "+want)
		}
	}
	// An A record's address in its 16-byte form, as net.IPv4 makes it.
	a16 := &mdns.A{Hdr: mdns.RR_Header{Name: "a.", Rrtype: mdns.TypeA, Class: mdns.ClassINET}, A: net.IPv4(10, 1, 2, 3)}
	if got := string(appendValue(nil, a16)); got != "10.1.2.3" || got != Value(a16) {
		t.Errorf("A in 16 bytes: appended %q, value %q", got, Value(a16))
	}
	if got := Value(&mdns.A{Hdr: mdns.RR_Header{Name: "a.", Rrtype: mdns.TypeA, Class: mdns.ClassINET}}); got != "" {
		t.Errorf("A without an address: %q", got)
	}
}

// TestSummaryCut checks that a long answer is cut at 77 bytes and an ellipsis.
func TestSummaryCut(t *testing.T) {
	q := new(mdns.Msg)
	q.SetQuestion("many.lab.test.", mdns.TypeA)
	r := new(mdns.Msg)
	r.SetReply(q)
	var vals []string
	for i := range 12 {
		ip := "10.0.0." + strconv.Itoa(100+i)
		rr, err := mdns.NewRR("many.lab.test. 60 IN A " + ip)
		if err != nil {
			t.Fatal(err)
		}
		r.Answer = append(r.Answer, rr)
		vals = append(vals, ip)
	}
	all := strings.Join(vals, ", ")
	want := "response NOERROR A many.lab.test → " + all[:77] + "…"
	if got := Summary(r); got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	r.Answer = r.Answer[:2]
	if got, want := Summary(r), "response NOERROR A many.lab.test → 10.0.0.100, 10.0.0.101"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}

// TestSummariesRemembered: a message that differs from one seen before only
// in its ID (a resolver's next query, from a socket and an analyzer of its
// own) is summed up from what was remembered, the same text; one that
// differs elsewhere is not taken for it.
func TestSummariesRemembered(t *testing.T) {
	q := query("remembered.lab.test.", mdns.TypeAAAA)
	first, err := q.Pack()
	if err != nil {
		t.Fatal(err)
	}
	want := NewAnalyzer().Feed(lab.ClientToServer, first, time.Time{})[0].Summary
	q.Id++
	next, _ := q.Pack()
	if _, got, ok := summaries.get(next); !ok || got != want {
		t.Fatalf("next query: %q, %v; want %q remembered", got, ok, want)
	}
	m := NewAnalyzer().Feed(lab.ClientToServer, next, time.Time{})[0]
	if m.Summary != want || unsafe.StringData(m.Summary) != unsafe.StringData(want) {
		t.Errorf("next query summed up as %q, not the remembered %q", m.Summary, want)
	}
	if fields, _ := m.Detail(); len(fields) == 0 {
		t.Error("a remembered message has no detail")
	}
	other, _ := query("other.lab.test.", mdns.TypeAAAA).Pack()
	if _, got, ok := summaries.get(other); ok {
		t.Errorf("another question taken for the remembered one: %q", got)
	}
	if got := NewAnalyzer().Feed(lab.ClientToServer, other, time.Time{})[0].Summary; !strings.Contains(got, "other.lab.test") {
		t.Errorf("another question summed up as %q", got)
	}
}

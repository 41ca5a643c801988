package sctp_test

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
	"github.com/protocollab/protolab/protocols/sctp"
)

const c2s, s2c = lab.ClientToServer, lab.ServerToClient

// step is one packet that went one way.
type step struct {
	Dir  lab.Dir
	Data string
}

// packet builds an SCTP packet from 5000 to 5000 with a correct checksum.
func packet(chunks ...[]byte) string {
	b := []byte{0x13, 0x88, 0x13, 0x88, 0, 0, 0, 1, 0, 0, 0, 0}
	for _, c := range chunks {
		b = append(b, c...)
	}
	binary.LittleEndian.PutUint32(b[8:], crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)))
	return string(b)
}

// chunk builds a chunk of type typ, padded to 4 bytes.
func chunk(typ, flags byte, v ...byte) []byte {
	c := append([]byte{typ, flags, 0, 0}, v...)
	binary.BigEndian.PutUint16(c[2:], uint16(len(c)))
	for len(c)%4 != 0 {
		c = append(c, 0)
	}
	return c
}

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
func u16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
func cat(bs ...[]byte) []byte {
	var out []byte
	for _, b := range bs {
		out = append(out, b...)
	}
	return out
}

func data(tsn uint32, stream, ssn uint16, ppid uint32, payload string) []byte {
	return chunk(0, 3, cat(u32(tsn), u16(stream), u16(ssn), u32(ppid), []byte(payload))...)
}

func idata(tsn uint32, stream uint16, mid, ppid uint32, payload string) []byte {
	return chunk(64, 3, cat(u32(tsn), u16(stream), u16(0), u32(mid), u32(ppid), []byte(payload))...)
}

func open(label, proto string) string {
	return string(cat([]byte{3, 0x81}, u16(256), u32(3), u16(uint16(len(label))), u16(uint16(len(proto))), []byte(label), []byte(proto)))
}

var init1 = chunk(1, 0, cat(u32(0xabcdef01), u32(131072), u16(1024), u16(1024), u32(100),
	[]byte{0x80, 0x08, 0, 6, 130, 192, 0, 0}, []byte{0xc0, 0, 0, 4})...)

var association = []step{
	{c2s, packet(init1)},
	{s2c, packet(chunk(2, 0, cat(u32(0x11111111), u32(131072), u16(1024), u16(1024), u32(500), []byte{0, 7, 0, 8, 1, 2, 3, 4})...))},
	{c2s, packet(chunk(10, 0, 1, 2, 3, 4))},
	{s2c, packet(chunk(11, 0))},
	{c2s, packet(data(100, 1, 0, 50, open("chat", "")))},
	{s2c, packet(chunk(3, 0, cat(u32(100), u32(131000), u16(0), u16(0))...), data(500, 1, 0, 50, "\x02"))},
	{c2s, packet(idata(101, 1, 0, 51, "hello"), idata(102, 1, 1, 53, "\x00\x01"))},
	{s2c, packet(data(501, 1, 1, 56, "\x00"), data(502, 1, 2, 57, "\x00"), chunk(3, 0, cat(u32(100), u32(131000), u16(1), u16(1), u16(2), u16(3), u32(99))...))},
	{c2s, packet(chunk(4, 0, 0, 1, 0, 8, 9, 9, 9, 9))},
	{s2c, packet(chunk(5, 0, 0, 1, 0, 8, 9, 9, 9, 9))},
	{c2s, packet(chunk(192, 0, cat(u32(105), u16(1), u16(4))...))},
	{c2s, packet(chunk(130, 0, cat([]byte{0, 13, 0, 18}, u32(7), u32(0), u32(104), u16(1))...))},
	{s2c, packet(chunk(130, 0, cat([]byte{0, 16, 0, 12}, u32(7), u32(1))...))},
	{c2s, packet(chunk(7, 0, u32(502)...))},
	{s2c, packet(chunk(8, 0))},
	{c2s, packet(chunk(14, 0))},
}

func TestAssociation(t *testing.T) {
	a := sctp.NewAnalyzer()
	msgs := analyzertest.Expect(t, a, association,
		"INIT (1024/1024 streams, initial TSN 100)",
		"INIT-ACK (1024/1024 streams, initial TSN 500)",
		"COOKIE-ECHO", "COOKIE-ACK",
		`DATA_CHANNEL_OPEN "chat" (stream 1, partially reliable (retransmissions), unordered)`,
		"SACK (cumulative TSN 100, window 131000)",
		`DATA_CHANNEL_ACK (stream 1, "chat")`,
		`I-DATA on "chat": "hello"`,
		`I-DATA on "chat": 2 bytes of binary`,
		`DATA on "chat": ""`,
		`DATA on "chat": empty binary message`,
		"SACK (cumulative TSN 100, window 131000, gaps 102–103)",
		"HEARTBEAT", "HEARTBEAT-ACK",
		"FORWARD-TSN (new cumulative TSN 105)",
		"RE-CONFIG", "RE-CONFIG",
		"SHUTDOWN (cumulative TSN 502)", "SHUTDOWN-ACK", "SHUTDOWN-COMPLETE")
	analyzertest.CheckSpans(t, msgs)
	if got, want := analyzertest.States(msgs), []string{"cookie-wait", "cookie-echoed", "established", "shutdown-sent", "shutdown-ack-sent", "closed"}; !slices.Equal(got, want) {
		t.Errorf("states %q, want %q", got, want)
	}
	for _, c := range []struct{ summary, field, want string }{
		{"INIT (1024/1024 streams, initial TSN 100)", "Supported Extensions", "RE-CONFIG, FORWARD-TSN"},
		{"INIT (1024/1024 streams, initial TSN 100)", "Forward-TSN-Supported", "partial reliability"},
		{"INIT (1024/1024 streams, initial TSN 100)", "checksum", "matches the CRC-32c"},
		{"INIT-ACK (1024/1024 streams, initial TSN 500)", "State Cookie", "4 bytes"},
		{`DATA_CHANNEL_OPEN "chat" (stream 1, partially reliable (retransmissions), unordered)`, "reliability parameter", "at most 3 retransmissions"},
		{`DATA_CHANNEL_OPEN "chat" (stream 1, partially reliable (retransmissions), unordered)`, "label", `"chat"`},
		{`I-DATA on "chat": "hello"`, "message identifier", "0"},
		{`I-DATA on "chat": "hello"`, "payload protocol", "51 (WebRTC string)"},
		{"SACK (cumulative TSN 100, window 131000, gaps 102–103)", "gap 1", "TSNs 102–103"},
		{"RE-CONFIG", "Outgoing SSN Reset Request", "reset outgoing streams 1 after TSN 104"},
	} {
		if got := analyzertest.Field(analyzertest.Find(t, msgs, c.summary), c.field); !strings.Contains(got, c.want) {
			t.Errorf("%s: %s = %q, want it to say %q", c.summary, c.field, got, c.want)
		}
	}
	if s, _ := analyzertest.Span(analyzertest.Find(t, msgs, `I-DATA on "chat": "hello"`), "message"); s != "hello" {
		t.Errorf("the message spans %q", s)
	}
}

func TestMalformed(t *testing.T) {
	bad := []byte(packet(chunk(11, 0)))
	bad[8] ^= 1
	zero := []byte(packet(chunk(11, 0)))
	copy(zero[8:], []byte{0, 0, 0, 0})
	for _, c := range []struct{ data, summary, field, want string }{
		{"\x13\x88\x13", "malformed SCTP packet: 3 bytes, fewer than the 12 of the common header", "", ""},
		{packet() + "\x00\x00", "malformed SCTP packet: a chunk header is cut off", "", ""},
		{packet([]byte{0, 0, 0, 2}), "malformed DATA chunk: length 2", "", ""},
		{packet([]byte{1, 0, 0, 40, 0, 0, 0, 0}), "malformed INIT chunk: length 40", "", ""},
		{packet(chunk(1, 0, 1, 2)), "malformed INIT", "", ""},
		{packet(chunk(0, 0, 1, 2)), "malformed DATA", "", ""},
		{packet(chunk(6, 0, 0, 12, 0, 8, 'b', 'y', 'e', '!')), "ABORT (User-Initiated Abort)", "error cause", "User-Initiated Abort: bye!"},
		{string(bad), "COOKIE-ACK", "checksum", "does not match"},
		{string(zero), "COOKIE-ACK", "checksum", "left out"},
		{packet(data(1, 9, 0, 50, "\x03\x00")), "malformed DATA_CHANNEL_OPEN: shorter than 12 bytes", "", ""},
		{packet(data(1, 9, 0, 99, "x")), "DATA (TSN 1, stream 9, 1 bytes)", "", ""},
	} {
		msgs := analyzertest.Feed(sctp.NewAnalyzer(), []step{{c2s, c.data}}, 0)
		analyzertest.CheckSpans(t, msgs)
		if len(msgs) == 0 || msgs[0].Summary != c.summary {
			t.Errorf("%x: %q, want %q", c.data, analyzertest.Summaries(msgs), c.summary)
			continue
		}
		if c.field != "" && !strings.Contains(analyzertest.Field(msgs[0], c.field), c.want) {
			t.Errorf("%s: %s = %q, want it to say %q", c.summary, c.field, analyzertest.Field(msgs[0], c.field), c.want)
		}
	}
}

func FuzzSCTP(f *testing.F) {
	for _, s := range association[:6] {
		f.Add(analyzertest.Script(s))
	}
	f.Fuzz(func(t *testing.T, script []byte) {
		a := sctp.NewAnalyzer()
		state := sctp.StateClosed
		analyzertest.Play(a, script, func(msgs []lab.Message) {
			for _, m := range msgs {
				if m.Summary == "" {
					t.Fatal("a message without a summary")
				}
				if m.NextState != "" {
					if !slices.Contains(sctp.Transitions, [2]string{state, m.NextState}) {
						t.Fatalf("move %q → %q", state, m.NextState)
					}
					state = m.NextState
				}
			}
			analyzertest.CheckSpans(t, msgs)
		})
	})
}

// TestPieces: a user message in I-DATA pieces is shown piece by piece, with
// its channel's label.
func TestPieces(t *testing.T) {
	a := sctp.NewAnalyzer()
	analyzertest.Expect(t, a, []step{
		{c2s, packet(data(100, 3, 0, 50, open("files", "")))},
		{c2s, packet(chunk(64, 2, cat(u32(101), u16(3), u16(0), u32(0), u32(53), []byte("abcd"))...))},
		{c2s, packet(chunk(64, 0, cat(u32(102), u16(3), u16(0), u32(0), u32(1), []byte("efgh"))...))},
		{c2s, packet(chunk(64, 1, cat(u32(103), u16(3), u16(0), u32(0), u32(2), []byte("ij"))...))},
		{c2s, packet(chunk(64, 1, cat(u32(104), u16(4), u16(0), u32(0), u32(1), []byte("z"))...))},
	},
		`DATA_CHANNEL_OPEN "files" (stream 3, partially reliable (retransmissions), unordered)`,
		`I-DATA on "files": 4 bytes of binary`,
		`I-DATA on "files": message 0, piece 1 (4 bytes)`,
		`I-DATA on "files": message 0, piece 2, the last (2 bytes)`,
		`I-DATA on stream 4: message 0, piece 1, the last (1 bytes)`)
}

// BenchmarkData frames a packet of one full-size I-DATA chunk on a known
// channel, as a bulk transfer sends them.
func BenchmarkData(b *testing.B) {
	a := sctp.NewAnalyzer()
	a.Feed(c2s, []byte(packet(data(100, 1, 0, 50, open("files", "")))), time.Time{})
	pkt := []byte(packet(idata(101, 1, 1, 53, strings.Repeat("x", 1150))))
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	for b.Loop() {
		a.Feed(c2s, pkt, time.Time{})
	}
}

// TestDeferred: the fields of a chunk framed briefly are built once, whole,
// when asked for, as when framed at once.
func TestDeferred(t *testing.T) {
	a := sctp.NewAnalyzer()
	for _, m := range a.Feed(c2s, []byte(packet(data(100, 1, 0, 50, open("chat", "")), idata(101, 1, 0, 51, "hi"))), time.Time{}) {
		if !m.Deferred() {
			t.Errorf("%q is framed eagerly", m.Summary)
		}
		fields, meaning := m.Detail()
		names := map[string]int{}
		for _, f := range fields {
			names[f.Name]++
		}
		if names["checksum"] != 1 || names["chunk type"] != 1 || meaning == "" {
			t.Errorf("%q: fields %v, meaning %q", m.Summary, names, meaning)
		}
		for name, n := range names {
			if n != 1 {
				t.Errorf("%q: field %q %d times", m.Summary, name, n)
			}
		}
	}
}

// TestDeferredAsTheyWere: chunks framed briefly share what they saw of
// their channel while it stays as it is; their fields and meaning, built
// later, are the same however the channel changed after, and building one
// (an OPEN framed again) changes nothing for the others.
func TestDeferredAsTheyWere(t *testing.T) {
	a := sctp.NewAnalyzer()
	var msgs []lab.Message
	feed := func(chunks ...[]byte) { msgs = append(msgs, a.Feed(c2s, []byte(packet(chunks...)), time.Time{})...) }
	detail := func(m lab.Message) string {
		fields, meaning := m.Detail()
		return fmt.Sprint(fields, meaning)
	}
	feed(data(100, 1, 0, 50, open("chat", "")))
	feed(idata(101, 1, 0, 51, "one"))
	feed(idata(102, 1, 1, 51, "two"))
	var before []string
	for _, m := range msgs {
		before = append(before, detail(m))
	}
	feed(data(103, 1, 0, 50, open("news", "")))
	feed(idata(104, 1, 2, 51, "three"))
	if len(msgs) != 5 {
		t.Fatalf("%d messages", len(msgs))
	}
	_ = detail(msgs[3]) // the second OPEN, framed again
	for i, want := range before {
		if got := detail(msgs[i]); got != want {
			t.Errorf("message %d (%s) built again: %s, was %s", i, msgs[i].Summary, got, want)
		}
	}
	if !strings.Contains(msgs[4].Summary, `"news"`) || !strings.Contains(msgs[2].Summary, `"chat"`) {
		t.Errorf("summaries %q, %q", msgs[2].Summary, msgs[4].Summary)
	}
}

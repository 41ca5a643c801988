package udp

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/framing"
)

func TestProtocol(t *testing.T) {
	p := Protocol()
	if p.Name != "udp" || p.Title != "UDP echo" || p.DefaultPort != 7001 || p.Transport != "udp" || !p.Connectionless {
		t.Errorf("Protocol() = %q %q %d %q connectionless %v, want udp, UDP echo, 7001, udp, true",
			p.Name, p.Title, p.DefaultPort, p.Transport, p.Connectionless)
	}
	if len(p.States) != 0 || len(p.Transitions) != 0 || len(p.Settings) != 0 || p.NewServer != nil {
		t.Errorf("Protocol() has states %q, transitions %q, settings %v, server set %v; want none",
			p.States, p.Transitions, p.Settings, p.NewServer != nil)
	}
	if !strings.Contains(p.About, "no handshake") || !strings.Contains(p.About, "RFC 768") {
		t.Errorf("About = %q, want it to say why there is no state (no handshake, RFC 768)", p.About)
	}
	if _, ok := p.NewAnalyzer().(*Analyzer); !ok {
		t.Errorf("NewAnalyzer() = %T, want *Analyzer", p.NewAnalyzer())
	}
}

var datagramTests = []struct {
	dir     lab.Dir
	data    string
	summary string
	fields  map[string]string
}{
	{lab.ClientToServer, "hello", `datagram 5 bytes "hello"`,
		map[string]string{"length": "5 bytes", "text": `"hello"`, "datagram": "#1 from the client in this flow"}},
	{lab.ServerToClient, "hello", `datagram 5 bytes "hello"`,
		map[string]string{"datagram": "#1 from the server in this flow"}},
	{lab.ClientToServer, "", `datagram 0 bytes ""`,
		map[string]string{"length": "0 bytes", "text": `""`, "datagram": "#2 from the client in this flow"}},
	{lab.ClientToServer, "\x00\x01\xfe", `datagram 3 bytes binary: 00 01 fe`,
		map[string]string{"hex": "00 01 fe", "text": ""}},
	{lab.ServerToClient, "x", `datagram 1 byte "x"`, map[string]string{"length": "1 byte"}},
	{lab.ServerToClient, "\x00" + strings.Repeat("z", 79), `datagram 80 bytes binary: 00` + strings.Repeat(" 7a", 11) + " …",
		map[string]string{"hex": "00" + strings.Repeat(" 7a", 63) + " …"}},
}

// TestDatagrams feeds the table in order through one analyzer, as one flow.
func TestDatagrams(t *testing.T) {
	a := NewAnalyzer()
	for _, tt := range datagramTests {
		msgs := a.Feed(tt.dir, []byte(tt.data), time.Time{})
		if len(msgs) != 1 {
			t.Fatalf("Feed(%q) gave %d messages, want 1", tt.data, len(msgs))
		}
		m := msgs[0]
		if m.Summary != tt.summary {
			t.Errorf("Feed(%q) summary = %s, want %s", tt.data, m.Summary, tt.summary)
		}
		for name, want := range tt.fields {
			if got := field(m, name); got != want {
				t.Errorf("Feed(%q) field %q = %q, want %q", tt.data, name, got, want)
			}
		}
		if m.Dir != tt.dir || string(m.Raw) != tt.data || m.Ref != "RFC 768" || !m.Observed ||
			m.Handshake || m.Teardown || m.NextState != "" {
			t.Errorf("Feed(%q) = %+v", tt.data, m)
		}
		if !strings.Contains(m.Meaning, "no handshake") || !strings.Contains(m.Meaning, "lost, duplicated or reordered") {
			t.Errorf("Feed(%q) meaning = %q", tt.data, m.Meaning)
		}
		if a.State() != "" {
			t.Errorf("State() = %q, want none", a.State())
		}
	}
}

// field is the value of m's field name as a reader sees it (built when
// asked for, lab.Message.Detail), "" if it has none.
func field(m lab.Message, name string) string {
	fields, _ := m.Detail()
	for _, f := range fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// FuzzUDPAnalyzer cuts random bytes into datagrams of size%32+1 bytes (the last
// one shorter or empty), alternating direction, and checks that each datagram gives
// exactly one message with exactly its bytes.
func FuzzUDPAnalyzer(f *testing.F) {
	f.Add([]byte("hello"), uint8(3))
	f.Add([]byte{}, uint8(0))
	f.Add([]byte("\x00\x01\x02\xff\n\r\tabc"), uint8(1))
	f.Add(bytes.Repeat([]byte("ping "), 30), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, size uint8) {
		if len(data) > 4096 {
			return
		}
		a := NewAnalyzer()
		n := int(size%32) + 1
		for i := 0; i <= len(data); i += n {
			d := data[i:min(i+n, len(data))]
			dir := lab.Dir(lab.ClientToServer + lab.Dir(i/n%2))
			msgs := a.Feed(dir, d, time.Time{})
			if len(msgs) != 1 {
				t.Fatalf("Feed gave %d messages, want 1", len(msgs))
			}
			m := msgs[0]
			if !bytes.Equal(m.Raw, d) || m.Dir != dir {
				t.Fatalf("message %v %q, want %v %q", m.Dir, m.Raw, dir, d)
			}
			if want := "datagram " + framing.ByteCount(len(d)) + " "; !strings.HasPrefix(m.Summary, want) {
				t.Fatalf("summary %q, want it to start %q", m.Summary, want)
			}
			if a.State() != "" {
				t.Fatalf("State() = %q", a.State())
			}
		}
	})
}

func BenchmarkFeed(b *testing.B) {
	a := NewAnalyzer()
	d := []byte("a datagram of about sixty bytes, like a small DNS query!..\n")
	b.SetBytes(int64(len(d)))
	b.ReportAllocs()
	for b.Loop() {
		a.Feed(lab.ClientToServer, d, time.Time{})
	}
}

package tls_test

import (
	"encoding/binary"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	tlsproto "github.com/protocollab/protolab/protocols/tls"
)

func summaries(msgs []lab.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Summary)
	}
	return out
}

var malformedTests = []struct {
	name  string
	bytes []byte
	want  string
}{
	{"plain HTTP", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), "malformed TLS: the bytes \"GET /\" are text"},
	{"unknown content type", []byte{99, 3, 3, 0, 1, 0}, "malformed TLS: content type 99"},
	{"wrong version", []byte{22, 2, 0, 0, 1, 0}, "malformed TLS: record version 0x0200"},
	{"record too long", []byte{23, 3, 3, 0x48, 0x01}, "malformed TLS: a record of 18433 bytes"},
	{"handshake too long", []byte{22, 3, 1, 0, 4, 1, 0xff, 0xff, 0xff}, "malformed TLS: a ClientHello of 16777215 bytes"},
	{"bad ClientHello", []byte{22, 3, 1, 0, 6, 1, 0, 0, 2, 3, 3}, "malformed TLS: ClientHello: the fixed fields are cut short"},
	{"bad alert", []byte{21, 3, 3, 0, 3, 2, 40, 0}, "malformed TLS: an alert of 3 bytes"},
}

// TestMalformed checks that bytes that are not TLS are reported once, in plain
// words, and that the analyzer then stops reading that direction.
func TestMalformed(t *testing.T) {
	for _, tt := range malformedTests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAnalyzer(lineInner)
			var msgs []lab.Message
			for _, b := range tt.bytes { // a byte at a time: framing must not care
				msgs = append(msgs, a.Feed(lab.ClientToServer, []byte{b}, time.Time{})...)
			}
			msgs = append(msgs, a.Feed(lab.ClientToServer, []byte{22, 3, 3, 0, 0}, time.Time{})...)
			if len(msgs) != 1 || !strings.HasPrefix(msgs[0].Summary, tt.want) {
				t.Fatalf("messages = %q, want one beginning %q", summaries(msgs), tt.want)
			}
			if a.Pending(lab.ClientToServer) != 0 {
				t.Errorf("Pending = %d after giving up, want 0", a.Pending(lab.ClientToServer))
			}
		})
	}
}

// TestAlerts checks the alerts' explanations and where they lead.
func TestAlerts(t *testing.T) {
	a := newAnalyzer(nil)
	msgs := a.Feed(lab.ServerToClient, []byte{21, 3, 3, 0, 2, 2, 40}, time.Time{})
	if len(msgs) != 1 || msgs[0].Summary != "Alert: handshake_failure (fatal)" || !msgs[0].Teardown || msgs[0].NextState != tlsproto.StateClosed {
		t.Errorf("fatal alert = %+v", msgs)
	}
	a = newAnalyzer(nil)
	a.Feed(lab.ClientToServer, []byte{21, 3, 3, 0, 2, 1, 0}, time.Time{})
	if got := a.State(); got != tlsproto.StateClosing {
		t.Errorf("after one close_notify: %q, want closing", got)
	}
	a.Feed(lab.ServerToClient, []byte{21, 3, 3, 0, 2, 1, 0}, time.Time{})
	if got := a.State(); got != tlsproto.StateClosed {
		t.Errorf("after both close_notify: %q, want closed", got)
	}
}

// scriptParts splits a recorded script into the chunks of each direction.
func scriptParts(script []byte) (dirs []lab.Dir, chunks [][]byte) {
	for len(script) >= 2 {
		h := binary.BigEndian.Uint16(script)
		n := int(h & 0x7fff)
		d := lab.ClientToServer
		if h&0x8000 != 0 {
			d = lab.ServerToClient
		}
		dirs, chunks = append(dirs, d), append(chunks, script[2:2+n])
		script = script[2+n:]
	}
	return dirs, chunks
}

// TestLateKeys feeds a recorded connection before its secrets are in the key
// log: the records wait, and are decrypted once the keys come.
func TestLateKeys(t *testing.T) {
	scripts, all := seeds(t)
	for _, name := range []string{"tls13", "tls12-aes-gcm"} {
		keys := &lab.KeyLog{}
		a := newAnalyzer(lineInner)
		a.UseKeys(keys)
		dirs, chunks := scriptParts(scripts[name])
		var msgs []lab.Message
		for i := range chunks {
			msgs = append(msgs, a.Feed(dirs[i], chunks[i], time.Time{})...)
		}
		for _, m := range msgs {
			if m.Layer == "line" || strings.Contains(m.Summary, "no key") {
				t.Fatalf("%s: %q before the keys came", name, m.Summary)
			}
		}
		if a.Pending(lab.ServerToClient) == 0 {
			t.Errorf("%s: nothing waits for keys", name)
		}
		keys.Load(strings.Join(all.Lines(), "\n"))
		msgs = a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN})
		var lines []string
		for _, m := range msgs {
			if m.Layer == "line" {
				lines = append(lines, m.Summary)
			}
		}
		if len(lines) != 4 {
			t.Errorf("%s: lines %q once the keys came, want 4", name, lines)
		}
	}
}

// TestKeyWait checks that records stop waiting for keys after KeyWait, and after
// MaxPendingBytes.
func TestKeyWait(t *testing.T) {
	scripts, _ := seeds(t)
	dirs, chunks := scriptParts(scripts["tls13"])
	t0 := time.Now()
	a := newAnalyzer(lineInner)
	a.UseKeys(&lab.KeyLog{})
	for i := range chunks {
		a.Feed(dirs[i], chunks[i], t0)
	}
	msgs := a.Feed(lab.ClientToServer, []byte{23, 3, 3, 0, 17}, t0.Add(tlsproto.KeyWait+time.Second))
	if len(msgs) == 0 || !strings.Contains(msgs[0].Summary, "none came within") {
		t.Errorf("after KeyWait: %q, want the records shown undecrypted", summaries(msgs))
	}

	a = newAnalyzer(lineInner)
	a.UseKeys(&lab.KeyLog{})
	for i := range chunks {
		a.Feed(dirs[i], chunks[i], t0)
	}
	record := append([]byte{23, 3, 3, 0x40, 0x00}, make([]byte, 1<<14)...)
	var gaveUp []string
	for range 2 * tlsproto.MaxPendingBytes / len(record) {
		for _, m := range a.Feed(lab.ServerToClient, record, t0) {
			if strings.Contains(m.Summary, "waited for one") {
				gaveUp = append(gaveUp, m.Summary)
			}
		}
		if p := a.Pending(lab.ServerToClient); p > tlsproto.MaxPendingBytes+len(record) {
			t.Fatalf("pending = %d, past the bound", p)
		}
	}
	if len(gaveUp) == 0 {
		t.Error("no give-up message past MaxPendingBytes")
	}
}

func TestProtocol(t *testing.T) {
	p := tlsproto.HTTPSProtocol()
	if p.Name != "https" || p.Title != "HTTPS" || p.DefaultPort != 8443 || p.Transport != "tcp" || p.About == "" {
		t.Errorf("Protocol = %+v", p)
	}
	if _, ok := p.NewAnalyzer().(*tlsproto.Analyzer); !ok {
		t.Error("NewAnalyzer is not a TLS analyzer")
	}
	for _, tr := range p.Transitions {
		for _, s := range tr {
			if s != "" && !slices.Contains(p.States, s) {
				t.Errorf("transition %q uses a state not in States", tr)
			}
		}
	}
	p.States[0] = "changed"
	if tlsproto.States[0] == "changed" {
		t.Error("Protocol shares its States with the package")
	}
}

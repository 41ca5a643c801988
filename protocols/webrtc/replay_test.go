package webrtc_test

import (
	"encoding/binary"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
	"github.com/protocollab/protolab/protocols/webrtc"
)

// replay feeds the saved flow of TestPeers, one datagram at a time, to a Demux
// with the flow's layers and, if withKeys, the saved key log.
func replay(t *testing.T, withKeys bool) []lab.Message {
	t.Helper()
	steps := analyzertest.ReadCapture(t, "testdata/peers.txt")
	var keys lab.KeyLog
	if withKeys {
		b, err := os.ReadFile("testdata/peers.keys")
		if err != nil {
			t.Fatal(err)
		}
		keys.Load(string(b))
	}
	d := lab.NewDemux()
	d.UseLayers(lab.NewLayers(webrtc.Layers()...).WithKeys(&keys))
	var msgs []lab.Message
	for _, s := range steps {
		for _, m := range d.Feed(s.Dir, []byte(s.Data), time.Time{}) {
			msgs = append(msgs, *m.Built())
		}
	}
	analyzertest.CheckSpans(t, msgs)
	return msgs
}

// TestPlaintextCounted: each application data record's plaintext, which
// SCTP's messages point into, counts against the hub's bound with them,
// once (the record's body less AES-GCM's explicit nonce and tag).
func TestPlaintextCounted(t *testing.T) {
	b, err := os.ReadFile("testdata/peers.keys")
	if err != nil {
		t.Fatal(err)
	}
	var keys lab.KeyLog
	keys.Load(string(b))
	d := lab.NewDemux()
	d.UseLayers(lab.NewLayers(webrtc.Layers()...).WithKeys(&keys))
	want, held := 0, 0
	for _, s := range analyzertest.ReadCapture(t, "testdata/peers.txt") {
		for _, m := range d.Feed(s.Dir, []byte(s.Data), time.Time{}) {
			held += m.Held()
		}
		if s.Data == "" || s.Data[0] < 20 || s.Data[0] > 63 {
			continue // not DTLS
		}
		for r := []byte(s.Data); len(r) >= 13; {
			n := 13 + int(binary.BigEndian.Uint16(r[11:13]))
			if r[0] == 23 && binary.BigEndian.Uint16(r[3:5]) > 0 {
				want += n - 13 - 8 - 16
			}
			r = r[min(n, len(r)):]
		}
	}
	if want == 0 || held != want {
		t.Errorf("the messages hold %d bytes, want the %d of the application data's plaintext", held, want)
	}
}

func layered(msgs []lab.Message) []string {
	var s []string
	for _, m := range msgs {
		s = append(s, m.Layer+": "+m.Summary)
	}
	return s
}

func TestReplay(t *testing.T) {
	got := layered(replay(t, true))
	for _, want := range []string{"dtls: HelloVerifyRequest (cookie of 20 bytes)", "dtls: ClientHello (with cookie)",
		"dtls: ServerHelloDone", "dtls: CertificateVerify", "sctp: COOKIE-ACK", `sctp: I-DATA on "chat": "hello"`} {
		if !slices.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, strings.Join(got, "\n"))
		}
	}
	if testing.Verbose() {
		t.Log(strings.Join(got, "\n"))
	}
	checked := 0
	for _, m := range replay(t, true) {
		if v := analyzertest.Field(m, "MESSAGE-INTEGRITY"); v != "" {
			if !strings.Contains(v, "checks out with the ICE password") {
				t.Errorf("%s: MESSAGE-INTEGRITY %s", m.Summary, v)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Error("no MESSAGE-INTEGRITY checked")
	}
}

func TestReplayWithoutKeys(t *testing.T) {
	got := strings.Join(layered(replay(t, false)), "\n")
	if strings.Contains(got, "sctp:") || !strings.Contains(got, "dtls: encrypted application data") {
		t.Errorf("without keys:\n%s", got)
	}
}

// TestReplayPairs: each STUN response answers the request of its transaction.
func TestReplayPairs(t *testing.T) {
	open := map[string]bool{}
	answered := 0
	for _, m := range replay(t, true) {
		if m.Layer != "stun" {
			continue
		}
		switch m.Role {
		case lab.RoleRequest:
			open[m.Pair] = true
		case lab.RoleAnswer:
			if !open[m.Pair] {
				t.Errorf("%q answers no request (%s)", m.Summary, m.Pair)
			}
			answered++
		}
	}
	if answered == 0 {
		t.Error("no STUN response")
	}
}

// TestMedia: RTP and RTCP on the flow are shown as such, and a first byte of
// no protocol as the flow's own message.
func TestMedia(t *testing.T) {
	d := lab.NewDemux()
	d.UseLayers(lab.NewLayers(webrtc.Layers()...))
	var got []string
	for _, b := range [][]byte{{0x80, 111, 0, 1}, {0x80, 200, 0, 6}, {70, 1}} {
		got = append(got, layered(d.Feed(lab.ClientToServer, b, time.Time{}))...)
	}
	want := []string{"rtp: RTP packet (4 bytes, SRTP-protected, not decoded)", "rtp: RTCP packet (4 bytes, SRTP-protected, not decoded)",
		": datagram of no known protocol (first byte 70, 2 bytes)"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// BenchmarkReplay analyzes the peers' saved flow, decryption included: what
// the lab spends on one data channel's setup, hello and close.
func BenchmarkReplay(b *testing.B) {
	steps := analyzertest.ReadCapture(b, "testdata/peers.txt")
	text, err := os.ReadFile("testdata/peers.keys")
	if err != nil {
		b.Fatal(err)
	}
	var keys lab.KeyLog
	keys.Load(string(text))
	table := lab.NewLayers(webrtc.Layers()...).WithKeys(&keys)
	b.ReportAllocs()
	for b.Loop() {
		d := lab.NewDemux()
		d.UseLayers(table)
		for _, s := range steps {
			d.Feed(s.Dir, []byte(s.Data), time.Time{})
		}
	}
}

package dtls_test

import (
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/dtls"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// flow is the DTLS datagrams of the flow two pion peers had (protocols/webrtc's
// TestPeers -update saved it), with its key log.
func flow(t testing.TB) ([]analyzertest.Step, *lab.KeyLog) {
	t.Helper()
	var out []analyzertest.Step
	for _, s := range analyzertest.ReadCapture(t, "../webrtc/testdata/peers.txt") {
		if s.Data != "" && s.Data[0] >= 20 && s.Data[0] <= 63 {
			out = append(out, s)
		}
	}
	b, err := os.ReadFile("../webrtc/testdata/peers.keys")
	if err != nil {
		t.Fatal(err)
	}
	var k lab.KeyLog
	k.Load(string(b))
	return out, &k
}

func feed(t testing.TB, a *dtls.Analyzer, steps []analyzertest.Step) []lab.Message {
	t.Helper()
	msgs := analyzertest.Feed(a, steps, 0)
	analyzertest.CheckSpans(t, msgs)
	return msgs
}

var handshake = []string{"ClientHello", "HelloVerifyRequest (cookie of 20 bytes)", "ClientHello (with cookie)",
	"ServerHello: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "Certificate (1)", "ServerKeyExchange: X25519",
	"CertificateRequest", "ServerHelloDone", "Certificate (1)", "ClientKeyExchange", "CertificateVerify", "ChangeCipherSpec"}

func TestHandshakeDecrypted(t *testing.T) {
	steps, keys := flow(t)
	a := dtls.NewAnalyzer()
	a.UseKeys(keys)
	msgs := feed(t, a, steps)
	got := analyzertest.Summaries(msgs)
	if len(got) < len(handshake) || !slices.Equal(got[:len(handshake)], handshake) {
		t.Errorf("handshake\n%q, want\n%q", got, handshake)
	}
	if n := strings.Count(strings.Join(got, "|"), "Finished"); n != 2 {
		t.Errorf("%d Finished decrypted, want 2: %q", n, got)
	}
	if !slices.Contains(got, "Alert (warning): close_notify") || a.State() != dtls.StateClosed {
		t.Errorf("no close_notify, state %q: %q", a.State(), got)
	}
	if want := "hello cookie hello negotiating finishing established closed"; strings.Join(analyzertest.States(msgs), " ") != want {
		t.Errorf("states %q, want %q", analyzertest.States(msgs), want)
	}
	ch := analyzertest.Find(t, msgs, "ClientHello (with cookie)")
	for name, want := range map[string]string{
		"use_srtp":               "SRTP_AEAD_AES_128_GCM",
		"extended_master_secret": "RFC 7627",
		"cipher suites":          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
		"version":                "DTLS 1.2",
		"epoch":                  "0: before the keys changed",
	} {
		if got := analyzertest.Field(ch, name); !strings.Contains(got, want) {
			t.Errorf("ClientHello's %s = %q, want it to say %q", name, got, want)
		}
	}
	if got := analyzertest.Field(analyzertest.Find(t, msgs, "CertificateRequest"), "certificate types"); !strings.Contains(got, "ecdsa_sign") {
		t.Errorf("CertificateRequest's certificate types = %q", got)
	}
	cert := analyzertest.Find(t, msgs, "Certificate (1)")
	if got := analyzertest.Field(cert, "certificate 1"); !strings.Contains(got, "SHA-256 fingerprint ") || strings.Count(got, ":") < 31 {
		t.Errorf("certificate = %q", got)
	}
}

// TestRecordPerDatagram: a flight's records, each in a datagram of its own,
// frame as when they shared one.
func TestRecordPerDatagram(t *testing.T) {
	steps, keys := flow(t)
	var split []analyzertest.Step
	for _, s := range steps {
		for d := s.Data; len(d) >= 13; {
			n := 13 + int(binary.BigEndian.Uint16([]byte(d[11:13])))
			split = append(split, analyzertest.Step{Dir: s.Dir, Data: d[:n]})
			d = d[n:]
		}
	}
	if len(split) <= len(steps) {
		t.Fatalf("%d records in %d datagrams: the capture has no datagram of several records", len(split), len(steps))
	}
	whole, one := dtls.NewAnalyzer(), dtls.NewAnalyzer()
	whole.UseKeys(keys)
	one.UseKeys(keys)
	a, b := analyzertest.Summaries(feed(t, whole, steps)), analyzertest.Summaries(feed(t, one, split))
	if !slices.Equal(a, b) {
		t.Errorf("whole\n%q\nrecord by record\n%q", a, b)
	}
}

func TestWithoutKeys(t *testing.T) {
	steps, _ := flow(t)
	var other, wrong lab.KeyLog
	other.Write([]byte("CLIENT_RANDOM " + strings.Repeat("00", 32) + " " + strings.Repeat("11", 48) + "\n"))
	ch := analyzertest.Find(t, feed(t, dtls.NewAnalyzer(), steps), "ClientHello (with cookie)")
	random, _ := analyzertest.Span(ch, "client random")
	wrong.Write([]byte(fmt.Sprintf("CLIENT_RANDOM %x %s\n", random, strings.Repeat("11", 48))))
	for i, keys := range []*lab.KeyLog{nil, &other, &wrong} {
		a := dtls.NewAnalyzer()
		if keys != nil {
			a.UseKeys(keys)
		}
		msgs := feed(t, a, steps)
		got := strings.Join(analyzertest.Summaries(msgs), "|")
		if i == 2 && !strings.Contains(got, "encrypted handshake (Finished) — does not decrypt") {
			t.Errorf("with a wrong master secret: %s", got)
		}
		if !strings.Contains(got, "encrypted handshake (Finished)") || !strings.Contains(got, "encrypted application data (") ||
			!strings.Contains(got, "encrypted alert") || strings.Contains(got, "|Finished") {
			t.Errorf("without keys: %s", got)
		}
		why := "the lab has no key for this association"
		if i == 2 {
			why = "the record does not decrypt with the logged master secret"
		}
		alerts := 0
		for _, m := range msgs {
			if strings.HasPrefix(m.Summary, "encrypted alert") {
				alerts++
				if !strings.Contains(analyzertest.Field(m, "encrypted"), why) {
					t.Errorf("key log %d: %q, want it to say %q", i, analyzertest.Field(m, "encrypted"), why)
				}
			}
		}
		if alerts == 0 {
			t.Errorf("key log %d: no encrypted alert", i)
		}
	}
}

func rec(typ byte, epoch uint16, body ...byte) string {
	h := []byte{typ, 0xfe, 0xfd, byte(epoch >> 8), byte(epoch), 0, 0, 0, 0, 0, 1, byte(len(body) >> 8), byte(len(body))}
	return string(append(h, body...))
}

func TestMalformed(t *testing.T) {
	for _, c := range []struct {
		data, want string
	}{
		{"\x16\xfe\xfd\x00", "malformed DTLS record: 4 bytes are left, too few for a record header (13)"},
		{rec(22, 0, 1, 2, 3, 4)[:15], "malformed DTLS record: the record says 4 bytes, the datagram holds 2 more"},
		{rec(22, 0, 1, 2, 3), "malformed handshake message: its header is cut off"},
		{rec(22, 0, 1, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0, 40), "malformed ClientHello: the fragment runs past the record"},
		{rec(22, 0, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0xfe, 0xfd), "malformed ClientHello: a field runs past the message"},
		{rec(22, 0, 11, 0, 1, 0, 0, 1, 0, 0, 16, 0, 0, 2, 1, 2), "Certificate fragment (bytes 16–18 of 256)"},
		{rec(21, 0, 2, 40), "Alert (fatal): handshake_failure"},
		{rec(21, 0, 2), "malformed alert"},
		{rec(99, 0, 1), "record of unknown content type 99 (1 bytes)"},
	} {
		msgs := feed(t, dtls.NewAnalyzer(), []analyzertest.Step{{Dir: lab.ClientToServer, Data: c.data}})
		if len(msgs) == 0 || msgs[len(msgs)-1].Summary != c.want {
			t.Errorf("%x: %q, want %q", c.data, analyzertest.Summaries(msgs), c.want)
		}
	}
}

func FuzzDTLS(f *testing.F) {
	steps, _ := flow(f)
	for _, s := range steps[:4] {
		f.Add(analyzertest.Script(s))
	}
	f.Add(analyzertest.Script(analyzertest.Step{Dir: lab.ClientToServer, Data: rec(20, 0, 1) + rec(22, 1, 1, 2, 3)}))
	_, keys := flow(f)
	f.Fuzz(func(t *testing.T, script []byte) {
		a := dtls.NewAnalyzer()
		a.UseKeys(keys)
		a.Wrap("inner", func() lab.Analyzer { return dtls.NewAnalyzer() })
		analyzertest.Play(a, script, func(msgs []lab.Message) {
			for _, m := range msgs {
				if m.Summary == "" {
					t.Fatal("a message without a summary")
				}
				if m.NextState != "" && m.Layer == "" && !slices.Contains(dtls.States, m.NextState) {
					t.Fatalf("state %q", m.NextState)
				}
			}
			analyzertest.CheckSpans(t, msgs)
		})
	})
}

// TestClosed: a flow that ends mid-handshake ends the association; one closed
// by close_notify stays as it was.
func TestClosed(t *testing.T) {
	steps, keys := flow(t)
	a := dtls.NewAnalyzer()
	feed(t, a, steps[:3])
	msgs := a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowClosed})
	if len(msgs) != 1 || msgs[0].NextState != dtls.StateClosed || a.State() != dtls.StateClosed {
		t.Errorf("closed mid-handshake: %q, state %q", analyzertest.Summaries(msgs), a.State())
	}
	b := dtls.NewAnalyzer()
	b.UseKeys(keys)
	feed(t, b, steps)
	if msgs := b.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowClosed}); len(msgs) != 0 {
		t.Errorf("closed after close_notify: %q", analyzertest.Summaries(msgs))
	}
}

// fragment splits the record rec's one handshake message into records of at
// most n bytes of it, each in a datagram of its own.
func fragment(rec string, n int) []string {
	body := rec[13:]
	hdr, msg := body[:12], body[12:]
	var out []string
	for off := 0; off < len(msg); off += n {
		piece := msg[off:min(off+n, len(msg))]
		h := []byte(hdr)
		h[6], h[7], h[8] = byte(off>>16), byte(off>>8), byte(off)
		h[9], h[10], h[11] = byte(len(piece)>>16), byte(len(piece)>>8), byte(len(piece))
		out = append(out, rec[:3]+rec[3:11]+string(binary.BigEndian.AppendUint16(nil, uint16(12+len(piece))))+string(h)+piece)
	}
	return out
}

// TestFragments: a Certificate sent in pieces, out of order, is put together
// and explained whole; a piece sent again is marked as a retransmission.
func TestFragments(t *testing.T) {
	steps, _ := flow(t)
	// The server's first flight: ServerHello, Certificate, ... in one datagram.
	var flight analyzertest.Step
	for _, s := range steps {
		if s.Data[13] == 2 { // ServerHello
			flight = s
			break
		}
	}
	var recs []string
	for d := flight.Data; len(d) >= 13; {
		n := 13 + int(binary.BigEndian.Uint16([]byte(d[11:13])))
		recs = append(recs, d[:n])
		d = d[n:]
	}
	if recs[1][13] != 11 {
		t.Fatalf("the second record is not a Certificate")
	}
	pieces := fragment(recs[1], 100)
	slices.Reverse(pieces)
	script := []analyzertest.Step{steps[0], {Dir: flight.Dir, Data: recs[0]}}
	for _, p := range pieces {
		script = append(script, analyzertest.Step{Dir: flight.Dir, Data: p})
	}
	script = append(script, analyzertest.Step{Dir: flight.Dir, Data: pieces[0]})
	msgs := feed(t, dtls.NewAnalyzer(), script)
	got := analyzertest.Summaries(msgs)
	l := len(recs[1]) - 13 - 12
	want := []string{"ClientHello", "ServerHello: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
		fmt.Sprintf("Certificate fragment (bytes 200–%d of %d)", l, l), fmt.Sprintf("Certificate fragment (bytes 100–200 of %d)", l),
		fmt.Sprintf("Certificate fragment (bytes 0–100 of %d)", l), "Certificate (1)",
		fmt.Sprintf("Certificate fragment (bytes 200–%d of %d) (retransmitted)", l, l)}
	if !slices.Equal(got, want) {
		t.Errorf("messages\n%q, want\n%q", got, want)
	}
	whole := analyzertest.Find(t, msgs, "Certificate (1)")
	if v := analyzertest.Field(whole, "certificate 1"); !strings.Contains(v, `subject "CN=WebRTC"`) {
		t.Errorf("reassembled certificate = %q", v)
	}
	if v := analyzertest.Field(whole, "reassembled"); !strings.Contains(v, "from 3 fragments") {
		t.Errorf("reassembled = %q", v)
	}
}

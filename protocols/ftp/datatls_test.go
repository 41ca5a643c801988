package ftp

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

var handshakeRecordTests = []struct {
	b    string
	want bool
}{
	{"\x16\x03\x01\x02\x00\x01\x00\x01\xfc", true}, // a ClientHello
	{"\x16\x03\x03\x00\x7a\x02", false},            // a ServerHello: the TLS client speaks first
	{"\x16", true},                                 // too short to tell: a handshake record so far
	{"\x16A file", false},
	{"\x16\x03\x09\x00\x10\x01", false}, // no TLS version 3.9
	{"\x17\x03\x03\x00\x10", false},     // application data
	{"hello", false},
}

func TestHandshakeRecord(t *testing.T) {
	for _, tt := range handshakeRecordTests {
		if got := handshakeRecord([]byte(tt.b)); got != tt.want {
			t.Errorf("handshakeRecord(%q) = %v, want %v", tt.b, got, tt.want)
		}
	}
}

// protectedTransfer sends file from a TLS server to a TLS client over real
// sockets on 127.0.0.1, as a data connection after PROT P does, and returns what
// crossed, as the TLS client's writes went in clientDir, and the key log.
func protectedTransfer(t *testing.T, file []byte, clientDir lab.Dir) ([]analyzertest.Step, *lab.KeyLog) {
	t.Helper()
	ca, err := labca.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Leaf("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	keys := &lab.KeyLog{}
	rec := &analyzertest.Recorder{}
	serverDir := lab.ClientToServer + lab.ServerToClient - clientDir
	sent := make(chan error, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			sent <- err
			return
		}
		tc := tls.Server(rec.Conn(c, serverDir), &tls.Config{Certificates: []tls.Certificate{cert}, KeyLogWriter: keys})
		_, err = tc.Write(file)
		tc.Close()
		sent <- err
	}()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	tc := tls.Client(rec.Conn(c, clientDir), &tls.Config{RootCAs: ca.Pool(), ServerName: "127.0.0.1"})
	got, err := io.ReadAll(tc)
	tc.Close()
	if err != nil || !bytes.Equal(got, file) {
		t.Fatalf("TLS transfer: %d bytes, %v; want %d", len(got), err, len(file))
	}
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	return rec.Steps(), keys
}

// feedData runs steps through a new data analyzer with keys (nil: none) and
// returns its messages.
func feedData(steps []analyzertest.Step, keys *lab.KeyLog, limit int64) []lab.Message {
	a := NewDataAnalyzerLimited(limit)
	if keys != nil {
		a.UseKeys(keys)
	}
	msgs := a.Opened(lab.OpenInfo{})
	fed := [3]int64{}
	for _, s := range steps {
		b := []byte(s.Data)
		if limit > 0 {
			b = b[:min(int64(len(b)), max(limit-fed[s.Dir], 0))]
		}
		fed[s.Dir] += int64(len(b))
		msgs = append(msgs, a.Feed(s.Dir, b, time.Time{})...)
	}
	msgs = append(msgs, a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN})...)
	return append(msgs, a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN})...)
}

// TestDataAnalyzerTLS feeds the analyzer a real TLS transfer, the TLS client
// opening the connection (passive mode) or accepting it (active mode).
func TestDataAnalyzerTLS(t *testing.T) {
	file := bytes.Repeat([]byte("protected \x00\x01"), 500)
	sum := sha256.Sum256(file)
	for _, clientDir := range []lab.Dir{c2s, s2c} {
		steps, keys := protectedTransfer(t, file, clientDir)
		msgs := feedData(steps, keys, 0)
		var ends, hellos []string
		for _, m := range msgs {
			switch {
			case m.Layer == "tls" && strings.HasPrefix(m.Summary, "ClientHello"):
				hellos = append(hellos, m.Dir.String())
			case m.Layer == "" && analyzertest.Field(m, "SHA-256") != "":
				ends = append(ends, m.Dir.String()+" "+analyzertest.Field(m, "bytes")+" "+analyzertest.Field(m, "SHA-256"))
			}
		}
		serverDir := c2s + s2c - clientDir
		if want := []string{serverDir.String() + " 6000 " + hex.EncodeToString(sum[:])}; !equal(ends, want) {
			t.Errorf("TLS client %s: ends = %q, want %q", clientDir, ends, want)
		}
		if want := []string{clientDir.String()}; !equal(hellos, want) {
			t.Errorf("TLS client %s: ClientHello went %q, want %q", clientDir, hellos, want)
		}
	}
}

// TestDataAnalyzerTLSPastTheLimit: past the capture limit the file is cut, and
// the analyzer says the lab's summary is of the encrypted records.
func TestDataAnalyzerTLSPastTheLimit(t *testing.T) {
	file := bytes.Repeat([]byte("x"), 100000)
	steps, keys := protectedTransfer(t, file, c2s)
	var cut []lab.Message
	for _, m := range feedData(steps, keys, 50000) {
		if m.Layer == "" && analyzertest.Field(m, "SHA-256") != "" {
			t.Errorf("a size and SHA-256 past the limit: %s", m.Summary)
		}
		if analyzertest.Field(m, "bytes decrypted") != "" {
			cut = append(cut, m)
		}
	}
	if len(cut) != 1 || !strings.Contains(cut[0].Meaning, "TLS records, not of the file") {
		t.Errorf("end of a cut protected file = %+v", cut)
	}
}

// TestDataAnalyzerTLSWithoutKeys: no keys, no file: the analyzer says the data
// cannot be read.
func TestDataAnalyzerTLSWithoutKeys(t *testing.T) {
	steps, _ := protectedTransfer(t, []byte("secret"), s2c)
	var sealed []string
	for _, m := range feedData(steps, nil, 0) {
		if m.Layer == "" && (analyzertest.Field(m, "SHA-256") != "" || strings.HasPrefix(m.Summary, "first ")) {
			t.Errorf("the TLS stream shown as the file: %s", m.Summary)
		}
		if m.Layer == "" && analyzertest.Field(m, notDecrypted) != "" {
			sealed = append(sealed, m.Dir.String())
		}
	}
	if len(sealed) != 2 {
		t.Errorf("unreadable ends went %q, want one each way", sealed)
	}
}

func equal(a, b []string) bool { return strings.Join(a, "\n") == strings.Join(b, "\n") }

// FuzzDataAnalyzer feeds a data connection's analyzer any bytes, TLS or not: it
// must not panic, and its own messages go one way or the other and move it only
// from open to closed.
func FuzzDataAnalyzer(f *testing.F) {
	f.Add(script(step{s2c, "hello\n"}))
	f.Add(script(step{c2s, "\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00"}, step{s2c, "\x16\x03\x03\x00\x02\x02\x00"}))
	f.Add(script(step{s2c, "\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00"}, step{c2s, "\x17\x03\x03\x00\x03abc"}))
	f.Fuzz(func(t *testing.T, data []byte) {
		a := NewDataAnalyzerLimited(64)
		a.UseKeys(&lab.KeyLog{})
		check := func(msgs []lab.Message) {
			for _, m := range msgs {
				if m.Layer != "" {
					continue
				}
				if m.Dir != c2s && m.Dir != s2c {
					t.Fatalf("message %q goes %v", m.Summary, m.Dir)
				}
				if m.NextState != "" && m.NextState != DataStateOpen && m.NextState != DataStateClosed {
					t.Fatalf("moved to %q", m.NextState)
				}
			}
		}
		check(a.Opened(lab.OpenInfo{}))
		analyzertest.Play(a, data, check)
		check(a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN}))
		check(a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowRST}))
		if a.State() != DataStateClosed {
			t.Fatalf("State = %q after a reset, want %q", a.State(), DataStateClosed)
		}
	})
}

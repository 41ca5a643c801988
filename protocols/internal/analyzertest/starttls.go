package analyzertest

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
)

// StartTLS is a conversation that turns to TLS: the server's greeting, the
// client's request for TLS (with whatever it pipelines after it, in the same
// write), the server's go-ahead, then lines inside TLS.
type StartTLS struct {
	Greeting string   // the server's first bytes
	Ask      string   // the client's request, and what it pipelines after it
	GoAhead  string   // the server's reply that starts TLS
	Inside   []string // inside TLS: a client line, the server's reply line, and so on
}

// Run plays x over a pipe with a real TLS handshake and returns the bytes both
// ends wrote, in the order written, and the key log that decrypts them. The
// server reads the request and what was pipelined after it, and discards the
// latter before its TLS handshake, as RFC 3207 §4.2 has it.
func (x StartTLS) Run(t testing.TB) ([]Step, *lab.KeyLog) {
	t.Helper()
	ca, err := labca.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Leaf("mail.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	keys := &lab.KeyLog{}
	rec := &Recorder{}
	cc, sc := net.Pipe()
	client, server := rec.Conn(cc, lab.ClientToServer), rec.Conn(sc, lab.ServerToClient)
	done := make(chan error, 1)
	go func() {
		done <- func() error {
			defer server.Close()
			server.Write([]byte(x.Greeting))
			if _, err := io.ReadFull(server, make([]byte, len(x.Ask))); err != nil {
				return err
			}
			server.Write([]byte(x.GoAhead))
			tc := tls.Server(server, &tls.Config{Certificates: []tls.Certificate{cert}, KeyLogWriter: keys})
			r := bufio.NewReader(tc)
			for i := 0; i+1 < len(x.Inside); i += 2 {
				if _, err := r.ReadString('\n'); err != nil {
					return err
				}
				if _, err := tc.Write([]byte(x.Inside[i+1])); err != nil {
					return err
				}
			}
			return nil // the raw close: a close_notify on a synchronous pipe would wait for a reader
		}()
	}()
	read := func(s string) {
		if _, err := io.ReadFull(client, make([]byte, len(s))); err != nil {
			t.Fatal(err)
		}
	}
	read(x.Greeting)
	client.Write([]byte(x.Ask))
	read(x.GoAhead)
	tc := tls.Client(client, &tls.Config{ServerName: "mail.lab.test", RootCAs: ca.Pool()})
	r := bufio.NewReader(tc)
	for i := 0; i+1 < len(x.Inside); i += 2 {
		tc.Write([]byte(x.Inside[i]))
		if _, err := r.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
	}
	client.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return rec.Steps(), keys
}

// CheckStartTLS feeds steps (from StartTLS.Run) to fresh analyzers made by
// newAnalyzer, given keys, whole and in chunks of 3 bytes, and checks that the
// protocol's own messages are want, that each discarded line is the client's
// with ref, that TLS's messages begin with the ClientHello (the handshake was
// found where it starts) and that nothing is malformed or undecrypted. It
// returns the analyzer fed whole.
func CheckStartTLS(t testing.TB, steps []Step, keys *lab.KeyLog, newAnalyzer func() lab.Analyzer, ref string, want ...string) lab.Analyzer {
	t.Helper()
	var first lab.Analyzer
	for _, chunk := range []int{0, 3} {
		a := newAnalyzer()
		a.(lab.KeyUser).UseKeys(keys)
		a.(lab.ConnAnalyzer).Opened(lab.OpenInfo{})
		msgs := Feed(a, steps, chunk)
		var own, tls []string
		for _, m := range msgs {
			switch m.Layer {
			case "":
				own = append(own, m.Summary)
			case "tls":
				tls = append(tls, m.Summary)
			}
			if strings.HasPrefix(m.Summary, "discarded: ") && (m.Dir != lab.ClientToServer || m.Ref != ref || !strings.HasSuffix(string(m.Raw), "\n")) {
				t.Errorf("chunks of %d: %q from %v, ref %q, raw %q", chunk, m.Summary, m.Dir, m.Ref, m.Raw)
			}
			if strings.Contains(m.Summary, "malformed") || strings.Contains(m.Summary, "did not see") || strings.Contains(m.Meaning, "not a TLS record") {
				t.Errorf("chunks of %d: %s message %q: %s", chunk, m.Layer, m.Summary, m.Meaning)
			}
		}
		if !slices.Equal(own, want) {
			t.Errorf("chunks of %d: the protocol's messages\n%q, want\n%q", chunk, own, want)
		}
		if len(tls) == 0 || !strings.HasPrefix(tls[0], "ClientHello") {
			t.Errorf("chunks of %d: TLS messages %q, want the ClientHello first", chunk, tls)
		}
		if first == nil {
			first = a
		}
	}
	return first
}

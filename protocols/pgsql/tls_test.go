package pgsql

import (
	"crypto/tls"
	"io"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// tlsSession runs a session inside TLS over a pipe with a real handshake:
// an SSLRequest answered 'S' (or, direct, the ClientHello first), then the
// start-up and a query. It returns the bytes both ends wrote and the key log.
func tlsSession(t *testing.T, direct bool) ([]analyzertest.Step, *lab.KeyLog) {
	t.Helper()
	ca, err := labca.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Leaf("db.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	startup, query := enc(t, startupMsg()), enc(t, &pgproto3.Query{String: "SELECT 1"})
	hello := enc(t, &pgproto3.AuthenticationOk{}, &pgproto3.ReadyForQuery{TxStatus: 'I'})
	answer := enc(t, &pgproto3.RowDescription{Fields: []pgproto3.FieldDescription{col("?column?", 23, 0)}},
		&pgproto3.DataRow{Values: [][]byte{[]byte("1")}}, &pgproto3.CommandComplete{CommandTag: []byte("SELECT 1")},
		&pgproto3.ReadyForQuery{TxStatus: 'I'})
	keys := &lab.KeyLog{}
	rec := &analyzertest.Recorder{}
	cc, sc := net.Pipe()
	client, srv := rec.Conn(cc, c2s), rec.Conn(sc, s2c)
	done := make(chan error, 1)
	go func() {
		done <- func() error {
			defer srv.Close()
			if !direct {
				if _, err := io.ReadFull(srv, make([]byte, 8)); err != nil {
					return err
				}
				if _, err := srv.Write([]byte("S")); err != nil {
					return err
				}
			}
			tc := tls.Server(srv, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"postgresql"}})
			for _, s := range [][2]string{{startup, hello}, {query, answer}} {
				if _, err := io.ReadFull(tc, make([]byte, len(s[0]))); err != nil {
					return err
				}
				if _, err := tc.Write([]byte(s[1])); err != nil {
					return err
				}
			}
			return nil
		}()
	}()
	if !direct {
		client.Write([]byte(enc(t, &pgproto3.SSLRequest{})))
		if _, err := io.ReadFull(client, make([]byte, 1)); err != nil {
			t.Fatal(err)
		}
	}
	tc := tls.Client(client, &tls.Config{ServerName: "db.lab.test", RootCAs: ca.Pool(), KeyLogWriter: keys, NextProtos: []string{"postgresql"}})
	for _, s := range [][2]string{{startup, hello}, {query, answer}} {
		if _, err := tc.Write([]byte(s[0])); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(tc, make([]byte, len(s[1]))); err != nil {
			t.Fatal(err)
		}
	}
	client.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return rec.Steps(), keys
}

// TestTLS checks that after an SSLRequest answered 'S', and with direct TLS,
// the session inside TLS is decrypted with the lab's key log and shown as
// PostgreSQL's, whole and in chunks of 3 bytes.
func TestTLS(t *testing.T) {
	inside := []string{`StartupMessage user "lab" database "lab"`, "AuthenticationOk", "ReadyForQuery I (idle)",
		`Query "SELECT 1"`, "RowDescription 1 column: ?column? int4", "DataRow 1", `CommandComplete "SELECT 1"`, "ReadyForQuery I (idle)"}
	for _, direct := range []bool{false, true} {
		steps, keys := tlsSession(t, direct)
		want := append([]string{"SSLRequest", "'S': TLS accepted", "encrypted from here (TLS)"}, inside...)
		if direct {
			want = append([]string{"encrypted from here (TLS)"}, inside...)
		}
		for _, chunk := range []int{0, 3} {
			a := NewAnalyzer()
			a.UseKeys(keys)
			a.Opened(lab.OpenInfo{})
			var own, tlsMsgs []string
			var states []string
			msgs := analyzertest.Feed(a, steps, chunk)
			msgs = append(msgs, a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN})...)
			for _, m := range msgs {
				switch m.Layer {
				case "":
					own = append(own, m.Summary)
					if m.NextState != "" {
						states = append(states, m.NextState)
					}
				case "tls":
					tlsMsgs = append(tlsMsgs, m.Summary)
				}
				if strings.Contains(m.Summary, "malformed") {
					t.Errorf("direct %v, chunks of %d: %s %q", direct, chunk, m.Layer, m.Summary)
				}
			}
			own = slices.DeleteFunc(own, func(s string) bool { return strings.HasPrefix(s, "connection closed") })
			if !slices.Equal(own, want) {
				t.Errorf("direct %v, chunks of %d: PostgreSQL's messages\n%q, want\n%q", direct, chunk, own, want)
			}
			if len(tlsMsgs) == 0 || !strings.HasPrefix(tlsMsgs[0], "ClientHello") {
				t.Errorf("direct %v, chunks of %d: TLS messages %q", direct, chunk, tlsMsgs)
			}
			if !slices.Contains(states, StateIdle) || a.State() != StateTerminated {
				t.Errorf("direct %v, chunks of %d: states %q, now %q", direct, chunk, states, a.State())
			}
		}
	}
}

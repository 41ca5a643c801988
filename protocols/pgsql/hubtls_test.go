package pgsql

import (
	"crypto/tls"
	"io"
	"net"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/protocollab/protolab/lab"
)

// TestHubTLS runs an SSLRequest answered 'S' over a real connection through
// the lab's tap, the server's TLS logging its secrets to the hub's key log, as
// the lab's server does: the hub shows the TLS layer and PostgreSQL's
// messages inside it, with their states.
func TestHubTLS(t *testing.T) {
	hub, _, tl := labHub(t)
	ca, cert := labCert(t)
	startup, query := enc(t, startupMsg()), enc(t, &pgproto3.Query{String: "SELECT 1"})
	hello := enc(t, &pgproto3.AuthenticationOk{}, &pgproto3.ReadyForQuery{TxStatus: 'I'})
	answer := enc(t, &pgproto3.CommandComplete{CommandTag: []byte("SELECT 1")}, &pgproto3.ReadyForQuery{TxStatus: 'I'})
	done := make(chan error, 1)
	go func() {
		done <- func() error {
			c, err := tl.Accept()
			if err != nil {
				return err
			}
			defer c.Close()
			if _, err := io.ReadFull(c, make([]byte, 8)); err != nil {
				return err
			}
			c.Write([]byte("S"))
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}, KeyLogWriter: hub.Keys()})
			for _, s := range [][2]string{{startup, hello}, {query, answer}} {
				if _, err := io.ReadFull(tc, make([]byte, len(s[0]))); err != nil {
					return err
				}
				tc.Write([]byte(s[1]))
			}
			_, err = io.ReadFull(tc, make([]byte, 5)) // Terminate
			return err
		}()
	}()
	c, err := net.Dial("tcp", tl.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte(enc(t, &pgproto3.SSLRequest{})))
	if _, err := io.ReadFull(c, make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	tc := tls.Client(c, &tls.Config{ServerName: "db.lab.test", RootCAs: ca.Pool()})
	for _, s := range [][2]string{{startup, hello}, {query, answer}} {
		tc.Write([]byte(s[0]))
		if _, err := io.ReadFull(tc, make([]byte, len(s[1]))); err != nil {
			t.Fatal(err)
		}
	}
	tc.Write([]byte(enc(t, &pgproto3.Terminate{})))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	tc.Close()
	settle(t, hub)
	var own, tlsMsgs, states []string
	for _, e := range hub.ConvEvents(hub.Conversations()[0].ID) {
		switch {
		case e.Msg != nil && e.Layer == Name:
			own = append(own, e.Msg.Summary)
		case e.Msg != nil && e.Layer == "tls":
			tlsMsgs = append(tlsMsgs, e.Msg.Summary)
		case e.Kind == lab.KindState && e.Layer == Name:
			states = append(states, e.To)
		}
	}
	want := []string{"SSLRequest", "'S': TLS accepted", "encrypted from here (TLS)", `StartupMessage user "lab" database "lab"`,
		"AuthenticationOk", "ReadyForQuery I (idle)", `Query "SELECT 1"`, `CommandComplete "SELECT 1"`, "ReadyForQuery I (idle)", "Terminate"}
	if !slices.Equal(own, want) {
		t.Errorf("PostgreSQL's messages\n%q, want\n%q", own, want)
	}
	if len(tlsMsgs) == 0 {
		t.Error("no TLS messages")
	}
	if want := []string{StateStartup, StateAuthenticating, StateIdle, StateTerminated}; !slices.Equal(states, want) {
		t.Errorf("states %q, want %q", states, want)
	}
}

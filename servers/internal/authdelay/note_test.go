package authdelay

import (
	"crypto/tls"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	tcpproto "github.com/protocollab/protolab/protocols/tcp"
)

// TestFailConnReports: each delayed answer is reported on the conversation of
// the failed login, also through TLS, with the count of wrong passwords.
func TestFailConnReports(t *testing.T) {
	reg := &lab.Registry{}
	reg.Register(tcpproto.Protocol())
	hub := lab.NewHub(lab.HubOptions{Registry: reg})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	client, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	raw, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	c := hub.Tap(tcpproto.Protocol()).Conn(raw, lab.SideServer)
	defer c.Close()

	g := &Guard{Base: time.Millisecond}
	g.FailConn(nil, c)
	g.FailConn(nil, tls.Server(c, &tls.Config{})) // after STARTTLS
	g.Succeed(c.RemoteAddr())
	(&Guard{Base: -1}).FailConn(nil, c) // no wait, no note
	g.FailConn(nil, nil)                // untapped: counted, not reported
	hub.Settle()

	var got []string
	for _, e := range hub.ConvEvents(lab.ConnConversation(c).ID()) {
		if e.Kind == lab.KindMessage && e.Msg.Ref == "RFC 2577 §5" {
			got = append(got, e.Msg.Summary)
		}
	}
	want := []string{
		"wrong password #1 from 127.0.0.1: answer delayed 1ms",
		"wrong password #2 from 127.0.0.1: answer delayed 2ms",
	}
	if !slices.Equal(got, want) {
		t.Errorf("notes = %q, want %q", got, want)
	}
}

func TestNote(t *testing.T) {
	m := Note("", 3, time.Second)
	if want := "wrong password #3 from an unknown address: answer delayed 1s"; m.Summary != want {
		t.Errorf("Summary = %q, want %q", m.Summary, want)
	}
	if m.Dir != lab.ServerToClient || len(m.Fields) != 3 {
		t.Errorf("note = %+v, want a server's note with client, count and delay", m)
	}
}

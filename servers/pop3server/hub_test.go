package pop3server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/clients/pop3client"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/mailstore"
	"github.com/protocollab/protolab/servers/pop3server"
)

// TestHubSession checks what the inspector shows of a real session with STLS:
// the TLS records, the POP3 inside them decrypted with the lab's key log, the
// states AUTHORIZATION → TRANSACTION → UPDATE → closed, and DELE explained as
// a mark that takes effect at QUIT.
func TestHubSession(t *testing.T) {
	hub := newHub()
	tap := hub.Tap(hub.Registry().Lookup("pop3"))
	st := newStore(t, 2)
	ca := newCA(t)
	_, addr, _ := startServer(t, pop3server.Options{Stores: []*mailstore.Store{st}, TLS: ca.serverTLS(t), Tap: tap})
	c := dial(t, addr, &ca, pop3client.Options{Tap: tap})
	if err := c.Login("alice", "alice"); err != nil {
		t.Fatal(err)
	}
	mail1, err := c.Retr(1)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Dele(1); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
	hub.Settle()
	var conv lab.ConvInfo
	for _, ci := range hub.Conversations() {
		if ci.Protocol == "pop3" {
			conv = ci
		}
	}
	if conv.ID == 0 || conv.ID != c.Conversation() {
		t.Fatalf("the POP3 conversation is %d, the client's %d", conv.ID, c.Conversation())
	}
	var states, pop3Msgs []string
	byName := map[string]*lab.Message{}
	tlsMsgs := 0
	for _, e := range hub.ConvEvents(conv.ID) {
		switch {
		case e.Kind == lab.KindState && e.Layer == "pop3":
			states = append(states, e.To)
		case e.Msg != nil && e.Layer == "pop3":
			pop3Msgs = append(pop3Msgs, e.Msg.Summary)
			byName[e.Msg.Summary] = e.Msg
		case e.Msg != nil && e.Layer == "tls":
			tlsMsgs++
		}
	}
	if got, want := strings.Join(states, " "), "AUTHORIZATION TRANSACTION UPDATE closed"; got != want {
		t.Errorf("states = %q, want %q", got, want)
	}
	if tlsMsgs == 0 {
		t.Error("no TLS messages after STLS")
	}
	for _, want := range []string{"STLS", "encrypted from here (TLS)", "USER alice", "PASS ****", "RETR 1", "DELE 1", "QUIT"} {
		if !slices.Contains(pop3Msgs, want) {
			t.Errorf("no %q among the POP3 messages %q", want, pop3Msgs)
		}
	}
	if m := byName["PASS ****"]; m == nil || string(m.Raw) != "PASS alice\r\n" || !strings.Contains(m.Meaning, "TLS") {
		t.Errorf("PASS inside TLS = %+v", m)
	}
	if m := byName["+OK Message 1 marked deleted; it is removed at QUIT."]; m == nil || !strings.Contains(m.Meaning, "only marked") {
		t.Errorf("DELE's answer = %+v", m)
	}
	if m := byName["QUIT"]; m == nil || m.NextState != "UPDATE" || !strings.Contains(m.Meaning, "message 1") {
		t.Errorf("QUIT = %+v", m)
	}
	if m := byName[fmt.Sprintf("+OK %d octets", len(mail1))]; m == nil ||
		!slices.Contains(m.Built().Fields, lab.Field{Name: "From", Value: "Bob <bob@beta.test>"}) || !slices.Contains(m.Built().Fields, lab.Field{Name: "Subject", Value: "Note 1"}) {
		t.Errorf("RETR's answer is not one message with the mail's sender and subject: %q", pop3Msgs)
	}
}

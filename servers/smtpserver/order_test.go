package smtpserver_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/smtp"
	"github.com/protocollab/protolab/servers/smtpserver"
)

// A raw client sends a line longer than the server takes; the server answers
// 500 after reading only its start, while the rest waits unread. The line was on
// the wire before the 500, and the lab shows it first.
func TestOverlongLineBeforeIts500(t *testing.T) {
	hub := newHub()
	_, addr := startServer(t, smtpserver.Options{
		Store: newStore(t, "alpha.test"), Tap: hub.Tap(hub.Registry().Lookup(smtp.Name)),
	})
	c := dial(t, addr)
	line := append([]byte("EHLO "), bytes.Repeat([]byte("a"), 6000)...)
	if _, err := c.c.Write(append(line, "\r\n"...)); err != nil {
		t.Fatal(err)
	}
	if code, text := c.reply(); code != 500 {
		t.Fatalf("reply %d %s, want 500", code, text)
	}
	io.Copy(io.Discard, c.br) // until the server closes
	c.c.Close()

	conv := settledSMTP(hub)
	var sums []string
	at, reply := -1, -1
	for _, e := range hub.ConvEvents(conv.ID) {
		if e.Kind != lab.KindMessage || e.Msg == nil {
			continue
		}
		sums = append(sums, e.Msg.Dir.String()+" "+e.Msg.Summary)
		switch {
		case at < 0 && e.Msg.Dir == lab.ClientToServer && bytes.HasPrefix(e.Msg.Raw, []byte("EHLO aaaa")):
			at = len(sums) - 1
		case reply < 0 && strings.HasPrefix(e.Msg.Summary, "500"):
			reply = len(sums) - 1
		}
	}
	if at < 0 || reply < 0 || at > reply {
		t.Errorf("the overlong line is message %d, the 500 message %d; want the line first, among\n%s", at, reply, strings.Join(sums, "\n"))
	}
}

// settledSMTP waits for the hub's analysis and returns its (last) SMTP
// conversation.
func settledSMTP(hub *lab.Hub) lab.ConvInfo {
	hub.Settle()
	var conv lab.ConvInfo
	for _, ci := range hub.Conversations() {
		if ci.Protocol == smtp.Name {
			conv = ci
		}
	}
	return conv
}

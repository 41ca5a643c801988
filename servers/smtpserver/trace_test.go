package smtpserver_test

import (
	"crypto/tls"
	"regexp"
	"testing"

	"github.com/protocollab/protolab/servers/smtpserver"
)

// receivedRE is a Received line of the lab's, with its parts.
var receivedRE = regexp.MustCompile(`^Received: from (\S+) \(\[([0-9.]+)\]\)\r\n\tby (\S+) with (ESMTP|ESMTPA|ESMTPS|ESMTPSA) id ([0-9A-F]{12})(?:\r\n\tfor <([^>]+)>)?;\r\n\t\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}\r\n`)

// TestTraceHeaders: a message delivered into a mailbox starts with the
// Return-Path of its envelope sender, then the server's Received line naming
// the client, the protocol (RFC 3848) and the recipient.
func TestTraceHeaders(t *testing.T) {
	store := newStore(t, "alpha.test")
	_, ca := caFile(t)
	_, addr := startServer(t, smtpserver.Options{Store: store, TLS: labTLS(t, ca)})
	c := dial(t, addr)
	c.cmd(250, "EHLO client.lab.test")
	c.startTLS(&tls.Config{RootCAs: ca.Pool(), ServerName: "mail.alpha.test"})
	c.cmd(250, "EHLO client.lab.test")
	c.cmd(235, "AUTH PLAIN %s", plain("alice", "alice"))
	c.send(alice, alice, "Subject: traced\r\n\r\nhi")
	raw := onlyMessage(t, store, alice)
	const rp = "Return-Path: <alice@alpha.test>\r\n"
	if len(raw) < len(rp) || string(raw[:len(rp)]) != rp {
		t.Fatalf("delivered message = %q, want it to start with %q", raw, rp)
	}
	m := receivedRE.FindSubmatch(raw[len(rp):])
	if m == nil {
		t.Fatalf("no Received line after Return-Path in %q", raw)
	}
	want := []string{"client.lab.test", "127.0.0.1", "mail.alpha.test", "ESMTPSA", "", "alice@alpha.test"}
	for i, w := range want {
		if w != "" && string(m[i+1]) != w {
			t.Errorf("Received part %d = %q, want %q", i+1, m[i+1], w)
		}
	}
}

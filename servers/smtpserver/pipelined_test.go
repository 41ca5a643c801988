package smtpserver_test

import (
	"bufio"
	"crypto/tls"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/smtp"
	"github.com/protocollab/protolab/servers/smtpserver"
)

// TestPipelinedAfterStartTLS sends RSET in the same write as STARTTLS, which
// RFC 3207 §4.2 forbids: the server discards it and the TLS handshake succeeds,
// and the lab shows the RSET as discarded and decrypts the session after it.
func TestPipelinedAfterStartTLS(t *testing.T) {
	hub := newHub()
	_, ca := caFile(t)
	_, addr := startServer(t, smtpserver.Options{
		Store: newStore(t, "alpha.test"), Tap: hub.Tap(hub.Registry().Lookup(smtp.Name)), TLS: tlsWithKeys(t, ca, hub),
	})
	c := dial(t, addr)
	c.cmd(250, "EHLO x")
	if _, err := c.c.Write([]byte("STARTTLS\r\nRSET\r\n")); err != nil {
		t.Fatal(err)
	}
	c.expect(220)
	tc := tls.Client(c.c, &tls.Config{RootCAs: ca.Pool(), ServerName: "mail.alpha.test"})
	if err := tc.Handshake(); err != nil {
		t.Fatalf("TLS handshake after a pipelined RSET: %v", err)
	}
	c.c, c.br = tc, bufio.NewReader(tc)
	c.cmd(250, "EHLO y")
	c.cmd(221, "QUIT")
	c.c.Close()

	conv := settledSMTP(hub)
	var sums []string
	for _, e := range hub.ConvEvents(conv.ID) {
		if e.Kind != lab.KindMessage || e.Msg == nil {
			continue
		}
		sums = append(sums, e.Layer+": "+e.Msg.Summary)
		if strings.Contains(e.Msg.Summary, "malformed") || strings.Contains(e.Msg.Summary, "did not see") {
			t.Errorf("%s message %q: %s", e.Layer, e.Msg.Summary, e.Msg.Meaning)
		}
	}
	all := strings.Join(sums, "\n")
	for _, want := range []string{
		"smtp: STARTTLS\nsmtp: discarded: RSET\nsmtp: 220 2.0.0 Ready to start TLS\nsmtp: encrypted from here (TLS)\nsmtp: EHLO y",
		"smtp: QUIT",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the conversation shows:\n%s\nwant in it:\n%s", all, want)
		}
	}
}

package smtpserver_test

import (
	"crypto/tls"
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/servers/internal/servertest"
	"github.com/protocollab/protolab/servers/mailstore"
	"github.com/protocollab/protolab/servers/smtpserver"
)

const alice = "alice@alpha.test"

func plain(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pass))
}

func TestLocalDelivery(t *testing.T) {
	store := newStore(t, "alpha.test")
	_, addr := startServer(t, smtpserver.Options{Store: store})
	c := dial(t, addr)
	c.cmd(250, "EHLO test.lab.test")
	c.cmd(250, "MAIL FROM:<someone@beta.test>")
	c.cmd(550, "RCPT TO:<nobody@alpha.test>")
	c.cmd(250, "RCPT TO:<alice@alpha.test>")
	c.cmd(354, "DATA")
	c.cmd(250, "Subject: hi\r\n\r\n..a line with a dot\r\n.")
	c.cmd(221, "QUIT")
	msgs, err := store.List(alice, "INBOX")
	if err != nil || len(msgs) != 1 {
		t.Fatalf("INBOX = %v, %v; want one message", msgs, err)
	}
	raw, _ := store.Fetch(alice, "INBOX", msgs[0].UID)
	if !strings.HasPrefix(string(raw), "Return-Path: <someone@beta.test>\r\nReceived: from test.lab.test ([127.0.0.1])\r\n\tby mail.alpha.test with ESMTP id ") ||
		!strings.HasSuffix(string(raw), "\r\nSubject: hi\r\n\r\n.a line with a dot\r\n") {
		t.Errorf("stored message = %q", raw)
	}
}

func TestNoAuthBeforeTLS(t *testing.T) {
	store := newStore(t, "alpha.test")
	_, ca := caFile(t)
	_, addr := startServer(t, smtpserver.Options{Store: store, TLS: labTLS(t, ca)})
	c := dial(t, addr)
	ehlo := c.cmd(250, "EHLO x")
	if strings.Contains(ehlo, "AUTH") || !strings.Contains(ehlo, "STARTTLS") {
		t.Errorf("EHLO before TLS = %q, want STARTTLS and no AUTH", ehlo)
	}
	c.cmd(523, "AUTH PLAIN %s", plain("alice", "alice"))
	c.startTLS(&tls.Config{RootCAs: ca.Pool(), ServerName: "mail.alpha.test"})
	ehlo = c.cmd(250, "EHLO x")
	if !strings.Contains(ehlo, "AUTH PLAIN LOGIN") || strings.Contains(ehlo, "STARTTLS") {
		t.Errorf("EHLO inside TLS = %q, want AUTH PLAIN LOGIN", ehlo)
	}
	c.cmd(235, "AUTH PLAIN %s", plain("alice", "alice"))

	// Allowed by the setting, AUTH is offered in the clear.
	_, addr2 := startServer(t, smtpserver.Options{Store: store, TLS: labTLS(t, ca), AllowInsecureAuth: true})
	c2 := dial(t, addr2)
	if ehlo := c2.cmd(250, "EHLO x"); !strings.Contains(ehlo, "AUTH PLAIN LOGIN") {
		t.Errorf("EHLO with AllowInsecureAuth = %q", ehlo)
	}
	c2.cmd(334, "AUTH LOGIN")
	c2.cmd(334, base64.StdEncoding.EncodeToString([]byte("alice@alpha.test")))
	c2.cmd(235, base64.StdEncoding.EncodeToString([]byte("alice")))
}

func TestWrongPasswordSlowed(t *testing.T) {
	store := newStore(t, "alpha.test")
	srv, addr := startServer(t, smtpserver.Options{Store: store, AllowInsecureAuth: true})
	var observed servertest.AuthDelays
	smtpserver.ObserveAuthDelay(srv, observed.Observe)
	for range 3 {
		c := dial(t, addr)
		c.cmd(250, "EHLO x")
		if text := c.cmd(535, "AUTH PLAIN %s", plain("alice", "wrong")); !strings.HasPrefix(text, "5.7.8 ") {
			t.Errorf("wrong password: %q, want 5.7.8", text)
		}
	}
	c := dial(t, addr)
	c.cmd(250, "EHLO x")
	c.cmd(334, "AUTH LOGIN")
	c.cmd(334, base64.StdEncoding.EncodeToString([]byte("alice")))
	c.cmd(535, base64.StdEncoding.EncodeToString([]byte("nope")))
	c.cmd(235, "AUTH PLAIN %s", plain("alice", "alice"))
	c2 := dial(t, addr)
	c2.cmd(250, "EHLO x")
	c2.cmd(535, "AUTH PLAIN %s", plain("alice", "again"))
	if delays, want := observed.Counts(), []int{1, 2, 3, 4, 1}; !slices.Equal(delays, want) {
		t.Errorf("failures counted for the delays = %v, want %v (reset by a good password)", delays, want)
	}
}

func TestRelayRefused(t *testing.T) {
	store := newStore(t, "alpha.test")
	_, addr := startServer(t, smtpserver.Options{Store: store, AllowInsecureAuth: true,
		RelayPort: func(string) int { return 1 }})
	c := dial(t, addr)
	c.cmd(250, "EHLO x")
	c.cmd(250, "MAIL FROM:<spammer@outside.example>")
	if text := c.cmd(550, "RCPT TO:<victim@outside.example>"); !strings.HasPrefix(text, "5.7.1 ") {
		t.Errorf("relay to outside = %q, want 5.7.1", text)
	}
	if text := c.cmd(530, "RCPT TO:<bob@beta.test>"); !strings.HasPrefix(text, "5.7.0 ") {
		t.Errorf("unauthenticated relay to beta.test = %q, want 530 5.7.0", text)
	}
	c.cmd(250, "RSET")
	c.cmd(235, "AUTH PLAIN %s", plain("alice", "alice"))
	c.cmd(250, "MAIL FROM:<alice@alpha.test>")
	if text := c.cmd(550, "RCPT TO:<victim@outside.example>"); !strings.HasPrefix(text, "5.7.1 ") {
		t.Errorf("authenticated relay to outside = %q, want 5.7.1", text)
	}
	c.cmd(250, "RCPT TO:<bob@beta.test>")
}

func TestLimits(t *testing.T) {
	store := newStore(t, "alpha.test", mailstore.Account{User: "alice", Password: "alice"})
	_, addr := startServer(t, smtpserver.Options{Store: store, MaxMessageBytes: 1000, MaxRecipients: 2})
	c := dial(t, addr)
	if ehlo := c.cmd(250, "EHLO x"); !strings.Contains(ehlo, "SIZE 1000") {
		t.Errorf("EHLO = %q, want SIZE 1000", ehlo)
	}
	c.cmd(552, "MAIL FROM:<a@beta.test> SIZE=5000")
	c.cmd(250, "MAIL FROM:<a@beta.test>")
	c.cmd(250, "RCPT TO:<alice@alpha.test>")
	c.cmd(250, "RCPT TO:<alice@alpha.test>")
	c.cmd(452, "RCPT TO:<alice@alpha.test>")
	c.cmd(354, "DATA")
	if text := c.cmd(552, "Subject: big\r\n\r\n%s\r\n.", strings.Repeat(strings.Repeat("x", 70)+"\r\n", 30)); !strings.HasPrefix(text, "5.3.4 ") {
		t.Errorf("oversize = %q, want 552 5.3.4", text)
	}
	if st, _ := store.Status(alice, "INBOX"); st.Messages != 0 {
		t.Errorf("an oversize message was stored")
	}
}

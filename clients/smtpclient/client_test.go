package smtpclient_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/clients/smtpclient"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/servers/mailstore"
	"github.com/protocollab/protolab/servers/smtpserver"
)

func TestCompose(t *testing.T) {
	png := bytes.Repeat([]byte{0x89, 'P', 'N', 'G', 0, 1, 2}, 40)
	raw := smtpclient.Compose(smtpclient.Mail{
		From: "Alice <alice@alpha.test>", To: []string{"bob@beta.test"}, Cc: []string{"carol@beta.test"},
		Subject: "Grüße", Body: "Line one\nline two = é\n",
		Attachments: []smtpclient.Attachment{{Name: "logo.png", Type: "image/png", Data: png}},
	})
	if bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) {
		t.Error("a bare LF in the message")
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subj, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if subj != "Grüße" || m.Header.Get("Cc") != "carol@beta.test" || !strings.HasSuffix(m.Header.Get("Message-Id"), "@alpha.test>") {
		t.Errorf("headers = %v", m.Header)
	}
	mt, params, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if mt != "multipart/mixed" {
		t.Fatalf("Content-Type = %q", mt)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	text, err := mr.NextPart() // quoted-printable is decoded by the reader
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(text); string(b) != "Line one\r\nline two = é\r\n" {
		t.Errorf("text = %q", b)
	}
	att, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	b64, _ := io.ReadAll(att)
	data, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(b64), "\r\n", ""))
	if err != nil || !bytes.Equal(data, png) || att.FileName() != "logo.png" {
		t.Errorf("attachment %q = %d bytes, %v", att.FileName(), len(data), err)
	}
	for _, l := range strings.Split(string(raw), "\r\n") {
		if len(l) > 78 {
			t.Errorf("a line of %d characters: %q", len(l), l)
		}
	}
}

func start(t *testing.T) (string, *mailstore.Store, *labca.CA) {
	store, err := mailstore.Open(t.TempDir(), "alpha.test")
	if err != nil {
		t.Fatal(err)
	}
	store.SetAccounts(mailstore.DefaultAccounts("alpha.test"))
	ca, err := labca.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := smtpserver.LabTLS(ca, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtpserver.New(smtpserver.Options{Store: store, TLS: cfg, ErrorLog: log.New(io.Discard, "", 0),
		AuthDelay: -1})
	go srv.Serve(l)
	<-srv.Started()
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String(), store, ca
}

func TestSend(t *testing.T) {
	addr, store, ca := start(t)
	ctx := context.Background()
	m := smtpclient.Mail{From: "alice@alpha.test", To: []string{"alice@alpha.test"}, Subject: "note", Body: "hi"}
	opts := smtpclient.Options{User: "alice", Password: "alice", StartTLS: true, RootCAs: ca.Pool(), ServerName: "mail.alpha.test"}
	res, err := smtpclient.Send(ctx, addr, opts, m)
	if err != nil {
		t.Fatal(err)
	}
	if !res.TLS || !strings.Contains(res.Response, "OK") || !slices.ContainsFunc(res.Replies, func(s string) bool { return strings.HasPrefix(s, "235 ") }) {
		t.Errorf("Send = %+v", res)
	}
	if st, _ := store.Status("alice@alpha.test", "INBOX"); st.Messages != 1 {
		t.Errorf("INBOX holds %d", st.Messages)
	}
	// Without STARTTLS the server offers no login.
	if _, err := smtpclient.Send(ctx, addr, smtpclient.Options{User: "alice", Password: "alice"}, m); err == nil || !strings.Contains(err.Error(), "turn STARTTLS on") {
		t.Errorf("login without TLS: %v", err)
	}
	opts.Password = "wrong"
	if _, err := smtpclient.Send(ctx, addr, opts, m); err == nil || !strings.Contains(err.Error(), "535") {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := smtpclient.Send(ctx, addr, smtpclient.Options{}, smtpclient.Mail{From: "alice@alpha.test", To: []string{"x@outside.example"}}); err == nil || !strings.Contains(err.Error(), "550") {
		t.Errorf("relay: %v", err)
	}
	// Without a login, local delivery works in the clear.
	if res, err := smtpclient.Send(ctx, addr, smtpclient.Options{}, m); err != nil || res.TLS {
		t.Errorf("plain Send = %+v, %v", res, err)
	}
}

package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/smtpclient"
)

var (
	_ statefulPane = (*smtpPane)(nil)
	_ statefulPane = (*pop3Pane)(nil)
	_ statefulPane = (*imapPane)(nil)
)

var parseMailTests = []struct {
	name              string
	raw               string
	subject, from, to string
	text              string
	attachments       []string
	html              bool
}{
	{
		name:    "plain",
		raw:     "From: a@alpha.test\r\nTo: b@beta.test\r\nSubject: hi\r\n\r\nhello\r\n",
		subject: "hi", from: "a@alpha.test", to: "b@beta.test", text: "hello\n",
	},
	{
		name: "encoded words and quoted-printable utf-8",
		raw: "From: =?utf-8?q?Ren=C3=A9?= <r@alpha.test>\r\nSubject: =?UTF-8?B?Y2Fmw6k=?=\r\n" +
			"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9 au l=\r\nait\r\n",
		subject: "café", from: "René <r@alpha.test>", text: "café au lait\n",
	},
	{
		name: "latin-1 in base64",
		raw: "Subject: =?iso-8859-1?q?na=EFve?=\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n" +
			"Content-Transfer-Encoding: base64\r\n\r\nbmHvdmU=\r\n",
		subject: "naïve", text: "naïve",
	},
	{
		name: "multipart alternative with an attachment",
		raw: "Subject: parts\r\nContent-Type: multipart/mixed; boundary=X\r\n\r\npreamble\r\n--X\r\n" +
			"Content-Type: multipart/alternative; boundary=Y\r\n\r\n--Y\r\nContent-Type: text/plain\r\n\r\nplain text\r\n" +
			"--Y\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--Y--\r\n" +
			"--X\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBE\r\nRg==\r\n--X--\r\n",
		subject: "parts", text: "plain text", attachments: []string{"a.pdf"},
	},
	{
		name:    "only html",
		raw:     "Subject: h\r\nContent-Type: text/html\r\n\r\n<b>x</b>",
		subject: "h", text: "<b>x</b>", html: true,
	},
}

func TestParseMail(t *testing.T) {
	for _, tt := range parseMailTests {
		t.Run(tt.name, func(t *testing.T) {
			m := parseMail([]byte(tt.raw))
			if m.Subject != tt.subject || m.From != tt.from || m.To != tt.to {
				t.Errorf("headers %q %q %q, want %q %q %q", m.Subject, m.From, m.To, tt.subject, tt.from, tt.to)
			}
			if m.Text != tt.text || m.HTML != tt.html {
				t.Errorf("text %q (html %v), want %q (html %v)", m.Text, m.HTML, tt.text, tt.html)
			}
			var names []string
			for _, a := range m.Attachments {
				names = append(names, a.Name)
			}
			if strings.Join(names, ",") != strings.Join(tt.attachments, ",") {
				t.Errorf("attachments %q, want %q", names, tt.attachments)
			}
			if m.Problem != "" {
				t.Errorf("problem %q, want none", m.Problem)
			}
		})
	}
}

// TestParseMailComposed reads back what the SMTP pane composes.
func TestParseMailComposed(t *testing.T) {
	data := bytes.Repeat([]byte{0, 1, 2, 250}, 1000)
	raw := smtpclient.Compose(smtpclient.Mail{From: "alice@alpha.test", To: []string{"bob@beta.test"}, Cc: []string{"carol@beta.test"},
		Subject: "Grüße", Body: "line one\nline two — with a long line " + strings.Repeat("x", 100),
		Attachments: []smtpclient.Attachment{{Name: "data.bin", Data: data}}, Date: time.Unix(1e9, 0)})
	m := parseMail(raw)
	if m.Subject != "Grüße" || m.Cc != "carol@beta.test" || !strings.HasPrefix(m.Text, "line one\nline two — with") {
		t.Errorf("parsed %+v", m)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Name != "data.bin" || !bytes.Equal(m.Attachments[0].Data, data) {
		t.Errorf("attachments %d, want data.bin with its %d bytes", len(m.Attachments), len(data))
	}
}

func TestParseMailBounds(t *testing.T) {
	big := "Subject: big\r\n\r\n" + strings.Repeat("0123456789abcdef", mailShowMax/8)
	if m := parseMail([]byte(big)); !m.Cut || len(m.Text) > mailShowMax {
		t.Errorf("text of %d bytes (cut %v), want at most %d", len(m.Text), m.Cut, mailShowMax)
	}
	var deep strings.Builder
	deep.WriteString("Content-Type: multipart/mixed; boundary=b0\r\n\r\n")
	for i := 0; i < 20; i++ {
		deep.WriteString("--b" + string(rune('a'+i)) + "\r\n")
	}
	if m := parseMail([]byte(deep.String())); m.Text != "" {
		t.Errorf("text %q from an empty multipart", m.Text)
	}
	if m := parseMail([]byte("no header at all")); m.Problem == "" {
		t.Error("no problem reported for a message without a header")
	}
	if s := rawText([]byte(strings.Repeat("a", mailShowMax+10))); !strings.Contains(s, "only the first") {
		t.Error("raw text not cut")
	}
}

func TestEMLName(t *testing.T) {
	for in, want := range map[string]string{"Hello from alpha.test": "Hello-from-alpha-test.eml", "": "message.eml", "../..": "message.eml"} {
		if got := emlName(in); got != want {
			t.Errorf("emlName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteEML(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.eml")
	if err := writeEML(path, smtpclient.Mail{From: "alice@alpha.test", To: []string{"bob@beta.test"}, Subject: "saved", Body: "kept"}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := parseMail(b); m.Subject != "saved" || m.Text != "kept\n" {
		t.Errorf("saved .eml reads %q / %q, want saved / kept", m.Subject, m.Text)
	}
}

func FuzzParseMail(f *testing.F) {
	for _, tt := range parseMailTests {
		f.Add([]byte(tt.raw))
	}
	f.Add(smtpclient.Compose(smtpclient.Mail{From: "a@alpha.test", To: []string{"b@beta.test"}, Subject: "x",
		Attachments: []smtpclient.Attachment{{Name: "n", Data: []byte("d")}}}))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m := parseMail(raw)
		if len(m.Text) > mailShowMax || len(m.Attachments) > mailMaxAttached {
			t.Fatalf("unbounded: %d bytes of text, %d attachments", len(m.Text), len(m.Attachments))
		}
		rawText(raw)
		mailSummary(raw)
	})
}

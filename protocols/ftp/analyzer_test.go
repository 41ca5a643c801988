package ftp

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

const (
	c2s = lab.ClientToServer
	s2c = lab.ServerToClient
)

// step is bytes that went one way.
type step struct {
	Dir  lab.Dir
	Data string
}

// script encodes steps for FuzzAnalyzer.
func script(steps ...step) []byte { return analyzertest.Script(steps...) }

var sessionSteps = []step{
	{s2c, "220 Protocol Lab FTP server ready\r\n"},
	{c2s, "USER lab\r\n"},
	{s2c, "331 Password required for lab.\r\n"},
	{c2s, "PASS secret\r\n"},
	{s2c, "230 User lab logged in.\r\n"},
	{c2s, "EPSV\r\n"},
	{s2c, "229 Entering Extended Passive Mode (|||40123|)\r\n"},
	{c2s, "RETR a.txt\r\n"},
	{s2c, "150 Opening BINARY mode data connection.\r\n"},
	{s2c, "226 Transfer complete.\r\n"},
	{c2s, "PORT 127,0,0,1,196,67\r\n"},
	{s2c, "200 PORT okay.\r\n"},
	{c2s, "RNFR a.txt\r\n"},
	{s2c, "350 Send RNTO.\r\n"},
	{c2s, "RNTO b.txt\r\n"},
	{s2c, "250 Renamed.\r\n"},
	{c2s, "FEAT\r\n"},
	{s2c, "211-Features:\r\n EPSV\r\n211 End\r\n"},
	{c2s, "QUIT\r\n"},
	{s2c, "221 Goodbye.\r\n"},
}

func TestAnalyzerSession(t *testing.T) {
	a := NewAnalyzer()
	a.Opened(lab.OpenInfo{Server: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2121}})
	msgs := analyzertest.Feed(a, sessionSteps, 1) // framing must not depend on chunking
	text := map[string]lab.Message{}
	for _, m := range msgs {
		text[m.Summary] = m
	}
	want := "awaiting-password logged-in transfer logged-in rename-pending logged-in closed"
	if got := strings.Join(analyzertest.States(msgs), " "); got != want {
		t.Errorf("states = %q, want %q", got, want)
	}
	if len(msgs) != len(sessionSteps) {
		t.Errorf("%d messages, want %d", len(msgs), len(sessionSteps))
	}
	pass, ok := text["PASS ****"]
	if !ok || string(pass.Raw) != "PASS secret\r\n" || !strings.Contains(pass.Meaning, "masks") {
		t.Errorf("PASS message = %+v", pass)
	}
	if m := text["229 Entering Extended Passive Mode (|||40123|)"]; !strings.Contains(strings.ToLower(m.Meaning), "the client will connect to 127.0.0.1:40123 (passive)") {
		t.Errorf("229 meaning = %q", m.Meaning)
	}
	if m := text["PORT 127,0,0,1,196,67"]; !strings.Contains(strings.ToLower(m.Meaning), "will connect to the client's 127.0.0.1:50243 (active)") {
		t.Errorf("PORT meaning = %q", m.Meaning)
	}
	if m := text["211 Features: (+2 lines)"]; !strings.Contains(m.Meaning, "211") {
		t.Errorf("FEAT reply = %+v", m)
	}
	if a.State() != StateClosed {
		t.Errorf("State = %q, want closed", a.State())
	}
}

func TestAnalyzerFailedLoginAndAuthTLS(t *testing.T) {
	a := NewAnalyzer()
	msgs := analyzertest.Feed(a, []step{
		{s2c, "220 hi\r\n"}, {c2s, "USER x\r\n"}, {s2c, "331 pw\r\n"}, {c2s, "PASS y\r\n"}, {s2c, "530 Login incorrect.\r\n"},
		{c2s, "AUTH TLS\r\n"}, {s2c, "234 go ahead\r\n"}, {c2s, "\x16\x03\x01\x00\x04abcd"},
	}, 0)
	if a.State() != StateConnected {
		t.Errorf("State after 530 = %q, want connected", a.State())
	}
	found := false
	for _, m := range msgs {
		if m.Summary == "encrypted from here (TLS)" {
			found = true
		}
		if strings.HasPrefix(m.Summary, "malformed command") || strings.HasPrefix(m.Summary, "malformed reply") {
			t.Errorf("TLS bytes framed as FTP: %q", m.Summary)
		}
	}
	if !found {
		t.Error("no \"encrypted from here\" message after 234")
	}
}

// TestAnalyzerLongReplyLine: a multi-line reply with a line past MaxLine is
// shown as it came, with a meaning that says why, and what follows is framed
// anew: no byte is lost or read twice.
func TestAnalyzerLongReplyLine(t *testing.T) {
	long := "211-Features:\r\n" + strings.Repeat("x", MaxLine) + "\r\n"
	msgs := analyzertest.Feed(NewAnalyzer(), []step{{s2c, "220 hi\r\n"}, {s2c, long + "211 End\r\n"}}, 0)
	var got []string
	total := 0
	for _, m := range msgs {
		if m.Dir != lab.ServerToClient || len(m.Raw) == 0 {
			continue
		}
		got = append(got, m.Summary)
		total += len(m.Raw)
		if strings.HasPrefix(m.Summary, "malformed reply") && (string(m.Raw) != long || !strings.Contains(m.Meaning, "longer than 4096 bytes")) {
			t.Errorf("the long line's message: %d bytes, meaning %q", len(m.Raw), m.Meaning)
		}
	}
	if want := len("220 hi\r\n") + len(long) + len("211 End\r\n"); len(got) != 3 || !strings.HasPrefix(got[1], "malformed reply") || got[2] != "211 End" || total != want {
		t.Errorf("messages %q of %d bytes; want the greeting, the long line's malformed reply and 211 End, %d bytes", got, total, want)
	}
}

func TestReplyMeaning(t *testing.T) {
	for _, code := range []int{125, 150, 200, 213, 220, 221, 226, 227, 229, 230, 250, 257, 331, 350, 421, 425, 426, 450, 451, 500, 501, 502, 503, 530, 550, 553} {
		if _, ok := codeMeaning[code]; !ok {
			t.Errorf("no meaning for %d", code)
		}
	}
	if m := ReplyMeaning(599); !strings.Contains(m, "5xx") {
		t.Errorf("ReplyMeaning(599) = %q", m)
	}
}

func TestDataAnalyzer(t *testing.T) {
	a := NewDataAnalyzer()
	msgs := a.Opened(lab.OpenInfo{Client: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5000}, Server: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}})
	big := strings.Repeat("abc\n", 1000)
	msgs = append(msgs, a.Feed(s2c, []byte(big[:1000]), time.Time{})...)
	msgs = append(msgs, a.Feed(s2c, []byte(big[1000:]), time.Time{})...)
	msgs = append(msgs, a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN})...)
	msgs = append(msgs, a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN})...)
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want 3 (open, preview, end): %+v", len(msgs), msgs)
	}
	if len(msgs[1].Raw) != PreviewBytes {
		t.Errorf("preview of %d bytes, want %d", len(msgs[1].Raw), PreviewBytes)
	}
	// sha256 of 1000 × "abc\n"
	if !strings.Contains(msgs[2].Summary, "4000 bytes") {
		t.Errorf("end = %q", msgs[2].Summary)
	}
	if a.State() != DataStateClosed {
		t.Errorf("State = %q", a.State())
	}
}

func TestDataAnalyzerLimited(t *testing.T) {
	a := NewDataAnalyzerLimited(1000)
	a.Feed(s2c, make([]byte, 1000), time.Time{})
	msgs := a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN})
	if len(msgs) != 1 || strings.Contains(msgs[0].Summary, "SHA-256") || !strings.Contains(msgs[0].Meaning, "capture summary") {
		t.Errorf("end past the limit = %+v, want it to leave the total to the lab", msgs)
	}
}

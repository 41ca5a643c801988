package ftp

import (
	"errors"
	"io"
	"net/netip"
	"strings"
	"testing"
)

var commandTests = []struct {
	line string
	want Command
	err  error
}{
	{"USER lab\r\n", Command{"USER", "lab"}, nil},
	{"retr my file.txt\r\n", Command{"RETR", "my file.txt"}, nil},
	{"PWD\n", Command{"PWD", ""}, nil},
	{"NOOP", Command{"NOOP", ""}, nil},
	{"\xff\xf4\xff\xf2ABOR\r\n", Command{"ABOR", ""}, nil},
	{"\r\n", Command{}, ErrEmpty},
	{"R3TR x\r\n", Command{}, ErrBadVerb},
	{" USER x\r\n", Command{}, ErrBadVerb},
	{"TOOLONGVERB\r\n", Command{}, ErrBadVerb},
	{"STOR a\rDELE b\r\n", Command{}, ErrBadArg},
	{"STOR a\x00b\r\n", Command{}, ErrBadArg},
	{"USER " + strings.Repeat("a", MaxLine) + "\r\n", Command{}, ErrLineTooLong},
	// MaxLine counts the CRLF, sent or not: the longest line fits with it.
	{"USER " + strings.Repeat("a", MaxLine-7) + "\r\n", Command{"USER", strings.Repeat("a", MaxLine-7)}, nil},
	{"USER " + strings.Repeat("a", MaxLine-7), Command{"USER", strings.Repeat("a", MaxLine-7)}, nil},
	{"USER " + strings.Repeat("a", MaxLine-6), Command{}, ErrLineTooLong},
}

func TestParseCommand(t *testing.T) {
	for _, tt := range commandTests {
		got, err := ParseCommand([]byte(tt.line))
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("ParseCommand(%q) = %+v, %v; want %+v, %v", tt.line, got, err, tt.want, tt.err)
		}
	}
	if got, want := (Command{"PASS", "secret"}).String(), "PASS ****"; got != want {
		t.Errorf("PASS String = %q, want %q", got, want)
	}
}

var replyTests = []struct {
	in    string
	code  int
	lines []string
	n     int
	err   error
}{
	{"220 ready\r\n", 220, []string{"ready"}, 11, nil},
	{"226\r\n", 226, []string{""}, 5, nil},
	{"211-Features:\r\n EPSV\r\n211 End\r\nNEXT", 211, []string{"Features:", " EPSV", "End"}, 31, nil},
	{"123-First\r\n123-not last\r\n456 not last\r\n123 Last\r\n", 123, []string{"First", "123-not last", "456 not last", "Last"}, 49, nil},
	{"230 ok\n", 230, []string{"ok"}, 7, nil},
	{"211-Features:\r\n EPSV\r\n", 0, nil, 0, ErrIncomplete},
	{"220 rea", 0, nil, 0, ErrIncomplete},
	{"hello\r\n", 0, nil, 7, ErrBadReply},
	{"620 x\r\n", 0, nil, 7, ErrBadReply},
	{"22x ok\r\n", 0, nil, 8, ErrBadReply},
	{"2200 ok\r\n", 0, nil, 9, ErrBadReply},
	// Every line is bounded, not only the first: ReplyReader refuses a long
	// line wherever it comes, and so does ParseReply.
	{"211-Features:\r\n" + strings.Repeat("x", MaxLine) + "\r\n211 End\r\n", 0, nil, 15 + MaxLine + 2, ErrLineTooLong},
	{"211-Features:\r\n" + strings.Repeat("x", MaxLine), 0, nil, 0, ErrLineTooLong},
	{"211-Features:\r\n" + strings.Repeat("x", MaxLine-2) + "\r\n211 End\r\n", 211, []string{"Features:", strings.Repeat("x", MaxLine-2), "End"}, 15 + MaxLine + 9, nil},
}

func TestParseReply(t *testing.T) {
	for _, tt := range replyTests {
		r, n, err := ParseReply([]byte(tt.in))
		if !errors.Is(err, tt.err) || r.Code != tt.code || n != tt.n || strings.Join(r.Lines, "|") != strings.Join(tt.lines, "|") {
			t.Errorf("ParseReply(%q) = %d %q, %d, %v; want %d %q, %d, %v", tt.in, r.Code, r.Lines, n, err, tt.code, tt.lines, tt.n, tt.err)
		}
		if errors.Is(tt.err, ErrLineTooLong) && tt.n > 0 {
			if _, err := NewReplyReader(strings.NewReader(tt.in)).ReadReply(); !errors.Is(err, ErrLineTooLong) {
				t.Errorf("ReadReply(%.40q…): err = %v, want ErrLineTooLong", tt.in, err)
			}
		}
		if tt.err != nil {
			continue
		}
		rr := NewReplyReader(strings.NewReader(tt.in))
		r2, err := rr.ReadReply()
		if err != nil || r2.Code != tt.code || strings.Join(r2.Lines, "|") != strings.Join(tt.lines, "|") {
			t.Errorf("ReadReply(%q) = %d %q, %v; want %d %q", tt.in, r2.Code, r2.Lines, err, tt.code, tt.lines)
		}
	}
}

func TestReplyReader(t *testing.T) {
	rr := NewReplyReader(strings.NewReader("220 hi\r\n211-a\r\n b\r\n211 c\r\n150-x\r\n"))
	if r, err := rr.ReadReply(); err != nil || r.String() != "220 hi" {
		t.Errorf("first = %q, %v", r, err)
	}
	if r, err := rr.ReadReply(); err != nil || r.Text() != "a\n b\nc" {
		t.Errorf("second = %q, %v", r.Text(), err)
	}
	if _, err := rr.ReadReply(); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("cut reply: err = %v, want io.ErrUnexpectedEOF", err)
	}
	if _, err := rr.ReadReply(); err != io.EOF {
		t.Errorf("at the end: err = %v, want io.EOF", err)
	}
	if _, err := NewReplyReader(strings.NewReader("nonsense\r\n")).ReadReply(); !errors.Is(err, ErrBadReply) {
		t.Errorf("nonsense: err = %v, want ErrBadReply", err)
	}
}

func TestFormatReply(t *testing.T) {
	got := string(FormatReply(211, "Features:\n EPSV\n2 things\nEnd"))
	want := "211-Features:\r\n EPSV\r\n 2 things\r\n211 End\r\n"
	if got != want {
		t.Errorf("FormatReply = %q, want %q", got, want)
	}
	r, n, err := ParseReply([]byte(got))
	if err != nil || n != len(got) || len(r.Lines) != 4 {
		t.Errorf("ParseReply(FormatReply) = %q, %d, %v", r.Lines, n, err)
	}
}

func TestAddresses(t *testing.T) {
	ap, err := ParseHostPort("127,0,0,1,156,123")
	if err != nil || ap != netip.MustParseAddrPort("127.0.0.1:40059") {
		t.Errorf("ParseHostPort = %v, %v", ap, err)
	}
	if s, _ := FormatHostPort(ap); s != "127,0,0,1,156,123" {
		t.Errorf("FormatHostPort = %q", s)
	}
	if ap, err := ParsePASV("Entering Passive Mode (127,0,0,1,156,123)."); err != nil || ap.Port() != 40059 {
		t.Errorf("ParsePASV = %v, %v", ap, err)
	}
	if p, err := ParseEPSV("Entering Extended Passive Mode (|||6446|)"); err != nil || p != 6446 {
		t.Errorf("ParseEPSV = %v, %v", p, err)
	}
	if proto, ap, err := ParseEPRT("|2|::1|5282|"); err != nil || proto != 2 || ap != netip.MustParseAddrPort("[::1]:5282") {
		t.Errorf("ParseEPRT = %d %v %v", proto, ap, err)
	}
	if got := FormatEPRT(netip.MustParseAddrPort("127.0.0.1:50211")); got != "|1|127.0.0.1|50211|" {
		t.Errorf("FormatEPRT = %q", got)
	}
	for _, bad := range []string{"1,2,3", "256,0,0,1,0,1", "a,b,c,d,e,f"} {
		if _, err := ParseHostPort(bad); !errors.Is(err, ErrBadAddress) {
			t.Errorf("ParseHostPort(%q) err = %v", bad, err)
		}
	}
	for _, bad := range []string{"|1|::1|5282|", "|3|1.2.3.4|1|", "|1|1.2.3.4|0|", "|1|1.2.3.4|", "1.2.3.4"} {
		if _, _, err := ParseEPRT(bad); !errors.Is(err, ErrBadAddress) {
			t.Errorf("ParseEPRT(%q) err = %v", bad, err)
		}
	}
}

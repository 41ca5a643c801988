package pop3

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

var commandTests = []struct {
	line string
	want Command
	err  error
}{
	{"USER alice\r\n", Command{Keyword: "USER", Args: []string{"alice"}, Arg: "alice"}, nil},
	{"pass my secret\r\n", Command{Keyword: "PASS", Args: []string{"my", "secret"}, Arg: "my secret"}, nil},
	{"STAT\r\n", Command{Keyword: "STAT"}, nil},
	{"LIST\n", Command{Keyword: "LIST"}, nil},
	{"LIST \r\n", Command{Keyword: "LIST"}, nil},
	{"TOP 1 10\r\n", Command{Keyword: "TOP", Args: []string{"1", "10"}, Arg: "1 10"}, nil},
	{"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n", Command{Keyword: "APOP", Args: []string{"mrose", "c4c9334bac560ecc979e58001b3e22fb"}, Arg: "mrose c4c9334bac560ecc979e58001b3e22fb"}, nil},
	{"UTF8\r\n", Command{Keyword: "UTF8"}, nil},
	{"\r\n", Command{}, ErrEmpty},
	{"RE TR 1\r\n", Command{Keyword: "RE", Args: []string{"TR", "1"}, Arg: "TR 1"}, nil},
	{"RETR\x001\r\n", Command{}, ErrBadKeyword},
	{"RETR 1\rDELE 1\r\n", Command{}, ErrBadArg},
	{" RETR 1\r\n", Command{}, ErrBadKeyword},
	{"RETR! 1\r\n", Command{}, ErrBadKeyword},
	{strings.Repeat("X", 41) + "\r\n", Command{}, ErrBadKeyword},
	{"PASS " + strings.Repeat("x", 248) + "\r\n", Command{Keyword: "PASS", Args: []string{strings.Repeat("x", 248)}, Arg: strings.Repeat("x", 248)}, nil},
	{"PASS " + strings.Repeat("x", 249) + "\r\n", Command{}, ErrLineTooLong},
}

func TestParseCommand(t *testing.T) {
	for _, tt := range commandTests {
		got, err := ParseCommand([]byte(tt.line))
		if !errors.Is(err, tt.err) {
			t.Errorf("ParseCommand(%q) error = %v, want %v", tt.line, err, tt.err)
			continue
		}
		if err == nil && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseCommand(%q) = %+v, want %+v", tt.line, got, tt.want)
		}
	}
}

func TestCommandString(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"PASS secret", "PASS ****"},
		{"AUTH PLAIN AGFsaWNlAGFsaWNl", "AUTH PLAIN ****"},
		{"AUTH PLAIN", "AUTH PLAIN"},
		{"RETR 1", "RETR 1"},
		{"quit", "QUIT"},
	} {
		c, err := ParseCommand([]byte(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		if got := c.String(); got != tt.want {
			t.Errorf("String of %q = %q, want %q", tt.in, got, tt.want)
		}
	}
}

var responseTests = []struct {
	line string
	want Response
	err  error
}{
	{"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n", Response{OK: true, Text: "POP3 server ready <1896.697170952@dbc.mtview.ca.us>"}, nil},
	{"+OK\r\n", Response{OK: true}, nil},
	{"+ok 2 320\r\n", Response{OK: true, Text: "2 320"}, nil},
	{"-ERR [IN-USE] maildrop locked\r\n", Response{Code: "IN-USE", Text: "maildrop locked"}, nil},
	{"-ERR [SYS/TEMP] try later\r\n", Response{Code: "SYS/TEMP", Text: "try later"}, nil},
	{"-ERR [AUTH]\r\n", Response{Code: "AUTH"}, nil},
	{"-ERR [not a code] x\r\n", Response{Text: "[not a code] x"}, nil},
	{"-ERR [] x\r\n", Response{Text: "[] x"}, nil},
	{"-ERR [A//B] x\r\n", Response{Text: "[A//B] x"}, nil},
	{"+ \r\n", Response{OK: true, Continue: true}, nil},
	{"+ dGVzdA==\r\n", Response{OK: true, Continue: true, Text: "dGVzdA=="}, nil},
	{"+OKAY\r\n", Response{}, ErrBadResponse},
	{"220 ready\r\n", Response{}, ErrBadResponse},
	{"\r\n", Response{}, ErrBadResponse},
}

func TestParseResponse(t *testing.T) {
	for _, tt := range responseTests {
		got, err := ParseResponse([]byte(tt.line))
		if !errors.Is(err, tt.err) {
			t.Errorf("ParseResponse(%q) error = %v, want %v", tt.line, err, tt.err)
			continue
		}
		if err == nil && got != tt.want {
			t.Errorf("ParseResponse(%q) = %+v, want %+v", tt.line, got, tt.want)
		}
	}
}

func TestReader(t *testing.T) {
	in := "+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n" +
		"+OK message follows\r\nSubject: hi\r\n\r\n..leading dot\r\n.\r\n" +
		"-ERR [IN-USE] locked\r\n" +
		"+OK big\r\n" + strings.Repeat("x", 100) + "\r\n.\r\n" +
		"+OK after\r\n"
	r := NewReader(strings.NewReader(in))
	resp, err := r.ReadResponse()
	if err != nil || !resp.OK || resp.Text != "2 messages" {
		t.Fatalf("ReadResponse = %+v, %v", resp, err)
	}
	lines, err := r.ReadLines(100)
	if err != nil || !reflect.DeepEqual(lines, []string{"1 120", "2 200"}) {
		t.Fatalf("ReadLines = %q, %v", lines, err)
	}
	if _, err := r.ReadResponse(); err != nil {
		t.Fatal(err)
	}
	body, err := r.ReadBody(1 << 20)
	if want := "Subject: hi\r\n\r\n.leading dot\r\n"; err != nil || string(body) != want {
		t.Fatalf("ReadBody = %q, %v, want %q", body, err, want)
	}
	resp, err = r.ReadResponse()
	if err != nil || resp.OK || resp.Code != "IN-USE" {
		t.Fatalf("ReadResponse = %+v, %v", resp, err)
	}
	r.ReadResponse()
	if _, err := r.ReadBody(50); !errors.Is(err, ErrResponseTooLong) {
		t.Fatalf("ReadBody past its limit: %v, want ErrResponseTooLong", err)
	}
	if resp, err := r.ReadResponse(); err != nil || resp.Text != "after" {
		t.Fatalf("the response after a refused body = %+v, %v", resp, err)
	}
	if _, err := r.ReadResponse(); err != io.EOF {
		t.Fatalf("at the end: %v, want io.EOF", err)
	}
	if _, err := NewReader(strings.NewReader(strings.Repeat("+OK ", 2000))).ReadResponse(); !errors.Is(err, ErrResponseTooLong) {
		t.Errorf("an endless line: %v, want ErrResponseTooLong", err)
	}
}

func TestWriteMultiline(t *testing.T) {
	for _, tt := range []struct{ in, want, back string }{
		{"", ".\r\n", ""},
		{"a\r\nb\r\n", "a\r\nb\r\n.\r\n", "a\r\nb\r\n"},
		{"a\nb", "a\r\nb\r\n.\r\n", "a\r\nb\r\n"},
		{".\r\n..x\r\n", "..\r\n...x\r\n.\r\n", ".\r\n..x\r\n"},
	} {
		var b bytes.Buffer
		w := bufio.NewWriter(&b)
		if err := WriteMultiline(w, []byte(tt.in)); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		if b.String() != tt.want {
			t.Errorf("WriteMultiline(%q) = %q, want %q", tt.in, b.String(), tt.want)
		}
		got, err := NewReader(&b).ReadBody(1 << 20)
		if err != nil || string(got) != tt.back {
			t.Errorf("read back %q = %q, %v, want %q", tt.in, got, err, tt.back)
		}
	}
}

func TestParseMailInfo(t *testing.T) {
	raw := "From: =?UTF-8?Q?Al=C3=AFce?= <alice@alpha.test>\r\nTo: bob@beta.test\r\nSubject: =?UTF-8?B?SGVsbG8gd29ybGQ=?=\r\nDate: Mon, 2 Jan 2006 15:04:05 +0000\r\n\r\nbody\r\n"
	got := ParseMailInfo([]byte(raw))
	want := MailInfo{From: "Alïce <alice@alpha.test>", To: "bob@beta.test", Subject: "Hello world", Date: "Mon, 2 Jan 2006 15:04:05 +0000"}
	if got != want {
		t.Errorf("ParseMailInfo = %+v, want %+v", got, want)
	}
	if got := ParseMailInfo([]byte("Subject: cut")); got != (MailInfo{}) {
		t.Errorf("ParseMailInfo without a line end = %+v", got)
	}
	if got := ParseMailInfo([]byte("Subject: headers only\r\n")); got.Subject != "headers only" {
		t.Errorf("ParseMailInfo of a header block without its blank line = %+v", got)
	}
}

package ftpclient

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2025, time.November, 23, 18, 0, 0, 0, time.UTC)

var listTests = []struct {
	line string
	want Entry
	ok   bool
}{
	{"-rw-r--r--    1 0        0               6 Nov 23 17:10 a.txt",
		Entry{Name: "a.txt", Size: 6, Time: time.Date(2025, 11, 23, 17, 10, 0, 0, time.UTC)}, true},
	{"drwxr-xr-x    2 102      0            4096 Nov 23 17:10 pub",
		Entry{Name: "pub", Size: 4096, Time: time.Date(2025, 11, 23, 17, 10, 0, 0, time.UTC), IsDir: true}, true},
	{"-rw-r--r-- 1 lab lab 1048576 Mar  4  2023 a file with  spaces.bin",
		Entry{Name: "a file with  spaces.bin", Size: 1048576, Time: time.Date(2023, 3, 4, 0, 0, 0, 0, time.UTC)}, true},
	// A time of day in a month after now's is last year's.
	{"-rw-r--r-- 1 lab lab 12 Dec 31 23:59 old.txt",
		Entry{Name: "old.txt", Size: 12, Time: time.Date(2024, 12, 31, 23, 59, 0, 0, time.UTC)}, true},
	// No group column.
	{"-rw-r--r-- 1 lab 12 Jan  2 03:04 nogroup.txt",
		Entry{Name: "nogroup.txt", Size: 12, Time: time.Date(2025, 1, 2, 3, 4, 0, 0, time.UTC)}, true},
	{"lrwxrwxrwx 1 0 0 7 Jan 01 2020 link -> target",
		Entry{Name: "link", Size: 7, Time: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Target: "target"}, true},
	{"11-23-25  05:10PM       <DIR>          Windows folder",
		Entry{Name: "Windows folder", Time: time.Date(2025, 11, 23, 17, 10, 0, 0, time.UTC), IsDir: true}, true},
	{"11-23-25  05:10AM                 1234 report.pdf",
		Entry{Name: "report.pdf", Size: 1234, Time: time.Date(2025, 11, 23, 5, 10, 0, 0, time.UTC)}, true},
	{"total 8", Entry{}, false},
	{"drwxr-xr-x 2 0 0 4096 Nov 23 17:10 .", Entry{}, false},
	{"-rw-r--r-- 1 0 0 x Nov 23 17:10 bad-size", Entry{}, false},
	{"-rw-r--r-- 1 0 0 6 Foo 23 17:10 bad-month", Entry{}, false},
	{"-rw-r--r-- 1 0 0 6 Nov 32 17:10 bad-day", Entry{}, false},
	{"-rw-r--r-- 1 0 0 6 Nov 23 25:10 bad-hour", Entry{}, false},
}

func TestParseLIST(t *testing.T) {
	for _, tt := range listTests {
		got := parseLIST([]byte(tt.line+"\r\n"), now)
		if !tt.ok {
			if len(got) != 0 {
				t.Errorf("parseLIST(%q) = %+v, want nothing", tt.line, got)
			}
			continue
		}
		tt.want.Raw = tt.line
		if len(got) != 1 || got[0] != tt.want {
			t.Errorf("parseLIST(%q) = %+v, want %+v", tt.line, got, tt.want)
		}
	}
}

func TestParseMLSD(t *testing.T) {
	in := "type=cdir;modify=20251123171000; .\r\n" +
		"type=pdir;modify=20251123171000; ..\r\n" +
		"type=file;size=6;modify=20251123171000.250;UNIX.mode=0644; a b.txt\r\n" +
		"Type=DIR;Modify=20240101000000; pub\r\n" +
		"no-space-no-name\r\n" +
		" \r0\r\n" + // found by fuzzing: a bare CR in a name
		"type=file; nul\x00name\r\n"
	got := parseMLSD([]byte(in))
	want := []Entry{
		{Name: "a b.txt", Size: 6, Time: time.Date(2025, 11, 23, 17, 10, 0, 250e6, time.UTC)},
		{Name: "pub", IsDir: true, Time: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	if len(got) != len(want) {
		t.Fatalf("parseMLSD = %+v, want %+v", got, want)
	}
	for i := range want {
		want[i].Raw = got[i].Raw
		if got[i] != want[i] {
			t.Errorf("parseMLSD entry %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

var passiveTests = []struct {
	text string
	port int // 0: an error
	epsv bool
}{
	{"Entering Passive Mode (127,0,0,1,195,80).", 50000, false},
	{"Entering Passive Mode 127,0,0,1,0,21", 21, false},
	{"=127,0,0,1,4,1", 1025, false},
	{"Entering Passive Mode (127,0,0,1,256,80).", 0, false},
	{"Entering Passive Mode (127,0,0,1,80).", 0, false},
	{"Entering Passive Mode (127,0,0,1,0,0).", 0, false},
	{"Entering Passive Mode", 0, false},
	{"Entering Extended Passive Mode (|||6446|)", 6446, true},
	{"Entering Extended Passive Mode (!!!6446!)", 6446, true},
	{"Entering Extended Passive Mode (|||70000|)", 0, true},
	{"Entering Extended Passive Mode (||1.2.3.4|6446|)", 0, true},
	{"Entering Extended Passive Mode (||||)", 0, true},
	{"Entering Extended Passive Mode", 0, true},
}

func TestParsePassive(t *testing.T) {
	for _, tt := range passiveTests {
		var port int
		var err error
		if tt.epsv {
			port, err = parseEPSV(tt.text)
		} else {
			_, port, err = parsePASV(tt.text)
		}
		if tt.port == 0 && err == nil || tt.port != 0 && (err != nil || port != tt.port) {
			t.Errorf("parse %q = %d, %v; want %d", tt.text, port, err, tt.port)
		}
	}
}

func TestReadReply(t *testing.T) {
	for _, tt := range []struct {
		in   string
		code int
		text string
		err  string
	}{
		{"200 OK\r\n", 200, "OK", ""},
		{"211-Features:\r\n MLST\r\n211 End\r\n", 211, "Features:\n MLST\nEnd", ""},
		{"200 no CR\n", 200, "no CR", ""},
		{"2000 OK\r\n", 0, "", "not FTP"},
		{"20 OK\r\n", 0, "", "not FTP"},
		{"099 OK\r\n", 0, "", "not FTP"},
		{"211-unfinished\r\n", 0, "", "closed"},
		{"", 0, "", "closed"},
	} {
		r, err := newReplyReader(strings.NewReader(tt.in)).read()
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("read(%q) = %v, %v; want an error with %q", tt.in, r, err, tt.err)
			}
			continue
		}
		if err != nil || r.Code != tt.code || r.Text != tt.text {
			t.Errorf("read(%q) = %d %q, %v; want %d %q", tt.in, r.Code, r.Text, err, tt.code, tt.text)
		}
	}
}

func TestParseQuoted(t *testing.T) {
	for in, want := range map[string]string{
		`"/" is the current directory`:        "/",
		`"/a ""b"" c" created`:                `/a "b" c`,
		`Current directory is "/x".`:          "/x",
		"\"/multi\"\nsecond line \"ignored\"": "/multi",
	} {
		if got, err := parseQuoted(in); err != nil || got != want {
			t.Errorf("parseQuoted(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{`no quotes`, `"unclosed`} {
		if got, err := parseQuoted(in); err == nil {
			t.Errorf("parseQuoted(%q) = %q, want an error", in, got)
		}
	}
}

func FuzzReadReply(f *testing.F) {
	for _, s := range []string{
		"220 (vsFTPd 3.0.3)\r\n",
		"211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n211 End\r\n",
		"211-FTP server status:\r\n     Connected to 127.0.0.1\r\n211 End of status\r\n",
		"257 \"/pub\" is the current directory\r\n",
		"150 Opening BINARY mode data connection for a.txt (6 bytes).\r\n226 Transfer complete.\r\n",
		"227 Entering Passive Mode (127,0,0,1,195,80).\r\n",
		"229 Entering Extended Passive Mode (|||6446|)\r\n",
		"220-a\r\n220-b\r\n 220 c\r\n220 d\r\n",
		"500 OOPS: vsftpd: refusing to run with writable root inside chroot()\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rr := newReplyReader(strings.NewReader(string(b)))
		for range 100 {
			r, err := rr.read()
			if err != nil {
				if errors.Is(err, errReplyTooLong) && len(b) < maxReply {
					t.Fatalf("a reply of %d bytes is too long", len(b))
				}
				return
			}
			if r.Code < 100 || r.Code > 599 {
				t.Fatalf("code %d out of range", r.Code)
			}
			// What the client reads from a reply must not panic either.
			parseFeatures(r.Text)
			parseQuoted(r.Text)
			parseEPSV(r.Text)
			parsePASV(r.Text)
			bytesIn150(r.Text)
		}
	})
}

func FuzzParseList(f *testing.F) {
	for _, tt := range listTests {
		f.Add([]byte(tt.line + "\r\n"))
	}
	f.Add([]byte("type=file;size=6;modify=20251123171000.250; a.txt\r\ntype=dir; pub\r\n"))
	f.Add([]byte("total 8\r\n-rw-r--r--    1 0        0               6 Nov 23 17:10 a.txt\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, e := range append(parseLIST(b, now), parseMLSD(b)...) {
			if e.Name == "" || e.Size < 0 || len(e.Raw) > maxLine || strings.ContainsAny(e.Name, "\r\n") {
				t.Fatalf("entry %+v from %q", e, b)
			}
		}
	})
}

func FuzzParsePassive(f *testing.F) {
	for _, tt := range passiveTests {
		f.Add(tt.text)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p, err := parseEPSV(s); err == nil && (p < 1 || p > 65535) {
			t.Fatalf("parseEPSV(%q) = port %d", s, p)
		}
		if ip, p, err := parsePASV(s); err == nil && (p < 1 || p > 65535 || ip.To4() == nil) {
			t.Fatalf("parsePASV(%q) = %v port %d", s, ip, p)
		}
	})
}

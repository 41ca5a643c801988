package smtp

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// FuzzAnalyzer feeds scripted conversations: each chunk is a header byte
// (length<<1 | direction) and that many bytes.
func FuzzAnalyzer(f *testing.F) {
	f.Add(script(sessionSteps...))
	f.Add(script(step{s2c, "220 x\r\n"}, step{c2s, "STARTTLS\r\n"}, step{s2c, "220 go\r\n"}, step{c2s, "\x16\x03\x01\x00\x05hello"}))
	f.Add(script(step{c2s, "BDAT 5 LAST\r\nabcdeQUIT\r\n"}, step{s2c, "250 ok\r\n221 bye\r\n"}))
	f.Add(script(step{c2s, "DATA\r\n"}, step{s2c, "354 go\r\n"}, step{c2s, ".\r\n"}, step{s2c, "250 ok\r\n"}))
	f.Add(script(step{c2s, "AUTH PLAIN\r\n"}, step{s2c, "334 \r\n"}, step{c2s, "AGEAYg==\r\n"}, step{s2c, "235 ok\r\n"}))
	f.Fuzz(func(t *testing.T, data []byte) {
		a := NewAnalyzer()
		a.Opened(lab.OpenInfo{})
		now := time.Now()
		for len(data) > 0 {
			h := data[0]
			n := min(int(h>>1), len(data)-1)
			dir := lab.ClientToServer
			if h&1 == 1 {
				dir = lab.ServerToClient
			}
			chunk := append([]byte(nil), data[1:1+n]...)
			data = data[1+n:]
			for _, m := range a.Feed(dir, chunk, now) {
				if m.Summary == "" {
					t.Fatalf("a message without a summary: %+v", m)
				}
			}
			a.State()
		}
		a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN})
	})
}

func FuzzParseReply(f *testing.F) {
	f.Add([]byte("250-a\r\n250 2.0.0 b\r\n"))
	f.Add([]byte("550 5.7.1 no\r\n"))
	f.Add([]byte("250-2.0.0 a\r\n250-b\r\n250 2.0.0\r\n"))
	f.Add([]byte("220\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, n, err := ParseReply(b)
		if n > len(b) || n < 0 {
			t.Fatalf("n = %d of %d", n, len(b))
		}
		if err == nil && (r.Code < 200 || r.Code > 599 || len(r.Lines) == 0) {
			t.Fatalf("bad reply %+v", r)
		}
		if err != nil || r.Code == 334 {
			return
		}
		// The analyzer's summary, built without a Reply, is the Reply's.
		want := r.String()
		if len(r.Lines) > 1 {
			want += " (+" + strconv.Itoa(len(r.Lines)-1) + " lines)"
		}
		ms := NewAnalyzer().Feed(lab.ServerToClient, b[:n], time.Now())
		if len(ms) != 1 || ms[0].Summary != want {
			t.Fatalf("analyzer frames %q as %+v, want one message %q", b[:n], ms, want)
		}
	})
}

// FuzzEnhanced: enhancedLen agrees with RFC 3463's grammar written plainly
// (class.subject.detail, split at dots), for strings and bytes alike.
func FuzzEnhanced(f *testing.F) {
	for _, s := range []string{"2.0.0 ok", "5.7.1", "5.7.10 x", "5.07.1 x", "4.4.4.4 x", "2..1 x", "5.1234.1", ""} {
		f.Add(s, 500)
	}
	f.Fuzz(func(t *testing.T, text string, code int) {
		want := 0
		f, _, _ := strings.Cut(text, " ")
		parts := strings.Split(f, ".")
		ok := len(parts) == 3 && len(parts[0]) == 1 && parts[0][0]-'0' == byte(code/100)
		for i, p := range parts {
			if !ok {
				break
			}
			if p == "" || len(p) > 3 || strings.Trim(p, "0123456789") != "" || (i > 0 && len(p) > 1 && p[0] == '0') {
				ok = false
			}
		}
		if ok {
			want = len(f)
		}
		if got := enhancedLen(text, code); got != want {
			t.Fatalf("enhancedLen(%q, %d) = %d, want %d", text, code, got, want)
		}
		if got := enhancedLen([]byte(text), code); got != want {
			t.Fatalf("enhancedLen([]byte(%q), %d) = %d, want %d", text, code, got, want)
		}
	})
}

// FuzzMailSummary: the summary a message gets, read from the three header
// fields it needs, is the one its whole header (headers) gives.
func FuzzMailSummary(f *testing.F) {
	f.Add([]byte("From: bob@beta.test\r\nTo: alice@alpha.test\r\nSubject: bench\r\n\r\nA short message.\r\n"))
	f.Add([]byte("subject: =?UTF-8?B?w6l0w6k=?=\r\n\tand more\r\nFROM : a\r\nFrom: b\r\n  c\r\n\r\n"))
	f.Add([]byte("To: " + strings.Repeat("é", 70) + "\nX: y\n\nbody"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		if bytes.Count(msg, []byte("\n")) >= 200 {
			return // headers stops after 200 fields; the summary reads on
		}
		h := headers(msg)
		var sum []string
		for _, name := range []string{"from", "to", "subject"} {
			v, ok := h[name]
			if !ok {
				continue
			}
			if d, err := wordDecoder.DecodeHeader(v); err == nil && strings.Contains(v, "=?") {
				v = d
			}
			switch name {
			case "from":
				sum = append(sum, "from "+short(v))
			case "to":
				sum = append(sum, "to "+short(v))
			case "subject":
				sum = append(sum, strconv.Quote(short(v)))
			}
		}
		want := "message"
		if len(sum) > 0 {
			want += " " + strings.Join(sum, " ")
		}
		want += " (" + string(appendHumanSize(nil, int64(len(msg)))) + ")"
		if got := string(appendMailSummary(nil, msg, int64(len(msg)))); got != want {
			t.Fatalf("summary of %q = %q, want %q", msg, got, want)
		}
	})
}

package ftp

import (
	"bytes"
	"slices"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

func FuzzParseCommand(f *testing.F) {
	for _, tt := range commandTests {
		f.Add([]byte(tt.line))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		c, err := ParseCommand(line)
		if err != nil {
			return
		}
		if c.Verb == "" || len(c.Verb) > 8 || bytes.ContainsAny([]byte(c.Arg), "\r\n\x00") {
			t.Fatalf("ParseCommand(%q) = %+v", line, c)
		}
		again, err := ParseCommand([]byte(c.Verb + " " + c.Arg + "\r\n"))
		if c.Arg != "" && (err != nil || again != c) {
			t.Fatalf("round trip of %+v = %+v, %v", c, again, err)
		}
	})
}

func FuzzParseReply(f *testing.F) {
	for _, tt := range replyTests {
		f.Add([]byte(tt.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, n, err := ParseReply(b)
		if n < 0 || n > len(b) {
			t.Fatalf("ParseReply consumed %d of %d bytes", n, len(b))
		}
		if err != nil {
			return
		}
		if r.Code < 100 || r.Code > 599 || len(r.Lines) == 0 || n == 0 {
			t.Fatalf("ParseReply(%q) = %+v, %d", b, r, n)
		}
		rr, err := NewReplyReader(bytes.NewReader(b)).ReadReply()
		if err != nil || rr.Code != r.Code || len(rr.Lines) != len(r.Lines) {
			t.Fatalf("ReadReply(%q) = %+v, %v; ParseReply = %+v", b, rr, err, r)
		}
	})
}

// FuzzAnalyzer feeds random chunks in both directions (a header byte per chunk:
// bit 0 the direction, the rest the length), then closes, and checks that the
// analyzer never panics, moves only along Transitions and holds bounded memory.
func FuzzAnalyzer(f *testing.F) {
	f.Add(script(sessionSteps...))
	f.Add(script(step{s2c, "220 hi\r\n"}, step{c2s, "AUTH TLS\r\n"}, step{s2c, "234 go\r\n\x16\x03\x01\x00\x05hello"}))
	f.Add(script(step{c2s, "PORT 1,2,3,4,5,6\r\nEPRT |2|::1|80|\r\n"}, step{s2c, "227 (1,2,3,4,5,6)\r\n229 (|||80|)\r\n"}))
	f.Fuzz(func(t *testing.T, data []byte) {
		a := NewAnalyzer()
		a.Opened(lab.OpenInfo{})
		state := a.State()
		check := func(msgs []lab.Message) {
			for _, m := range msgs {
				if m.NextState != "" && m.Layer == "" {
					if !slices.Contains(Transitions, [2]string{state, m.NextState}) {
						t.Fatalf("moved %q → %q", state, m.NextState)
					}
					state = m.NextState
				}
			}
			for d := lab.ClientToServer; d <= lab.ServerToClient; d++ {
				if a.buf[d].Held() > maxHeld+MaxLine*2 {
					t.Fatalf("holds %d bytes", a.buf[d].Held())
				}
			}
		}
		analyzertest.Play(a, data, check)
		check(a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN}))
	})
}

package pop3

import (
	"slices"
	"strings"
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
		if len(line) > MaxCommandLine {
			t.Fatalf("ParseCommand accepted a %d-byte line", len(line))
		}
		if c.Keyword == "" || len(c.Keyword) > MaxKeyword || strings.ContainsAny(c.Keyword+c.Arg, "\r\n\x00") {
			t.Fatalf("ParseCommand(%q) = %+v", line, c)
		}
		if strings.Join(c.Args, " ") != c.Arg {
			t.Fatalf("ParseCommand(%q): Args %q do not make Arg %q", line, c.Args, c.Arg)
		}
		wire := c.Keyword
		if c.Arg != "" {
			wire += " " + c.Arg
		}
		if len(wire)+2 > MaxCommandLine {
			return // a line at the limit without its CRLF has no room for one
		}
		again, err := ParseCommand([]byte(wire + "\r\n"))
		if err != nil || again.Keyword != c.Keyword || again.Arg != c.Arg {
			t.Fatalf("round trip of %+v = %+v, %v", c, again, err)
		}
	})
}

func FuzzParseResponse(f *testing.F) {
	for _, tt := range responseTests {
		f.Add([]byte(tt.line))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		r, err := ParseResponse(line)
		if err != nil {
			return
		}
		again, err := ParseResponse([]byte(r.String()))
		if err != nil || again.OK != r.OK || again.Continue != r.Continue {
			t.Fatalf("round trip of %+v = %+v, %v", r, again, err)
		}
	})
}

// FuzzAnalyzer feeds random chunks in both directions (see script), then closes,
// and checks that the analyzer never panics, moves only along Transitions and
// holds bounded memory.
func FuzzAnalyzer(f *testing.F) {
	f.Add(script(sessionSteps...))
	f.Add(script(step{s2c, "+OK hi\r\n"}, step{c2s, "STLS\r\n"}, step{s2c, "+OK Begin TLS\r\n\x16\x03\x01\x00\x05hello"}))
	f.Add(script(step{s2c, "+OK hi\r\n"}, step{c2s, "AUTH PLAIN\r\n"}, step{s2c, "+ \r\n"}, step{c2s, "AGFsaWNlAGFsaWNl\r\n"}, step{s2c, "+OK\r\n"}))
	f.Add(script(step{c2s, "RETR 1\r\nRETR 2\r\nLIST\r\n"}, step{s2c, "+OK\r\n.\r\n+OK\r\nx\r\n.\r\n-ERR no\r\n"}))
	f.Fuzz(func(t *testing.T, data []byte) {
		a := NewAnalyzer()
		a.Opened(lab.OpenInfo{})
		state := a.State()
		check := func(msgs []lab.Message) {
			for _, m := range msgs {
				if m.NextState != "" && m.Layer == "" && m.NextState != state {
					if !slices.Contains(Transitions, [2]string{state, m.NextState}) {
						t.Fatalf("moved %q → %q", state, m.NextState)
					}
					state = m.NextState
				}
			}
			for d := lab.ClientToServer; d <= lab.ServerToClient; d++ {
				if a.buf[d].Held() > maxHeld+255 {
					t.Fatalf("holds %d bytes", a.buf[d].Held())
				}
			}
			if a.inBody && a.cur.raw.Len() > MaxBodyKept {
				t.Fatalf("keeps %d bytes of a body", a.cur.raw.Len())
			}
			if a.pending.Len() > maxPending || len(a.marked) > maxMarked {
				t.Fatalf("holds %d pending commands, %d marked", a.pending.Len(), len(a.marked))
			}
		}
		analyzertest.Play(a, data, check)
		check(a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN}))
	})
}

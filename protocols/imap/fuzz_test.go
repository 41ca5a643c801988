package imap

import (
	"fmt"
	"slices"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// FuzzAnalyzer feeds random chunks in both directions (a header byte per chunk:
// bit 0 the direction, the rest the length), then closes, and checks that the
// analyzer never panics, moves only along Transitions, holds bounded memory and
// puts every byte it framed into exactly one message.
func FuzzAnalyzer(f *testing.F) {
	f.Add(script(sessionSteps...))
	f.Add(script(step{s2c, "* OK ready\r\n"}, step{c2s, "a STARTTLS\r\n"}, step{s2c, "a OK go\r\n\x16\x03\x01\x00\x05hello"}))
	f.Add(script(step{c2s, "a APPEND INBOX {3}\r\n"}, step{s2c, "a NO no\r\n"}, step{c2s, "b LOGIN {1+}\r\nx {2}\r\n"}, step{s2c, "+ ok\r\n"}))
	f.Add(script(step{s2c, "* 1 FETCH (BODY[] {10}\r\n0123"}, step{s2c, "456789 UID 3)\r\n"}))
	f.Add(script(step{c2s, "a IDLE\r\n"}, step{s2c, "+ idling\r\n* 4 EXISTS\r\n"}, step{c2s, "DONE\r\n"}, step{s2c, "a OK\r\n* BYE\r\n"}))
	f.Add(script(step{c2s, "a AUTHENTICATE PLAIN\r\n"}, step{s2c, "+ \r\n"}, step{c2s, "*\r\n"}, step{s2c, "a BAD cancelled\r\n"}))
	f.Add(script(step{s2c, "* 1 FETCH (((((((((((((((((((((((((((((((((((((((((((((((((\r\n"}))
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
				if len(m.Raw) > MaxKeptBytes {
					t.Fatalf("Raw of %d bytes", len(m.Raw))
				}
			}
			for d := lab.ClientToServer; d <= lab.ServerToClient; d++ {
				if n := a.fr[d].held(); n > MaxKeptBytes+MaxLineBytes+maxLiterals*maxLiteralHead {
					t.Fatalf("holds %d bytes", n)
				}
			}
			if a.pending.Len() > maxPending {
				t.Fatalf("%d pending commands", a.pending.Len())
			}
		}
		analyzertest.Play(a, data, check)
		check(a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN}))
		if a.State() != StateClosed {
			t.Fatalf("state after Closed = %q", a.State())
		}
	})
}

// FuzzFraming checks that framing does not depend on how the bytes are chunked:
// the frames of a server stream fed whole and fed in pieces are the same.
func FuzzFraming(f *testing.F) {
	f.Add([]byte("* 1 FETCH (BODY[] {10}\r\n0123456789 UID 3)\r\n* 2 EXISTS\r\n"), uint8(3))
	f.Add([]byte("a LOGIN {5}\r\nalice {4+}\r\npass\r\n"), uint8(1))
	f.Fuzz(func(t *testing.T, b []byte, chunk uint8) {
		frames := func(step int) []string {
			var fr framer
			fr.noLiterals = statusText
			var out []string
			emit := func(f frame) bool {
				out = append(out, fmt.Sprintf("%d %q %d", f.size, f.raw, f.nlit))
				return false
			}
			for d := b; len(d) > 0; {
				k := min(step, len(d))
				fr.feed(d[:k], emit)
				d = d[k:]
			}
			fr.flush(emit)
			return out
		}
		whole, pieces := frames(len(b)+1), frames(int(chunk)%16+1)
		if fmt.Sprint(whole) != fmt.Sprint(pieces) {
			t.Fatalf("frames fed whole = %q, in pieces of %d = %q", whole, int(chunk)%16+1, pieces)
		}
	})
}

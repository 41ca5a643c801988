package ssh

import (
	"slices"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// script encodes chunks for the fuzz test: each starts with a header byte whose
// bit 0 is the direction (0 client→server) and whose upper seven bits are the
// length, then its bytes.
func script(chunks []chunk) []byte {
	var b []byte
	for _, c := range chunks {
		for d := c.b; len(d) > 0; {
			n := min(len(d), 127)
			h := byte(n << 1)
			if c.dir == s2c {
				h |= 1
			}
			b = append(b, h)
			b = append(b, d[:n]...)
			d = d[n:]
		}
	}
	return b
}

// play feeds a script to a new analyzer, closes the connection and checks the
// bounds and that the state moves only along Transitions.
func play(t *testing.T, data []byte) {
	a := NewAnalyzer()
	state := a.State()
	check := func(msgs []lab.Message) {
		for _, m := range msgs {
			if m.Summary == "" || len(m.Raw) > MaxPacketLength+4 {
				t.Fatalf("message %q with %d raw bytes", m.Summary, len(m.Raw))
			}
		}
		if s := a.State(); s != state {
			if !slices.Contains(Transitions, [2]string{state, s}) {
				t.Fatalf("state %q → %q is not a transition", state, s)
			}
			state = s
		}
		for _, d := range []lab.Dir{c2s, s2c} {
			if p := a.Pending(d); p > MaxPacketLength+4 {
				t.Fatalf("pending %v = %d", d, p)
			}
		}
	}
	for len(data) > 0 {
		h := data[0]
		n := min(int(h>>1), len(data)-1)
		dir := c2s
		if h&1 != 0 {
			dir = s2c
		}
		b := append([]byte(nil), data[1:1+n]...)
		data = data[1+n:]
		check(a.Feed(dir, b, time.Time{}))
	}
	check(a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN}))
	check(a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN}))
}

func FuzzAnalyzer(f *testing.F) {
	chunks, _ := capture(f, nil)
	f.Add(script(chunks))
	f.Add(script(chunks[:len(chunks)/2]))
	f.Add(script([]chunk{{s2c, []byte("hello\r\nSSH-2.0-x\r\n")}, {s2c, packetOf([]byte{21})}, {s2c, packetOf([]byte{31, 0, 0, 0, 5})}}))
	f.Add(script([]chunk{{c2s, []byte("SSH-1.5-old\r\n")}, {s2c, []byte("SSH-2.0-x\n\x00\x00\x90\x00\x04")}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		play(t, data)
	})
}

package nats

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
	"github.com/protocollab/protolab/protocols/internal/framing"
)

// FuzzNATS feeds scripts of chunks (analyzertest.Script) to an analyzer, then
// closes the connection, and checks that it never panics, holds no more than
// its bound, gives every message a summary and spans within its bytes, and
// moves only along Transitions.
func FuzzNATS(f *testing.F) {
	for _, tt := range captureTests {
		steps := capture(f, tt.file)
		f.Add(analyzertest.Script(steps...))
		f.Add(analyzertest.Script(steps[:len(steps)/2]...))
	}
	for _, tt := range malformedTests {
		f.Add(analyzertest.Script(append(slices.Clone(hello), tt.bad, ping)...))
	}
	f.Add(analyzertest.Script(step{c2s, "HPUB a r 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"}, step{s2c, "HMSG a 1 16 16\r\nNATS/1.0 503\r\n\r\n\r\n"}))
	f.Fuzz(func(t *testing.T, script []byte) {
		analyzertest.Fuzz(t, NewAnalyzer(), script, Transitions, maxHeld)
	})
}

// FuzzBurst feeds scripts to an analyzer that makes bursts of two or more
// like publications and to one that frames each on its own with parseLine
// (single), and checks that they agree: each burst is the publications the
// other framed in its place, its bytes all of theirs, its digests theirs in
// order, its size their payloads'; every other message is the same.
func FuzzBurst(f *testing.F) {
	for _, tt := range captureTests {
		f.Add(analyzertest.Script(capture(f, tt.file)...))
	}
	many, _ := msgs("lab.t1", "1", 0, 6)
	f.Add(analyzertest.Script(append(slices.Clone(hello), step{s2c, many}, step{s2c, many[:40]}, step{s2c, many[40:]})...))
	f.Add(analyzertest.Script(append(slices.Clone(hello),
		step{s2c, "MSG a 1 1\r\nx\r\nMSG a 1 1 \r\ny\r\nMSG a 1 01\r\nz\r\nMSG a 1 1\nw\r\nMSG a 1 2\r\nv\r\r\n"},
		step{s2c, "MSG a 1 1\r\nx\r\nMSG a 1 99999999999\r\nMSG a 1 1\r\nxyz\r\n"},
		step{c2s, "PUB a 1\r\nx\r\nPUB a 1\r\ny\r\nPUB a r 1\r\nz\r\nHPUB a 12 13\r\nNATS/1.0\r\n\r\nx\r\nHPUB a 12 13\r\nNATS/1.0\r\n\r\ny\r\n"})...))
	f.Fuzz(func(t *testing.T, script []byte) {
		bursts, single := NewAnalyzer(), NewAnalyzer()
		bursts.burstAt, single.single = 2, true
		analyzertest.Bursts(t, bursts, single, script, func(m lab.Message) int {
			if m.Pub == nil {
				return 1
			}
			return m.Pub.Count()
		}, framing.BurstListed)
	})
}

// FuzzCount checks the byte count's reader against strconv's: decimal
// digits only, at most ten, at most 2^31-1.
func FuzzCount(f *testing.F) {
	for _, s := range []string{"0", "37", "2147483647", "2147483648", "9999999999", "01", "", "+1", "-1", "1 ", "12345678901"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := count(s)
		digits := s != "" && len(s) <= 10 && strings.Trim(s, "0123456789") == ""
		want, err := strconv.ParseInt(s, 10, 32)
		if wantOK := digits && err == nil; ok != wantOK || ok && n != int(want) {
			t.Fatalf("count(%q) = %d, %v; want %d, %v", s, n, ok, want, wantOK)
		}
		if m, okb := count([]byte(s)); m != n || okb != ok {
			t.Fatalf("count([]byte(%q)) = %d, %v; from a string %d, %v", s, m, okb, n, ok)
		}
	})
}

package tcp

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// script encodes chunks for FuzzTCPAnalyzer. Each chunk starts with a header byte:
// bit 0 is the direction (0 client→server, 1 server→client); with bit 1 clear the
// length is the upper six bits, with bit 1 set it is the next two bytes (big-endian).
func script(chunks ...chunk) []byte {
	var b []byte
	for _, c := range chunks {
		h := byte(0)
		if c.dir == s2c {
			h = 1
		}
		if n := len(c.data); n < 64 {
			b = append(b, h|byte(n<<2))
		} else {
			b = append(b, h|2, byte(n>>8), byte(n))
		}
		b = append(b, c.data...)
	}
	return b
}

// nextChunk splits the first chunk off a script: its direction, its bytes, the rest.
func nextChunk(data []byte) (lab.Dir, []byte, []byte) {
	h := data[0]
	data = data[1:]
	dir := lab.Dir(c2s)
	if h&1 != 0 {
		dir = s2c
	}
	n := int(h >> 2)
	if h&2 != 0 {
		n = 0
		if len(data) >= 2 {
			n = int(data[0])<<8 | int(data[1])
			data = data[2:]
		} else {
			data = nil
		}
	}
	n = min(n, len(data))
	return dir, data[:n:n], data[n:]
}

// FuzzTCPAnalyzer feeds random chunks in both directions, then closes both ends
// (or resets) and checks that no direction holds more than the partial-line bound,
// and that each direction's data messages give back exactly its bytes. The bound is
// lowered to 8..71 bytes so that small inputs reach it (large inputs make the
// fuzzer's minimization crawl); TestFraming covers FlushLimit itself.
func FuzzTCPAnalyzer(f *testing.F) {
	f.Add(byte(0), script(in("abcd"), out("abcd"), in("x\ny\nz")))
	f.Add(byte(1), script(in("hel\n"), in("lo\n\x00\x01\x02\x03\x04\x05\x06"), out("a")))
	f.Add(byte(2), script(in(strings.Repeat("a", 100)), in("\n")))
	f.Add(byte(3), script(out(strings.Repeat("b\n", 32)), out("\r\n\r\n"), in("\xff\xfe\xc3\xa9\n")))
	f.Add(byte(0), script(in(strings.Repeat("a", 8)), in("b"), in(strings.Repeat("c\n", 20))))
	f.Add(byte(0xfc), script(in(strings.Repeat("a", 70)), in("b"), out(strings.Repeat("c", 71)), out("\n")))
	f.Add(byte(1), []byte{})
	f.Fuzz(func(t *testing.T, how byte, data []byte) {
		if len(data) > 512 {
			return // longer inputs reach nothing new and make minimization crawl
		}
		a := NewAnalyzer()
		a.limit = 8 + int(how>>2)
		side := lab.SideClient
		if how&1 != 0 {
			side = lab.SideServer
		}
		collect := func(msgs []lab.Message, stream *[3]bytes.Buffer) {
			for _, m := range msgs {
				if m.Handshake || m.Teardown {
					continue
				}
				if m.Dir != c2s && m.Dir != s2c {
					t.Fatalf("data message without a direction: %+v", m)
				}
				if len(m.Raw) == 0 {
					t.Fatalf("empty data message %q", m.Summary)
				}
				stream[m.Dir].Write(m.Raw)
			}
		}
		var sent, got [3]bytes.Buffer
		collect(a.Opened(lab.OpenInfo{Side: side}), &got)
		for len(data) > 0 {
			var dir lab.Dir
			var chunk []byte
			dir, chunk, data = nextChunk(data)
			sent[dir].Write(chunk)
			collect(a.Feed(dir, chunk, time.Time{}), &got)
			for _, d := range []lab.Dir{c2s, s2c} {
				if p := a.Pending(d); p > a.limit {
					t.Fatalf("%d bytes pending %v, more than the bound %d", p, d, a.limit)
				}
				// Everything shown plus what is pending is what was sent.
				if got[d].Len()+a.Pending(d) != sent[d].Len() {
					t.Fatalf("%v: %d bytes shown + %d pending, %d sent", d, got[d].Len(), a.Pending(d), sent[d].Len())
				}
			}
		}
		if how&2 != 0 {
			collect(a.Closed(lab.CloseInfo{By: side, How: lab.HowRST, Seen: side}), &got)
		} else {
			collect(a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN, First: true, Seen: side}), &got)
			collect(a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN, Seen: side}), &got)
		}
		for _, d := range []lab.Dir{c2s, s2c} {
			if a.Pending(d) != 0 {
				t.Errorf("%v: %d bytes still pending after the close", d, a.Pending(d))
			}
			if !bytes.Equal(got[d].Bytes(), sent[d].Bytes()) {
				t.Errorf("%v: messages give back %q, want %q", d, got[d].Bytes(), sent[d].Bytes())
			}
		}
		if s := a.State(); s != StateClosed && s != StateTimeWait {
			t.Errorf("State() = %q after the close, want CLOSED or TIME-WAIT", s)
		}
	})
}

// TestScript checks the fuzz input encoding, so that the seeds say what they mean.
func TestScript(t *testing.T) {
	want := []chunk{in("abc"), out(strings.Repeat("x", 4900)), in(""), out("\n")}
	data := script(want...)
	var got []chunk
	for len(data) > 0 {
		var dir lab.Dir
		var b []byte
		dir, b, data = nextChunk(data)
		got = append(got, chunk{dir: dir, data: string(b)})
	}
	if len(got) != len(want) {
		t.Fatalf("%d chunks, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("chunk %d = %v %q, want %v %q", i, got[i].dir, lab.Preview([]byte(got[i].data), 8), want[i].dir, lab.Preview([]byte(want[i].data), 8))
		}
	}
}

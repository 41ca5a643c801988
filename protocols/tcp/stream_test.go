package tcp

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

const (
	c2s = lab.ClientToServer
	s2c = lab.ServerToClient
)

// chunk is bytes fed in one direction, or (with end) the sender closing its direction.
type chunk struct {
	dir  lab.Dir
	data string
	end  bool
}

func in(data string) chunk  { return chunk{dir: c2s, data: data} }
func out(data string) chunk { return chunk{dir: s2c, data: data} }
func endOf(dir lab.Dir) chunk {
	return chunk{dir: dir, end: true}
}

// dataMsg is what a test expects of a data message.
type dataMsg struct {
	dir     lab.Dir
	raw     string
	framing framing
}

var (
	a4096 = strings.Repeat("a", 4096)
	a5000 = strings.Repeat("a", 5000)
)

var framingTests = []struct {
	name   string
	chunks []chunk
	want   []dataMsg
}{
	{"one line", []chunk{in("hello\n")}, []dataMsg{{c2s, "hello\n", frameLine}}},
	{"line split across chunks", []chunk{in("hel"), in("lo\n")}, []dataMsg{{c2s, "hello\n", frameLine}}},
	{"two lines in one chunk", []chunk{in("a\nb\n")}, []dataMsg{{c2s, "a\n", frameLine}, {c2s, "b\n", frameLine}}},
	{"line and a partial one", []chunk{in("a\nb"), in("c\n")}, []dataMsg{{c2s, "a\n", frameLine}, {c2s, "bc\n", frameLine}}},
	{"CRLF line", []chunk{in("HELO x\r\n")}, []dataMsg{{c2s, "HELO x\r\n", frameLine}}},
	{"UTF-8 text", []chunk{in("h\xc3"), in("\xa9llo\n")}, []dataMsg{{c2s, "h\xc3\xa9llo\n", frameLine}}},
	{"empty chunk", []chunk{in("")}, nil},
	{"partial line shown at close", []chunk{in("abc"), endOf(c2s)}, []dataMsg{{c2s, "abc", flushClosed}}},
	{"close shows only the closing side's partial line",
		[]chunk{in("abc"), out("x"), endOf(s2c)},
		[]dataMsg{{c2s, "abc", flushAnswered}, {s2c, "x", flushClosed}}},
	{"binary chunk", []chunk{in("\x00\x01\x02")}, []dataMsg{{c2s, "\x00\x01\x02", frameChunk}}},
	{"binary chunk with a newline stays whole", []chunk{in("\x00\n\x01\n")}, []dataMsg{{c2s, "\x00\n\x01\n", frameChunk}}},
	{"binary flushes a partial line", []chunk{in("abc"), in("\x00\x01")},
		[]dataMsg{{c2s, "abc", flushBinary}, {c2s, "\x00\x01", frameChunk}}},
	{"an answer flushes a partial line", []chunk{in("abc"), out("abc\n")},
		[]dataMsg{{c2s, "abc", flushAnswered}, {s2c, "abc\n", frameLine}}},
	{"directions keep their own lines", []chunk{in("ping\n"), out("pong\n"), in("ping\n")},
		[]dataMsg{{c2s, "ping\n", frameLine}, {s2c, "pong\n", frameLine}, {c2s, "ping\n", frameLine}}},
	{"line at the limit", []chunk{in(a4096[:4000]), in(a4096[4000:4095] + "\n")},
		[]dataMsg{{c2s, a4096[:4095] + "\n", frameLine}}},
	{"line one past the limit", []chunk{in(a4096[:4000]), in(a4096[4000:] + "\n")},
		[]dataMsg{{c2s, a4096[:4000], flushLimit}, {c2s, a4096[4000:] + "\n", frameLineEnd}}},
	{"partial line past the limit", []chunk{in(a4096), in("b"), in("\n")},
		[]dataMsg{{c2s, a4096, flushLimit}, {c2s, "b\n", frameLine}}},
	{"end of a long line", []chunk{in("aaa"), in(a4096[:4095] + "\n")},
		[]dataMsg{{c2s, "aaa", flushLimit}, {c2s, a4096[:4095] + "\n", frameLineEnd}}},
	{"long line in one chunk", []chunk{in(a5000 + "\n")}, []dataMsg{{c2s, a5000 + "\n", frameLine}}},
	{"long text without a newline", []chunk{in(a5000)}, []dataMsg{{c2s, a5000, frameLong}}},
	{"long text after a partial line", []chunk{in("x"), in(a5000)},
		[]dataMsg{{c2s, "x", flushLimit}, {c2s, a5000, frameLong}}},
	{"a tail of exactly the limit waits", []chunk{in(a4096[:10]), in("\n" + a4096), endOf(c2s)},
		[]dataMsg{{c2s, a4096[:10] + "\n", frameLine}, {c2s, a4096, flushClosed}}},
	{"a tail that fits once the partial line is shown", []chunk{in(a4096[:4000]), in(strings.Repeat("y", 200)), endOf(c2s)},
		[]dataMsg{{c2s, a4096[:4000], flushLimit}, {c2s, strings.Repeat("y", 200), flushClosed}}},
}

// feedAll runs chunks through a fresh analyzer and returns every message.
func feedAll(t testing.TB, chunks []chunk) (*Analyzer, []lab.Message) {
	a := NewAnalyzer()
	a.Opened(lab.OpenInfo{Side: lab.SideClient})
	var msgs []lab.Message
	for _, c := range chunks {
		if c.end {
			by := lab.SideClient
			if c.dir == s2c {
				by = lab.SideServer
			}
			msgs = append(msgs, a.Closed(lab.CloseInfo{By: by, How: lab.HowFIN, Seen: by})...)
		} else {
			msgs = append(msgs, a.Feed(c.dir, []byte(c.data), time.Time{})...)
		}
		for _, d := range []lab.Dir{c2s, s2c} {
			if n := a.Pending(d); n > FlushLimit {
				t.Fatalf("%d bytes pending %v, more than FlushLimit", n, d)
			}
		}
	}
	return a, msgs
}

func TestFraming(t *testing.T) {
	for _, tt := range framingTests {
		t.Run(tt.name, func(t *testing.T) {
			_, msgs := feedAll(t, tt.chunks)
			var got []dataMsg
			for _, m := range msgs {
				if m.Teardown || m.Handshake {
					continue
				}
				f := framing(255)
				for i, fr := range framings {
					if field(m, "framing") == fr.field {
						f = framing(i)
					}
				}
				got = append(got, dataMsg{m.Dir, string(m.Raw), f})
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d data messages %s, want %d %s", len(got), show(got), len(tt.want), show(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("message %d = %s, want %s", i, show(got[i:i+1]), show(tt.want[i:i+1]))
				}
			}
		})
	}
}

func show(ms []dataMsg) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString("[" + m.dir.String() + " " + lab.Preview([]byte(m.raw), 20) + " " + framings[m.framing%framing(len(framings))].field + "]")
	}
	return b.String()
}

var messageTests = []struct {
	data    string
	summary string
	fields  map[string]string
}{
	{"hello\n", `6 bytes "hello\n"`, map[string]string{"length": "6 bytes", "text": `"hello\n"`, "line ending": "LF"}},
	{"x\r\n", `3 bytes "x\r\n"`, map[string]string{"line ending": "CRLF"}},
	{"\x00\x01\xff", `3 bytes binary: 00 01 ff`, map[string]string{"hex": "00 01 ff", "text": ""}},
	{"\x00" + strings.Repeat("b", 99), `100 bytes binary: 00` + strings.Repeat(" 62", 11) + " …",
		map[string]string{"hex": "00" + strings.Repeat(" 62", 63) + " …"}},
	{"\n", `1 byte "\n"`, map[string]string{"length": "1 byte"}},
}

func TestDataMessage(t *testing.T) {
	for _, tt := range messageTests {
		msgs := NewAnalyzer().Feed(c2s, []byte(tt.data), time.Time{})
		if len(msgs) != 1 {
			t.Fatalf("Feed(%q) gave %d messages, want 1", tt.data, len(msgs))
		}
		m := msgs[0]
		if m.Summary != tt.summary {
			t.Errorf("Feed(%q) summary = %s, want %s", tt.data, m.Summary, tt.summary)
		}
		for name, want := range tt.fields {
			if got := field(m, name); got != want {
				t.Errorf("Feed(%q) field %q = %q, want %q", tt.data, name, got, want)
			}
		}
		if !m.Observed || m.Handshake || m.Teardown || m.NextState != "" || m.Ref != "RFC 9293 §2.2" {
			t.Errorf("Feed(%q) = observed %v handshake %v teardown %v next %q ref %q", tt.data,
				m.Observed, m.Handshake, m.Teardown, m.NextState, m.Ref)
		}
		if !strings.Contains(m.Meaning, "byte stream") {
			t.Errorf("Feed(%q) meaning %q does not explain the byte stream", tt.data, m.Meaning)
		}
	}
}

// TestFeedIgnoresNoDirection checks that bytes without a direction are not framed.
func TestFeedIgnoresNoDirection(t *testing.T) {
	a := NewAnalyzer()
	if msgs := a.Feed(lab.DirNone, []byte("x\n"), time.Time{}); msgs != nil {
		t.Errorf("Feed(DirNone) = %v, want nothing", msgs)
	}
	if msgs := a.Feed(lab.Dir(9), []byte("x"), time.Time{}); msgs != nil || a.Pending(lab.Dir(9)) != 0 {
		t.Errorf("Feed(Dir(9)) = %v, want nothing", msgs)
	}
}

// TestMessagesKeepTheirBytes checks that later input does not change the bytes of
// messages already returned.
func TestMessagesKeepTheirBytes(t *testing.T) {
	a := NewAnalyzer()
	var msgs []lab.Message
	for _, s := range []string{"ab", "c\nde", "f\n", "gh", "\x00"} {
		msgs = append(msgs, a.Feed(c2s, []byte(s), time.Time{})...)
	}
	var got []string
	for _, m := range msgs {
		got = append(got, string(m.Raw))
	}
	if want := "abc\n|def\n|gh|\x00"; strings.Join(got, "|") != want {
		t.Errorf("messages = %q, want %q", strings.Join(got, "|"), want)
	}
}

func BenchmarkFeed(b *testing.B) {
	var text bytes.Buffer
	for text.Len() < 64<<10 {
		text.WriteString("the quick brown fox jumps over the lazy dog, again and again\n")
	}
	data := text.Bytes()
	const chunk = 1460 // a typical segment's payload, so lines straddle chunks
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		a := NewAnalyzer()
		for i := 0; i < len(data); i += chunk {
			a.Feed(c2s, data[i:min(i+chunk, len(data))], time.Time{})
		}
	}
}

func BenchmarkFeedBinary(b *testing.B) {
	data := make([]byte, 64<<10)
	for i := range data {
		data[i] = byte(i * 7)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		a := NewAnalyzer()
		for i := 0; i < len(data); i += 1460 {
			a.Feed(s2c, data[i:min(i+1460, len(data))], time.Time{})
		}
	}
}

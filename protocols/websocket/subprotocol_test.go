package websocket

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// streamAnalyzer is a subprotocol's analyzer for the tests: each line of a
// direction's byte stream is a message "<dir> <line>"; it is in state "talking"
// once it has seen one, and "closed" after the connection's end.
type streamAnalyzer struct {
	buf    [3][]byte
	state  string
	chunks int
}

func (a *streamAnalyzer) Feed(dir lab.Dir, b []byte, _ time.Time) []lab.Message {
	a.chunks++
	a.buf[dir] = append(a.buf[dir], b...)
	var out []lab.Message
	for {
		line, rest, ok := bytes.Cut(a.buf[dir], []byte("\n"))
		if !ok {
			return out
		}
		a.buf[dir] = rest
		a.state = "talking"
		out = append(out, lab.Message{Dir: dir, Summary: dir.Arrow() + " " + string(line)})
	}
}
func (a *streamAnalyzer) State() string                     { return a.state }
func (a *streamAnalyzer) Opened(lab.OpenInfo) []lab.Message { return nil }
func (a *streamAnalyzer) Closed(info lab.CloseInfo) []lab.Message {
	a.state = "closed"
	return []lab.Message{{Summary: "chat ends"}}
}

// chatLayer is a layer for the subprotocol "chat"; made records its analyzers.
func chatLayer(made *[]*streamAnalyzer) *lab.Layer {
	return &lab.Layer{Name: "chat", ReachedBy: []lab.NextKey{lab.Subprotocol("chat")}, New: func() lab.Analyzer {
		a := &streamAnalyzer{}
		*made = append(*made, a)
		return a
	}}
}

// TestSubprotocol checks that a WebSocket whose handshake chose "chat" feeds the
// chat layer its data frames' payloads — unmasked, joined across fragments and
// frames, without the control frames between — and that the layer's messages
// follow the frame that completed them.
func TestSubprotocol(t *testing.T) {
	var made []*streamAnalyzer
	steps := []step{
		{c2s, upgradeGET},
		{s2c, switching},
		{c2s, s(frameBytes(false, opText, key, []byte("hel"))) + s(frameBytes(true, opPing, key, []byte("x"))) +
			s(frameBytes(true, opContinuation, key, []byte("lo\nwor")))},
		{c2s, s(frameBytes(true, opBinary, key, []byte("ld\n")))},
		{s2c, s(frameBytes(true, opText, nil, []byte("hi\n")))},
	}
	for _, n := range []int{0, 1, 3} {
		made = nil
		a := NewAnalyzer()
		a.UseLayers(lab.NewLayers(chatLayer(&made)))
		out := analyzertest.Feed(a, steps, n)
		out = append(out, a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowRST})...)
		var got []string
		for _, m := range out {
			got = append(got, m.Layer+": "+m.Summary+" "+m.NextState)
		}
		want := []string{
			"ws: GET /chat HTTP/1.1 (WebSocket upgrade) CONNECTING",
			"ws: 101 Switching Protocols (WebSocket, accept ✓) OPEN",
			"ws: text, fragment 1 (more follow), 3 bytes ",
			`ws: ping "x" `,
			`ws: continuation, last of 2 fragments: text message of 9 bytes "hello\nwor" `,
			"chat: → hello talking",
			"ws: binary 3 bytes ",
			"chat: → world ",
			`ws: text "hi\n" `,
			"chat: ← hi ",
			"ws: connection closed without a closing handshake (1006 abnormal closure) CLOSED",
			"chat: chat ends closed",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("pieces of %d: messages\n%s\nwant\n%s", n, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if len(made) != 1 {
			t.Errorf("pieces of %d: %d chat analyzers, want 1", n, len(made))
		}
	}
}

// TestSubprotocolUnknown checks that a subprotocol the table has no layer for,
// and a WebSocket without one, leave the frames as they were.
func TestSubprotocolUnknown(t *testing.T) {
	var made []*streamAnalyzer
	for _, sw := range []string{strings.Replace(switching, "chat", "superchat", 1), strings.Replace(switching, "Sec-WebSocket-Protocol: chat\r\n", "", 1)} {
		a := NewAnalyzer()
		a.UseLayers(lab.NewLayers(chatLayer(&made)))
		out := analyzertest.Feed(a, []step{{c2s, upgradeGET}, {s2c, sw}, {c2s, s(frameBytes(true, opText, key, []byte("a\n")))}}, 0)
		if len(out) != 3 || out[2].Layer != Layer {
			t.Errorf("messages %q", analyzertest.Summaries(out))
		}
	}
	if len(made) != 0 {
		t.Errorf("%d chat analyzers made for other subprotocols", len(made))
	}
}

// panicky is a subprotocol analyzer with a bug.
type panicky struct{}

func (panicky) Feed(lab.Dir, []byte, time.Time) []lab.Message { panic("oops") }
func (panicky) State() string                                 { return "" }

func TestSubprotocolPanics(t *testing.T) {
	a := NewAnalyzer()
	a.UseLayers(lab.NewLayers(&lab.Layer{Name: "chat", ReachedBy: []lab.NextKey{lab.Subprotocol("chat")}, New: func() lab.Analyzer { return panicky{} }}))
	out := analyzertest.Feed(a, []step{{c2s, upgradeGET}, {s2c, switching},
		{c2s, s(frameBytes(true, opText, key, []byte("a")))}, {c2s, s(frameBytes(true, opText, key, []byte("b")))}}, 0)
	got := analyzertest.Summaries(out)
	want := []string{got[0], got[1], `text "a"`, "the chat analyzer failed: oops", `text "b"`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("messages %q, want %q", got, want)
	}
}

package tcp_test

import (
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/tcp"
)

// testLab is a hub with TCP registered, a tap, and a tapped listener on 127.0.0.1.
type testLab struct {
	hub *lab.Hub
	tap *lab.Tap
	l   net.Listener
}

func newTestLab(t *testing.T, protos ...*lab.Protocol) *testLab {
	t.Helper()
	reg := &lab.Registry{}
	p := tcp.Protocol()
	reg.Register(p)
	for _, q := range protos {
		reg.Register(q)
		p = q
	}
	hub := lab.NewHub(lab.HubOptions{Registry: reg})
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	tap := hub.Tap(p)
	return &testLab{hub: hub, tap: tap, l: tap.Listener(raw)}
}

// dial connects a tapped client; its Open is recorded before the server accepts.
func (tl *testLab) dial(t *testing.T) net.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := tl.tap.Dial(ctx, "tcp", tl.l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return deadline(t, c)
}

func (tl *testLab) accept(t *testing.T) net.Conn {
	t.Helper()
	s, err := tl.l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	return deadline(t, s)
}

func deadline(t *testing.T, c net.Conn) net.Conn {
	t.Cleanup(func() { c.Close() })
	if err := c.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	return c
}

func write(t *testing.T, c net.Conn, s string) {
	t.Helper()
	if _, err := io.WriteString(c, s); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, c net.Conn, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := io.ReadFull(c, b); err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// readEOF reads until the peer's FIN.
func readEOF(t *testing.T, c net.Conn) {
	t.Helper()
	if _, err := io.Copy(io.Discard, c); err != nil {
		t.Fatal(err)
	}
}

// timeline is what the hub recorded for one conversation, layer tcp.
type timeline struct {
	handshake []lab.Message
	data      []lab.Message
	teardown  []lab.Message
	path      []string
}

func recorded(t *testing.T, hub *lab.Hub, c net.Conn) timeline {
	t.Helper()
	conv := lab.ConnConversation(c)
	if conv == nil {
		t.Fatal("connection is not tapped")
	}
	hub.Settle()
	var tl timeline
	for _, e := range hub.ConvEvents(conv.ID()) {
		if testing.Verbose() {
			t.Log(hub.FormatText(e))
		}
		if e.Layer != "tcp" {
			continue
		}
		switch {
		case e.Kind == lab.KindState:
			tl.path = append(tl.path, e.To)
		case e.Msg == nil:
		case e.Msg.Handshake:
			tl.handshake = append(tl.handshake, *e.Msg)
		case e.Msg.Teardown:
			tl.teardown = append(tl.teardown, *e.Msg)
		default:
			tl.data = append(tl.data, *e.Msg)
		}
	}
	return tl
}

func summaries(ms []lab.Message) []string {
	var s []string
	for _, m := range ms {
		head, _, _ := strings.Cut(m.Summary, " ·")
		s = append(s, m.Dir.Arrow()+" "+head)
	}
	return s
}

func check(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

// TestHubEchoClientClosesFirst runs an echo exchange with both taps in the lab; the
// client's tap sees the connection first, so the client endpoint is followed.
func TestHubEchoClientClosesFirst(t *testing.T) {
	tl := newTestLab(t)
	c := tl.dial(t)
	s := tl.accept(t)
	if lab.ConnConversation(c) != lab.ConnConversation(s) {
		t.Fatal("client and server taps were not joined into one conversation")
	}
	write(t, c, "hello\n")
	write(t, s, read(t, s, 6))
	if got := read(t, c, 6); got != "hello\n" {
		t.Fatalf("echo = %q, want hello", got)
	}
	c.Close()
	readEOF(t, s)
	s.Close()

	got := recorded(t, tl.hub, c)
	check(t, "handshake", summaries(got.handshake), []string{"→ SYN", "← SYN-ACK", "→ ACK"})
	for _, m := range got.handshake {
		if m.Observed || m.Ref != "RFC 9293 §3.5" {
			t.Errorf("%q: observed %v ref %q, want inferred, RFC 9293 §3.5", m.Summary, m.Observed, m.Ref)
		}
	}
	if got := got.handshake[2].Summary; !strings.Contains(got, "connect took") {
		t.Errorf("ACK summary %q lacks the connect time", got)
	}
	check(t, "data", summaries(got.data), []string{`→ 6 bytes "hello\n"`, `← 6 bytes "hello\n"`})
	for _, m := range got.data {
		if string(m.Raw) != "hello\n" {
			t.Errorf("data Raw = %q, want hello", m.Raw)
		}
	}
	check(t, "teardown", summaries(got.teardown), []string{
		"→ FIN", "← ACK of the client's FIN", "← FIN", "→ ACK of the server's FIN"})
	if !strings.Contains(got.teardown[0].Summary, "the client closes first") {
		t.Errorf("first FIN = %q, want the client closing first", got.teardown[0].Summary)
	}
	check(t, "state path", got.path, []string{"SYN-SENT", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT"})
	if info := lab.ConnConversation(c).Info(false); info.State != "TIME-WAIT" || info.CloseHow != lab.HowFIN {
		t.Errorf("conversation state %q closed by %q, want TIME-WAIT, FIN", info.State, info.CloseHow)
	}
}

// TestHubServerFirstThenClient taps the server first; the client's tap joins and the
// analyzer follows the client endpoint without repeating the handshake. The join
// usually lands before the handshake is analyzed (the path starts SYN-SENT), but on a
// busy machine it may come after (SYN-RECEIVED first, then the switch): both are right.
func TestHubServerFirstThenClient(t *testing.T) {
	tl := newTestLab(t)
	raw, err := net.Dial("tcp", tl.l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s := tl.accept(t)
	c := deadline(t, tl.tap.Conn(raw, lab.SideClient))
	if lab.ConnConversation(c) != lab.ConnConversation(s) {
		t.Fatal("the client's tap did not join the server's conversation")
	}
	write(t, s, "welcome\n")
	read(t, c, 8)
	s.Close()
	readEOF(t, c)
	c.Close()

	got := recorded(t, tl.hub, c)
	check(t, "handshake", summaries(got.handshake), []string{"→ SYN", "← SYN-ACK", "→ ACK"})
	check(t, "data", summaries(got.data), []string{`← 8 bytes "welcome\n"`})
	check(t, "teardown", summaries(got.teardown), []string{
		"← FIN", "→ ACK of the server's FIN", "→ FIN", "← ACK of the client's FIN"})
	if len(got.path) == 0 || (got.path[0] != "SYN-SENT" && got.path[0] != "SYN-RECEIVED") {
		t.Fatalf("state path = %q, want it to start with SYN-SENT or SYN-RECEIVED", got.path)
	}
	check(t, "state path", got.path[1:], []string{"ESTABLISHED", "CLOSE-WAIT", "LAST-ACK", "CLOSED"})
}

// TestHubServerOnly is an outside client (untapped): the server endpoint is followed
// and the client's FIN is seen as end-of-file on the server's read.
func TestHubServerOnly(t *testing.T) {
	tl := newTestLab(t)
	raw, err := net.Dial("tcp", tl.l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := deadline(t, raw)
	s := tl.accept(t)
	write(t, c, "one\ntw")
	if got := read(t, s, 6); got != "one\ntw" {
		t.Fatalf("server read %q", got)
	}
	write(t, c, "o\n")
	read(t, s, 2)
	c.Close()
	readEOF(t, s)
	s.Close()

	got := recorded(t, tl.hub, s)
	check(t, "data", summaries(got.data), []string{`→ 4 bytes "one\n"`, `→ 4 bytes "two\n"`})
	check(t, "teardown", summaries(got.teardown), []string{
		"→ FIN", "← ACK of the client's FIN", "← FIN", "→ ACK of the server's FIN"})
	if !got.teardown[0].Observed || got.teardown[2].Observed {
		t.Errorf("FINs observed %v, %v; want the client's seen (end-of-file), the server's inferred",
			got.teardown[0].Observed, got.teardown[2].Observed)
	}
	if len(got.path) == 0 || (got.path[0] != "SYN-SENT" && got.path[0] != "SYN-RECEIVED") {
		t.Fatalf("state path = %q, want it to start with SYN-SENT or SYN-RECEIVED", got.path)
	}
	check(t, "state path", got.path[1:], []string{"ESTABLISHED", "CLOSE-WAIT", "LAST-ACK", "CLOSED"})
}

// TestHubReset aborts the client's connection: an RST, after the partial line it sent.
func TestHubReset(t *testing.T) {
	tl := newTestLab(t)
	c := tl.dial(t)
	s := tl.accept(t)
	write(t, c, "abc")
	if err := lab.Abort(c); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, s); !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("server read ended with %v, want a reset", err)
	}
	s.Close()

	got := recorded(t, tl.hub, c)
	check(t, "data", summaries(got.data), []string{`→ 3 bytes "abc"`})
	check(t, "teardown", summaries(got.teardown), []string{"→ RST"})
	check(t, "state path", got.path, []string{"SYN-SENT", "ESTABLISHED", "CLOSED"})
	if info := lab.ConnConversation(c).Info(false); info.CloseHow != lab.HowRST {
		t.Errorf("conversation closed by %q, want RST", info.CloseHow)
	}
}

// TestHubLowerLayer runs TCP under another protocol: it shows the handshake and the
// teardown, and leaves the bytes to the protocol above.
func TestHubLowerLayer(t *testing.T) {
	above := &lab.Protocol{Name: "line", Transport: "tcp", NewAnalyzer: func() lab.Analyzer { return silent{} }}
	tl := newTestLab(t, above)
	c := tl.dial(t)
	s := tl.accept(t)
	write(t, c, "data\n")
	read(t, s, 5)
	c.Close()
	readEOF(t, s)
	s.Close()

	got := recorded(t, tl.hub, c)
	check(t, "handshake", summaries(got.handshake), []string{"→ SYN", "← SYN-ACK", "→ ACK"})
	if len(got.data) != 0 {
		t.Errorf("tcp layer framed %q under another protocol, want nothing", summaries(got.data))
	}
	check(t, "state path", got.path, []string{"SYN-SENT", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT"})
}

// silent is an analyzer of a protocol above TCP that frames nothing.
type silent struct{}

func (silent) Feed(lab.Dir, []byte, time.Time) []lab.Message { return nil }
func (silent) State() string                                 { return "" }

package lab

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// formatTextFmt is FormatText as it was written with fmt, the reference
// AppendText must match.
func formatTextFmt(h *Hub, e Event) string {
	var b strings.Builder
	b.WriteString(e.At.Format("15:04:05.000"))
	proto := e.Layer
	if c := h.Conversation(e.Conv); c != nil {
		proto = c.proto.Name
	}
	fmt.Fprintf(&b, " #%-4d %-5s ", e.Conv, proto)
	switch e.Kind {
	case KindData:
		fmt.Fprintf(&b, "%-6s %s %d bytes %s", e.Side, e.Dir.Arrow(), len(e.Data), Preview(e.Data, 60))
	case KindMessage, KindHandshake:
		summary := "<nil>"
		if e.Msg != nil {
			summary = e.Msg.Summary
		}
		fmt.Fprintf(&b, "%-6s %s [%s] %s", e.Side, e.Dir.Arrow(), e.Layer, summary)
	case KindState:
		from := e.From
		if from == "" {
			from = "∅"
		}
		fmt.Fprintf(&b, "state  [%s] %s → %s", e.Layer, from, e.To)
	default:
		fmt.Fprintf(&b, "%-6s %s: %s", e.Side, e.Kind, e.Text)
	}
	return b.String()
}

func TestAppendTextAsFmt(t *testing.T) {
	h := NewHub(HubOptions{})
	at := time.Date(2026, 12, 6, 7, 8, 9, 123456789, time.Local)
	msg := &Message{Summary: "GET / HTTP/1.1 ✓"}
	for _, e := range []Event{
		{At: at, Conv: 1, Kind: KindData, Side: SideServer, Dir: ClientToServer, Layer: "tcp", Data: []byte("hello\r\n")},
		{At: at, Conv: 12345, Kind: KindData, Side: SideClient, Dir: ServerToClient, Layer: "tcp", Data: []byte(strings.Repeat("\x00é\"", 40))},
		{At: at, Conv: 3, Kind: KindData, Layer: "udp"},
		{At: at, Conv: 4, Kind: KindMessage, Side: SideServer, Dir: ServerToClient, Layer: "http", Msg: msg},
		{At: at, Conv: 4, Kind: KindHandshake, Side: SideClient, Layer: "websocket-long", Msg: msg},
		{At: at, Conv: 4, Kind: KindMessage, Layer: "http"},
		{At: at, Conv: 5, Kind: KindState, Layer: "tcp", To: "ESTABLISHED"},
		{At: at, Conv: 5, Kind: KindState, Layer: "ß", From: "A", To: "B"},
		{At: at, Conv: 6, Kind: KindOpen, Side: SideServer, Layer: "tcp", Text: "opened: a → b"},
		{At: at, Conv: 6, Kind: KindError, Layer: "tcp", Text: "reset"},
		{At: at, Conv: 0, Kind: Kind(42), Side: SideServer, Text: "?"},
		{},
	} {
		if got, want := string(h.AppendText([]byte("x"), &e)), "x"+formatTextFmt(h, e); got != want {
			t.Errorf("AppendText:\n got %q\nwant %q", got, want)
		}
		if got, want := h.FormatText(e), formatTextFmt(h, e); got != want {
			t.Errorf("FormatText:\n got %q\nwant %q", got, want)
		}
	}
}

func BenchmarkAppendText(b *testing.B) {
	h := NewHub(HubOptions{})
	e := Event{At: time.Now(), Conv: 99, Kind: KindMessage, Side: SideServer, Dir: ClientToServer, Layer: "http",
		Msg: &Message{Summary: "GET /status/200 HTTP/1.1"}}
	var buf []byte
	for b.Loop() {
		buf = h.AppendText(buf[:0], &e)
	}
}

// TestAppendClock compares appendClock with AppendFormat at random instants
// in several zones, from the year 1 to 9999, and at a second's edges.
func TestAppendClock(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	zones := []*time.Location{time.UTC, time.Local, time.FixedZone("", -(9*3600 + 30*60)), time.FixedZone("", 13*3600+45*60)}
	times := []time.Time{time.Now(), time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 2, 23, 59, 59, 999999999, time.UTC)}
	for range 5000 {
		times = append(times, time.Unix(r.Int64N(253402300799-(-62135596800))+(-62135596800), r.Int64N(1e9)))
	}
	for _, at := range times {
		for _, z := range zones {
			at := at.In(z)
			if got, want := string(appendClock([]byte("x"), at)), "x"+at.Format("15:04:05.000"); got != want {
				t.Fatalf("appendClock(%v) = %q, want %q", at, got, want)
			}
		}
	}
}

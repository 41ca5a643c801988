package starttls

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

func fakeTLS(w *wrapper) lab.Layers {
	return lab.NewLayers(&lab.Layer{Name: "fake-tls", ReachedBy: []lab.NextKey{lab.StartTLS()}, New: func() lab.Analyzer { return w }})
}

// TestBeginDiscardsUpToTheHandshake checks that the client's bytes held until the
// go-ahead are shown as the lines the server discards, and that TLS gets them
// from the first byte that starts a handshake record.
func TestBeginDiscardsUpToTheHandshake(t *testing.T) {
	w := &wrapper{}
	var h Handoff
	h.UseLayers(fakeTLS(w))
	h.Ask("STARTTLS", "RFC 3207 §4.2")
	if !h.Asked() || !h.Takes(lab.ClientToServer) || h.Takes(lab.ServerToClient) {
		t.Fatalf("after Ask: asked %v, takes the client's %v, the server's %v", h.Asked(), h.Takes(lab.ClientToServer), h.Takes(lab.ServerToClient))
	}
	hello := "\x16\x03\x01\x00\x01x"
	h.Feed(lab.ClientToServer, []byte("RSET\r\n\x00\x01\r\n"), time.Time{})
	h.Feed(lab.ClientToServer, []byte("NOOP"+"\n"+hello), time.Time{})
	goAhead := lab.Message{Dir: lab.ServerToClient, Summary: "220 Ready to start TLS"}
	msgs := h.Begin([]lab.Message{goAhead}, time.Time{}, Notice("m", "r"), "smtp", func() lab.Analyzer { return echo{} })
	var got []string
	for _, m := range msgs {
		got = append(got, m.Layer+":"+m.Summary)
	}
	// The lines discarded came before the go-ahead, on the wire and here.
	want := []string{":discarded: RSET", ":discarded: 4 bytes", ":discarded: NOOP", ":220 Ready to start TLS", ":encrypted from here (TLS)", "fake-tls:record", ":" + hello}
	if !slices.Equal(got, want) {
		t.Fatalf("messages %q, want %q", got, want)
	}
	if m := msgs[0]; m.Dir != lab.ClientToServer || !bytes.Equal(m.Raw, []byte("RSET\r\n")) || m.Ref != "RFC 3207 §4.2" || !m.Observed {
		t.Errorf("discarded RSET = %+v", m)
	}
	if h.Asked() || !h.Active() {
		t.Errorf("after Begin: asked %v, active %v", h.Asked(), h.Active())
	}
}

// TestRefuse checks that after a refusal the bytes held go back to the
// analyzer as commands, before the server's bytes after the refusal.
func TestRefuse(t *testing.T) {
	var h Handoff
	h.Ask("STLS", "RFC 2595 §4")
	h.Feed(lab.ClientToServer, []byte("NOOP\r\n"), time.Time{})
	h.Refuse()
	if !h.Stops(lab.ServerToClient) || h.Takes(lab.ClientToServer) {
		t.Fatal("after a refusal, framing the server's bytes must stop and the client's be the analyzer's")
	}
	var fed []string
	feed := func(d lab.Dir, b []byte, _ time.Time) []lab.Message {
		fed = append(fed, d.String()+":"+string(b))
		return nil
	}
	h.Rest(lab.ServerToClient, []byte("+OK\r\n"), time.Time{}, feed)
	if want := []string{lab.ClientToServer.String() + ":NOOP\r\n", lab.ServerToClient.String() + ":+OK\r\n"}; !slices.Equal(fed, want) {
		t.Errorf("fed %q, want %q", fed, want)
	}
	if h.Stops(lab.ServerToClient) {
		t.Error("still stopping after the rest")
	}
}

// TestHoldBounded checks that the bytes held for the reply are bounded.
func TestHoldBounded(t *testing.T) {
	var h Handoff
	h.Ask("STARTTLS", "RFC 3207 §4.2")
	if msgs := h.Hold(make([]byte, maxHeld)); msgs != nil {
		t.Fatalf("holding %d bytes: %v", maxHeld, msgs)
	}
	msgs := h.Hold([]byte("x"))
	if len(msgs) != 1 || len(msgs[0].Raw) != 256 || len(h.held) != 0 {
		t.Errorf("past the bound: %d messages, %d bytes held", len(msgs), len(h.held))
	}
	if b := h.Release(); b != nil || h.Asked() {
		t.Errorf("Release = %q, asked %v", b, h.Asked())
	}
}

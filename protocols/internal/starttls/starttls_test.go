package starttls

import (
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/tls"
)

// wrapper is a fake of the layer a STARTTLS go-ahead reaches: it reports each
// chunk as its own message and passes it to the wrapped protocol too.
type wrapper struct {
	layer  string
	inner  func() lab.Analyzer
	in     lab.Analyzer
	opened bool
}

func (w *wrapper) Wrap(layer string, inner func() lab.Analyzer) { w.layer, w.inner = layer, inner }
func (w *wrapper) State() string                                { return "" }
func (w *wrapper) Opened(lab.OpenInfo) []lab.Message            { w.opened = true; return nil }
func (w *wrapper) Closed(lab.CloseInfo) []lab.Message           { return []lab.Message{{Summary: "closed"}} }
func (w *wrapper) Feed(dir lab.Dir, b []byte, at time.Time) []lab.Message {
	if w.in == nil {
		w.in = w.inner()
	}
	out := []lab.Message{{Summary: "record"}}
	for _, m := range w.in.Feed(dir, b, at) {
		m.Layer = w.layer
		out = append(out, m)
	}
	return out
}

type echo struct{}

func (echo) Feed(dir lab.Dir, b []byte, _ time.Time) []lab.Message {
	return []lab.Message{{Dir: dir, Summary: string(b)}}
}
func (echo) State() string { return "" }

func TestStartAsksTheTable(t *testing.T) {
	w := &wrapper{}
	var h Handoff
	h.UseLayers(lab.NewLayers(&lab.Layer{Name: "fake-tls", ReachedBy: []lab.NextKey{lab.StartTLS()}, New: func() lab.Analyzer { return w }}))
	h.Opened(lab.OpenInfo{})
	if h.Active() {
		t.Fatal("active before Start")
	}
	made := 0
	h.Start("smtp", func() lab.Analyzer { made++; return echo{} })
	if !h.Active() || w.layer != "smtp" || !w.opened || made != 0 {
		t.Fatalf("after Start: active %v, wrapped %q, opened %v, inner made %d times; want active, smtp, opened, not yet made", h.Active(), w.layer, w.opened, made)
	}
	msgs := h.Feed(lab.ClientToServer, []byte("EHLO"), time.Time{})
	if len(msgs) != 2 || msgs[0].Layer != "fake-tls" || msgs[1].Layer != "" || msgs[1].Summary != "EHLO" || made != 1 {
		t.Errorf("messages %+v: want the layer's record as fake-tls, then EHLO as the protocol's own", msgs)
	}
	if msgs := h.Closed(lab.CloseInfo{}); len(msgs) != 1 || msgs[0].Layer != "fake-tls" {
		t.Errorf("Closed gave %+v", msgs)
	}
}

// TestStartWithoutTable checks that an analyzer fed by hand, with no table of
// layers, still hands over to TLS, with the key log it was given.
func TestStartWithoutTable(t *testing.T) {
	var h Handoff
	keys := &lab.KeyLog{}
	h.UseKeys(keys)
	h.Start("pop3", func() lab.Analyzer { return echo{} })
	if _, ok := h.next.(*tls.Analyzer); !ok || h.name != "tls" {
		t.Fatalf("Start without a table gave %T as %q, want TLS", h.next, h.name)
	}
	msgs := h.Feed(lab.ClientToServer, []byte("USER alice\r\n"), time.Time{}) // not TLS: TLS says so
	if len(msgs) == 0 || msgs[0].Layer != "tls" {
		t.Errorf("messages %+v, want TLS's", msgs)
	}
}

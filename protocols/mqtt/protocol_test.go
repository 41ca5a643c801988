package mqtt

import (
	"testing"

	"github.com/protocollab/protolab/lab"
)

func TestProtocols(t *testing.T) {
	var r lab.Registry
	r.Register(Protocol())
	r.Register(TLSProtocol())
	for _, name := range []string{Name, TLSName} {
		p := r.Lookup(name)
		if !p.Dissector.Declared() || p.NewAnalyzer() == nil || p.Exchanges[ExchangeQoS2].Title == "" {
			t.Errorf("%s: %+v", name, p)
		}
	}
	if got := r.Lookup(TLSName).LayerName(); got != "tls" {
		t.Errorf("mqtts layer = %q, want tls", got)
	}
	if name, a := r.Layers().New(lab.ALPN("mqtt")); name != Name || a == nil {
		t.Errorf("ALPN mqtt reaches %q", name)
	}
	if name, _ := r.Layers().New(lab.Subprotocol("mqtt")); name != Name {
		t.Errorf("subprotocol mqtt reaches %q", name)
	}
	for _, k := range Exchanges() {
		m := lab.NewMachine(k.States, k.Transitions) // panics on a transition to an unknown state
		_ = m
	}
}

package nats

import (
	"testing"

	"github.com/protocollab/protolab/lab"
)

func TestProtocol(t *testing.T) {
	var r lab.Registry
	r.Register(Protocol())
	p := r.Lookup(Name)
	if p == nil || !p.Dissector.Declared() || p.Dissector.Name != "" || p.DefaultPort != 4222 || p.NewAnalyzer() == nil {
		t.Errorf("Protocol() = %+v", p)
	}
}

package wsserver

import (
	"testing"

	"github.com/protocollab/protolab/clients/wsclient"
	"github.com/protocollab/protolab/lab"
)

func TestNewLab(t *testing.T) {
	s, err := NewLab(lab.ServerOptions{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := dial(t, "ws://"+s.Addr().String()+"/ws/echo", wsclient.Options{})
	c.SendText("lab")
	if m := next(t, c); string(m.Data) != "lab" {
		t.Errorf("echo = %q", m.Data)
	}
	c.Close(1000, "")
}

package dnsserver

import (
	"github.com/protocollab/protolab/lab"
	labdns "github.com/protocollab/protolab/protocols/dns"
)

// Module is the lab.test resolver for the lab's registry (with dns.Protocol),
// its setting the zone (labdns.SettingZone).
var Module = lab.ServerModule{New: NewLab, Settings: labdns.Protocol().Settings}

// NewLab adapts a Server to lab.Server, the form the Bench drives. It reads the zone
// from the labdns.SettingZone setting (a mistake is an error naming its line). Start
// binds opts.Addr over UDP and the same port over TCP, taps both with opts.Tap and
// serves in the background.
func NewLab(opts lab.ServerOptions) (lab.Server, error) {
	z, err := ParseZone(opts.Setting(labdns.SettingZone, labdns.DefaultZone), "")
	if err != nil {
		return nil, err
	}
	return &labServer{Server: New(Options{Tap: opts.Tap, Zone: z}), addr: opts.Addr}, nil
}

type labServer struct {
	*Server
	addr string
}

// Start binds both sockets, serves them in the background and returns once the
// server has started or failed.
func (s *labServer) Start() error {
	pc, l, err := Listen(s.addr)
	if err != nil {
		return err
	}
	served := make(chan error, 2)
	go func() { served <- s.ServeUDP(pc) }()
	go func() { served <- s.Serve(l) }()
	select {
	case <-s.Started():
		return nil
	case err := <-served:
		s.Close()
		return err
	}
}

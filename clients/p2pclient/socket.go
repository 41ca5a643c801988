package p2pclient

import (
	"fmt"
	"net"

	"github.com/pion/ice/v4"
	"github.com/pion/logging"
	"github.com/protocollab/protolab/lab"
)

// Socket is one tapped UDP socket that any number of peers share, told apart
// by their ICE username fragments (an ICE UDP mux): a server's one port for
// every peer it answers, a swarm member's one port for all its neighbours.
// It is safe for concurrent use.
type Socket struct {
	raw    net.PacketConn
	tapped net.PacketConn // raw through the tap
	mux    *ice.UniversalUDPMuxDefault
	tap    *lab.Tap
}

// Listen binds a UDP socket on addr ("127.0.0.1:0" for a free loopback port)
// and taps it as side (a nil tap captures nothing).
func Listen(addr string, tap *lab.Tap, side lab.Side) (*Socket, error) {
	raw, err := net.ListenPacket("udp4", addr)
	if err != nil {
		return nil, fmt.Errorf("p2pclient: bind a UDP socket on %s: %w", addr, err)
	}
	return NewSocket(raw, tap, side), nil
}

// socketBuffer is the kernel buffer a socket asks for each way (Linux caps
// it at net.core.rmem_max and wmem_max).
const socketBuffer = 4 << 20

// Addr is the socket's address.
func (s *Socket) Addr() net.Addr { return s.raw.LocalAddr() }

// Close closes the socket; the peers on it stop hearing anything.
func (s *Socket) Close() error {
	s.mux.Close()
	return s.raw.Close()
}

// quiet is pion's logging, off: errors reach the caller as values.
var quiet = func() *logging.DefaultLoggerFactory {
	f := logging.NewDefaultLoggerFactory()
	f.DefaultLogLevel = logging.LogLevelDisabled
	return f
}()

// NewSocket makes a Socket of a bound UDP socket pc, tapped as side (a nil
// tap captures nothing). Closing the Socket closes pc.
func NewSocket(pc net.PacketConn, tap *lab.Tap, side lab.Side) *Socket {
	if uc, ok := pc.(*net.UDPConn); ok {
		// Room for a burst: SCTP sends a window of up to 1 MiB at once, and a
		// datagram the kernel drops for want of buffer is resent (RFC 9260 §6.3.3).
		uc.SetReadBuffer(socketBuffer)
		uc.SetWriteBuffer(socketBuffer)
	}
	tapped := tap.PacketConn(pc, side) // a nil tap returns pc
	return &Socket{raw: pc, tapped: tapped, tap: tap, mux: ice.NewUniversalUDPMuxDefault(ice.UniversalUDPMuxParams{
		UDPConn: tapped,
		Logger:  quiet.NewLogger("ice"),
	})}
}

// endFlows ends the captured flows with addrs ("127.0.0.1:5000"): a peer
// connection on a shared socket closed, and the socket serves on.
func (s *Socket) endFlows(addrs []string) {
	for _, a := range addrs {
		if ua, err := net.ResolveUDPAddr("udp4", a); err == nil {
			lab.EndFlow(s.tapped, ua)
		}
	}
}

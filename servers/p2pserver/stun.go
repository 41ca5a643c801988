package p2pserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	pstun "github.com/pion/stun/v4"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/conns"
)

// STUNOptions configures a STUNServer. The zero value captures nothing.
type STUNOptions struct {
	// Tap, if non-nil, captures every datagram (the stun protocol's tap).
	Tap *lab.Tap
	// Software is the SOFTWARE attribute of every answer; "" means "protolab STUN".
	Software string
	// NotifyStarted, if set, is called once Serve reads its socket.
	NotifyStarted func()
}

// STUNServer is the lab's STUN server (RFC 8489): to a well-formed Binding
// request it answers where the request came from, in XOR-MAPPED-ADDRESS. It
// is not a TURN server (RFC 8656): it allocates nothing and relays nothing.
// Every other request gets an error response that says why (400 for a method
// other than Binding, 401 for MESSAGE-INTEGRITY, which it cannot check: it
// has no credentials; 420 for an unknown comprehension-required attribute;
// 400 for a FINGERPRINT that does not match, which RFC 8489 §7.3 would have
// it drop silently: the lab says so instead). Indications, responses and
// datagrams that are not STUN are dropped. It has the net/http lifecycle; its
// methods are safe for concurrent use.
type STUNServer struct {
	opts    STUNOptions
	started lab.Started
	closing atomic.Bool

	mu      sync.Mutex
	pc      net.PacketConn
	clients conns.Recent // the clients heard from lately, for Sessions
}

// NewSTUN returns a STUN server with opts.
func NewSTUN(opts STUNOptions) *STUNServer {
	if opts.Software == "" {
		opts.Software = "protolab STUN"
	}
	return &STUNServer{opts: opts}
}

// Started is closed once Serve reads its socket.
func (s *STUNServer) Started() <-chan struct{} { return s.started.C() }

// Serve answers the requests pc receives, tapped with STUNOptions.Tap, until
// Close or Shutdown (ErrServerClosed). It closes pc.
func (s *STUNServer) Serve(pc net.PacketConn) error {
	pc = s.opts.Tap.PacketConn(pc, lab.SideServer)
	s.mu.Lock()
	if s.closing.Load() || s.pc != nil {
		s.mu.Unlock()
		pc.Close()
		return ErrServerClosed
	}
	s.pc = pc
	s.mu.Unlock()
	s.started.Fire(s.opts.NotifyStarted)
	buf := make([]byte, 1500)
	for {
		n, addr, err := pc.ReadFrom(buf)
		if err != nil {
			if s.closing.Load() || errors.Is(err, net.ErrClosed) {
				return ErrServerClosed
			}
			return err
		}
		if answer := s.Answer(buf[:n], addr); answer != nil {
			pc.WriteTo(answer, addr)
		}
	}
}

// Answer returns the answer to the datagram b from addr, nil for none.
func (s *STUNServer) Answer(b []byte, addr net.Addr) []byte {
	if !pstun.IsMessage(b) {
		return nil // not STUN (RFC 8489 §6.3: no magic cookie)
	}
	m := &pstun.Message{Raw: append([]byte(nil), b...)}
	if err := m.Decode(); err != nil {
		return nil // malformed: no transaction to answer
	}
	if m.Type.Class != pstun.ClassRequest {
		return nil // indications and responses are never answered
	}
	s.clients.Heard(addr.String(), time.Now(), stunWindow)
	fail := func(code pstun.ErrorCode, reason string, extra ...pstun.Setter) []byte {
		setters := []pstun.Setter{pstun.NewTransactionIDSetter(m.TransactionID), pstun.NewType(m.Type.Method, pstun.ClassErrorResponse),
			pstun.ErrorCodeAttribute{Code: code, Reason: []byte(reason)}}
		setters = append(setters, extra...)
		return s.build(setters...)
	}
	if m.Contains(pstun.AttrFingerprint) {
		if err := pstun.Fingerprint.Check(m); err != nil {
			return fail(pstun.CodeBadRequest, "FINGERPRINT does not match the message (CRC-32, RFC 8489 §14.7): damaged in transit?")
		}
	}
	if m.Type.Method != pstun.MethodBinding {
		return fail(pstun.CodeBadRequest, fmt.Sprintf("this server answers only Binding requests, not %s: it is a STUN server, not TURN, and relays nothing", m.Type.Method))
	}
	if m.Contains(pstun.AttrMessageIntegrity) || m.Contains(pstun.AttrMessageIntegritySHA256) {
		return fail(pstun.CodeUnauthorized, "MESSAGE-INTEGRITY cannot be checked: this server has no credentials; send the Binding request without it")
	}
	var unknown pstun.UnknownAttributes
	for _, a := range m.Attributes {
		if a.Type.Required() && !known[a.Type] {
			unknown = append(unknown, a.Type)
		}
	}
	if len(unknown) > 0 {
		return fail(pstun.CodeUnknownAttribute, "unknown comprehension-required attributes (listed in UNKNOWN-ATTRIBUTES)", unknown)
	}
	ip, port := addrOf(addr)
	return s.build(pstun.NewTransactionIDSetter(m.TransactionID), pstun.BindingSuccess, &pstun.XORMappedAddress{IP: ip, Port: port})
}

// known are the comprehension-required attributes a Binding request may carry.
var known = map[pstun.AttrType]bool{
	pstun.AttrUsername: true, pstun.AttrPriority: true, pstun.AttrUseCandidate: true,
	pstun.AttrXORMappedAddress: true, pstun.AttrMappedAddress: true, pstun.AttrRealm: true, pstun.AttrNonce: true,
	pstun.AttrUserhash: true,
}

func (s *STUNServer) build(setters ...pstun.Setter) []byte {
	setters = append(setters, pstun.NewSoftware(s.opts.Software), pstun.Fingerprint)
	m, err := pstun.Build(setters...)
	if err != nil {
		return nil
	}
	return m.Raw
}

func addrOf(a net.Addr) (net.IP, int) {
	switch a := a.(type) {
	case *net.UDPAddr:
		return a.IP, a.Port
	}
	if ap, err := net.ResolveUDPAddr("udp", a.String()); err == nil {
		return ap.IP, ap.Port
	}
	return net.IPv4zero, 0
}

// Addr is the socket's address (nil before Serve).
func (s *STUNServer) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pc == nil {
		return nil
	}
	return s.pc.LocalAddr()
}

// stunWindow is how long a client counts as a session after its last request.
const stunWindow = 30 * time.Second

// Sessions is the number of clients heard from in the last 30 s.
func (s *STUNServer) Sessions() int { return s.clients.Count(time.Now(), stunWindow) }

// Close closes the socket.
func (s *STUNServer) Close() error {
	s.closing.Store(true)
	s.mu.Lock()
	pc := s.pc
	s.mu.Unlock()
	if pc != nil {
		return pc.Close()
	}
	return nil
}

// Shutdown closes the socket: a STUN server has no sessions to wait for.
func (s *STUNServer) Shutdown(context.Context) error { return s.Close() }

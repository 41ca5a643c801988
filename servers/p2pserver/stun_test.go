package p2pserver

import (
	"net"
	"strings"
	"testing"
	"time"

	pstun "github.com/pion/stun/v4"
	"github.com/protocollab/protolab/lab"
)

// stunAsk sends req to the STUN server at addr from c and returns the answer
// with the transaction ID of want (a dropped datagram has none: the next
// request's answer comes first).
func stunAsk(t *testing.T, c net.PacketConn, addr string, req []byte, want *pstun.Message) *pstun.Message {
	t.Helper()
	to, _ := net.ResolveUDPAddr("udp4", addr)
	if _, err := c.WriteTo(req, to); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1500)
	c.SetReadDeadline(time.Now().Add(10 * time.Second)) // a bound for a lost answer, not a speed check
	n, _, err := c.ReadFrom(buf)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	m := &pstun.Message{Raw: buf[:n]}
	if err := m.Decode(); err != nil {
		t.Fatal(err)
	}
	if m.TransactionID != want.TransactionID {
		t.Fatalf("answer to transaction %x, want %x", m.TransactionID, want.TransactionID)
	}
	return m
}

func mustBuild(t *testing.T, setters ...pstun.Setter) *pstun.Message {
	t.Helper()
	m, err := pstun.Build(append([]pstun.Setter{pstun.TransactionID}, setters...)...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSTUNServer: a well-formed Binding request is answered with the
// address it came from; anything else gets an error that says why, or,
// not being a request, nothing; and the server answers the next one.
func TestSTUNServer(t *testing.T) {
	hub := newHub()
	addr := startSTUN(t, NewSTUN(STUNOptions{Tap: hub.Tap(hub.Registry().Lookup("stun"))}))
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	good := func() {
		t.Helper()
		req := mustBuild(t, pstun.BindingRequest, pstun.Fingerprint)
		m := stunAsk(t, c, addr, req.Raw, req)
		var xor pstun.XORMappedAddress
		if err := xor.GetFrom(m); err != nil || m.Type != pstun.BindingSuccess || xor.String() != c.LocalAddr().String() {
			t.Errorf("Binding: %s, XOR-MAPPED-ADDRESS %s (%v); want success with %s", m.Type, xor, err, c.LocalAddr())
		}
		if err := pstun.Fingerprint.Check(m); err != nil {
			t.Errorf("the answer's FINGERPRINT: %v", err)
		}
	}
	good()

	badFP := mustBuild(t, pstun.BindingRequest, pstun.Fingerprint)
	badFP.Raw[len(badFP.Raw)-1] ^= 0xff
	allocate := mustBuild(t, pstun.NewType(pstun.MethodAllocate, pstun.ClassRequest), pstun.Fingerprint)
	signed := mustBuild(t, pstun.BindingRequest, pstun.NewUsername("alice:bob"), pstun.NewShortTermIntegrity("secret"), pstun.Fingerprint)
	unknown := mustBuild(t, pstun.BindingRequest, pstun.RawAttribute{Type: 0x7ff0, Value: []byte{1, 2, 3, 4}}, pstun.Fingerprint)
	for _, tt := range []struct {
		name string
		req  *pstun.Message
		code pstun.ErrorCode
		says string
	}{
		{"bad fingerprint", badFP, pstun.CodeBadRequest, "FINGERPRINT does not match"},
		{"Allocate", allocate, pstun.CodeBadRequest, "not TURN, and relays nothing"},
		{"MESSAGE-INTEGRITY", signed, pstun.CodeUnauthorized, "this server has no credentials"},
		{"unknown attribute", unknown, pstun.CodeUnknownAttribute, "unknown comprehension-required"},
	} {
		m := stunAsk(t, c, addr, tt.req.Raw, tt.req)
		var ec pstun.ErrorCodeAttribute
		if err := ec.GetFrom(m); err != nil || m.Type.Class != pstun.ClassErrorResponse || ec.Code != tt.code || !strings.Contains(string(ec.Reason), tt.says) {
			t.Errorf("%s: %s %d %q (%v); want error %d saying %q", tt.name, m.Type, ec.Code, ec.Reason, err, tt.code, tt.says)
		}
	}
	var ua pstun.UnknownAttributes
	if err := ua.GetFrom(stunAsk(t, c, addr, unknown.Raw, unknown)); err != nil || len(ua) != 1 || ua[0] != 0x7ff0 {
		t.Errorf("UNKNOWN-ATTRIBUTES = %v, %v; want 0x7ff0", ua, err)
	}

	// Not a request, not STUN: nothing, and the next request is answered first.
	to, _ := net.ResolveUDPAddr("udp4", addr)
	c.WriteTo([]byte("hello, is this STUN?"), to)
	c.WriteTo(mustBuild(t, pstun.NewType(pstun.MethodBinding, pstun.ClassIndication)).Raw, to)
	good()

	hub.Settle()
	var summaries []string
	for _, e := range hub.Events(0) {
		if e.Kind == lab.KindMessage {
			summaries = append(summaries, e.Msg.Summary)
		}
	}
	all := strings.Join(summaries, "\n")
	for _, want := range []string{"Binding success response (" + c.LocalAddr().String(), "Allocate error response", "400", "401", "420"} {
		if !strings.Contains(all, want) {
			t.Errorf("the capture has no %q:\n%s", want, all)
		}
	}
}

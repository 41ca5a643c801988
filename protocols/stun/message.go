package stun

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"github.com/protocollab/protolab/lab"
)

// MagicCookie is the fixed value of every RFC 5389/8489 STUN header (§5).
const MagicCookie = 0x2112A442

// HeaderLen is the length of a STUN header (RFC 8489 §5).
const HeaderLen = 20

// The classes of a STUN message (RFC 8489 §5).
const (
	ClassRequest = iota
	ClassIndication
	ClassSuccess
	ClassError
)

var classNames = [...]string{"request", "indication", "success response", "error response"}

// Header is a parsed STUN header.
type Header struct {
	Type   uint16
	Class  int
	Method uint16
	Length int
	Cookie uint32
	TxID   [12]byte
}

// MethodName names a STUN method (RFC 8489 §18.2, TURN's of RFC 8656).
func MethodName(m uint16) string {
	switch m {
	case 0x001:
		return "Binding"
	case 0x003:
		return "Allocate"
	case 0x004:
		return "Refresh"
	case 0x006:
		return "Send"
	case 0x007:
		return "Data"
	case 0x008:
		return "CreatePermission"
	case 0x009:
		return "ChannelBind"
	}
	return fmt.Sprintf("method 0x%03x", m)
}

// ParseHeader reads a STUN header from b and checks what makes it STUN: the two
// top bits zero, the magic cookie, a length that is a multiple of 4 and fits b.
func ParseHeader(b []byte) (Header, error) {
	var h Header
	if len(b) < HeaderLen {
		return h, fmt.Errorf("%d bytes are too few for a STUN header, which takes 20", len(b))
	}
	h.Type = binary.BigEndian.Uint16(b)
	if h.Type>>14 != 0 {
		return h, fmt.Errorf("the first two bits are not zero (type 0x%04x)", h.Type)
	}
	h.Class = int(h.Type>>7&2 | h.Type>>4&1)
	h.Method = h.Type&0xf | h.Type>>1&0x70 | h.Type>>2&0xf80
	h.Length = int(binary.BigEndian.Uint16(b[2:]))
	h.Cookie = binary.BigEndian.Uint32(b[4:])
	copy(h.TxID[:], b[8:20])
	switch {
	case h.Cookie != MagicCookie:
		return h, fmt.Errorf("the magic cookie is 0x%08x, not 0x2112a442", h.Cookie)
	case h.Length%4 != 0:
		return h, fmt.Errorf("the length %d is not a multiple of 4", h.Length)
	case HeaderLen+h.Length != len(b):
		return h, fmt.Errorf("the header says %d bytes of attributes, the datagram holds %d", h.Length, len(b)-HeaderLen)
	}
	return h, nil
}

// Name is the message's kind as a person reads it: "Binding request".
func (h Header) Name() string { return MethodName(h.Method) + " " + classNames[h.Class] }

// Tx is the transaction ID in hex, how requests and responses are paired.
func (h Header) Tx() string { return hex.EncodeToString(h.TxID[:]) }

// Frame builds the message of one datagram b: a whole STUN message, or a
// malformed one with the reason. attrs says what the attributes told (for the
// analyzer's state).
func Frame(dir lab.Dir, b []byte) (lab.Message, Attrs) {
	m := lab.Message{Dir: dir, Raw: b, Observed: true, Ref: "RFC 8489 §5"}
	h, err := ParseHeader(b)
	if err != nil {
		m.Summary = "malformed STUN message: " + err.Error()
		m.Meaning = "This datagram starts as a STUN message would, but it is not one: " + err.Error() + ". The receiver drops it."
		return m, Attrs{}
	}
	m.Summary = h.Name()
	m.Fields = []lab.Field{
		{Name: "header", Value: h.Name(), Off: 0, Len: HeaderLen},
		{Name: "message type", Value: fmt.Sprintf("0x%04x: %s, class %s", h.Type, MethodName(h.Method), classNames[h.Class]), Off: 0, Len: 2},
		{Name: "message length", Value: fmt.Sprintf("%d bytes of attributes", h.Length), Off: 2, Len: 2},
		{Name: "magic cookie", Value: "0x2112a442", Off: 4, Len: 4},
		{Name: "transaction ID", Value: h.Tx(), Off: 8, Len: 12},
	}
	at, err := parseAttrs(&m, h, b)
	m.Meaning = meaning(h, at)
	if err != nil {
		m.Summary = "malformed " + h.Name() + ": " + err.Error()
		m.Meaning = "The message's attributes do not add up: " + err.Error() + ". A STUN agent drops such a message (RFC 8489 §6.3)."
	}
	switch h.Class {
	case ClassRequest:
		m.Role, m.Pair = lab.RoleRequest, h.Tx()
	case ClassSuccess, ClassError:
		m.Role, m.Pair = lab.RoleAnswer, h.Tx()
	}
	m.Summary += at.summary()
	return m, at
}

func meaning(h Header, at Attrs) string {
	switch {
	case h.Method != 1:
		return "A STUN message of method " + MethodName(h.Method) + " (TURN's, RFC 8656): the lab shows its attributes."
	case h.Class == ClassRequest && at.Username != "":
		s := "An ICE connectivity check (RFC 8445 §7.2.2): the sender asks the peer to answer on this pair of " +
			"addresses; USERNAME names both peers' ICE fragments and MESSAGE-INTEGRITY proves it knows the peer's password."
		if at.UseCandidate {
			s += " USE-CANDIDATE nominates this pair: once answered, the peers send their data over it (§8.1.1)."
		}
		return s
	case h.Class == ClassRequest:
		return "A binding request (RFC 8489 §3): the sender asks which address and port its datagram came from."
	case h.Class == ClassSuccess:
		return "The binding succeeded: XOR-MAPPED-ADDRESS tells the requester the address and port its request came " +
			"from as the responder saw them (its reflexive address, RFC 8489 §14.2)."
	case h.Class == ClassError:
		return "The binding failed: ERROR-CODE says why (RFC 8489 §14.8)."
	}
	return "A binding indication: a keepalive that asks for no answer (RFC 8489 §3, RFC 8445 §11)."
}

package stun

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"net/netip"
	"strconv"
	"strings"

	"github.com/protocollab/protolab/lab"
)

// Attribute types (RFC 8489 §18.3, RFC 8445 §16.1, RFC 8656 §18).
const (
	AttrMappedAddress       = 0x0001
	AttrUsername            = 0x0006
	AttrMessageIntegrity    = 0x0008
	AttrErrorCode           = 0x0009
	AttrUnknownAttributes   = 0x000A
	AttrRealm               = 0x0014
	AttrNonce               = 0x0015
	AttrMessageIntegrity256 = 0x001C
	AttrXORMappedAddress    = 0x0020
	AttrPriority            = 0x0024
	AttrUseCandidate        = 0x0025
	AttrSoftware            = 0x8022
	AttrAlternateServer     = 0x8023
	AttrFingerprint         = 0x8028
	AttrICEControlled       = 0x8029
	AttrICEControlling      = 0x802A
)

var attrNames = map[uint16]string{
	AttrMappedAddress: "MAPPED-ADDRESS", AttrUsername: "USERNAME", AttrMessageIntegrity: "MESSAGE-INTEGRITY",
	AttrErrorCode: "ERROR-CODE", AttrUnknownAttributes: "UNKNOWN-ATTRIBUTES", AttrRealm: "REALM", AttrNonce: "NONCE",
	AttrMessageIntegrity256: "MESSAGE-INTEGRITY-SHA256", AttrXORMappedAddress: "XOR-MAPPED-ADDRESS",
	AttrPriority: "PRIORITY", AttrUseCandidate: "USE-CANDIDATE", AttrSoftware: "SOFTWARE",
	AttrAlternateServer: "ALTERNATE-SERVER", AttrFingerprint: "FINGERPRINT", AttrICEControlled: "ICE-CONTROLLED",
	AttrICEControlling: "ICE-CONTROLLING",
	0x000C:             "CHANNEL-NUMBER", 0x000D: "LIFETIME", 0x0012: "XOR-PEER-ADDRESS", 0x0013: "DATA",
	0x0016: "XOR-RELAYED-ADDRESS", 0x0019: "REQUESTED-TRANSPORT", 0x001D: "PASSWORD-ALGORITHM",
	0x001E: "USERHASH", 0x8002: "PASSWORD-ALGORITHMS", 0x8003: "ALTERNATE-DOMAIN", 0xC057: "GOOG-NETWORK-INFO",
}

// AttrName names an attribute type; unknown ones by number.
func AttrName(t uint16) string {
	if n, ok := attrNames[t]; ok {
		return n
	}
	return fmt.Sprintf("attribute 0x%04x", t)
}

// fingerprintXOR is what FINGERPRINT's CRC-32 is XORed with (RFC 8489 §14.7).
const fingerprintXOR = 0x5354554e

// Attrs is what a message's attributes told.
type Attrs struct {
	Mapped       string // XOR-MAPPED-ADDRESS (or MAPPED-ADDRESS) as ip:port
	Username     string
	UseCandidate bool
	Error        string // "401 Unauthorized"
	Fingerprint  string // "" (none), "matches" or "does not match"
	Unknown      []string
	Integrity    int // where MESSAGE-INTEGRITY starts in the message; 0: none
}

func (a Attrs) summary() string {
	var parts []string
	if a.Mapped != "" {
		parts = append(parts, a.Mapped)
	}
	if a.Username != "" {
		parts = append(parts, "user "+a.Username)
	}
	if a.UseCandidate {
		parts = append(parts, "USE-CANDIDATE")
	}
	if a.Error != "" {
		parts = append(parts, a.Error)
	}
	if a.Fingerprint == "does not match" {
		parts = append(parts, "bad FINGERPRINT")
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// parseAttrs frames b's attributes into m's fields.
func parseAttrs(m *lab.Message, h Header, b []byte) (Attrs, error) {
	var at Attrs
	for off := HeaderLen; off < len(b); {
		if len(b)-off < 4 {
			return at, fmt.Errorf("%d bytes at offset %d are too few for an attribute header", len(b)-off, off)
		}
		typ := binary.BigEndian.Uint16(b[off:])
		n := int(binary.BigEndian.Uint16(b[off+2:]))
		padded := (n + 3) &^ 3
		if off+4+padded > len(b) {
			return at, fmt.Errorf("%s at offset %d says %d bytes, only %d follow", AttrName(typ), off, n, len(b)-off-4)
		}
		v := b[off+4 : off+4+n]
		name := AttrName(typ)
		value, err := at.explain(typ, v, h, b, off)
		if err != nil {
			value = "malformed: " + err.Error()
		}
		m.Fields = append(m.Fields,
			lab.Field{Name: name, Value: value, Off: off, Len: 4 + padded},
			lab.Field{Name: name + " type", Value: fmt.Sprintf("0x%04x", typ), Off: off, Len: 2},
			lab.Field{Name: name + " length", Value: strconv.Itoa(n), Off: off + 2, Len: 2})
		if n > 0 {
			m.Fields = append(m.Fields, lab.Field{Name: name + " value", Value: rawValue(typ, v), Off: off + 4, Len: n})
		}
		off += 4 + padded
	}
	return at, nil
}

// explain says what one attribute's value v holds; off is where the attribute
// starts in the message b.
func (at *Attrs) explain(typ uint16, v []byte, h Header, b []byte, off int) (string, error) {
	switch typ {
	case AttrMappedAddress, AttrAlternateServer:
		ap, err := address(v, nil)
		if err != nil {
			return "", err
		}
		if typ == AttrMappedAddress && at.Mapped == "" {
			at.Mapped = ap
		}
		return ap, nil
	case AttrXORMappedAddress, 0x0012, 0x0016:
		var mask [16]byte
		binary.BigEndian.PutUint32(mask[:], MagicCookie)
		copy(mask[4:], h.TxID[:])
		ap, err := address(v, mask[:])
		if err != nil {
			return "", err
		}
		if typ == AttrXORMappedAddress {
			at.Mapped = ap
			return ap + " (XORed with the magic cookie" + map[bool]string{true: " and transaction ID", false: ""}[len(v) == 20] + ", so middleboxes do not rewrite it)", nil
		}
		return ap, nil
	case AttrUsername:
		at.Username = string(v)
		if l, r, ok := strings.Cut(at.Username, ":"); ok {
			return fmt.Sprintf("%q: the receiver's ICE fragment %q, then the sender's %q (RFC 8445 §7.2.2)", at.Username, l, r), nil
		}
		return strconv.Quote(at.Username), nil
	case AttrMessageIntegrity, AttrMessageIntegrity256:
		if typ == AttrMessageIntegrity && len(v) == 20 && at.Integrity == 0 {
			at.Integrity = off
		}
		return "HMAC " + hex.EncodeToString(v) + ": keyed with the ICE password, over the message up to here; a receiver without the right password drops the message", nil
	case AttrFingerprint:
		if len(v) != 4 {
			return "", errors.New("FINGERPRINT is not 4 bytes long")
		}
		got := binary.BigEndian.Uint32(v)
		want := crc32.ChecksumIEEE(b[:off]) ^ fingerprintXOR
		if got == want {
			at.Fingerprint = "matches"
			return fmt.Sprintf("0x%08x: matches the CRC-32 of the message before it XOR 0x5354554e, so this is STUN, not a look-alike", got), nil
		}
		at.Fingerprint = "does not match"
		return fmt.Sprintf("0x%08x: does not match 0x%08x, the CRC-32 of the message before it XOR 0x5354554e: the receiver drops it", got, want), nil
	case AttrPriority:
		if len(v) != 4 {
			return "", errors.New("PRIORITY is not 4 bytes long")
		}
		p := binary.BigEndian.Uint32(v)
		return fmt.Sprintf("%d: the priority of a peer-reflexive candidate for this address (type preference %d, RFC 8445 §5.1.2)", p, p>>24), nil
	case AttrUseCandidate:
		at.UseCandidate = true
		return "the controlling agent nominates this pair (RFC 8445 §7.2.2)", nil
	case AttrICEControlling, AttrICEControlled:
		if len(v) != 8 {
			return "", errors.New("the tie-breaker is not 8 bytes long")
		}
		role := map[bool]string{true: "controlling", false: "controlled"}[typ == AttrICEControlling]
		return fmt.Sprintf("the sender is the %s agent, tie-breaker 0x%016x (the larger wins a role conflict, RFC 8445 §7.3.1.1)", role, binary.BigEndian.Uint64(v)), nil
	case AttrErrorCode:
		if len(v) < 4 {
			return "", errors.New("ERROR-CODE is shorter than 4 bytes")
		}
		code := int(v[2]&7)*100 + int(v[3])
		reason := string(v[4:])
		at.Error = fmt.Sprintf("%d %s", code, reason)
		return fmt.Sprintf("%d %q: %s", code, reason, errorMeaning(code)), nil
	case AttrSoftware, AttrRealm, AttrNonce:
		return strconv.Quote(string(v)), nil
	case AttrUnknownAttributes:
		var names []string
		for i := 0; i+2 <= len(v); i += 2 {
			names = append(names, AttrName(binary.BigEndian.Uint16(v[i:])))
		}
		return "the request had attributes the server must understand and does not: " + strings.Join(names, ", "), nil
	}
	if _, ok := attrNames[typ]; !ok {
		at.Unknown = append(at.Unknown, fmt.Sprintf("0x%04x", typ))
		req := "comprehension-optional: a receiver that does not know it ignores it"
		if typ < 0x8000 {
			req = "comprehension-required: a receiver that does not know it must answer 420 Unknown Attribute"
		}
		return fmt.Sprintf("unknown attribute, %d bytes %s (%s)", len(v), hex.EncodeToString(v), req), nil
	}
	return hex.EncodeToString(v), nil
}

// address decodes a (XOR-)MAPPED-ADDRESS value: mask, when set, is the magic
// cookie and transaction ID it was XORed with (RFC 8489 §14.1, §14.2).
func address(v, mask []byte) (string, error) {
	if len(v) < 4 {
		return "", errors.New("an address attribute is shorter than 4 bytes")
	}
	port := binary.BigEndian.Uint16(v[2:])
	var ip []byte
	switch v[1] {
	case 1:
		if len(v) != 8 {
			return "", errors.New("an IPv4 address attribute is not 8 bytes long")
		}
	case 2:
		if len(v) != 20 {
			return "", errors.New("an IPv6 address attribute is not 20 bytes long")
		}
	default:
		return "", fmt.Errorf("address family %d is neither IPv4 (1) nor IPv6 (2)", v[1])
	}
	ip = append(ip, v[4:]...)
	if mask != nil {
		port ^= MagicCookie >> 16
		for i := range ip {
			ip[i] ^= mask[i]
		}
	}
	addr, _ := netip.AddrFromSlice(ip)
	return netip.AddrPortFrom(addr, port).String(), nil
}

func errorMeaning(code int) string {
	switch code {
	case 300:
		return "try the server in ALTERNATE-SERVER"
	case 400:
		return "the request was malformed"
	case 401:
		return "the request lacked credentials or they were wrong (MESSAGE-INTEGRITY did not check out)"
	case 420:
		return "the request had a comprehension-required attribute the server does not know (UNKNOWN-ATTRIBUTES lists them)"
	case 438:
		return "the NONCE is stale: retry with the new one"
	case 487:
		return "both ICE agents claimed the same role; the sender of the request must switch (RFC 8445 §7.3.1.1)"
	case 500:
		return "the server had a temporary error"
	}
	return "see RFC 8489 §14.8"
}

// rawValue is an attribute's value as it is on the wire: text quoted, the rest in hex.
func rawValue(typ uint16, v []byte) string {
	switch typ {
	case AttrUsername, AttrSoftware, AttrRealm, AttrNonce:
		return strconv.Quote(string(v))
	}
	if len(v) > 64 {
		return hex.EncodeToString(v[:64]) + "…"
	}
	return hex.EncodeToString(v)
}

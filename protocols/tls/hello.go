package tls

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"golang.org/x/crypto/cryptobyte"
)

// helloRetryRandom is the ServerHello random that marks a HelloRetryRequest:
// SHA-256 of "HelloRetryRequest" (RFC 8446 §4.1.3).
var helloRetryRandom = sha256.Sum256([]byte("HelloRetryRequest"))

// clientHello is what the analyzer reads from a ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2).
type clientHello struct {
	version    uint16
	random     []byte
	sessionID  []byte
	suites     []uint16
	sni        string
	alpn       []string
	versions   []uint16 // supported_versions
	groups     []uint16
	keyShares  []string // "X25519 (32 bytes)"
	sigAlgs    []uint16
	extensions []uint16
	exts       []extension // each extension with where it lies
	extAt      int         // where the extensions (their length first) lie in the body
	extLen     int         // and how many bytes they take, their length included
}

// serverHello is what the analyzer reads from a ServerHello (RFC 8446 §4.1.3, RFC 5246 §7.4.1.3).
type serverHello struct {
	legacy     uint16
	version    uint16 // the chosen one: supported_versions if present
	random     []byte
	sessionID  []byte
	suite      uint16
	alpn       string
	keyShare   uint16 // the group of the server's share, or the one a HelloRetryRequest asks for
	retry      bool
	extensions []uint16
}

func parseClientHello(body []byte) (*clientHello, error) {
	s := cryptobyte.String(body)
	h := &clientHello{}
	var random, sid, suites, comp cryptobyte.String
	if !s.ReadUint16(&h.version) || !s.ReadBytes((*[]byte)(&random), 32) ||
		!s.ReadUint8LengthPrefixed(&sid) || !s.ReadUint16LengthPrefixed(&suites) ||
		!s.ReadUint8LengthPrefixed(&comp) {
		return nil, fmt.Errorf("the fixed fields are cut short")
	}
	h.random, h.sessionID = random, sid
	for !suites.Empty() {
		var id uint16
		if !suites.ReadUint16(&id) {
			return nil, fmt.Errorf("the cipher suite list has an odd length")
		}
		h.suites = append(h.suites, id)
	}
	if s.Empty() {
		return h, nil // no extensions: an old client
	}
	h.extAt, h.extLen = len(body)-len(s), len(s)
	exts, err := readExtensions(&s, h.extAt)
	if err != nil {
		return nil, err
	}
	h.exts = exts
	for _, e := range exts {
		h.extensions = append(h.extensions, e.typ)
		d := cryptobyte.String(e.data)
		ok := true
		switch e.typ {
		case extServerName:
			var names cryptobyte.String
			ok = d.ReadUint16LengthPrefixed(&names)
			for ok && !names.Empty() {
				var typ uint8
				var name cryptobyte.String
				ok = names.ReadUint8(&typ) && names.ReadUint16LengthPrefixed(&name)
				if ok && typ == 0 {
					h.sni = printable(name)
				}
			}
		case extALPN:
			var protos cryptobyte.String
			ok = d.ReadUint16LengthPrefixed(&protos)
			for ok && !protos.Empty() {
				var p cryptobyte.String
				ok = protos.ReadUint8LengthPrefixed(&p)
				h.alpn = append(h.alpn, printable(p))
			}
		case extSupportedVersions:
			var vs cryptobyte.String
			ok = d.ReadUint8LengthPrefixed(&vs)
			h.versions, ok = readUint16s(vs, ok)
		case extSupportedGroups:
			var gs cryptobyte.String
			ok = d.ReadUint16LengthPrefixed(&gs)
			h.groups, ok = readUint16s(gs, ok)
		case extSignatureAlgorithms:
			var ss cryptobyte.String
			ok = d.ReadUint16LengthPrefixed(&ss)
			h.sigAlgs, ok = readUint16s(ss, ok)
		case extKeyShare:
			var ks cryptobyte.String
			ok = d.ReadUint16LengthPrefixed(&ks)
			for ok && !ks.Empty() {
				var g uint16
				var key cryptobyte.String
				ok = ks.ReadUint16(&g) && ks.ReadUint16LengthPrefixed(&key)
				h.keyShares = append(h.keyShares, fmt.Sprintf("%s (%d bytes)", groupName(g), len(key)))
			}
		}
		if !ok {
			return nil, fmt.Errorf("the %s extension is malformed", extensionName(e.typ))
		}
	}
	return h, nil
}

func parseServerHello(body []byte) (*serverHello, error) {
	s := cryptobyte.String(body)
	h := &serverHello{}
	var random, sid cryptobyte.String
	var comp uint8
	if !s.ReadUint16(&h.legacy) || !s.ReadBytes((*[]byte)(&random), 32) ||
		!s.ReadUint8LengthPrefixed(&sid) || !s.ReadUint16(&h.suite) || !s.ReadUint8(&comp) {
		return nil, fmt.Errorf("the fixed fields are cut short")
	}
	h.random, h.sessionID, h.version = random, sid, h.legacy
	h.retry = bytes.Equal(random, helloRetryRandom[:])
	if s.Empty() {
		return h, nil
	}
	exts, err := readExtensions(&s, len(body)-len(s))
	if err != nil {
		return nil, err
	}
	for _, e := range exts {
		h.extensions = append(h.extensions, e.typ)
		d := cryptobyte.String(e.data)
		ok := true
		switch e.typ {
		case extSupportedVersions:
			ok = d.ReadUint16(&h.version)
		case extALPN:
			h.alpn, ok = readALPNChoice(d)
		case extKeyShare:
			ok = d.ReadUint16(&h.keyShare) // the rest is the server's share; a HelloRetryRequest has only the group
		}
		if !ok {
			return nil, fmt.Errorf("the %s extension is malformed", extensionName(e.typ))
		}
	}
	return h, nil
}

// readALPNChoice reads the one protocol a server's ALPN extension names (RFC 7301 §3.1).
func readALPNChoice(d cryptobyte.String) (string, bool) {
	var protos, p cryptobyte.String
	if !d.ReadUint16LengthPrefixed(&protos) || !protos.ReadUint8LengthPrefixed(&p) {
		return "", false
	}
	return printable(p), true
}

type extension struct {
	typ  uint16
	data []byte
	at   int // where the extension (its type first) lies in the message body
}

// readExtensions reads the extensions at the start of s, which lies at base in
// the message body.
func readExtensions(s *cryptobyte.String, base int) ([]extension, error) {
	var exts cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&exts) {
		return nil, fmt.Errorf("the extensions' length runs past the message")
	}
	var out []extension
	n := len(exts)
	for !exts.Empty() {
		e := extension{at: base + 2 + n - len(exts)}
		var d cryptobyte.String
		if !exts.ReadUint16(&e.typ) || !exts.ReadUint16LengthPrefixed(&d) {
			return nil, fmt.Errorf("an extension's length runs past the extensions")
		}
		e.data = d
		out = append(out, e)
	}
	return out, nil
}

func readUint16s(s cryptobyte.String, ok bool) ([]uint16, bool) {
	var out []uint16
	for ok && !s.Empty() {
		var v uint16
		ok = s.ReadUint16(&v)
		out = append(out, v)
	}
	return out, ok
}

// printable is a name from the wire made safe to show: control bytes escaped, bounded.
func printable(b []byte) string {
	if len(b) > 255 {
		b = b[:255]
	}
	var sb strings.Builder
	for _, c := range b {
		if c < 0x20 || c >= 0x7f {
			fmt.Fprintf(&sb, `\x%02x`, c)
		} else {
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

func hexOrEmpty(b []byte) string {
	if len(b) == 0 {
		return "(empty)"
	}
	return hex.EncodeToString(b)
}

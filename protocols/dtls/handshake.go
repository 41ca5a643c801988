package dtls

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/tls"
	"golang.org/x/crypto/cryptobyte"
)

// handshakeHeaderLen is the length of a DTLS handshake message header (RFC 6347 §4.2.2).
const handshakeHeaderLen = 12

// handshakes frames the handshake messages in one record's body (decrypted
// when it was under the new keys).
func (a *Analyzer) handshakes(base lab.Message, body []byte, decrypted bool) {
	off := RecordHeaderLen
	if decrypted {
		off = 0 // the fields point into the plaintext, not the record
		base.Raw = body
		base.Fields = base.Fields[:0:0]
	}
	for len(body) > 0 {
		m := base
		m.Fields = append([]lab.Field(nil), base.Fields...)
		m.Handshake = true
		if len(body) < handshakeHeaderLen {
			m.Summary = "malformed handshake message: its header is cut off"
			m.Meaning = "A handshake message starts with 12 bytes of header (type, length, message sequence, fragment offset and length); fewer are left."
			a.out = append(a.out, m)
			return
		}
		typ := body[0]
		length := uint24(body[1:])
		mseq := int(body[4])<<8 | int(body[5])
		fragOff, fragLen := uint24(body[6:]), uint24(body[9:])
		if handshakeHeaderLen+fragLen > len(body) {
			m.Summary = "malformed " + tls.HandshakeName(typ) + ": the fragment runs past the record"
			m.Meaning = fmt.Sprintf("The fragment says %d bytes, the record holds %d.", fragLen, len(body)-handshakeHeaderLen)
			a.out = append(a.out, m)
			return
		}
		msg := body[handshakeHeaderLen : handshakeHeaderLen+fragLen]
		name := tls.HandshakeName(typ)
		m.Fields = append(m.Fields,
			lab.Field{Name: "handshake message", Value: name, Off: off, Len: handshakeHeaderLen + fragLen},
			lab.Field{Name: "handshake type", Value: fmt.Sprintf("%d (%s)", typ, name), Off: off, Len: 1},
			lab.Field{Name: "handshake length", Value: fmt.Sprintf("%d bytes", length), Off: off + 1, Len: 3},
			lab.Field{Name: "message sequence", Value: fmt.Sprint(mseq), Off: off + 4, Len: 2},
			lab.Field{Name: "fragment offset", Value: fmt.Sprint(fragOff), Off: off + 6, Len: 3},
			lab.Field{Name: "fragment length", Value: fmt.Sprint(fragLen), Off: off + 9, Len: 3})
		m.Summary = name
		again := a.seenBefore(m.Dir, mseq, fragOff)
		var whole *lab.Message
		if fragOff != 0 || fragLen != length {
			m.Summary = fmt.Sprintf("%s fragment (bytes %d–%d of %d)", name, fragOff, fragOff+fragLen, length)
			m.Meaning = "A piece of a handshake message too large for one datagram; the receiver puts the pieces together (RFC 6347 §4.2.3)."
			if !again {
				whole = a.reassemble(m, typ, length, mseq, fragOff, msg, decrypted)
			}
		} else {
			a.handshake(&m, typ, msg, off+handshakeHeaderLen, decrypted)
		}
		if again {
			m.Summary += " (retransmitted)"
			m.Meaning = "Sent again: the sender did not hear the answer to its flight in time and retransmits it whole (RFC 6347 §4.2.4). " + m.Meaning
		}
		a.out = append(a.out, m)
		if whole != nil {
			a.out = append(a.out, *whole)
		}
		off += handshakeHeaderLen + fragLen
		body = body[handshakeHeaderLen+fragLen:]
	}
}

func uint24(b []byte) int { return int(b[0])<<16 | int(b[1])<<8 | int(b[2]) }

// handshake explains one whole handshake message msg, which lies at off in m.Raw.
func (a *Analyzer) handshake(m *lab.Message, typ uint8, msg []byte, off int, decrypted bool) {
	var err error
	switch typ {
	case tls.HandshakeClientHello:
		a.clientDir = m.Dir
		err = a.clientHello(m, msg, off)
	case tls.HandshakeHelloVerifyRequest:
		m.Ref = "RFC 6347 §4.2.1"
		err = helloVerifyRequest(m, msg, off)
		a.state.Move(m, StateCookie)
	case tls.HandshakeServerHello:
		err = a.serverHello(m, msg, off)
	case tls.HandshakeCertificate:
		err = certificate(m, msg, off)
	case tls.HandshakeServerKeyExchange:
		m.Ref = "RFC 8422 §5.4"
		err = serverKeyExchange(m, msg, off)
	case tls.HandshakeCertificateRequest:
		m.Ref = "RFC 5246 §7.4.4"
		m.Meaning = "The server asks the client for a certificate too: in WebRTC both peers prove they hold the key whose fingerprint their SDP announced (RFC 8827 §6.5)."
		certificateRequest(m, msg, off)
	case tls.HandshakeServerHelloDone:
		m.Ref = "RFC 5246 §7.4.5"
		m.Meaning = "The server has said all it has to say in this flight; the client answers with its key share."
		a.state.Move(m, StateNegotiating)
	case tls.HandshakeClientKeyExchange:
		m.Ref = "RFC 8422 §5.7"
		m.Meaning = "The client's ephemeral public key: with the server's, each side now computes the same premaster secret, and from it the master secret and the record keys."
		if len(msg) > 1 {
			m.Fields = append(m.Fields, lab.Field{Name: "client public key", Value: fmt.Sprintf("%d bytes", msg[0]), Off: off, Len: len(msg)})
		}
	case tls.HandshakeCertificateVerify:
		m.Ref = "RFC 5246 §7.4.8"
		m.Meaning = "The client signs the handshake so far with its certificate's key: it proves it holds the key the certificate names."
		if len(msg) >= 4 {
			m.Fields = append(m.Fields, lab.Field{Name: "signature algorithm", Value: tls.SignatureName(uint16(msg[0])<<8 | uint16(msg[1])), Off: off, Len: 2},
				lab.Field{Name: "signature", Value: fmt.Sprintf("%d bytes", len(msg)-4), Off: off + 4, Len: len(msg) - 4})
		}
	case tls.HandshakeFinished:
		m.Ref = "RFC 5246 §7.4.9"
		m.Meaning = "Finished, decrypted: a MAC over the whole handshake under the new keys; when both sides' check out, the handshake is complete."
		m.Fields = append(m.Fields, lab.Field{Name: "verify data", Value: hex.EncodeToString(msg), Off: off, Len: len(msg)})
	default:
		m.Meaning = "A handshake message the lab shows as bytes."
	}
	if err != nil {
		m.Summary = "malformed " + m.Summary + ": " + err.Error()
		m.Meaning = "The message does not parse: " + err.Error() + "."
	}
}

// reader reads a handshake body and knows where it is in m.Raw.
type reader struct {
	s    cryptobyte.String
	n    int // the body's length
	base int // where the body lies in m.Raw
}

func (r *reader) at() int { return r.base + r.n - len(r.s) }

var errShort = fmt.Errorf("a field runs past the message")

func (a *Analyzer) clientHello(m *lab.Message, msg []byte, off int) error {
	m.Ref = "RFC 6347 §4.2.2"
	r := reader{s: msg, n: len(msg), base: off}
	var ver uint16
	var random, sid, cookie, suites, comp cryptobyte.String
	p0 := r.at()
	if !r.s.ReadUint16(&ver) || !r.s.ReadBytes((*[]byte)(&random), 32) {
		return errShort
	}
	m.Fields = append(m.Fields, lab.Field{Name: "client version", Value: versionName(ver), Off: p0, Len: 2},
		lab.Field{Name: "client random", Value: hex.EncodeToString(random), Off: p0 + 2, Len: 32})
	p := r.at()
	if !r.s.ReadUint8LengthPrefixed(&sid) {
		return errShort
	}
	m.Fields = append(m.Fields, lab.Field{Name: "session ID", Value: orEmpty(sid), Off: p, Len: r.at() - p})
	p = r.at()
	if !r.s.ReadUint8LengthPrefixed(&cookie) {
		return errShort
	}
	m.Fields = append(m.Fields, lab.Field{Name: "cookie", Value: orEmpty(cookie), Off: p, Len: r.at() - p})
	p = r.at()
	if !r.s.ReadUint16LengthPrefixed(&suites) {
		return errShort
	}
	var ids []uint16
	for s := suites; len(s) >= 2; s = s[2:] {
		ids = append(ids, uint16(s[0])<<8|uint16(s[1]))
	}
	m.Fields = append(m.Fields, lab.Field{Name: "cipher suites", Value: tls.List(ids, tls.SuiteName, 16), Off: p, Len: r.at() - p})
	p = r.at()
	if !r.s.ReadUint8LengthPrefixed(&comp) {
		return errShort
	}
	m.Fields = append(m.Fields, lab.Field{Name: "compression methods", Value: hex.EncodeToString(comp), Off: p, Len: r.at() - p})
	exts, err := r.extensions(m)
	if len(cookie) == 0 {
		m.Summary = "ClientHello"
		m.Meaning = "The client opens the handshake: its random, the cipher suites it offers and its extensions. A WebRTC server first answers with a cookie, so a forged source address cannot make it do work (RFC 6347 §4.2.1)."
	} else {
		m.Summary = "ClientHello (with cookie)"
		m.Meaning = "The client repeats its hello with the server's cookie: it proves it receives at the address it claims, and the server now does the work of a handshake."
	}
	if strings.Contains(exts, "use_srtp") {
		m.Meaning += " use_srtp offers keys for SRTP media from this handshake (RFC 5764)."
	}
	a.clientRandom = append([]byte(nil), random...)
	a.state.Move(m, StateHello)
	return err
}

func (a *Analyzer) serverHello(m *lab.Message, msg []byte, off int) error {
	m.Ref = "RFC 5246 §7.4.1.3"
	r := reader{s: msg, n: len(msg), base: off}
	var ver, suite uint16
	var random, sid cryptobyte.String
	var comp uint8
	p0 := r.at()
	if !r.s.ReadUint16(&ver) || !r.s.ReadBytes((*[]byte)(&random), 32) || !r.s.ReadUint8LengthPrefixed(&sid) {
		return errShort
	}
	p := r.at()
	if !r.s.ReadUint16(&suite) || !r.s.ReadUint8(&comp) {
		return errShort
	}
	m.Fields = append(m.Fields, lab.Field{Name: "server version", Value: versionName(ver), Off: p0, Len: 2},
		lab.Field{Name: "server random", Value: hex.EncodeToString(random), Off: p0 + 2, Len: 32},
		lab.Field{Name: "session ID", Value: orEmpty(sid), Off: p0 + 34, Len: 1 + len(sid)},
		lab.Field{Name: "cipher suite", Value: tls.SuiteName(suite), Off: p, Len: 2},
		lab.Field{Name: "compression method", Value: fmt.Sprint(comp), Off: p + 2, Len: 1})
	a.serverRandom, a.suite = append([]byte(nil), random...), suite
	m.Summary = "ServerHello: " + tls.SuiteName(suite)
	m.Meaning = "The server chooses the cipher suite and extensions from the client's offer and sends its own random."
	a.state.Move(m, StateNegotiating)
	if len(r.s) == 0 {
		return nil
	}
	_, err := r.extensions(m)
	return err
}

// extensions frames a hello's extensions and returns their names.
func (r *reader) extensions(m *lab.Message) (string, error) {
	if r.s.Empty() {
		return "", nil
	}
	p := r.at()
	var exts cryptobyte.String
	if !r.s.ReadUint16LengthPrefixed(&exts) {
		return "", errShort
	}
	var names []string
	field := len(m.Fields)
	m.Fields = append(m.Fields, lab.Field{Name: "extensions", Off: p, Len: r.at() - p})
	q := reader{s: exts, n: len(exts), base: p + 2}
	for !q.s.Empty() {
		var typ uint16
		var data cryptobyte.String
		e := q.at()
		if !q.s.ReadUint16(&typ) || !q.s.ReadUint16LengthPrefixed(&data) {
			return strings.Join(names, ", "), errShort
		}
		name := tls.ExtensionName(typ)
		names = append(names, name)
		m.Fields = append(m.Fields, lab.Field{Name: name, Value: extensionValue(typ, data), Off: e, Len: q.at() - e})
	}
	m.Fields[field].Value = strings.Join(names, ", ")
	return m.Fields[field].Value, nil
}

var srtpProfiles = map[uint16]string{1: "SRTP_AES128_CM_HMAC_SHA1_80", 2: "SRTP_AES128_CM_HMAC_SHA1_32",
	7: "SRTP_AEAD_AES_128_GCM", 8: "SRTP_AEAD_AES_256_GCM"}

func extensionValue(typ uint16, d []byte) string {
	s := cryptobyte.String(d)
	var l cryptobyte.String
	switch typ {
	case 14: // use_srtp, RFC 5764 §4.1.1
		if s.ReadUint16LengthPrefixed(&l) {
			var ps []string
			for ; len(l) >= 2; l = l[2:] {
				id := uint16(l[0])<<8 | uint16(l[1])
				if n, ok := srtpProfiles[id]; ok {
					ps = append(ps, n)
				} else {
					ps = append(ps, fmt.Sprintf("0x%04x", id))
				}
			}
			return "SRTP protection profiles: " + strings.Join(ps, ", ")
		}
	case 10, 13: // supported_groups, signature_algorithms
		if s.ReadUint16LengthPrefixed(&l) {
			var ids []uint16
			for ; len(l) >= 2; l = l[2:] {
				ids = append(ids, uint16(l[0])<<8|uint16(l[1]))
			}
			if typ == 10 {
				return tls.List(ids, tls.GroupName, 8)
			}
			return tls.List(ids, tls.SignatureName, 8)
		}
	case 23:
		return "the master secret is bound to the whole handshake (RFC 7627)"
	case 65281:
		return "secure renegotiation (RFC 5746)"
	}
	return orEmpty(d)
}

func helloVerifyRequest(m *lab.Message, msg []byte, off int) error {
	if len(msg) < 3 || len(msg) < 3+int(msg[2]) {
		return errShort
	}
	m.Summary = fmt.Sprintf("HelloVerifyRequest (cookie of %d bytes)", msg[2])
	m.Meaning = "The server answers the first ClientHello with a cookie and keeps no state: only a client that really receives at its address can send the cookie back, so a flood of forged hellos costs the server nothing (RFC 6347 §4.2.1)."
	m.Fields = append(m.Fields, lab.Field{Name: "server version", Value: versionName(uint16(msg[0])<<8 | uint16(msg[1])), Off: off, Len: 2},
		lab.Field{Name: "cookie", Value: hex.EncodeToString(msg[3 : 3+msg[2]]), Off: off + 2, Len: 1 + int(msg[2])})
	return nil
}

func orEmpty(b []byte) string {
	if len(b) == 0 {
		return "(empty)"
	}
	return hex.EncodeToString(b)
}

package ssh

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"

	"github.com/protocollab/protolab/lab"
)

// Message numbers of the transport layer (RFC 4250 §4.1.2).
const (
	msgDisconnect    = 1
	msgIgnore        = 2
	msgUnimplemented = 3
	msgDebug         = 4
	msgKexInit       = 20
	msgNewKeys       = 21
)

// msgNames names the message numbers of RFC 4250 §4.1.2 (the key exchange's
// 30–49 are named by the negotiated method, see kexMessage).
var msgNames = map[byte]string{
	1: "DISCONNECT", 2: "IGNORE", 3: "UNIMPLEMENTED", 4: "DEBUG", 5: "SERVICE_REQUEST",
	6: "SERVICE_ACCEPT", 7: "EXT_INFO", 8: "NEWCOMPRESS", 20: "KEXINIT", 21: "NEWKEYS",
	50: "USERAUTH_REQUEST", 51: "USERAUTH_FAILURE", 52: "USERAUTH_SUCCESS", 53: "USERAUTH_BANNER",
	80: "GLOBAL_REQUEST", 81: "REQUEST_SUCCESS", 82: "REQUEST_FAILURE", 90: "CHANNEL_OPEN",
	91: "CHANNEL_OPEN_CONFIRMATION", 92: "CHANNEL_OPEN_FAILURE", 93: "CHANNEL_WINDOW_ADJUST",
	94: "CHANNEL_DATA", 95: "CHANNEL_EXTENDED_DATA", 96: "CHANNEL_EOF", 97: "CHANNEL_CLOSE",
	98: "CHANNEL_REQUEST", 99: "CHANNEL_SUCCESS", 100: "CHANNEL_FAILURE",
}

// disconnectReasons are the reason codes of RFC 4253 §11.1.
var disconnectReasons = map[uint32]string{
	1: "HOST_NOT_ALLOWED_TO_CONNECT", 2: "PROTOCOL_ERROR", 3: "KEY_EXCHANGE_FAILED", 4: "RESERVED",
	5: "MAC_ERROR", 6: "COMPRESSION_ERROR", 7: "SERVICE_NOT_AVAILABLE", 8: "PROTOCOL_VERSION_NOT_SUPPORTED",
	9: "HOST_KEY_NOT_VERIFIABLE", 10: "CONNECTION_LOST", 11: "BY_APPLICATION", 12: "TOO_MANY_CONNECTIONS",
	13: "AUTH_CANCELLED_BY_USER", 14: "NO_MORE_AUTH_METHODS_AVAILABLE", 15: "ILLEGAL_USER_NAME",
}

// packet explains one binary packet sent in the clear (RFC 4253 §6): pkt is the
// whole packet, its length field included; the framing has been checked.
func (a *Analyzer) packet(dir lab.Dir, pkt []byte) []lab.Message {
	n := len(pkt) - 4
	pad := int(pkt[4])
	payload := pkt[5 : 4+n-pad]
	framing := []lab.Field{
		{Name: "packet_length", Value: fmt.Sprint(n), Len: 4},
		{Name: "padding_length", Value: fmt.Sprint(pad), Off: 4, Len: 1},
	}
	if pad < 4 {
		framing = append(framing, lab.Field{Name: "padding", Value: "less than the 4 bytes RFC 4253 §6 asks for", Off: 4 + n - pad, Len: pad})
	}
	if len(payload) == 0 {
		return []lab.Message{{Dir: dir, Summary: "empty packet", Meaning: "A packet with no payload, so no message number: not valid SSH.",
			Ref: "RFC 4253 §6", Fields: framing, Raw: pkt, Observed: true}}
	}
	t := payload[0]
	framing = append(framing, lab.Field{Name: "message number", Value: fmt.Sprintf("%d (%s)", t, a.msgName(t)), Off: 5, Len: 1})
	r := &reader{b: payload[1:]}
	var m lab.Message
	switch {
	case t == msgKexInit:
		m = a.kexInit(dir, r)
	case t == msgNewKeys:
		m = a.newKeys(dir)
	case t >= 30 && t <= 49:
		m = a.kexMessage(dir, t, r)
	case t == msgDisconnect:
		m = a.disconnect(r)
	case t == msgIgnore:
		m = lab.Message{Summary: "IGNORE", Meaning: "A message the receiver throws away: it can hide the length of what follows, or keep a quiet connection busy.", Ref: "RFC 4253 §11.2"}
	case t == msgDebug:
		r.bool()
		text := r.string()
		m = lab.Message{Summary: "DEBUG " + clip(printable(text), 80), Meaning: "A message for debugging, which the receiver may show or ignore.", Ref: "RFC 4253 §11.3"}
	case t == msgUnimplemented:
		seq := r.uint32()
		m = lab.Message{Summary: fmt.Sprintf("UNIMPLEMENTED (packet %d)", seq), Meaning: "The sender did not understand the packet with this sequence number.", Ref: "RFC 4253 §11.4"}
	default:
		m = lab.Message{Summary: a.msgName(t), Meaning: "A message that belongs after the key exchange, sent in the clear — unusual.", Ref: "RFC 4250 §4.1.2"}
	}
	m.Dir = dir
	m.Raw = pkt
	m.Observed = true
	m.Fields = append(framing, m.Fields...)
	if r.bad && m.Summary != "" {
		m.Fields = append(m.Fields, lab.Field{Name: "problem", Value: "the payload ends before its last field"})
	}
	return []lab.Message{m}
}

func (a *Analyzer) msgName(t byte) string {
	if t >= 30 && t <= 49 {
		if name := kexMessageName(a.kexFamily(), t); name != "" {
			return name
		}
		return fmt.Sprintf("key exchange message %d", t)
	}
	if name, ok := msgNames[t]; ok {
		return name
	}
	return fmt.Sprintf("message %d", t)
}

func (a *Analyzer) disconnect(r *reader) lab.Message {
	code := r.uint32()
	desc := r.string()
	reason := disconnectReasons[code]
	if reason == "" {
		reason = "unknown reason"
	}
	m := lab.Message{
		Summary: fmt.Sprintf("DISCONNECT %d %s: %s", code, reason, clip(printable(desc), 80)),
		Meaning: "The sender ends the connection and says why; nothing more is sent after it.",
		Ref:     "RFC 4253 §11.1",
		Fields: []lab.Field{
			{Name: "reason code", Value: fmt.Sprintf("%d (%s)", code, reason)},
			{Name: "description", Value: printable(desc)},
		},
		Teardown: true,
	}
	a.state.Move(&m, StateClosed)
	return m
}

func (a *Analyzer) newKeys(dir lab.Dir) lab.Message {
	d := &a.dirs[dir]
	d.newkeys = true
	d.phase = phaseEncrypted
	who := "client"
	if dir == lab.ServerToClient {
		who = "server"
	}
	m := lab.Message{
		Summary: "NEWKEYS",
		Meaning: fmt.Sprintf("The %s switches on the keys just agreed: every packet it sends after this one "+
			"is encrypted and authenticated with the negotiated cipher and MAC. Each side sends its own NEWKEYS, "+
			"so each direction turns encrypted on its own.", who),
		Ref:       "RFC 4253 §7.3",
		Handshake: true,
	}
	a.state.Move(&m, StateKeyExchange)
	if a.dirs[lab.ClientToServer].newkeys && a.dirs[lab.ServerToClient].newkeys {
		a.state.Move(&m, StateEncrypted)
	}
	return m
}

// hostKey describes the server's public host key K_S (RFC 4253 §6.6): its type
// and its SHA256 fingerprint as OpenSSH prints it.
func hostKey(ks []byte) []lab.Field {
	r := &reader{b: ks}
	typ := r.string()
	if r.bad || len(typ) == 0 {
		return []lab.Field{{Name: "host key", Value: fmt.Sprintf("%d bytes that are not a public key blob", len(ks))}}
	}
	return []lab.Field{
		{Name: "host key type", Value: printable(typ)},
		{Name: "host key fingerprint", Value: Fingerprint(ks)},
	}
}

// Fingerprint is the SHA256 fingerprint of a public key blob as OpenSSH prints it:
// "SHA256:" and the unpadded base64 of the blob's SHA-256.
func Fingerprint(blob []byte) string {
	sum := sha256.Sum256(blob)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

package stun

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"

	"github.com/protocollab/protolab/lab"
)

// PasswordLabel is the key log label under which the lab's peers log their ICE
// passwords, so the analyzer can check MESSAGE-INTEGRITY: the line's second
// field is the SHA-256 of the ICE username fragment (the key log keys its lines
// by 32 bytes), the third the password, both in hex. KeyLogLine writes one.
const PasswordLabel = "ICE_PASSWORD"

// KeyLogLine is the key log line that tells the analyzer the ICE password of
// the agent whose username fragment is ufrag (both from its SDP: a=ice-ufrag,
// a=ice-pwd).
func KeyLogLine(ufrag, password string) string {
	sum := sha256.Sum256([]byte(ufrag))
	return PasswordLabel + " " + hex.EncodeToString(sum[:]) + " " + hex.EncodeToString([]byte(password)) + "\n"
}

// password looks up the ICE password of ufrag in the key log, or nil.
func password(keys *lab.KeyLog, ufrag string) []byte {
	sum := sha256.Sum256([]byte(ufrag))
	return keys.Lookup(PasswordLabel, sum[:])
}

// checkIntegrity checks m's MESSAGE-INTEGRITY (at off in m.Raw) with the
// short-term password pwd of ufrag (RFC 8489 §9.1.1, §14.5): an HMAC-SHA1 over
// the message up to the attribute, its length counting the attribute.
func checkIntegrity(m *lab.Message, off int, ufrag string, pwd []byte) bool {
	b := m.Raw
	msg := append([]byte(nil), b[:off]...)
	binary.BigEndian.PutUint16(msg[2:], uint16(off-HeaderLen+24))
	mac := hmac.New(sha1.New, pwd)
	mac.Write(msg)
	ok := hmac.Equal(mac.Sum(nil), b[off+4:off+24])
	v := "checks out with the ICE password of " + `"` + ufrag + `"` + ": the sender knows it, so the check is genuine"
	if !ok {
		v = "does not match the HMAC with the ICE password of " + `"` + ufrag + `"` + ": a wrong password or changed bytes; the receiver drops the message (RFC 8489 §9.1.3)"
		m.Summary += " — bad MESSAGE-INTEGRITY"
	}
	for i := range m.Fields {
		if m.Fields[i].Name == "MESSAGE-INTEGRITY" && m.Fields[i].Off == off {
			m.Fields[i].Value = strings.SplitN(m.Fields[i].Value, ":", 2)[0] + ": " + v
		}
	}
	return ok
}

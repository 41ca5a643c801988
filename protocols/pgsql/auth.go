package pgsql

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/protocollab/protolab/lab"
)

// What the client's next 'p' message is, after the server's Authentication
// request (Analyzer.auth).
const (
	authNone      = 0
	authPassword  = 'c' // AuthenticationCleartextPassword: PasswordMessage, the password itself
	authMD5       = 'm' // AuthenticationMD5Password: PasswordMessage, "md5" and a digest
	authSASL      = 's' // AuthenticationSASL: SASLInitialResponse
	authSASLReply = 'r' // AuthenticationSASLContinue: SASLResponse
	authGSS       = 'g' // AuthenticationGSS, GSSContinue, SSPI: GSSResponse
)

// masked stands for a secret in a field's value.
const masked = "**** (masked)"

const refSASL = refFlow + ": SASL Authentication"

// maxMasked bounds the bytes of a message with a secret that the lab copies
// to mask it: a longer one keeps only its type and length.
const maxMasked = 4 << 10

// mask hides n bytes from off in m's Raw, the bytes the lab shows: it
// becomes a copy with those bytes as '*'. The connection's data (and the
// pcapng export) keep what crossed the wire. Call it after the message's
// fields are read.
func mask(m *lab.Message, off, n int) {
	if n <= 0 || off < 0 || off+n > len(m.Raw) {
		return
	}
	if len(m.Raw) > maxMasked {
		m.Raw = m.Raw[:min(5, len(m.Raw))]
		for i := range m.Fields {
			if f := &m.Fields[i]; !f.Spanned(m.Raw) {
				f.Off, f.Len = 0, 0
			}
		}
		return
	}
	raw := bytes.Clone(m.Raw)
	for i := off; i < off+n; i++ {
		raw[i] = '*'
	}
	m.Raw = raw
}

// password decodes the client's 'p' message by what the server asked for.
func (a *Analyzer) password(m *lab.Message, r *reader) {
	switch a.auth {
	case authPassword, authMD5, authNone:
		pw, off, ok := r.cstring("password")
		if !ok {
			return
		}
		r.add("password", masked, off, len(pw))
		mask(m, off, len(pw))
		m.Summary = "PasswordMessage (masked)"
		switch {
		case a.auth == authMD5 && strings.HasPrefix(pw, "md5") && len(pw) == 35:
			m.Meaning = "The client's answer to AuthenticationMD5Password: \"md5\" and the hex MD5 of (the MD5 of password and user name) " +
				"and the salt. The password itself does not cross, but whoever sees this digest and knows the stored hash can log in, " +
				"so the lab masks it."
			m.Ref = refFormats + ": PasswordMessage; " + refFlow + ": Start-up (AuthenticationMD5Password)"
		case a.auth == authMD5:
			m.Summary = "malformed PasswordMessage: not an MD5 answer (masked)"
			m.Meaning = "After AuthenticationMD5Password the client sends \"md5\" and 32 hex digits; this is something else. The server refuses the login (28P01)."
		default:
			m.Meaning = "The client's answer to AuthenticationCleartextPassword: the password itself, in clear text unless TLS " +
				"protects the connection. The lab masks it here and in the bytes it shows."
		}
	case authSASL:
		m.Summary = "SASLInitialResponse"
		m.Ref = refFormats + ": SASLInitialResponse; " + refSASL
		mech, _ := r.cstr("mechanism")
		n, _ := r.i32("data length")
		m.Summary += " " + mech
		if n >= 0 {
			b, off, ok := r.take("data", int(n))
			if ok {
				r.add("client-first-message", quote(string(b)), off, len(b))
				scramFields(r, b, off)
			}
		}
		a.sasl = mech
		m.Meaning = "The client chooses a SASL mechanism from the server's list and sends its first message. In SCRAM-SHA-256 " +
			"that is client-first-message: the GS2 header (n,, : no channel binding), the user (n=, empty: the startup's user " +
			"counts) and a random nonce (r=). Nothing secret crosses in SCRAM: the password never does."
	case authSASLReply:
		m.Summary = "SASLResponse"
		m.Ref = refFormats + ": SASLResponse; " + refSASL
		b, off := r.rest()
		r.add("client-final-message", quote(string(maskProof(b))), off, len(b))
		if p, poff := proof(b); p > 0 {
			r.add("proof (p=)", masked, off+poff, p)
			scramFields(r, b[:poff], off)
			mask(m, off+poff, p)
			m.Summary += " (proof masked)"
		}
		m.Meaning = "SCRAM's client-final-message: the channel binding (c=), the nonce again (r=, the client's and the server's " +
			"together) and the ClientProof (p=), which proves the client knows the password without sending it. " +
			"A proof is good for this exchange only, but the lab masks it here and in the bytes it shows."
	case authGSS:
		m.Summary = "GSSResponse"
		b, off := r.rest()
		r.add("data", lab.HexPreview(b, 32), off, len(b))
		m.Meaning = "A GSSAPI or SSPI token (Kerberos), answering the server's."
		m.Ref = refFormats + ": GSSResponse"
	}
}

// proof finds SCRAM's ClientProof in a client-final-message: its length and
// offset, 0 when there is none.
func proof(b []byte) (n, off int) {
	i := bytes.Index(b, []byte(",p="))
	if i < 0 {
		return 0, 0
	}
	off = i + 3
	n = len(b) - off
	if j := bytes.IndexByte(b[off:], ','); j >= 0 {
		n = j
	}
	return n, off
}

// maskProof is a client-final-message with its proof masked.
func maskProof(b []byte) []byte {
	n, off := proof(b)
	if n == 0 {
		return b
	}
	return append(append(append([]byte(nil), b[:off]...), strings.Repeat("*", n)...), b[off+n:]...)
}

// scramFields adds the attributes of a SCRAM message b (at off in the raw
// message), name=value separated by commas (RFC 5802 §5.1), as fields: its
// user (n=), nonce (r=), salt (s=), iterations (i=), channel binding (c=),
// server signature (v=), error (e=). A proof (p=) is left to the caller.
func scramFields(r *reader, b []byte, off int) {
	names := map[byte]string{'n': "user (n=)", 'r': "nonce (r=)", 's': "salt (s=, base64)", 'i': "iterations (i=)",
		'c': "channel binding (c=)", 'v': "server signature (v=)", 'e': "error (e=)"}
	start := 0
	for i := 0; i <= len(b); i++ {
		if i < len(b) && b[i] != ',' {
			continue
		}
		attr := b[start:i]
		if len(attr) >= 2 && attr[1] == '=' {
			if name, ok := names[attr[0]]; ok {
				r.add(name, quote(string(attr[2:])), off+start+2, len(attr)-2)
			}
		}
		start = i + 1
	}
}

// authentication decodes the server's Authentication message into m: which
// step of the exchange it is.
func (a *Analyzer) authentication(m *lab.Message, r *reader) {
	code, ok := r.i32("authentication code")
	if !ok {
		return
	}
	m.Handshake = true
	a.state.Move(m, StateAuthenticating)
	f := len(r.m.Fields) - 1
	switch code {
	case 0:
		m.Summary = "AuthenticationOk"
		m.Meaning = "The server accepts the client: the login succeeded (or needed no password). ParameterStatus messages, " +
			"BackendKeyData and the first ReadyForQuery follow."
		a.auth = authNone
	case 3:
		m.Summary = "AuthenticationCleartextPassword"
		m.Meaning = "The server asks for the password in clear text: the client's PasswordMessage carries it as it is, " +
			"readable by anyone on the network unless TLS protects the connection."
		a.auth = authPassword
	case 5:
		m.Summary = "AuthenticationMD5Password"
		if salt, off, ok := r.take("salt", 4); ok {
			r.add("salt", fmt.Sprintf("%x", salt), off, 4)
			m.Summary += fmt.Sprintf(" salt %x", salt)
		}
		m.Meaning = "The server asks for an MD5 digest of the password: the client sends md5(md5(password + user) + salt), " +
			"the four random bytes here. Better than clear text, but the stored hash is as good as the password: " +
			"PostgreSQL deprecates MD5 for SCRAM-SHA-256."
		a.auth = authMD5
	case 10:
		var mechs []string
		for r.left() > 1 {
			s, ok := r.cstr(fmt.Sprintf("mechanism %d", len(mechs)+1))
			if !ok {
				break
			}
			mechs = append(mechs, s)
		}
		if r.left() == 1 && m.Raw[r.off] == 0 {
			r.off++
		}
		m.Summary = "AuthenticationSASL " + strings.Join(mechs, ", ")
		m.Meaning = "The server asks for SASL authentication and lists the mechanisms it offers: SCRAM-SHA-256 (and " +
			"SCRAM-SHA-256-PLUS, bound to the TLS channel). SCRAM proves both sides know the password without sending it: " +
			"four messages, the client's first, the server's challenge, the client's proof, the server's signature."
		m.Ref = refFormats + ": AuthenticationSASL; " + refSASL
		a.auth = authSASL
	case 11, 12:
		st := scramSteps[code]
		b, off := r.rest()
		m.Summary = st.name
		r.add(st.field, quote(string(b)), off, len(b))
		scramFields(r, b, off)
		m.Meaning = st.meaning
		m.Ref = refFormats + ": " + st.name + "; " + refSASL
		a.auth = st.next
	case 7, 8, 9:
		m.Summary = map[int32]string{7: "AuthenticationGSS", 8: "AuthenticationGSSContinue", 9: "AuthenticationSSPI"}[code]
		if b, off := r.rest(); len(b) > 0 {
			r.add("data", lab.HexPreview(b, 32), off, len(b))
		}
		m.Meaning = "The server asks for Kerberos authentication (GSSAPI or SSPI): tokens go back and forth in GSSResponse messages."
		a.auth = authGSS
	case 2:
		m.Summary = "AuthenticationKerberosV5"
		m.Meaning = "Kerberos V5, which PostgreSQL no longer supports."
	default:
		m.Summary = fmt.Sprintf("malformed Authentication: code %d", code)
		m.Meaning = "No authentication method has this code: the client cannot answer and closes the connection."
		return
	}
	name, _, _ := strings.Cut(m.Summary, " ")
	r.m.Fields[f].Value = fmt.Sprintf("%d (%s)", code, name)
	if m.Ref == refFormats+": Authentication; "+refStartup {
		m.Ref = refFormats + ": " + name + "; " + refStartup
	}
}

// scramSteps are the server's SCRAM messages inside Authentication: what they
// carry and what the client answers next.
var scramSteps = map[int32]struct {
	name, field, meaning string
	next                 byte
}{
	11: {"AuthenticationSASLContinue", "server-first-message", "SCRAM's server-first-message: the nonce (r=, the client's " +
		"with the server's appended), the salt (s=) and the iteration count (i=) with which the client derives its key from the password.",
		authSASLReply},
	12: {"AuthenticationSASLFinal", "server-final-message", "SCRAM's server-final-message: the ServerSignature (v=), which " +
		"proves the server knows the password too. AuthenticationOk follows.", authNone},
}

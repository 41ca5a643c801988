package pgsql

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/starttls"
)

// The request codes of the untyped startup packets that are not a
// StartupMessage: a protocol "version" 1234.5678 and its neighbours.
const (
	codeCancel = 80877102 // CancelRequest
	codeSSL    = 80877103 // SSLRequest
	codeGSSENC = 80877104 // GSSENCRequest
)

const refStartup = refFlow + ": Start-up"

// startup decodes the client's untyped startup packet raw (its length is
// len(raw), at least 8) and appends it to out.
func (a *Analyzer) startup(out []lab.Message, raw []byte, at time.Time) []lab.Message {
	m := lab.Message{Dir: lab.ClientToServer, Raw: raw, Observed: true}
	code := binary.BigEndian.Uint32(raw[4:])
	m.Fields = []lab.Field{{Name: "length", Value: fmt.Sprint(len(raw)), Off: 0, Len: 4}}
	switch code {
	case codeSSL, codeGSSENC:
		name, asked, what := "SSLRequest", byte('S'), "TLS"
		if code == codeGSSENC {
			name, asked, what = "GSSENCRequest", 'G', "GSSAPI encryption (Kerberos)"
		}
		m.Fields = append(m.Fields, lab.Field{Name: "request code", Value: fmt.Sprintf("%d (%s)", code, name), Off: 4, Len: 4})
		m.Summary = name
		m.Meaning = fmt.Sprintf("Before its StartupMessage the client asks whether the server will speak %s on this connection. "+
			"The server answers with one byte, not a message: 'S' (or 'G') yes, 'N' no; the client then starts the handshake, "+
			"or goes on in the clear (or gives up, with sslmode=require).", what)
		m.Ref = refFormats + ": " + name + "; " + refFlow + ": SSL Session Encryption"
		if code == codeGSSENC {
			m.Ref = refFormats + ": " + name + "; " + refFlow + ": GSSAPI Session Encryption"
		}
		m.Handshake = true
		if len(raw) != 8 {
			m.Summary = "malformed " + name + ": " + fmt.Sprint(len(raw)) + " bytes, not 8"
			return append(out, m)
		}
		a.asked = asked
		if asked == 'S' {
			a.Handoff.Ask(name, m.Ref)
		}
		return append(out, m)
	case codeCancel:
		m.Fields = append(m.Fields, lab.Field{Name: "request code", Value: fmt.Sprintf("%d (CancelRequest)", code), Off: 4, Len: 4})
		m.Summary = "CancelRequest"
		m.Ref = refFormats + ": CancelRequest; " + refFlow + ": Canceling Requests in Progress"
		m.Meaning = "A cancel request, sent on a new connection of its own instead of a StartupMessage: it names the session " +
			"whose running query is to be cancelled by the process id and secret key that session's BackendKeyData gave. " +
			"The server checks the key, interrupts that query (which fails with 57014, query_canceled) and closes this " +
			"connection without an answer, so that nobody learns whether the key was right."
		if len(raw) < 12 || len(raw) > 8+4+256 {
			m.Summary = fmt.Sprintf("malformed CancelRequest: %d bytes", len(raw))
			return append(out, m)
		}
		pid := binary.BigEndian.Uint32(raw[8:])
		m.Summary = fmt.Sprintf("CancelRequest for process %d", pid)
		m.Fields = append(m.Fields,
			lab.Field{Name: "process id", Value: fmt.Sprint(pid), Off: 8, Len: 4},
			lab.Field{Name: "secret key", Value: fmt.Sprintf("%x", raw[12:])})
		if len(raw) > 12 {
			m.Fields[len(m.Fields)-1].Off, m.Fields[len(m.Fields)-1].Len = 12, len(raw)-12
		} else {
			m.Summary = "malformed CancelRequest: no secret key"
		}
		return append(out, m)
	}
	major, minor := code>>16, code&0xffff
	m.Fields = append(m.Fields, lab.Field{Name: "protocol version", Value: fmt.Sprintf("%d.%d (%d)", major, minor, code), Off: 4, Len: 4})
	m.Ref = refFormats + ": StartupMessage; " + refStartup
	if major != 3 {
		m.Summary = fmt.Sprintf("malformed StartupMessage: unknown protocol version %d.%d", major, minor)
		m.Meaning = "The first message names the protocol version the client speaks: 3.0 (or 3.2, PostgreSQL 18's) in its " +
			"four bytes after the length. The server speaks version 3 only: it answers with an ErrorResponse, SQLSTATE 0A000 " +
			"(feature_not_supported, \"unsupported frontend protocol\"), and closes the connection."
		return append(out, m)
	}
	r := reader{m: &m, off: 8}
	var user, db string
	for r.left() > 1 {
		k, koff, ok := r.cstring("parameter name")
		if !ok {
			break
		}
		v, voff, ok := r.cstring("parameter value")
		if !ok {
			r.add(k, "(no value)", koff, len(k))
			break
		}
		r.m.Fields = append(r.m.Fields, lab.Field{Name: k, Value: quote(v), Off: koff, Len: voff + len(v) - koff})
		switch k {
		case "user":
			user = v
		case "database":
			db = v
		}
	}
	if db == "" {
		db = user
	}
	m.Summary = fmt.Sprintf("StartupMessage user %s database %s", quote(user), quote(db))
	m.Meaning = "The client's first message: the protocol version it speaks and the session's parameters as name/value " +
		"pairs — user (required), database (by default the user's name), application_name, client_encoding, options …. " +
		"The server answers with an Authentication request, or AuthenticationOk when no password is needed."
	switch {
	case r.short != "" || r.left() != 1 || raw[len(raw)-1] != 0:
		m.Summary = "malformed " + m.Summary + ": the parameters do not end with an empty name"
		m.Meaning += " The server refuses the start-up with 08P01 (protocol violation) and closes the connection."
		return append(out, m)
	case user == "":
		m.Summary = "malformed " + m.Summary + ": no user"
		m.Meaning += " Without a user the server refuses the start-up (SQLSTATE 28000) and closes the connection."
		return append(out, m)
	case minor > 2:
		m.Meaning += fmt.Sprintf(" The client asks for minor version %d, newer than servers know: the server answers "+
			"NegotiateProtocolVersion with the newest it supports and goes on.", minor)
	}
	a.started = true
	m.Handshake = true
	a.rq.login = a.rq.open()
	m.Role, m.Pair = lab.RoleRequest, a.rq.login
	return append(out, m)
}

// early reports a typed message (a Query, a Terminate …) sent before the
// StartupMessage, raw framed by its own length.
func (a *Analyzer) early(raw []byte) lab.Message {
	k := &frontend[raw[0]]
	m := lab.Message{Dir: lab.ClientToServer, Raw: raw, Observed: true, Ref: refStartup}
	m.Summary = "malformed: " + k.name + " before the StartupMessage"
	m.Meaning = fmt.Sprintf("A connection must begin with an untyped startup packet (StartupMessage, SSLRequest …), whose "+
		"first four bytes are its length. This is a typed message (%s %s) instead: the server reads its first four bytes "+
		"as a startup packet of %d bytes, refuses it (\"invalid length of startup packet\") and closes the connection.",
		typeChar(raw[0]), k.name, binary.BigEndian.Uint32(raw))
	typeFields(&m, k, raw[0])
	return m
}

// answer decodes the server's one-byte answer, raw, to an SSLRequest or a
// GSSENCRequest, and appends it (and, after 'S', the start of TLS) to out.
func (a *Analyzer) answer(out []lab.Message, raw []byte, at time.Time) []lab.Message {
	asked := a.asked
	a.asked = 0
	m := lab.Message{Dir: lab.ServerToClient, Raw: raw, Observed: true, Handshake: true}
	req := "SSLRequest"
	m.Ref = refFlow + ": SSL Session Encryption"
	if asked == 'G' {
		req = "GSSENCRequest"
		m.Ref = refFlow + ": GSSAPI Session Encryption"
	}
	m.Fields = []lab.Field{{Name: "answer", Value: typeChar(raw[0]), Off: 0, Len: 1}}
	switch {
	case asked == 'S' && raw[0] == 'S':
		m.Summary = "'S': TLS accepted"
		m.Meaning = "The server agrees to TLS: the client now starts a TLS handshake on this connection, and the StartupMessage " +
			"and everything after it are encrypted. The lab decrypts them with its key log when the server is the lab's own."
		out = append(out, m)
		return a.Handoff.Begin(out, at, starttls.Notice("After 'S' the client starts a TLS handshake; every message that follows "+
			"is inside TLS.", m.Ref), Name, a.newInner)
	case asked == 'G' && raw[0] == 'G':
		m.Summary = "'G': GSSAPI encryption accepted"
		m.Meaning = "The server agrees to GSSAPI encryption: the rest of the connection is sealed with Kerberos keys the lab " +
			"does not have, so it only counts the bytes."
		a.sealed = true
		return append(out, m)
	case raw[0] == 'N':
		if asked == 'S' {
			m.Summary = "'N': no TLS"
		} else {
			m.Summary = "'N': no GSSAPI encryption"
		}
		m.Meaning = "The server will not encrypt this connection (the lab's server says 'N' when its TLS is off). The client " +
			"goes on in the clear with its StartupMessage, or another request — or gives up, if it insists on encryption " +
			"(sslmode=require)."
		out = append(out, m)
		if asked == 'S' {
			if held := a.Handoff.Release(); len(held) > 0 {
				out = append(out, a.Feed(lab.ClientToServer, held, at)...)
			}
		}
		return out
	}
	m.Summary = fmt.Sprintf("malformed answer %s to the %s", typeChar(raw[0]), req)
	m.Meaning = "An SSLRequest is answered 'S' or 'N', a GSSENCRequest 'G' or 'N': this byte is neither."
	return append(out, m)
}

// newInner makes the analyzer of what TLS carries: the session goes on inside
// it, from the StartupMessage.
func (a *Analyzer) newInner() lab.Analyzer {
	in := NewAnalyzer()
	in.state = a.state
	a.inner = in
	return in
}

// directTLS hands the connection to TLS from its first byte: a client of
// PostgreSQL 17 or later with sslnegotiation=direct sends its ClientHello
// without an SSLRequest (ALPN "postgresql").
func (a *Analyzer) directTLS(b []byte, at time.Time) []lab.Message {
	a.Handoff.Start(Name, a.newInner)
	out := []lab.Message{starttls.Notice("The client began TLS at once, without an SSLRequest (PostgreSQL 17's direct TLS, "+
		"sslnegotiation=direct, with ALPN \"postgresql\"): everything on this connection is inside TLS.", refFlow+": SSL Session Encryption")}
	out[0].Dir = lab.ClientToServer
	return append(out, a.Handoff.Feed(lab.ClientToServer, b, at)...)
}

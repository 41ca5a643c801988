package smtp

import (
	"bytes"
	"encoding/base64"
	"strings"
	"unicode"

	"github.com/protocollab/protolab/lab"
)

const masked = "**** (masked; the raw bytes show it)"

// auth describes an AUTH command, masking its password (RFC 4954 §4).
func (a *Analyzer) auth(m *lab.Message, cmd Command) {
	mech, resp, _ := strings.Cut(cmd.Arg, " ")
	mech = strings.ToUpper(mech)
	a.saslMech, a.saslStep = mech, 0
	a.hold = true
	m.Fields = append(m.Fields, lab.Field{Name: "mechanism", Value: mech})
	switch mech {
	case "PLAIN":
		m.Meaning += " PLAIN sends the authorization identity, the user name and the password in one base64 string."
	case "LOGIN":
		m.Meaning += " LOGIN asks for the user name and then the password, each base64-encoded."
	}
	if resp == "" {
		return
	}
	a.saslStep = 1
	m.Ref = "RFC 4954 §4, RFC 4616 §2"
	m.Summary = "AUTH " + mech + " " + a.describeResponse(m, resp, 1)
}

// saslResponse frames a client line answering a 334 challenge.
func (a *Analyzer) saslResponse(raw []byte) {
	a.sasl = false
	a.hold = true
	a.saslStep++
	resp := string(trimEOL(raw))
	m := lab.Message{Dir: lab.ClientToServer, Raw: raw, Observed: true, Ref: "RFC 4954 §4",
		Meaning: "The client answers the server's 334 challenge with a base64 line, part of the login."}
	if resp == "*" {
		m.Summary = "* (cancel the login)"
		m.Meaning = "The client cancels the login; the server answers 501."
		a.out = append(a.out, m)
		return
	}
	m.Summary = a.describeResponse(&m, resp, a.saslStep)
	a.out = append(a.out, m)
}

// describeResponse returns a summary of the SASL response resp (the step-th of
// the login), with the password masked, and adds its fields to m.
func (a *Analyzer) describeResponse(m *lab.Message, resp string, step int) string {
	dec, ok := decode64(resp)
	switch {
	case !ok:
		m.Fields = append(m.Fields, lab.Field{Name: "response", Value: "not base64"})
		return "(a response that is not base64)"
	case a.saslMech == "PLAIN":
		parts := strings.Split(dec, "\x00")
		if len(parts) != 3 {
			m.Fields = append(m.Fields, lab.Field{Name: "credentials", Value: masked})
			return "(malformed PLAIN credentials, masked)"
		}
		if parts[0] != "" {
			m.Fields = append(m.Fields, lab.Field{Name: "authorization identity", Value: parts[0]})
		}
		m.Fields = append(m.Fields, lab.Field{Name: "user", Value: parts[1]}, lab.Field{Name: "password", Value: masked})
		m.Meaning += " The user is " + quote(parts[1]) + "; base64 is an encoding, not encryption — anyone who sees these bytes has the password unless TLS protects them."
		return "(user " + quote(parts[1]) + ", password ****)"
	case a.saslMech == "LOGIN" && step == 1:
		m.Fields = append(m.Fields, lab.Field{Name: "user", Value: dec})
		m.Meaning += " This is the user name, " + quote(dec) + "."
		return "user " + quote(dec)
	case a.saslMech == "LOGIN":
		m.Fields = append(m.Fields, lab.Field{Name: "password", Value: masked})
		m.Meaning += " This is the password (masked here); base64 hides nothing, only TLS does."
		return "password ****"
	}
	m.Fields = append(m.Fields, lab.Field{Name: "response", Value: masked})
	return "(SASL response, masked)"
}

func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return "\"" + strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return '?'
	}, s) + "\""
}

func decode64(s string) (string, bool) {
	if s == "=" {
		return "", true
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return "", false
	}
	return string(b), true
}

func printable(s string) bool {
	return !bytes.ContainsFunc([]byte(s), func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' })
}

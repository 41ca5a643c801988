package nats

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/protocollab/protolab/lab"
)

// secret lists the CONNECT keys that carry credentials: masked in the fields.
var secret = map[string]bool{"pass": true, "auth_token": true, "sig": true}

const masked = "**** (masked; the raw bytes show it)"

// json completes an INFO or CONNECT: its JSON object shown as fields, in the
// order written, each with the bytes of its value.
func (a *Analyzer) json(m *message, v string) {
	text := m.l.text
	m.field("JSON", fmt.Sprintf("%d bytes", len(text.s)), text.off, len(text.s))
	vals := map[string]string{}
	dec := json.NewDecoder(strings.NewReader(text.s))
	dec.UseNumber()
	ok := false
	if t, err := dec.Token(); err == nil && t == json.Delim('{') {
		ok = true
		for dec.More() {
			kt, err := dec.Token()
			key, isKey := kt.(string)
			if err != nil || !isKey {
				ok = false
				break
			}
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				ok = false
				break
			}
			end := int(dec.InputOffset())
			start := end - len(raw)
			val := string(raw)
			var s string
			if json.Unmarshal(raw, &s) == nil {
				val = s
			}
			vals[key] = val
			if secret[key] {
				val = masked
			}
			m.field(key, clip(val, 200), text.off+start, len(raw))
		}
	}
	if !ok {
		m.Fields = append(m.Fields, lab.Field{Name: "error", Value: "not a JSON object"})
	}
	if v == "INFO" {
		a.info(m, vals)
	} else {
		a.connect(m, vals)
	}
}

// info completes the server's INFO: the session is connecting.
func (a *Analyzer) info(m *message, vals map[string]string) {
	m.Summary = "INFO"
	if s := vals["server_name"]; s != "" {
		m.Summary += " " + s
	}
	if ver := vals["version"]; ver != "" {
		m.Summary += " v" + ver
	}
	var w strings.Builder
	w.WriteString("The server introduces itself, first on every connection: its id and version, the largest payload it accepts " +
		"(max_payload")
	if mp := vals["max_payload"]; mp != "" {
		fmt.Fprintf(&w, ", %s bytes", mp)
	}
	w.WriteString("), whether it wants credentials (auth_required) or TLS (tls_required), and whether it accepts headers (HPUB). ")
	if vals["auth_required"] == "true" {
		w.WriteString("This server requires credentials in the CONNECT. ")
	}
	w.WriteString("The client answers with CONNECT. The server may send INFO again later, when its cluster changes.")
	m.Meaning = w.String()
	if m.Dir == lab.ServerToClient {
		a.state.Move(&m.Message, StateConnecting)
	}
}

// connect completes the client's CONNECT: the session is connected.
func (a *Analyzer) connect(m *message, vals map[string]string) {
	m.Summary = "CONNECT"
	if n := vals["name"]; n != "" {
		m.Summary += fmt.Sprintf(" %q", n)
	}
	if l := vals["lang"]; l != "" {
		m.Summary += " (" + l + " " + vals["version"] + ")"
	}
	var w strings.Builder
	w.WriteString("The client answers the INFO with its options: its name, language and version, ")
	if vals["verbose"] == "true" {
		w.WriteString("verbose mode (the server acknowledges every line with +OK), ")
	} else {
		w.WriteString("no verbose mode (no +OK after each line), ")
	}
	if vals["echo"] == "false" {
		w.WriteString("no echo (the server does not deliver its own publications back to it), ")
	}
	if vals["headers"] == "true" {
		w.WriteString("headers (HPUB and HMSG), ")
	}
	if vals["no_responders"] == "true" {
		w.WriteString("no responders (a request nobody subscribes to gets an immediate 503 status), ")
	}
	w.WriteString("and any credentials (user and pass, a token, or an nkey signature).")
	if u := vals["user"]; u != "" {
		fmt.Fprintf(&w, " It logs in as %q; the password is masked here, but in clear text in the raw bytes unless TLS protects them.", u)
	}
	w.WriteString(" The server answers nothing unless something is wrong (-ERR) or verbose mode asks for +OK; a client usually sends PING and waits for PONG to know.")
	m.Meaning = w.String()
	if m.Dir == lab.ClientToServer {
		a.state.Move(&m.Message, StateConnected)
	}
}

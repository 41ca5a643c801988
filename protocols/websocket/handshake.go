package websocket

import (
	"crypto/sha1"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/protocollab/protolab/lab"
)

// acceptGUID is the fixed string RFC 6455 §1.3 appends to the client's key.
const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// AcceptKey is the Sec-WebSocket-Accept a server must answer key with:
// base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")) (RFC 6455 §4.2.2).
func AcceptKey(key string) string {
	sum := sha1.Sum([]byte(key + acceptGUID))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// request is what the analyzer remembers of a request until its response.
type request struct {
	ws         bool   // it asked for a WebSocket
	key        string // Sec-WebSocket-Key
	protocols  string // Sec-WebSocket-Protocol offered
	extensions string // Sec-WebSocket-Extensions offered
}

// header returns the values of header name among an HTTP message's fields, joined
// by commas, and whether it was there at all.
func header(m *lab.Message, name string) (string, bool) {
	var vs []string
	for _, f := range m.Fields {
		if strings.EqualFold(f.Name, name) {
			vs = append(vs, f.Value)
		}
	}
	return strings.Join(vs, ", "), len(vs) > 0
}

// hasToken reports whether the comma-separated list v holds tok, case-insensitively.
func hasToken(v, tok string) bool {
	for _, t := range strings.Split(v, ",") {
		if strings.EqualFold(strings.TrimSpace(t), tok) {
			return true
		}
	}
	return false
}

// field returns the value of the first field called name ("" if none).
func field(m *lab.Message, name string) string {
	for _, f := range m.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// upgradeRequest reads an HTTP request message; if it asks for a WebSocket it
// turns the message into the handshake's first step.
func upgradeRequest(m *lab.Message) request {
	line := field(m, "request line")
	up, _ := header(m, "Upgrade")
	if line == "" || !hasToken(up, "websocket") {
		return request{}
	}
	r := request{ws: true}
	r.key, _ = header(m, "Sec-WebSocket-Key")
	r.protocols, _ = header(m, "Sec-WebSocket-Protocol")
	r.extensions, _ = header(m, "Sec-WebSocket-Extensions")
	var problems []string
	if method, _, _ := strings.Cut(line, " "); method != "GET" {
		problems = append(problems, "the method must be GET, not "+method)
	}
	if strings.HasSuffix(line, "HTTP/1.0") {
		problems = append(problems, "the request must be HTTP/1.1 or later")
	}
	if c, _ := header(m, "Connection"); !hasToken(c, "upgrade") {
		problems = append(problems, "Connection must include Upgrade")
	}
	if k, err := base64.StdEncoding.DecodeString(r.key); r.key == "" {
		problems = append(problems, "Sec-WebSocket-Key is missing")
	} else if err != nil || len(k) != 16 {
		problems = append(problems, "Sec-WebSocket-Key must be 16 random bytes in base64")
	}
	if v, _ := header(m, "Sec-WebSocket-Version"); v != "13" {
		problems = append(problems, "Sec-WebSocket-Version must be 13, not "+strconv.Quote(v))
	}
	m.Summary += " (WebSocket upgrade)"
	m.Meaning = "The client asks to turn this HTTP connection into a WebSocket. Upgrade: websocket and " +
		"Connection: Upgrade ask for the switch; Sec-WebSocket-Key is a random nonce the server must " +
		"prove it read; Sec-WebSocket-Version 13 is the only version; Sec-WebSocket-Protocol, if " +
		"present, offers subprotocols for the server to pick one of. Until the server answers, the " +
		"connection is CONNECTING."
	m.Ref = "RFC 6455 §4.1"
	m.Fields = append(m.Fields, lab.Field{Name: "WebSocket key", Value: r.key})
	if r.protocols != "" {
		m.Fields = append(m.Fields, lab.Field{Name: "subprotocols offered", Value: r.protocols})
	}
	if r.extensions != "" {
		m.Fields = append(m.Fields, lab.Field{Name: "extensions offered", Value: r.extensions})
	}
	for _, p := range problems {
		m.Fields = append(m.Fields, lab.Field{Name: "problem", Value: p})
	}
	if len(problems) > 0 {
		m.Summary += ": malformed, " + problems[0]
		m.Meaning += " This request breaks the handshake's rules, so a server must refuse it (400 Bad Request)."
	}
	m.Handshake, m.Layer, m.NextState = true, Layer, StateConnecting
	return r
}

// upgradeResponse turns the response to a WebSocket request into the handshake's
// second step: the switch, with the accept checked, or a refusal.
func upgradeResponse(m *lab.Message, r request, status int) {
	m.Handshake, m.Layer = true, Layer
	if status != 101 {
		m.Summary += " (WebSocket handshake refused)"
		m.Meaning = "The server answered the upgrade request with an ordinary HTTP response instead of " +
			"101 Switching Protocols, so there is no WebSocket: the connection stays HTTP (or closes)."
		m.Ref = "RFC 6455 §4.2.2"
		m.NextState = StateClosed
		return
	}
	want := AcceptKey(r.key)
	got, _ := header(m, "Sec-WebSocket-Accept")
	ok := got == want && r.key != ""
	check, mark := "✓ matches", "✓"
	if !ok {
		check, mark = "✗ does not match", "✗"
	}
	m.Summary += " (WebSocket, accept " + mark + ")"
	m.Fields = append(m.Fields,
		lab.Field{Name: "WebSocket key", Value: r.key},
		lab.Field{Name: "expected accept", Value: want},
		lab.Field{Name: "received accept", Value: got},
		lab.Field{Name: "accept check", Value: check + ": base64(SHA-1(key + \"" + acceptGUID + "\"))"})
	proto, _ := header(m, "Sec-WebSocket-Protocol")
	if proto != "" {
		m.Fields = append(m.Fields, lab.Field{Name: "subprotocol", Value: proto})
		if !hasToken(r.protocols, proto) {
			m.Fields = append(m.Fields, lab.Field{Name: "problem", Value: "the server chose a subprotocol the client did not offer"})
		}
	}
	if up, _ := header(m, "Upgrade"); !hasToken(up, "websocket") {
		m.Fields = append(m.Fields, lab.Field{Name: "problem", Value: "Upgrade must be websocket"})
	}
	m.Meaning = "The server agrees: from the end of this response on, the connection carries WebSocket " +
		"frames, not HTTP. Sec-WebSocket-Accept proves the server understood the handshake: it is " +
		"base64(SHA-1(the client's key + a fixed GUID))."
	if ok {
		m.Meaning += " The lab computed the same value, so the client accepts the connection: it is OPEN."
	} else {
		m.Meaning += " The value does not match what the key demands, so the client must fail the connection."
	}
	m.Ref = "RFC 6455 §4.2.2"
	m.NextState = StateOpen
}

package websocket

import "strconv"

// closeCode is what RFC 6455 §7.4.1 (and the IANA registry, §11.7) says of a
// close status code.
type closeCode struct {
	name, meaning string
	wire          bool // may be sent in a close frame
}

var closeCodes = map[int]closeCode{
	1000: {"normal closure", "the purpose of the connection is fulfilled; a clean goodbye", true},
	1001: {"going away", "the endpoint is leaving: a server shutting down, a browser leaving the page", true},
	1002: {"protocol error", "the endpoint received a frame that breaks the protocol", true},
	1003: {"unsupported data", "the endpoint received a kind of data it cannot accept (binary where only text is understood)", true},
	1005: {"no status received", "reserved: an API's way of saying the close frame carried no code; never sent in a frame", false},
	1006: {"abnormal closure", "reserved: an API's way of saying the connection ended without a close frame; never sent in a frame", false},
	1007: {"invalid payload data", "a message's data did not match its type, such as text that is not UTF-8", true},
	1008: {"policy violation", "a message broke the endpoint's policy (a generic code when no other fits)", true},
	1009: {"message too big", "a message was too big for the endpoint to process", true},
	1010: {"mandatory extension", "the client needed an extension the server did not agree to in the handshake", true},
	1011: {"internal error", "the server met a condition that kept it from fulfilling the request", true},
	1012: {"service restart", "the service is restarting; the client may reconnect (IANA registry)", true},
	1013: {"try again later", "the service is overloaded; try again later (IANA registry)", true},
	1014: {"bad gateway", "a gateway or proxy got an invalid response from upstream (IANA registry)", true},
	1015: {"TLS handshake failure", "reserved: an API's way of saying the TLS handshake failed; never sent in a frame", false},
}

// CloseCodeText names a close status code and says what it means, as RFC 6455
// §7.4 does: "1000 normal closure".
func CloseCodeText(code int) (name, meaning string) {
	if c, ok := closeCodes[code]; ok {
		return c.name, c.meaning
	}
	switch {
	case code < 1000:
		return "invalid code", "codes below 1000 are not used"
	case code < 3000:
		return "reserved code", "codes 1000–2999 are reserved for the protocol and its extensions"
	case code < 4000:
		return "registered code", "codes 3000–3999 are registered with IANA for libraries and frameworks"
	case code < 5000:
		return "private code", "codes 4000–4999 are for applications to agree on privately"
	}
	return "invalid code", "codes above 4999 are not used"
}

// closeCodeProblem says why code may not appear in a close frame ("" if it may).
func closeCodeProblem(code int) string {
	if c, ok := closeCodes[code]; ok {
		if !c.wire {
			return "the status code " + strconv.Itoa(code) + " is reserved for APIs and must never be sent in a close frame (RFC 6455 §7.4.1)"
		}
		return ""
	}
	if code < 3000 || code >= 5000 {
		return "the status code " + strconv.Itoa(code) + " is not one an endpoint may send (RFC 6455 §7.4.2)"
	}
	return ""
}

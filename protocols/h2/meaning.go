package h2

import (
	"fmt"
	"strconv"
)

// Frame types (RFC 9113 §6, §11.2) and the extensions the lab names.
const (
	typeData         = 0x0
	typeHeaders      = 0x1
	typePriority     = 0x2
	typeRSTStream    = 0x3
	typeSettings     = 0x4
	typePushPromise  = 0x5
	typePing         = 0x6
	typeGoAway       = 0x7
	typeWindowUpdate = 0x8
	typeContinuation = 0x9
)

// Frame flags (RFC 9113 §6).
const (
	flagEndStream  = 0x1  // DATA, HEADERS
	flagAck        = 0x1  // SETTINGS, PING
	flagEndHeaders = 0x4  // HEADERS, PUSH_PROMISE, CONTINUATION
	flagPadded     = 0x8  // DATA, HEADERS, PUSH_PROMISE
	flagPriority   = 0x20 // HEADERS
)

// frameInfo is what the lab says about a frame type.
type frameInfo struct {
	name    string
	meaning string
	ref     string
	flags   []flagName // the flags the type defines
}

type flagName struct {
	bit  uint8
	name string
}

var frameTypes = map[uint8]frameInfo{
	typeData: {"DATA", "A DATA frame carries part of a request's or response's body on its stream. " +
		"It counts against flow control: the receiver grants more with WINDOW_UPDATE.", "RFC 9113 §6.1",
		[]flagName{{flagEndStream, "END_STREAM"}, {flagPadded, "PADDED"}}},
	typeHeaders: {"HEADERS", "A HEADERS frame opens a stream with a request, answers it with a response, or " +
		"ends it with trailers. Its header block is compressed with HPACK; the pseudo-header fields " +
		"(:method, :scheme, :authority, :path, :status) replace HTTP/1.1's request and status lines.", "RFC 9113 §6.2",
		[]flagName{{flagEndStream, "END_STREAM"}, {flagEndHeaders, "END_HEADERS"}, {flagPadded, "PADDED"}, {flagPriority, "PRIORITY"}}},
	typePriority: {"PRIORITY", "A PRIORITY frame suggests how important a stream is relative to others. RFC 9113 " +
		"deprecates this scheme (§5.3.2): peers may ignore it, and RFC 9218's Priority header replaces it.", "RFC 9113 §6.3", nil},
	typeRSTStream: {"RST_STREAM", "RST_STREAM ends one stream at once, with an error code saying why, while the " +
		"connection and its other streams go on: the client gave up a request, or the server refused it.", "RFC 9113 §6.4", nil},
	typeSettings: {"SETTINGS", "A SETTINGS frame tells the peer the sender's limits and preferences for this connection. " +
		"Each side sends one first (after the client's preface) and acknowledges the other's with an empty SETTINGS ACK.", "RFC 9113 §6.5",
		[]flagName{{flagAck, "ACK"}}},
	typePushPromise: {"PUSH_PROMISE", "With PUSH_PROMISE the server announces a response it will push unasked, naming " +
		"the request it answers and the new stream it will use. Browsers have dropped server push.", "RFC 9113 §6.6",
		[]flagName{{flagEndHeaders, "END_HEADERS"}, {flagPadded, "PADDED"}}},
	typePing: {"PING", "PING checks that the connection is alive and measures its round trip: the peer echoes the 8 bytes " +
		"at once in a PING with the ACK flag.", "RFC 9113 §6.7", []flagName{{flagAck, "ACK"}}},
	typeGoAway: {"GOAWAY", "GOAWAY starts the connection's shutdown: the sender will process no stream above the " +
		"last stream ID it names, so the peer knows which requests it may safely retry on a new connection.", "RFC 9113 §6.8", nil},
	typeWindowUpdate: {"WINDOW_UPDATE", "WINDOW_UPDATE is flow control: the sender lets its peer send that many more bytes " +
		"of DATA, on one stream or (stream 0) on the whole connection.", "RFC 9113 §6.9", nil},
	typeContinuation: {"CONTINUATION", "CONTINUATION carries the rest of a header block that did not fit in its HEADERS " +
		"or PUSH_PROMISE frame; no other frame may come between them.", "RFC 9113 §6.10",
		[]flagName{{flagEndHeaders, "END_HEADERS"}}},
}

// extensionTypes are frame types defined outside RFC 9113 that the lab names.
var extensionTypes = map[uint8]frameInfo{
	0xa:  {"ALTSVC", "ALTSVC advertises another place (protocol, host, port) where the same service is offered.", "RFC 7838 §4", nil},
	0xc:  {"ORIGIN", "ORIGIN lists the origins the server is willing to answer for on this connection.", "RFC 8336 §2", nil},
	0x10: {"PRIORITY_UPDATE", "PRIORITY_UPDATE changes a request's priority in the scheme of RFC 9218, which replaces HTTP/2's own.", "RFC 9218 §7.1", nil},
}

// typeName is the name of frame type t: "DATA", or "type 0x42".
func typeName(t uint8) string {
	if i, ok := frameTypes[t]; ok {
		return i.name
	}
	if i, ok := extensionTypes[t]; ok {
		return i.name
	}
	return fmt.Sprintf("type 0x%x", t)
}

// typeFields is each frame type's "type" field, "DATA (0x0)", made once rather
// than for every frame.
var typeFields = func() (f [256]string) {
	for t := range f {
		f[t] = fmt.Sprintf("%s (0x%x)", typeName(uint8(t)), t)
	}
	return f
}()

// flagsText shows flags f of a frame of type t: "0x05 END_STREAM | END_HEADERS".
func flagsText(t, f uint8) string {
	s := fmt.Sprintf("0x%02x", f)
	if f == 0 {
		return s + " (none)"
	}
	sep := " "
	known := uint8(0)
	for _, fl := range frameTypes[t].flags {
		if f&fl.bit != 0 {
			s += sep + fl.name
			sep = " | "
			known |= fl.bit
		}
	}
	if rest := f &^ known; rest != 0 {
		s += sep + fmt.Sprintf("undefined 0x%02x (ignored)", rest)
	}
	return s
}

// errorCodes are RFC 9113 §7's error codes.
var errorCodes = [...]struct{ name, meaning string }{
	0x0: {"NO_ERROR", "no error: a graceful shutdown, or a stream ended because its answer is no longer needed"},
	0x1: {"PROTOCOL_ERROR", "the peer broke a rule of the protocol"},
	0x2: {"INTERNAL_ERROR", "the sender met an error of its own"},
	0x3: {"FLOW_CONTROL_ERROR", "the peer sent more than its flow-control window allowed"},
	0x4: {"SETTINGS_TIMEOUT", "the peer did not acknowledge a SETTINGS frame in time"},
	0x5: {"STREAM_CLOSED", "a frame arrived on a stream that was already half-closed"},
	0x6: {"FRAME_SIZE_ERROR", "a frame had an invalid length"},
	0x7: {"REFUSED_STREAM", "the stream was refused before any processing, so the request can be retried safely"},
	0x8: {"CANCEL", "the stream is no longer needed (a browser left the page, a client gave up)"},
	0x9: {"COMPRESSION_ERROR", "the HPACK compression state could not be kept"},
	0xa: {"CONNECT_ERROR", "the tunnel of a CONNECT request was reset or closed abnormally"},
	0xb: {"ENHANCE_YOUR_CALM", "the peer seems to be generating excessive load"},
	0xc: {"INADEQUATE_SECURITY", "the TLS in use does not meet HTTP/2's minimum security requirements"},
	0xd: {"HTTP_1_1_REQUIRED", "this request must be made over HTTP/1.1 instead"},
}

// errorName is the name of error code c: "CANCEL", or "0x42 (unknown)".
func errorName(c uint32) string {
	if int64(c) < int64(len(errorCodes)) {
		return errorCodes[c].name
	}
	return fmt.Sprintf("0x%x (unknown)", c)
}

// errorMeaning explains error code c in a clause.
func errorMeaning(c uint32) string {
	if int64(c) < int64(len(errorCodes)) {
		return errorCodes[c].name + " means " + errorCodes[c].meaning + " (RFC 9113 §7)."
	}
	return "Error code 0x" + strconv.FormatUint(uint64(c), 16) + " is not one RFC 9113 §7 defines; the receiver treats it as INTERNAL_ERROR."
}

// Settings identifiers (RFC 9113 §6.5.2, RFC 8441, RFC 9218).
const (
	settingHeaderTableSize      = 0x1
	settingEnablePush           = 0x2
	settingMaxConcurrentStreams = 0x3
	settingInitialWindowSize    = 0x4
	settingMaxFrameSize         = 0x5
	settingMaxHeaderListSize    = 0x6
)

var settingNames = map[uint16]struct{ name, meaning string }{
	settingHeaderTableSize:      {"HEADER_TABLE_SIZE", "the most bytes the sender's HPACK decoder keeps in its dynamic table (default 4096)"},
	settingEnablePush:           {"ENABLE_PUSH", "0 forbids server push, 1 allows it (clients only; default 1)"},
	settingMaxConcurrentStreams: {"MAX_CONCURRENT_STREAMS", "how many streams the peer may have open toward the sender at once (default unlimited)"},
	settingInitialWindowSize:    {"INITIAL_WINDOW_SIZE", "each new stream's flow-control window for DATA sent to the sender (default 65535)"},
	settingMaxFrameSize:         {"MAX_FRAME_SIZE", "the largest frame payload the sender accepts (default 16384)"},
	settingMaxHeaderListSize:    {"MAX_HEADER_LIST_SIZE", "the largest header list the sender is prepared to accept, uncompressed (advisory)"},
	0x8:                         {"ENABLE_CONNECT_PROTOCOL", "1 lets the peer use extended CONNECT, as WebSockets over HTTP/2 do (RFC 8441 §3)"},
	0x9:                         {"NO_RFC7540_PRIORITIES", "1 says the sender ignores HTTP/2's own priority scheme (RFC 9218 §2.1)"},
}

// settingName is the name of settings identifier id.
func settingName(id uint16) string {
	if s, ok := settingNames[id]; ok {
		return s.name
	}
	return fmt.Sprintf("0x%x", id)
}

// sizeText shows a byte count for people: "512 B", "1.2 KiB", "3 MiB".
func sizeText(n int64) string {
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1<<20:
		return unit(float64(n)/1024) + " KiB"
	case n < 1<<30:
		return unit(float64(n)/(1<<20)) + " MiB"
	}
	return unit(float64(n)/(1<<30)) + " GiB"
}

func unit(f float64) string {
	s := strconv.FormatFloat(f, 'f', 1, 64)
	if len(s) > 2 && s[len(s)-2:] == ".0" {
		s = s[:len(s)-2]
	}
	return s
}

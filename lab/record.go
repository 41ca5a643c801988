package lab

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// Record is an event as one line of JSON, the form `protolab serve --json` prints
// and scripts read. Field order is part of the contract: "event" comes first.
type Record struct {
	Event     string    `json:"event"` // "listening", "stopped", or an event kind: "open", "data", "message", ...
	Protocol  string    `json:"protocol,omitempty"`
	Addr      string    `json:"addr,omitempty"`
	NeededBy  string    `json:"needed_by,omitempty"` // "listening": started because this server needs it (Protocol.Needs)
	Seq       uint64    `json:"seq,omitempty"`
	Time      time.Time `json:"time,omitzero"`
	Conv      ConvID    `json:"conv,omitempty"`
	Client    string    `json:"client,omitempty"`
	Server    string    `json:"server,omitempty"`
	Side      string    `json:"side,omitempty"`
	Dir       string    `json:"dir,omitempty"`
	Layer     string    `json:"layer,omitempty"`
	Len       int       `json:"len,omitempty"`
	Data      []byte    `json:"data,omitempty"` // base64 in JSON
	Summary   string    `json:"summary,omitempty"`
	Meaning   string    `json:"meaning,omitempty"`
	Ref       string    `json:"ref,omitempty"`
	Fields    []Field   `json:"fields,omitempty"`
	Handshake bool      `json:"handshake,omitempty"`
	Teardown  bool      `json:"teardown,omitempty"`
	From      string    `json:"from,omitempty"`
	To        string    `json:"to,omitempty"`
	Text      string    `json:"text,omitempty"`
	Error     string    `json:"error,omitempty"`
	Missed    uint64    `json:"missed,omitempty"` // "dropped": events this reader lost to the capture limit
}

// Record turns e into its JSON-lines form, with its conversation's protocol and endpoints.
func (h *Hub) Record(e Event) Record {
	var proto, client, server string
	if c := h.Conversation(e.Conv); c != nil {
		proto, client, server = c.proto.Name, c.key.client, c.key.server
	}
	return RecordOf(e, proto, client, server)
}

// RecordOf turns e into its JSON-lines form, as a hub does, for an event of a
// conversation of protocol between client and server (a saved session's, for
// one): the endpoints go into the open event's line.
func RecordOf(e Event, protocol, client, server string) Record {
	r := Record{
		Event:    e.Kind.String(),
		Seq:      e.Seq,
		Time:     e.At,
		Conv:     e.Conv,
		Protocol: protocol,
		Side:     e.Side.String(),
		Dir:      e.Dir.String(),
		Layer:    e.Layer,
		From:     e.From,
		To:       e.To,
		Text:     e.Text,
	}
	if e.Kind == KindOpen {
		r.Client, r.Server = client, server
	}
	if e.Kind == KindData {
		r.Len = len(e.Data)
		r.Data = e.Data
	}
	if m := e.Msg; m != nil {
		fields, meaning := m.Detail()
		r.Summary, r.Meaning, r.Ref, r.Fields = m.Summary, meaning, m.Ref, fields
		r.Handshake, r.Teardown = m.Handshake, m.Teardown
	}
	return r
}

// Readable reports whether e belongs in a log read by people: the analyzers' view
// (opening, handshake, messages, state changes, errors) rather than the raw bytes and
// close events, which the analyzers' messages (data, FIN, RST) already tell.
func (e *Event) Readable() bool { return e.Kind != KindData && e.Kind != KindClose }

// FormatText renders e as one line of the readable log:
// "12:01:07.331 #14 tcp  client → 6 bytes "hello\n"".
func (h *Hub) FormatText(e Event) string { return string(h.AppendText(nil, &e)) }

// AppendText appends FormatText's line for e to dst, for a log written as fast
// as busy servers make it.
func (h *Hub) AppendText(dst []byte, e *Event) []byte {
	dst = appendClock(dst, e.At)
	proto := e.Layer
	if c := h.Conversation(e.Conv); c != nil {
		proto = c.proto.Name
	}
	dst = append(dst, " #"...)
	n := len(dst)
	dst = strconv.AppendUint(dst, uint64(e.Conv), 10)
	dst = pad(dst, 4-(len(dst)-n))
	dst = append(appendPadded(append(dst, ' '), proto, 5), ' ')
	side := func(dst []byte) []byte { return appendPadded(dst, e.Side.String(), 6) }
	switch e.Kind {
	case KindData:
		dst = append(append(append(side(dst), ' '), e.Dir.Arrow()...), ' ')
		dst = append(strconv.AppendInt(dst, int64(len(e.Data)), 10), " bytes "...)
		dst = AppendPreview(dst, e.Data, 60)
	case KindMessage, KindHandshake:
		dst = append(append(append(side(dst), ' '), e.Dir.Arrow()...), " ["...)
		summary := "<nil>" // what fmt printed for a message event without a message
		if e.Msg != nil {
			summary = e.Msg.Summary
		}
		dst = append(append(append(dst, e.Layer...), "] "...), summary...)
	case KindState:
		from := e.From
		if from == "" {
			from = "∅"
		}
		dst = append(append(append(append(append(dst, "state  ["...), e.Layer...), "] "...), from...), " → "...)
		dst = append(dst, e.To...)
	default:
		dst = append(append(append(side(dst), ' '), e.Kind.String()...), ": "...)
		dst = append(dst, e.Text...)
	}
	return dst
}

// appendClock appends t as t.AppendFormat(dst, "15:04:05.000") does, without
// reading the layout each time.
func appendClock(dst []byte, t time.Time) []byte {
	h, m, s := t.Clock()
	ms := t.Nanosecond() / 1e6
	return append(dst, byte('0'+h/10), byte('0'+h%10), ':', byte('0'+m/10), byte('0'+m%10), ':',
		byte('0'+s/10), byte('0'+s%10), '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
}

// appendPadded appends s and spaces to fill width runes, as fmt's %-Ns does.
func appendPadded(dst []byte, s string, width int) []byte {
	return pad(append(dst, s...), width-utf8.RuneCountInString(s))
}

// pad appends n spaces (none when n <= 0).
func pad(dst []byte, n int) []byte {
	for ; n > 0; n-- {
		dst = append(dst, ' ')
	}
	return dst
}

// Preview quotes up to max bytes of b for a one-line summary, Go-escaped, with "…"
// when b is longer.
func Preview(b []byte, max int) string {
	return string(AppendPreview(make([]byte, 0, min(len(b), max)+8), b, max))
}

// AppendPreview appends Preview(b, max) to dst, for a summary built in one
// allocation.
func AppendPreview(dst, b []byte, max int) []byte {
	more := len(b) > max
	if more {
		b = b[:max]
	}
	if ascii(b) {
		dst = appendQuoteASCII(dst, b)
	} else {
		dst = strconv.AppendQuote(dst, string(b))
	}
	if more {
		dst = append(dst, "…"...)
	}
	return dst
}

// ascii reports whether b is all ASCII.
func ascii(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// appendQuoteASCII appends strconv.Quote's quoting of b, which is all ASCII,
// without decoding runes: the printable bytes in runs, the others escaped as
// strconv escapes them. A line of text ends in an escaped newline, and
// strconv's rune-by-rune escaping of it cost more than the rest of a
// datagram's analysis.
func appendQuoteASCII(dst, b []byte) []byte {
	dst = append(dst, '"')
	start := 0
	for i, c := range b {
		if quotedAsIs[c] {
			continue
		}
		dst = append(dst, b[start:i]...)
		start = i + 1
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20 && escapes[c] != 0:
			dst = append(dst, '\\', escapes[c])
		default:
			dst = append(dst, '\\', 'x', lowerHex[c>>4], lowerHex[c&0x0f])
		}
	}
	dst = append(dst, b[start:]...)
	return append(dst, '"')
}

// quotedAsIs marks the bytes strconv.Quote writes as they are: printable
// ASCII but the quote and the backslash.
var quotedAsIs = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// escapes are the control bytes strconv.Quote writes as a letter after a
// backslash: "\a", "\n" and so on.
var escapes = [0x20]byte{'\a': 'a', '\b': 'b', '\f': 'f', '\n': 'n', '\r': 'r', '\t': 't', '\v': 'v'}

// lowerHex is the digits of a byte in hex, as previews and JSON write them.
const lowerHex = "0123456789abcdef"

// HexPreview shows up to max bytes of b as hex pairs, "68 65 6c 6c 6f", with " …"
// when b is longer.
func HexPreview(b []byte, max int) string {
	return string(AppendHexPreview(make([]byte, 0, 3*min(len(b), max)+4), b, max))
}

// AppendHexPreview appends HexPreview(b, max) to dst, for a summary built in
// one allocation.
func AppendHexPreview(dst, b []byte, max int) []byte {
	more := len(b) > max
	if more {
		b = b[:max]
	}
	for i, c := range b {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, lowerHex[c>>4], lowerHex[c&0x0f])
	}
	if more {
		dst = append(dst, " …"...)
	}
	return dst
}

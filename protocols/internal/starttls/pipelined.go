package starttls

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/protocollab/protolab/lab"
)

// maxHeld bounds the client's bytes held between its request for TLS and the
// server's reply.
const maxHeld = 64 << 10

// Ask notes that the client asked for TLS with command (STARTTLS, STLS, AUTH
// TLS). Until the server's reply says how to read them, the client's next bytes
// are held (Hold): after a go-ahead they are plaintext the server discards, up
// to the TLS handshake (Begin); after a refusal, more commands (Release). ref is
// where the protocol's RFC has the server discard them.
func (h *Handoff) Ask(command, ref string) {
	h.asked, h.command, h.ref, h.held = true, command, ref, nil
}

// Asked reports whether the client asked for TLS and the server has not
// answered yet: the analyzer passes the client's bytes to Hold.
func (h *Handoff) Asked() bool { return h.asked }

// Hold keeps b, bytes the client sent after asking for TLS, until the reply.
// Past maxHeld the bytes held are shown as they are and dropped.
func (h *Handoff) Hold(b []byte) []lab.Message {
	if len(h.held)+len(b) <= maxHeld {
		h.held = append(h.held, b...)
		return nil
	}
	all := append(h.held, b[:min(len(b), 256)]...)
	n := len(h.held) + len(b)
	h.held = nil
	return []lab.Message{{
		Dir:     lab.ClientToServer,
		Summary: fmt.Sprintf("%d bytes sent before the reply to %s", n, h.command),
		Meaning: "The client sent these bytes before the server's reply to " + h.command + " said how to read them. A client waits for that reply; " +
			"the lab holds no more than " + strconv.Itoa(maxHeld) + " bytes for it, so it shows their start and drops them.",
		Ref:      h.ref,
		Raw:      all[:min(len(all), 256)],
		Observed: true,
	}}
}

// Release ends the wait without TLS and returns the bytes held: for an analyzer
// that holds the client's bytes itself (SMTP), none.
func (h *Handoff) Release() []byte {
	b := h.held
	h.asked, h.held = false, nil
	return b
}

// Takes reports whether the bytes of dir are the Handoff's to Feed: after
// Start, TLS's; after Ask, the client's wait for the reply.
func (h *Handoff) Takes(dir lab.Dir) bool {
	return h.Active() || dir == lab.ClientToServer && h.asked
}

// Refuse ends the wait without TLS: the server refused it. The bytes held are
// more commands, read before the server's bytes after the refusal (Rest).
func (h *Handoff) Refuse() {
	h.refused = append([]byte{}, h.Release()...)
}

// Stops reports whether framing dir stops after the frame just framed: the
// rest is the Handoff's (Takes), or the server's bytes after a refusal wait
// for the client's commands it answers.
func (h *Handoff) Stops(dir lab.Dir) bool { return h.Takes(dir) || h.refused != nil }

// Rest passes on rest, the bytes of dir after framing stopped (Stops): to TLS
// or to the bytes held; after a refusal, the bytes held go to feed (the
// analyzer's Feed) as the client's, then rest as dir's.
func (h *Handoff) Rest(dir lab.Dir, rest []byte, at time.Time, feed func(lab.Dir, []byte, time.Time) []lab.Message) []lab.Message {
	var out []lab.Message
	if len(rest) > 0 && h.Takes(dir) {
		return h.Feed(dir, rest, at)
	}
	if b := h.refused; b != nil {
		h.refused = nil
		out = append(out, feed(lab.ClientToServer, b, at)...)
		out = append(out, feed(dir, rest, at)...)
	}
	return out
}

// Unanswered ends a wait the connection's end cut short: the server never
// answered, so the bytes held go to feed (the analyzer's Feed) as commands.
func (h *Handoff) Unanswered(feed func(lab.Dir, []byte, time.Time) []lab.Message) []lab.Message {
	if b := h.Release(); len(b) > 0 {
		return feed(lab.ClientToServer, b, time.Time{})
	}
	return nil
}

// Begin ends the wait with the server's go-ahead, the last message of out, and
// hands the rest of the connection to TLS (Start). The client's bytes held since
// it asked were sent before the go-ahead: the lines among them are plaintext
// the server discards, each shown as "discarded: …" before the go-ahead, as
// they came before it; notice then marks the switch, and TLS reads from the
// first byte that starts a TLS handshake record. It returns out with these.
func (h *Handoff) Begin(out []lab.Message, at time.Time, notice lab.Message, layer string, inner func() lab.Analyzer) []lab.Message {
	held := h.held
	h.asked, h.held = false, nil
	var gone []lab.Message
	for len(held) > 0 && !recordStart(held) {
		n := bytes.IndexByte(held, '\n') + 1
		if n == 0 {
			n = len(held)
		}
		gone = append(gone, h.discarded(held[:n]))
		held = held[n:]
	}
	out = Before(out, gone...)
	h.Start(layer, inner)
	out = append(out, notice)
	if len(held) > 0 {
		out = append(out, h.Feed(lab.ClientToServer, held, at)...)
	}
	return out
}

// Before puts msgs before the last message of out (the server's reply they came
// before), or at its end when out is empty, and returns out.
func Before(out []lab.Message, msgs ...lab.Message) []lab.Message {
	n := len(out)
	if n == 0 || len(msgs) == 0 {
		return append(out, msgs...)
	}
	return append(out[:n-1], append(msgs, out[n-1])...)
}

// recordStart reports whether b begins like a TLS handshake record: content
// type 22, version 3.x (RFC 8446 §5.1). A text line never begins with byte 22.
func recordStart(b []byte) bool {
	return b[0] == 22 && (len(b) < 2 || b[1] == 3)
}

// discarded is the message for line, sent after the request for TLS and before
// the go-ahead.
func (h *Handoff) discarded(line []byte) lab.Message {
	text := string(bytes.TrimRight(line, "\r\n"))
	summary := "discarded: " + text
	if len(text) > 80 || !printable(text) {
		summary = fmt.Sprintf("discarded: %d bytes", len(line))
	}
	return lab.Message{
		Dir:     lab.ClientToServer,
		Summary: summary,
		Meaning: "The client sent this after " + h.command + ", before the server's go-ahead. A client must wait for that reply, " +
			"and the server must not take what came before the TLS handshake as a command, as if sent under TLS: it discards these bytes as TLS begins. " +
			"The TLS handshake starts with the first TLS record after them. (Some servers close the connection on them instead; " +
			"one that reads them as the start of TLS fails the handshake.)",
		Ref:      h.ref,
		Raw:      line,
		Observed: true,
	}
}

func printable(s string) bool {
	for _, c := range []byte(s) {
		if c < ' ' || c > '~' {
			return false
		}
	}
	return true
}

package tls

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"unicode"

	"github.com/protocollab/protolab/lab"
)

// frame cuts b, the next bytes of h's direction, into records (RFC 8446 §5.1).
func (a *Analyzer) frame(h *half, b []byte) {
	for len(b) > 0 && !h.stopped {
		if len(h.buf) > 0 || len(b) < recordHeaderLen {
			// An unfinished record: complete its header, then its fragment.
			if len(h.buf) < recordHeaderLen {
				n := min(recordHeaderLen-len(h.buf), len(b))
				h.buf = append(h.buf, b[:n]...)
				b = b[n:]
				if len(h.buf) < recordHeaderLen || !a.checkHeader(h, h.buf) {
					return
				}
			}
			total := recordHeaderLen + int(binary.BigEndian.Uint16(h.buf[3:5]))
			if cap(h.buf) < total {
				h.buf = append(make([]byte, 0, total), h.buf...)
			}
			n := min(total-len(h.buf), len(b))
			h.buf = append(h.buf, b[:n]...)
			b = b[n:]
			if len(h.buf) < total {
				return
			}
			rec := h.buf
			h.buf = nil
			a.record(h, rec)
			continue
		}
		if !a.checkHeader(h, b) {
			return
		}
		total := recordHeaderLen + int(binary.BigEndian.Uint16(b[3:5]))
		if len(b) < total {
			h.buf = append(make([]byte, 0, total), b...)
			return
		}
		a.record(h, b[:total:total])
		b = b[total:]
	}
}

// checkHeader checks a record header; a bad one ends the framing of h's direction.
func (a *Analyzer) checkHeader(h *half, hdr []byte) bool {
	typ, major, n := hdr[0], hdr[1], int(binary.BigEndian.Uint16(hdr[3:5]))
	why := ""
	switch {
	case looksLikeText(hdr):
		why = fmt.Sprintf("the bytes %q are text, not a TLS record: perhaps plain text (such as HTTP) was sent to a TLS port", printable(hdr))
	case typ < typeChangeCipherSpec || typ > typeHeartbeat:
		why = fmt.Sprintf("content type %d is not a TLS record type", typ)
	case major != 3:
		why = fmt.Sprintf("record version 0x%02x%02x is not TLS's 0x03xx", major, hdr[2])
	case n > MaxRecordBytes:
		why = fmt.Sprintf("a record of %d bytes is longer than the %d TLS allows", n, MaxRecordBytes)
	default:
		return true
	}
	a.malformed(h, why, hdr, "RFC 8446 §5.1")
	return false
}

func looksLikeText(hdr []byte) bool {
	for _, c := range hdr[:4] {
		if c > unicode.MaxASCII || !unicode.IsPrint(rune(c)) {
			return false
		}
	}
	return true
}

// malformed reports bytes the analyzer cannot frame and stops framing h's direction.
func (a *Analyzer) malformed(h *half, why string, raw []byte, ref string) {
	h.stopped = true
	h.buf, h.hs = nil, nil
	a.emit(lab.Message{
		Dir:     h.dir,
		Summary: "malformed TLS: " + why,
		Meaning: "These bytes do not follow TLS's record or handshake syntax, so the lab cannot tell " +
			"where the next record begins; it stops reading this direction of the connection.",
		Ref:      ref,
		Fields:   []lab.Field{{Name: "problem", Value: why}},
		Raw:      append([]byte(nil), raw[:min(len(raw), 64)]...),
		Observed: true,
	}, "")
}

// record handles one whole record, header included.
func (a *Analyzer) record(h *half, rec []byte) {
	typ := rec[0]
	if h.protected && !(typ == typeChangeCipherSpec && a.tls13()) {
		if len(h.pending) == 0 {
			h.since = a.now
		}
		a.arrivals++
		h.pending = append(h.pending, pendingRecord{rec, a.arrivals})
		h.pendingBytes += len(rec)
		return
	}
	a.content(h, typ, rec[recordHeaderLen:], rec, false)
}

// content handles a record's plaintext, as sent or decrypted.
func (a *Analyzer) content(h *half, typ uint8, body, rec []byte, decrypted bool) {
	switch typ {
	case typeHandshake:
		a.handshakeBytes(h, body, decrypted)
	case typeAlert:
		a.alert(h, body, decrypted)
	case typeChangeCipherSpec:
		a.changeCipherSpec(h, body, rec)
	case typeApplicationData:
		a.applicationData(h, body, decrypted)
	case typeHeartbeat:
		a.emit(lab.Message{
			Dir: h.dir, Summary: fmt.Sprintf("Heartbeat (%d bytes)", len(body)),
			Meaning: "A keep-alive probe of the heartbeat extension (the one Heartbleed abused).",
			Ref:     "RFC 6520 §4", Raw: body, Observed: true,
		}, "")
	default:
		a.malformed(h, fmt.Sprintf("a decrypted record has content type %d", typ), rec, "RFC 8446 §5.2")
	}
}

// drainAll decrypts what the keys now allow, in both directions, until nothing
// moves; with force it stops waiting for keys. The records are taken in the order
// they arrived in, across directions, as far as the keys allow.
func (a *Analyzer) drainAll(force bool) {
	for {
		first, second := &a.halves[lab.ServerToClient], &a.halves[lab.ClientToServer]
		if len(second.pending) > 0 && (len(first.pending) == 0 || second.pending[0].n < first.pending[0].n) {
			first, second = second, first
		}
		if !a.step(first, force) && !a.step(second, force) {
			return
		}
	}
}

// step handles h's oldest waiting record if its keys are known (or if the lab
// gave up waiting for them). It reports whether it did.
func (a *Analyzer) step(h *half, force bool) bool {
	if len(h.pending) == 0 || h.stopped {
		return false
	}
	for !h.nokey && h.prot == nil {
		why := a.keyProblem()
		if why == "" {
			if a.loadKeys(h) || h.nokey {
				continue
			}
			switch {
			case force:
				why = "the lab has no key for this connection"
			case h.pendingBytes > MaxPendingBytes:
				why = fmt.Sprintf("the lab has no key for this connection (%d bytes waited for one)", h.pendingBytes)
			case a.now.Sub(h.since) > KeyWait:
				why = fmt.Sprintf("the lab has no key for this connection (none came within %v)", KeyWait)
			default:
				return false // wait for the key
			}
		}
		h.nokey, h.why = true, why
	}
	// TLS 1.3: the client's application data waits for the server's
	// EncryptedExtensions, which names the protocol to hand it to.
	// It waits within the same bounds as for keys.
	if !h.nokey && !force && h.dir == lab.ClientToServer && a.tls13() && h.epoch >= 2 && !a.sawEE &&
		h.pendingBytes <= MaxPendingBytes && a.now.Sub(h.since) <= KeyWait {
		if s := &a.halves[lab.ServerToClient]; !s.nokey && !s.stopped {
			return false
		}
	}
	rec := h.pending[0].rec
	h.pending[0] = pendingRecord{}
	h.pending = h.pending[1:]
	h.pendingBytes -= len(rec)
	if len(h.pending) == 0 {
		h.pending = nil
	}
	h.since = a.now
	h.records++
	if h.nokey {
		a.opaque(h, rec)
		return true
	}
	typ, pt, err := h.prot.open(h.seq, rec)
	h.seq++
	if err != nil {
		h.nokey, h.why = true, "the record could not be decrypted: "+err.Error()
		a.opaque(h, rec)
		return true
	}
	if len(pt) > 1<<14 {
		a.malformed(h, fmt.Sprintf("a decrypted record holds %d bytes, more than the 16384 TLS allows", len(pt)), rec, "RFC 8446 §5.2")
		return true
	}
	a.content(h, typ, pt, rec, true)
	return true
}

// keyProblem says why no key can come for this connection, or "" if one may.
func (a *Analyzer) keyProblem() string {
	switch {
	case a.keys == nil:
		return "the lab keeps no key log for this connection"
	case a.clientRandom == nil:
		return "the lab did not see the ClientHello, whose random finds the keys"
	case a.version != versionTLS12 && a.version != versionTLS13:
		return "the lab decrypts only TLS 1.2 and 1.3"
	}
	if s, ok := suites[a.suite]; !ok || s.tls13 != a.tls13() {
		return "the lab cannot decrypt the cipher suite " + suiteName(a.suite)
	}
	return ""
}

// loadKeys finds h's keys in the key log; false if they are not there (yet).
func (a *Analyzer) loadKeys(h *half) bool {
	s := suites[a.suite]
	if a.tls13() {
		if h.secret == nil {
			h.label = secretLabel(h.dir, h.epoch)
			if h.secret = a.keys.Lookup(h.label, a.clientRandom); h.secret == nil {
				return false
			}
		}
		p, err := protection13(s, h.secret)
		if err != nil {
			h.nokey, h.why = true, "the key log's "+h.label+" does not fit: "+err.Error()
			return false
		}
		h.prot = p
		return true
	}
	master := a.keys.Lookup("CLIENT_RANDOM", a.clientRandom)
	if master == nil {
		return false
	}
	c, srv, err := protection12(s, master, a.clientRandom, a.serverRandom)
	if err != nil {
		h.nokey, h.why = true, "the key log's master secret does not fit: "+err.Error()
		return false
	}
	h.label = "CLIENT_RANDOM"
	if h.dir == lab.ClientToServer {
		h.prot = c
	} else {
		h.prot = srv
	}
	return true
}

// secretLabel is the NSS key log label of a TLS 1.3 traffic secret.
func secretLabel(dir lab.Dir, epoch int) string {
	side := "CLIENT"
	if dir == lab.ServerToClient {
		side = "SERVER"
	}
	if epoch <= 1 {
		return side + "_HANDSHAKE_TRAFFIC_SECRET"
	}
	return side + "_TRAFFIC_SECRET_0"
}

// nextEpoch switches h to new keys: TLS 1.3's application traffic keys after
// its Finished; the record sequence starts again at zero (RFC 8446 §5.3).
func (h *half) nextEpoch() {
	h.epoch++
	h.secret, h.prot, h.seq = nil, nil, 0
}

// opaque shows a protected record the lab could not decrypt.
func (a *Analyzer) opaque(h *half, rec []byte) {
	n := len(rec) - recordHeaderLen
	kind, hs, ref := "application data", false, "RFC 8446 §5.2"
	next := ""
	if a.tls13() {
		switch {
		case h.dir == lab.ServerToClient && a.halves[lab.ClientToServer].records == 0:
			kind, hs = "handshake messages", true
		case h.dir == lab.ClientToServer && h.records == 1:
			kind, hs = "handshake messages (Finished)", true
			next = StateEstablished
		}
	} else {
		ref = "RFC 5246 §6.2.3.3"
		switch {
		case !h.finished:
			kind, hs = "Finished", true
			h.finished = true
			if a.other(h).finished {
				next = StateEstablished
			}
		case rec[0] == typeAlert:
			kind = "alert"
		case rec[0] == typeHandshake:
			kind = "handshake message"
		}
	}
	why := h.why
	a.emit(lab.Message{
		Dir:     h.dir,
		Summary: "encrypted " + kind + " (" + strconv.Itoa(n) + " bytes) — " + why,
		Meaning: "This record is encrypted and the lab cannot read it. The lab decrypts only " +
			"connections whose secrets its own TLS endpoints wrote to its key log; what kind of " +
			"content it holds is inferred from where it comes in the connection.",
		Ref: ref,
		Fields: []lab.Field{
			{Name: "record type", Value: strconv.Itoa(int(rec[0])), Off: 0, Len: 1},
			{Name: "record version", Value: fmt.Sprintf("0x%04x", binary.BigEndian.Uint16(rec[1:3])), Off: 1, Len: 2},
			{Name: "length", Value: strconv.Itoa(n) + " bytes", Off: 3, Len: 2},
			{Name: "encrypted content", Value: strconv.Itoa(n) + " bytes", Off: recordHeaderLen, Len: n},
			{Name: "not decrypted", Value: why},
		},
		Raw:       rec,
		Handshake: hs,
		Observed:  true,
	}, next)
}

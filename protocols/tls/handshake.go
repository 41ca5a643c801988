package tls

import (
	"fmt"
	"strings"

	"golang.org/x/crypto/cryptobyte"

	"github.com/protocollab/protolab/lab"
)

// handshakeBytes reassembles handshake messages from records: one record may hold
// several, one message may span several records (RFC 8446 §5.1).
func (a *Analyzer) handshakeBytes(h *half, body []byte, decrypted bool) {
	data := body
	if len(h.hs) > 0 {
		h.hs = append(h.hs, body...)
		data = h.hs
	}
	for len(data) >= 4 && !h.stopped {
		n := int(data[1])<<16 | int(data[2])<<8 | int(data[3])
		if n > MaxHandshakeBytes {
			a.malformed(h, fmt.Sprintf("a %s of %d bytes, more than the lab holds (%d)", handshakeName(data[0]), n, MaxHandshakeBytes), data[:4], "RFC 8446 §4")
			return
		}
		if len(data) < 4+n {
			break
		}
		msg := data[: 4+n : 4+n]
		data = data[4+n:]
		a.handshake(h, msg, decrypted)
	}
	if h.stopped || len(data) == 0 {
		h.hs = nil
	} else {
		h.hs = append([]byte(nil), data...)
	}
}

// handshake explains one whole handshake message (type, length, body).
func (a *Analyzer) handshake(h *half, msg []byte, decrypted bool) {
	typ, body := msg[0], msg[4:]
	st := a.state.State()
	during := st != StateEstablished && st != StateClosing && st != StateClosed
	post := typ == HandshakeNewSessionTicket || typ == HandshakeKeyUpdate
	m := lab.Message{Dir: h.dir, Raw: msg, Observed: true, Handshake: during && !post}
	next := ""
	var err error
	switch typ {
	case HandshakeClientHello:
		next, err = a.clientHello(&m, body)
	case HandshakeServerHello:
		next, err = a.serverHello(&m, body)
	case HandshakeEncryptedExtensions:
		err = a.encryptedExtensions(&m, body)
	case HandshakeCertificate:
		err = a.certificate(&m, h, body)
	case HandshakeCertificateVerify:
		err = certificateVerify(&m, h, body)
	case HandshakeServerKeyExchange:
		err = serverKeyExchange(&m, body)
	case HandshakeClientKeyExchange:
		err = a.clientKeyExchange(&m, body)
	case HandshakeServerHelloDone:
		m.Summary = "ServerHelloDone"
		m.Meaning = "The server has said all it has to say for now (hello, certificate, key exchange); " +
			"its turn is over and the client's key exchange comes next."
		m.Ref = "RFC 5246 §7.4.5"
	case HandshakeCertificateRequest:
		m.Summary = "CertificateRequest: the server asks the client for a certificate"
		m.Meaning = "The server wants the client to prove who it is with a certificate of its own (mutual TLS)."
		m.Ref = a.ref("§4.3.2", "§7.4.4")
	case HandshakeFinished:
		next = a.finished(&m, h, body)
	case HandshakeNewSessionTicket:
		err = a.newSessionTicket(&m, body)
	case HandshakeKeyUpdate:
		err = a.keyUpdate(&m, h, body)
	case HandshakeEndOfEarlyData:
		m.Summary = "EndOfEarlyData"
		m.Meaning = "The client's 0-RTT early data ends here; its handshake continues with the handshake keys."
		m.Ref = "RFC 8446 §4.5"
	default:
		m.Summary = fmt.Sprintf("%s (%d bytes)", handshakeName(typ), len(body))
		m.Meaning = "A handshake message the lab shows without taking it apart."
		m.Ref = a.ref("§4", "§7.4")
	}
	if err != nil {
		a.malformed(h, fmt.Sprintf("%s: %v", handshakeName(typ), err), msg, m.Ref)
		return
	}
	if decrypted {
		m.Fields = append(m.Fields, lab.Field{Name: "protection", Value: "decrypted with " + h.label})
	}
	placeHandshake(&m, typ)
	// TLS 1.2: what the server sends after its hello is the key exchange.
	if next == "" && a.state.State() == StateServerHello && !a.tls13() && typ != HandshakeServerHello {
		next = StateKeyExchange
	}
	a.emit(m, next)
	if typ == HandshakeServerHello && next == StateServerHello && a.tls13() {
		a.encryptedFromHere()
	}
}

// ref picks the TLS 1.3 or TLS 1.2 section for a message.
func (a *Analyzer) ref(s13, s12 string) string {
	if a.version == versionTLS12 {
		return "RFC 5246 " + s12
	}
	return "RFC 8446 " + s13
}

func (a *Analyzer) clientHello(m *lab.Message, body []byte) (string, error) {
	ch, err := parseClientHello(body)
	if err != nil {
		return "", err
	}
	first := a.clientRandom == nil
	if first {
		a.clientRandom = ch.random
	}
	offers13 := false
	for _, v := range ch.versions {
		offers13 = offers13 || v == versionTLS13
	}
	versions := ch.versions
	if len(versions) == 0 {
		versions = []uint16{ch.version}
	}
	var sum strings.Builder
	sum.WriteString("ClientHello")
	if ch.sni != "" {
		sum.WriteString(" for " + ch.sni)
	}
	fmt.Fprintf(&sum, ", offers %s", list(versions, versionName, 4))
	if len(ch.alpn) > 0 {
		fmt.Fprintf(&sum, ", ALPN %s", strings.Join(ch.alpn, ", "))
	}
	m.Summary = sum.String()
	m.Meaning = "The client opens the handshake in the clear: the TLS versions and cipher suites it " +
		"can use, its random number, the server name it wants (SNI, so one address can serve many " +
		"sites) and the application protocols it could speak inside (ALPN)."
	if offers13 {
		m.Meaning += " Offering TLS 1.3, it also sends key shares, guessing the group the server will pick, " +
			"so the keys can be agreed in one round trip."
		m.Ref = "RFC 8446 §4.1.2"
	} else {
		m.Ref = "RFC 5246 §7.4.1.2"
	}
	if ch.sni != "" {
		m.Ref += ", RFC 6066 §3"
	}
	if len(ch.alpn) > 0 {
		m.Ref += ", RFC 7301 §3.1"
	}
	f := []lab.Field{
		{Name: "SNI (server name)", Value: orNone(ch.sni)},
		{Name: "ALPN offered", Value: orNone(strings.Join(ch.alpn, ", "))},
		{Name: "supported versions", Value: orNone(list(ch.versions, versionName, 8))},
		{Name: "legacy version", Value: fmt.Sprintf("%s (0x%04x)", versionName(ch.version), ch.version)},
		{Name: "cipher suites", Value: fmt.Sprintf("%d: %s", len(ch.suites), list(ch.suites, suiteName, 40))},
		{Name: "key shares", Value: orNone(strings.Join(ch.keyShares, ", "))},
		{Name: "supported groups", Value: orNone(list(ch.groups, groupName, 20))},
		{Name: "signature algorithms", Value: orNone(list(ch.sigAlgs, signatureName, 30))},
		{Name: "client random", Value: hexOrEmpty(ch.random)},
		{Name: "session id", Value: hexOrEmpty(ch.sessionID)},
		{Name: "extensions", Value: orNone(list(ch.extensions, extensionName, 40)), Off: 4 + ch.extAt, Len: ch.extLen},
	}
	// Each extension, under the list of them: what the lab reads from it, or its size.
	known := map[uint16]string{extServerName: ch.sni, extALPN: strings.Join(ch.alpn, ", "),
		extSupportedVersions: list(ch.versions, versionName, 8), extKeyShare: strings.Join(ch.keyShares, ", "),
		extSupportedGroups: list(ch.groups, groupName, 20), extSignatureAlgorithms: list(ch.sigAlgs, signatureName, 30)}
	for _, e := range ch.exts {
		v := known[e.typ]
		if v == "" {
			v = fmt.Sprintf("%d bytes", len(e.data))
		}
		name := extensionName(e.typ)
		if !strings.HasPrefix(name, "extension ") {
			name = "extension " + name
		}
		f = append(f, lab.Field{Name: name, Value: v, Off: 4 + e.at, Len: 4 + len(e.data)})
	}
	m.Fields = f
	return StateClientHello, nil // from the start, or after a HelloRetryRequest
}

func (a *Analyzer) serverHello(m *lab.Message, body []byte) (string, error) {
	sh, err := parseServerHello(body)
	if err != nil {
		return "", err
	}
	m.Fields = []lab.Field{
		{Name: "version", Value: fmt.Sprintf("%s (0x%04x)", versionName(sh.version), sh.version)},
		{Name: "cipher suite", Value: fmt.Sprintf("%s (0x%04x)", suiteName(sh.suite), sh.suite)},
	}
	if sh.retry {
		m.Summary = "HelloRetryRequest: the server wants a key share for " + groupName(sh.keyShare)
		m.Meaning = "The server supports none of the key shares the client guessed. This ServerHello " +
			"(recognised by its special random) asks the client to send its ClientHello again with a " +
			"share for the group the server names."
		m.Ref = "RFC 8446 §4.1.4"
		m.Fields = append(m.Fields, lab.Field{Name: "group wanted", Value: groupName(sh.keyShare)})
		a.version, a.suite = sh.version, sh.suite // a HelloRetryRequest is TLS 1.3's: its compatibility records follow
		return StateHelloRetry, nil
	}
	a.version, a.suite, a.serverRandom = sh.version, sh.suite, sh.random
	var sum strings.Builder
	fmt.Fprintf(&sum, "ServerHello: %s, %s", versionName(sh.version), suiteName(sh.suite))
	if sh.version == versionTLS13 {
		fmt.Fprintf(&sum, ", key share %s", groupName(sh.keyShare))
		m.Meaning = "The server chooses TLS 1.3 (in the supported_versions extension; the old version " +
			"field says TLS 1.2 for old middleboxes), a cipher suite, and answers the client's key share " +
			"with its own. Both sides can now compute the handshake keys: everything after this message is encrypted."
		m.Ref = "RFC 8446 §4.1.3"
		m.Fields = append(m.Fields, lab.Field{Name: "key share", Value: groupName(sh.keyShare)})
	} else {
		a.alpn = sh.alpn
		if sh.alpn != "" {
			fmt.Fprintf(&sum, ", ALPN %s", sh.alpn)
		}
		m.Meaning = "The server chooses the version and cipher suite from the client's offer, sends its " +
			"own random and, in TLS 1.2, the application protocol (ALPN) in the clear. Its certificate " +
			"and key exchange follow."
		m.Ref = "RFC 5246 §7.4.1.3"
		m.Fields = append(m.Fields, lab.Field{Name: "ALPN chosen", Value: orNone(sh.alpn)})
		if sh.alpn != "" {
			m.Ref += ", RFC 7301 §3.1"
		}
	}
	m.Summary = sum.String()
	m.Fields = append(m.Fields,
		lab.Field{Name: "legacy version", Value: fmt.Sprintf("%s (0x%04x)", versionName(sh.legacy), sh.legacy)},
		lab.Field{Name: "server random", Value: hexOrEmpty(sh.random)},
		lab.Field{Name: "session id", Value: hexOrEmpty(sh.sessionID)},
		lab.Field{Name: "extensions", Value: orNone(list(sh.extensions, extensionName, 40))},
	)
	return StateServerHello, nil
}

// encryptedFromHere marks where TLS 1.3's encryption begins: the records after
// the ServerHello, in both directions, are protected with the handshake keys.
func (a *Analyzer) encryptedFromHere() {
	for _, d := range []lab.Dir{lab.ServerToClient, lab.ClientToServer} {
		h := &a.halves[d]
		h.protected, h.epoch = true, 1
		h.secret, h.prot, h.seq = nil, nil, 0
	}
	m := lab.Message{
		Dir:     lab.ServerToClient,
		Summary: "encrypted from here: both sides now use the handshake keys",
		Meaning: "With the ServerHello both sides know the shared secret from the key exchange, so TLS 1.3 " +
			"encrypts the rest of the handshake: the certificate, its signature and the Finished messages. " +
			"An observer sees only records of type application_data from here on. The lab decrypts them " +
			"with the secrets its endpoints logged.",
		Ref:       "RFC 8446 §2, §7.1",
		Handshake: true,
	}
	if why := a.keyProblem(); why != "" {
		m.Fields = []lab.Field{{Name: "decryption", Value: why}}
	}
	a.emit(m, StateEncryptedHandshake)
}

func (a *Analyzer) encryptedExtensions(m *lab.Message, body []byte) error {
	s := cryptobyte.String(body)
	exts, err := readExtensions(&s, len(body)-len(s))
	if err != nil {
		return err
	}
	var names []uint16
	for _, e := range exts {
		names = append(names, e.typ)
		if e.typ == extALPN {
			p, ok := readALPNChoice(e.data)
			if !ok {
				return fmt.Errorf("the ALPN extension is malformed")
			}
			a.alpn = p
		}
	}
	a.sawEE = true
	m.Summary = "EncryptedExtensions"
	if a.alpn != "" {
		m.Summary += ": ALPN " + a.alpn
	}
	m.Meaning = "The server's answers to the client's extensions that need not be in the clear, the first " +
		"encrypted message of TLS 1.3; among them the application protocol chosen with ALPN, which says what " +
		"the application data will speak."
	m.Ref = "RFC 8446 §4.3.1"
	if a.alpn != "" {
		m.Ref += ", RFC 7301 §3.1"
	}
	m.Fields = []lab.Field{
		{Name: "ALPN chosen", Value: orNone(a.alpn)},
		{Name: "extensions", Value: orNone(list(names, extensionName, 40))},
	}
	return nil
}

func certificateVerify(m *lab.Message, h *half, body []byte) error {
	s := cryptobyte.String(body)
	var alg uint16
	var sig cryptobyte.String
	if !s.ReadUint16(&alg) || !s.ReadUint16LengthPrefixed(&sig) {
		return fmt.Errorf("cut short")
	}
	m.Summary = fmt.Sprintf("CertificateVerify: %s signature", signatureName(alg))
	m.Meaning = "The " + h.side() + " signs the handshake so far with the private key of its certificate, " +
		"proving it holds that key and that no one changed the messages on the way."
	m.Ref = "RFC 8446 §4.4.3"
	m.Fields = []lab.Field{
		{Name: "algorithm", Value: signatureName(alg)},
		{Name: "signature", Value: fmt.Sprintf("%d bytes", len(sig))},
	}
	return nil
}

func serverKeyExchange(m *lab.Message, body []byte) error {
	s := cryptobyte.String(body)
	var curveType uint8
	var group, alg uint16
	var point, sig cryptobyte.String
	m.Ref = "RFC 5246 §7.4.3, RFC 8422 §5.4"
	if !s.ReadUint8(&curveType) || curveType != 3 || !s.ReadUint16(&group) || !s.ReadUint8LengthPrefixed(&point) {
		m.Summary = fmt.Sprintf("ServerKeyExchange (%d bytes)", len(body))
		m.Meaning = "The server's key exchange parameters, of a kind the lab does not take apart (not ECDHE)."
		return nil
	}
	m.Summary = "ServerKeyExchange: ECDHE " + groupName(group)
	m.Fields = []lab.Field{
		{Name: "group", Value: groupName(group)},
		{Name: "public key", Value: fmt.Sprintf("%d bytes", len(point))},
	}
	if s.ReadUint16(&alg) && s.ReadUint16LengthPrefixed(&sig) {
		m.Summary += ", signed with " + signatureName(alg)
		m.Fields = append(m.Fields, lab.Field{Name: "signature", Value: fmt.Sprintf("%s, %d bytes", signatureName(alg), len(sig))})
	}
	m.Meaning = "The server's half of an ephemeral Diffie-Hellman exchange: a fresh public key on the named " +
		"group, signed with its certificate's key so the client knows it comes from the server."
	return nil
}

func (a *Analyzer) clientKeyExchange(m *lab.Message, body []byte) error {
	m.Ref = "RFC 5246 §7.4.7"
	if strings.Contains(suiteName(a.suite), "ECDHE") {
		s := cryptobyte.String(body)
		var point cryptobyte.String
		if !s.ReadUint8LengthPrefixed(&point) {
			return fmt.Errorf("cut short")
		}
		m.Summary = fmt.Sprintf("ClientKeyExchange: ECDHE public key (%d bytes)", len(point))
		m.Meaning = "The client's half of the Diffie-Hellman exchange. With both halves each side computes " +
			"the same pre-master secret, and from it the master secret and the keys; no one watching can."
		m.Ref += ", RFC 8422 §5.7"
		m.Fields = []lab.Field{{Name: "public key", Value: fmt.Sprintf("%d bytes", len(point))}}
		return nil
	}
	m.Summary = fmt.Sprintf("ClientKeyExchange (%d bytes)", len(body))
	m.Meaning = "The client's part of the key exchange: with RSA key transport, the pre-master secret " +
		"encrypted with the server's public key."
	return nil
}

func (a *Analyzer) finished(m *lab.Message, h *half, body []byte) string {
	m.Summary = fmt.Sprintf("Finished (%s)", h.side())
	m.Meaning = "A MAC over the whole handshake with a key only the two ends know: it proves the handshake " +
		"was not tampered with. It is the " + h.side() + "'s last handshake message."
	m.Ref = a.ref("§4.4.4", "§7.4.9")
	m.Fields = []lab.Field{{Name: "verify data", Value: fmt.Sprintf("%d bytes", len(body))}}
	h.finished = true
	next := ""
	if a.tls13() {
		m.Meaning += " From here the " + h.side() + " switches to its application traffic keys."
		h.nextEpoch()
		if h.dir == lab.ClientToServer {
			next = StateEstablished
		}
	} else if a.other(h).finished {
		next = StateEstablished
	}
	return next
}

func (a *Analyzer) newSessionTicket(m *lab.Message, body []byte) error {
	s := cryptobyte.String(body)
	var lifetime, ageAdd uint32
	var nonce, ticket cryptobyte.String
	ok := s.ReadUint32(&lifetime)
	if a.tls13() {
		ok = ok && s.ReadUint32(&ageAdd) && s.ReadUint8LengthPrefixed(&nonce)
	}
	if !ok || !s.ReadUint16LengthPrefixed(&ticket) {
		return fmt.Errorf("cut short")
	}
	valid := seconds(lifetime)
	if lifetime == 0 && !a.tls13() {
		valid = "unspecified" // RFC 5077 §3.3: zero leaves it open
	}
	m.Summary = fmt.Sprintf("NewSessionTicket: valid %s, %d-byte ticket", valid, len(ticket))
	m.Meaning = "The server hands the client a ticket with which a later connection can resume this " +
		"session and skip the certificate and key exchange."
	m.Ref = a.ref("§4.6.1", "§7.4 (RFC 5077 §3.3)")
	if !a.tls13() {
		m.Ref = "RFC 5077 §3.3"
	}
	m.Fields = []lab.Field{
		{Name: "lifetime", Value: valid},
		{Name: "ticket", Value: fmt.Sprintf("%d bytes", len(ticket))},
	}
	return nil
}

func (a *Analyzer) keyUpdate(m *lab.Message, h *half, body []byte) error {
	if len(body) != 1 {
		return fmt.Errorf("a KeyUpdate of %d bytes", len(body))
	}
	m.Summary = "KeyUpdate: the " + h.side() + " switches to new keys"
	m.Meaning = "The sender derives its next traffic secret from the current one and encrypts with the " +
		"new keys from the next record on, so that no key protects too much data."
	if body[0] == 1 {
		m.Summary += " and asks the peer to do the same"
	}
	m.Ref = "RFC 8446 §4.6.3"
	if s, ok := suites[a.suite]; ok && h.secret != nil && !h.nokey {
		h.secret = nextSecret(s, h.secret)
		h.prot, h.seq = nil, 0
		h.label = strings.TrimSuffix(h.label, "_0") + "_N"
	}
	return nil
}

func seconds(s uint32) string {
	switch {
	case s%86400 == 0 && s > 0:
		return fmt.Sprintf("%d days (%d s)", s/86400, s)
	case s%3600 == 0 && s > 0:
		return fmt.Sprintf("%d hours (%d s)", s/3600, s)
	}
	return fmt.Sprintf("%d s", s)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

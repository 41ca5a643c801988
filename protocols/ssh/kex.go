package ssh

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/protocollab/protolab/lab"
)

// kexInit is one side's KEXINIT (RFC 4253 §7.1): its ten name-lists.
type kexInit struct {
	lists   [10][]string
	follows bool
}

// The name-lists of KEXINIT, in their order on the wire.
var listNames = [10]string{
	"kex algorithms", "server host key algorithms",
	"ciphers client→server", "ciphers server→client",
	"MACs client→server", "MACs server→client",
	"compression client→server", "compression server→client",
	"languages client→server", "languages server→client",
}

// Algorithms are what the two KEXINITs settle on: for each list, the first of the
// client's algorithms that the server also offers (RFC 4253 §7.1). An empty one
// means the lists have nothing in common and the key exchange fails.
type Algorithms struct {
	Kex, HostKey         string
	CipherC2S, CipherS2C string
	MACC2S, MACS2C       string
	CompC2S, CompS2C     string
}

// Negotiate picks the first of client's algorithms that server also offers; ""
// when there is none (RFC 4253 §7.1).
func Negotiate(client, server []string) string {
	for _, c := range client {
		if slices.Contains(server, c) {
			return c
		}
	}
	return ""
}

func negotiate(c, s *kexInit) *Algorithms {
	pick := func(i int) string { return Negotiate(c.lists[i], s.lists[i]) }
	return &Algorithms{
		Kex: pick(0), HostKey: pick(1),
		CipherC2S: pick(2), CipherS2C: pick(3),
		MACC2S: pick(4), MACS2C: pick(5),
		CompC2S: pick(6), CompS2C: pick(7),
	}
}

func (a *Analyzer) kexInit(dir lab.Dir, r *reader) lab.Message {
	k := &kexInit{}
	cookie := r.bytes(16)
	for i := range k.lists {
		k.lists[i] = r.nameList()
	}
	k.follows = r.bool()
	r.uint32()
	who, other := "client", "server"
	if dir == lab.ServerToClient {
		who, other = "server", "client"
	}
	m := lab.Message{
		Summary: fmt.Sprintf("KEXINIT from the %s: kex %s, host key %s, cipher %s, MAC %s", who,
			first(k.lists[0]), first(k.lists[1]), first(k.lists[2]), first(k.lists[4])),
		Meaning: fmt.Sprintf("The %s lists, in order of preference, the algorithms it accepts for each job: the key "+
			"exchange, the type of the server's host key, then the cipher, the MAC (integrity check) and the "+
			"compression for each direction. The %s does the same; for each list the first of the client's "+
			"algorithms that the server also has wins. The random cookie makes each exchange unique.", who, other),
		Ref:       "RFC 4253 §7.1",
		Handshake: true,
	}
	if r.bad {
		m.Summary = "KEXINIT from the " + who + " (cut short)"
	}
	m.Fields = append(m.Fields, lab.Field{Name: "cookie", Value: hex.EncodeToString(cookie)})
	for i, l := range k.lists {
		v := strings.Join(l, ", ")
		if v == "" {
			v = "(none)"
		}
		m.Fields = append(m.Fields, lab.Field{Name: listNames[i], Value: v})
	}
	m.Fields = append(m.Fields, lab.Field{Name: "first_kex_packet_follows", Value: fmt.Sprint(k.follows)})
	if notes := pseudoAlgorithms(k.lists[0]); notes != "" {
		m.Fields = append(m.Fields, lab.Field{Name: "signals in the kex list", Value: notes})
	}
	a.dirs[dir].kexinit = k
	if c, s := a.dirs[lab.ClientToServer].kexinit, a.dirs[lab.ServerToClient].kexinit; c != nil && s != nil && a.negotiated == nil {
		n := negotiate(c, s)
		a.negotiated = n
		m.Fields = append(m.Fields, negotiatedFields(n, c, s)...)
		m.Meaning += " Both lists are now known, so the negotiated algorithms are shown below."
	}
	a.state.Move(&m, StateKexInit)
	return m
}

func first(l []string) string {
	if len(l) == 0 {
		return "(none)"
	}
	return l[0]
}

func negotiatedFields(n *Algorithms, c, s *kexInit) []lab.Field {
	show := func(v string) string {
		if v == "" {
			return "none in common: the key exchange fails"
		}
		if about := algorithmMeaning(v); about != "" {
			return v + " — " + about
		}
		return v
	}
	mac := func(cipher, mac string) string {
		if aead(cipher) {
			return "none needed: " + cipher + " authenticates what it encrypts"
		}
		return show(mac)
	}
	f := []lab.Field{
		{Name: "negotiated kex", Value: show(n.Kex)},
		{Name: "negotiated host key", Value: show(n.HostKey)},
		{Name: "negotiated cipher client→server", Value: show(n.CipherC2S)},
		{Name: "negotiated cipher server→client", Value: show(n.CipherS2C)},
		{Name: "negotiated MAC client→server", Value: mac(n.CipherC2S, n.MACC2S)},
		{Name: "negotiated MAC server→client", Value: mac(n.CipherS2C, n.MACS2C)},
		{Name: "negotiated compression client→server", Value: show(n.CompC2S)},
		{Name: "negotiated compression server→client", Value: show(n.CompS2C)},
	}
	if slices.Contains(c.lists[0], "kex-strict-c-v00@openssh.com") && slices.Contains(s.lists[0], "kex-strict-s-v00@openssh.com") {
		f = append(f, lab.Field{Name: "strict key exchange", Value: "on: both sides offered it, so no stray packet is allowed " +
			"during the key exchange and the sequence numbers restart at NEWKEYS (the fix for the Terrapin attack, CVE-2023-48795)"})
	}
	return f
}

// pseudoAlgorithms explains the names in a kex list that are signals rather than
// algorithms.
func pseudoAlgorithms(kex []string) string {
	var notes []string
	for _, k := range kex {
		switch k {
		case "ext-info-c", "ext-info-s":
			notes = append(notes, k+": will send EXT_INFO after NEWKEYS (RFC 8308)")
		case "kex-strict-c-v00@openssh.com", "kex-strict-s-v00@openssh.com":
			notes = append(notes, k+": asks for OpenSSH's strict key exchange (the Terrapin fix)")
		}
	}
	return strings.Join(notes, "; ")
}

func aead(cipher string) bool {
	return strings.HasSuffix(cipher, "-gcm@openssh.com") || cipher == "chacha20-poly1305@openssh.com"
}

// algorithmMeaning says in a few words what a common algorithm is.
func algorithmMeaning(name string) string {
	switch {
	case name == "curve25519-sha256" || name == "curve25519-sha256@libssh.org":
		return "elliptic-curve Diffie-Hellman on Curve25519 (RFC 8731)"
	case strings.HasPrefix(name, "ecdh-sha2-nistp"):
		return "elliptic-curve Diffie-Hellman on a NIST curve (RFC 5656)"
	case strings.HasPrefix(name, "mlkem768x25519"):
		return "post-quantum ML-KEM-768 combined with Curve25519"
	case strings.HasPrefix(name, "sntrup761x25519"):
		return "post-quantum Streamlined NTRU Prime combined with Curve25519"
	case strings.HasPrefix(name, "diffie-hellman-group-exchange"):
		return "Diffie-Hellman in a group the server proposes (RFC 4419)"
	case strings.HasPrefix(name, "diffie-hellman-group"):
		return "Diffie-Hellman in a fixed group (RFC 4253 §8, RFC 8268)"
	case name == "ssh-ed25519":
		return "an Ed25519 key (RFC 8709)"
	case name == "rsa-sha2-256" || name == "rsa-sha2-512":
		return "an RSA key, signatures with SHA-2 (RFC 8332)"
	case name == "ssh-rsa":
		return "an RSA key, signatures with SHA-1 (old)"
	case strings.HasPrefix(name, "ecdsa-sha2-"):
		return "an ECDSA key (RFC 5656)"
	case name == "chacha20-poly1305@openssh.com":
		return "ChaCha20 with Poly1305 authentication (OpenSSH)"
	case strings.HasPrefix(name, "aes") && strings.HasSuffix(name, "-gcm@openssh.com"):
		return "AES in Galois/Counter Mode, authenticated (RFC 5647)"
	case strings.HasPrefix(name, "aes") && strings.HasSuffix(name, "-ctr"):
		return "AES in counter mode (RFC 4344), with a separate MAC"
	case strings.HasSuffix(name, "-etm@openssh.com"):
		return "an HMAC computed over the encrypted packet (encrypt-then-MAC)"
	case strings.HasPrefix(name, "hmac-sha2-"):
		return "HMAC with SHA-2 (RFC 6668)"
	case name == "none":
		return "nothing"
	case name == "zlib@openssh.com":
		return "zlib compression, after the login only"
	}
	return ""
}

// kexFamily is the shape of the negotiated key exchange's messages.
func (a *Analyzer) kexFamily() string {
	name := ""
	if a.negotiated != nil {
		name = a.negotiated.Kex
	}
	switch {
	case strings.HasPrefix(name, "diffie-hellman-group-exchange"):
		return "gex"
	case strings.HasPrefix(name, "diffie-hellman-group"):
		return "dh"
	case strings.HasPrefix(name, "ecdh-sha2-"), strings.HasPrefix(name, "curve25519-"), strings.HasPrefix(name, "curve448-"):
		return "ecdh"
	case strings.Contains(name, "x25519"), strings.HasPrefix(name, "mlkem"):
		return "hybrid"
	}
	return ""
}

// kexMessageName names message t of the key exchange family ("" when unknown).
func kexMessageName(family string, t byte) string {
	switch family {
	case "ecdh":
		return map[byte]string{30: "KEX_ECDH_INIT", 31: "KEX_ECDH_REPLY"}[t]
	case "dh":
		return map[byte]string{30: "KEXDH_INIT", 31: "KEXDH_REPLY"}[t]
	case "hybrid":
		return map[byte]string{30: "KEX_HYBRID_INIT", 31: "KEX_HYBRID_REPLY"}[t]
	case "gex":
		return map[byte]string{30: "KEX_DH_GEX_REQUEST_OLD", 31: "KEX_DH_GEX_GROUP", 32: "KEX_DH_GEX_INIT",
			33: "KEX_DH_GEX_REPLY", 34: "KEX_DH_GEX_REQUEST"}[t]
	}
	return ""
}

// kexMessage explains a message of the key exchange proper (numbers 30–49).
func (a *Analyzer) kexMessage(dir lab.Dir, t byte, r *reader) lab.Message {
	family := a.kexFamily()
	name := kexMessageName(family, t)
	m := lab.Message{Handshake: true, Ref: "RFC 4253 §7"}
	init, reply := false, false
	switch family {
	case "gex":
		m.Ref = "RFC 4419 §3"
		switch t {
		case 34:
			lo, n, hi := r.uint32(), r.uint32(), r.uint32()
			m.Summary = fmt.Sprintf("%s: a group of %d bits (%d to %d)", name, n, lo, hi)
			m.Meaning = "The client asks the server for a Diffie-Hellman group of about this size."
		case 30:
			n := r.uint32()
			m.Summary = fmt.Sprintf("%s: a group of %d bits", name, n)
			m.Meaning = "The client asks the server for a Diffie-Hellman group of about this size (the old form)."
		case 31:
			p, g := r.string(), r.string()
			m.Summary = fmt.Sprintf("%s: a %d-bit prime", name, 8*len(trimZero(p)))
			m.Meaning = "The server proposes the group: a large safe prime p and a generator g."
			m.Fields = []lab.Field{{Name: "p", Value: fmt.Sprintf("%d bits", 8*len(trimZero(p)))}, {Name: "g", Value: hex.EncodeToString(g)}}
		case 32:
			init = true
		case 33:
			reply = true
		}
	case "", "ecdh", "dh", "hybrid":
		init, reply = t == 30, t == 31
		if family == "" {
			name = map[byte]string{30: "key exchange init", 31: "key exchange reply"}[t]
		}
		switch family {
		case "ecdh":
			m.Ref = "RFC 5656 §4"
			if strings.HasPrefix(a.negotiated.Kex, "curve25519") {
				m.Ref = "RFC 8731 §3"
			}
		case "dh":
			m.Ref = "RFC 4253 §8"
		case "hybrid":
			m.Ref = "draft-kampanakis-curdle-ssh-pq-ke §2.2"
		}
	}
	switch {
	case init:
		pub := r.string()
		m.Summary = fmt.Sprintf("%s: the client's ephemeral public key (%d bytes)", name, len(pub))
		m.Meaning = "The client sends the public half of a key pair made for this connection only. The server " +
			"combines it with its own to compute the shared secret; neither secret half crosses the wire."
		m.Fields = []lab.Field{{Name: "client public key", Value: fmt.Sprintf("%d bytes", len(pub))}}
	case reply:
		ks, pub, sig := r.string(), r.string(), r.string()
		m.Fields = hostKey(ks)
		typ := "?"
		fp := ""
		for _, f := range m.Fields {
			switch f.Name {
			case "host key type":
				typ = f.Value
			case "host key fingerprint":
				fp = f.Value
			}
		}
		m.Summary = fmt.Sprintf("%s: host key %s %s", name, typ, fp)
		m.Meaning = "The server sends its long-term host key, the public half of its own key pair for this " +
			"connection, and a signature over the hash of everything exchanged so far. The client checks that the " +
			"host key is the one it knows for this server (known_hosts) and that the signature is right: that is " +
			"how it knows no one is in the middle."
		m.Fields = append(m.Fields, lab.Field{Name: "server public key", Value: fmt.Sprintf("%d bytes", len(pub))})
		sr := &reader{b: sig}
		if alg := sr.string(); !sr.bad {
			m.Fields = append(m.Fields, lab.Field{Name: "signature algorithm", Value: printable(alg)})
		}
	}
	if m.Summary == "" {
		if name == "" {
			name = fmt.Sprintf("key exchange message %d", t)
		}
		m.Summary = name
		m.Meaning = "A message of the key exchange method."
	}
	a.state.Move(&m, StateKeyExchange)
	return m
}

func trimZero(b []byte) []byte {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

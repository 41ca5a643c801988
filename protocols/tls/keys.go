package tls

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	stdtls "crypto/tls"
	"encoding/binary"
	"errors"
	"hash"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/hkdf"

	"github.com/protocollab/protolab/protocols/internal/framing"
)

// suite is what the decryption needs to know about a cipher suite.
type suite struct {
	keyLen int
	ivLen  int // TLS 1.3 and ChaCha20: the whole nonce; TLS 1.2 GCM: the implicit part
	hash   func() hash.Hash
	chacha bool
	tls13  bool
}

// suites are the AEAD suites the analyzer decrypts: TLS 1.3's three (RFC 8446
// §B.4) and TLS 1.2's AES-GCM (RFC 5288, RFC 5289) and ChaCha20-Poly1305 (RFC 7905).
var suites = map[uint16]suite{
	stdtls.TLS_AES_128_GCM_SHA256:       {16, 12, sha256.New, false, true},
	stdtls.TLS_AES_256_GCM_SHA384:       {32, 12, sha512.New384, false, true},
	stdtls.TLS_CHACHA20_POLY1305_SHA256: {32, 12, sha256.New, true, true},

	stdtls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:         {16, 4, sha256.New, false, false},
	stdtls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:       {16, 4, sha256.New, false, false},
	stdtls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:         {32, 4, sha512.New384, false, false},
	stdtls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:       {32, 4, sha512.New384, false, false},
	stdtls.TLS_RSA_WITH_AES_128_GCM_SHA256:               {16, 4, sha256.New, false, false},
	stdtls.TLS_RSA_WITH_AES_256_GCM_SHA384:               {32, 4, sha512.New384, false, false},
	stdtls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:   {32, 12, sha256.New, true, false},
	stdtls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: {32, 12, sha256.New, true, false},
}

// protection is one direction's record protection under one set of keys.
type protection struct {
	aead     cipher.AEAD
	iv       []byte
	tls13    bool
	explicit bool     // TLS 1.2 AES-GCM: the record carries 8 bytes of the nonce (RFC 5288 §3)
	aad      [13]byte // open12's additional data, built here: handed to the AEAD, a local's would be allocated
	// Where records are decrypted: in allocations that double from 2 KiB to
	// 64 KiB, so that a busy connection costs one allocation per 64 KiB
	// rather than one per record, and a short one wastes little; a full
	// record gets its own. An allocation lives as long as the newest
	// message whose bytes lie in it, as the slabs the tap copies captured
	// bytes into do, and what it hands out is never handed out again: a
	// plaintext is the inner analyzer's to keep (lab.Analyzer's Feed owns
	// the bytes it is given).
	plain framing.Arena
}

func newProtection(s suite, key, iv []byte) (*protection, error) {
	var aead cipher.AEAD
	var err error
	if s.chacha {
		aead, err = chacha20poly1305.New(key)
	} else {
		var block cipher.Block
		block, err = aes.NewCipher(key)
		if err == nil {
			aead, err = cipher.NewGCM(block)
		}
	}
	if err != nil {
		return nil, err
	}
	return &protection{aead: aead, iv: iv, tls13: s.tls13, explicit: !s.tls13 && !s.chacha,
		plain: framing.Arena{First: 2 << 10, Most: 64 << 10}}, nil
}

// hkdfExpandLabel is HKDF-Expand-Label of RFC 8446 §7.1.
func hkdfExpandLabel(h func() hash.Hash, secret []byte, label string, context []byte, n int) []byte {
	var b cryptobyte.Builder
	b.AddUint16(uint16(n))
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte("tls13 " + label)) })
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(context) })
	out := make([]byte, n)
	if _, err := hkdf.Expand(h, secret, b.BytesOrPanic()).Read(out); err != nil {
		panic("tls: HKDF-Expand-Label of " + label + ": " + err.Error()) // only for n > 255 hash lengths
	}
	return out
}

// protection13 turns a TLS 1.3 traffic secret into record keys (RFC 8446 §7.3).
func protection13(s suite, secret []byte) (*protection, error) {
	if len(secret) != s.hash().Size() {
		return nil, errors.New("the logged secret's length does not fit the cipher suite's hash")
	}
	key := hkdfExpandLabel(s.hash, secret, "key", nil, s.keyLen)
	iv := hkdfExpandLabel(s.hash, secret, "iv", nil, s.ivLen)
	return newProtection(s, key, iv)
}

// nextSecret is the traffic secret after a KeyUpdate (RFC 8446 §7.2).
func nextSecret(s suite, secret []byte) []byte {
	return hkdfExpandLabel(s.hash, secret, "traffic upd", nil, s.hash().Size())
}

// prf12 is the TLS 1.2 PRF of RFC 5246 §5: P_hash over label and seed.
func prf12(h func() hash.Hash, secret []byte, label string, seed []byte, n int) []byte {
	ls := append([]byte(label), seed...)
	out := make([]byte, 0, n+64)
	mac := hmac.New(h, secret)
	mac.Write(ls)
	a := mac.Sum(nil) // A(1)
	for len(out) < n {
		mac.Reset()
		mac.Write(a)
		mac.Write(ls)
		out = mac.Sum(out)
		mac.Reset()
		mac.Write(a)
		a = mac.Sum(a[:0])
	}
	return out[:n]
}

// protection12 derives both directions' keys from a TLS 1.2 master secret: the key
// block of RFC 5246 §6.3, which for AEAD suites holds no MAC keys.
func protection12(s suite, master, clientRandom, serverRandom []byte) (client, server *protection, err error) {
	if len(master) != 48 {
		return nil, nil, errors.New("the logged master secret is not 48 bytes long")
	}
	seed := append(append([]byte(nil), serverRandom...), clientRandom...)
	kb := prf12(s.hash, master, "key expansion", seed, 2*s.keyLen+2*s.ivLen)
	ck, kb := kb[:s.keyLen], kb[s.keyLen:]
	sk, kb := kb[:s.keyLen], kb[s.keyLen:]
	civ, siv := kb[:s.ivLen], kb[s.ivLen:]
	if client, err = newProtection(s, ck, civ); err != nil {
		return nil, nil, err
	}
	server, err = newProtection(s, sk, siv)
	return client, server, err
}

var (
	errShort   = errors.New("the record is too short to hold an authentication tag")
	errAuth    = errors.New("the record's authentication tag does not match: wrong keys, or the bytes were changed")
	errNoInner = errors.New("the decrypted record holds only padding, no content type")
)

// open decrypts record rec (header included), the seq'th under these keys, and
// returns its content type and plaintext (TLS 1.3: the inner type of §5.2, padding removed).
func (p *protection) open(seq uint64, rec []byte) (uint8, []byte, error) {
	hdr, body := rec[:recordHeaderLen], rec[recordHeaderLen:]
	if !p.tls13 {
		pt, err := p.open12(seq, hdr[0], [2]byte{hdr[1], hdr[2]}, body)
		return hdr[0], pt, err
	}
	nonce := p.seqNonce(seq)
	if len(body) < p.aead.Overhead() {
		return 0, nil, errShort
	}
	pt, err := p.aead.Open(p.plain.Room(len(body)-p.aead.Overhead()), nonce[:], body, hdr)
	if err != nil {
		return 0, nil, errAuth
	}
	i := len(pt) - 1
	for i >= 0 && pt[i] == 0 {
		i--
	}
	if i < 0 {
		return 0, nil, errNoInner
	}
	return pt[i], pt[:i], nil
}

// open12 decrypts a TLS 1.2 (or DTLS 1.2) record's body of content type typ and
// version ver: seq is the record's sequence number (DTLS: epoch and sequence
// number, RFC 6347 §4.1.2.1), which goes into the additional data of RFC 5246
// §6.2.3.3 and, for ChaCha20-Poly1305, into the nonce (RFC 7905 §2).
func (p *protection) open12(seq uint64, typ byte, ver [2]byte, body []byte) ([]byte, error) {
	var nonce [12]byte
	if p.explicit {
		if len(body) < 8+p.aead.Overhead() {
			return nil, errShort
		}
		copy(nonce[:4], p.iv)
		copy(nonce[4:], body[:8])
		body = body[8:]
	} else {
		nonce = p.seqNonce(seq)
	}
	if len(body) < p.aead.Overhead() {
		return nil, errShort
	}
	n := len(body) - p.aead.Overhead()
	aad := p.aad[:]
	binary.BigEndian.PutUint64(aad, seq)
	aad[8], aad[9], aad[10] = typ, ver[0], ver[1]
	binary.BigEndian.PutUint16(aad[11:], uint16(n))
	pt, err := p.aead.Open(p.plain.Room(n), nonce[:], body, aad)
	if err != nil {
		return nil, errAuth
	}
	return pt, nil
}

// seqNonce is the nonce of the seq'th record: the IV XORed with the sequence
// number (RFC 8446 §5.3, RFC 7905 §2).
func (p *protection) seqNonce(seq uint64) [12]byte {
	var nonce [12]byte
	copy(nonce[:], p.iv)
	var s [8]byte
	binary.BigEndian.PutUint64(s[:], seq)
	for i := range s {
		nonce[4+i] ^= s[i]
	}
	return nonce
}

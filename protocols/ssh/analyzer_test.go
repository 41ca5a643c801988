package ssh

import (
	"encoding/binary"
	"strings"
	"testing"
	"time"

	xssh "golang.org/x/crypto/ssh"

	"github.com/protocollab/protolab/lab"
)

func TestHandshakeOfGoSSH(t *testing.T) {
	chunks, key := capture(t, nil)
	for _, size := range []int{0, 1, 7} {
		a, msgs := feedAll(chunks, size)
		var got []string
		for _, m := range msgs {
			got = append(got, m.Dir.Arrow()+strings.SplitN(m.Summary, ":", 2)[0])
		}
		want := []string{
			"→SSH-2.0-Go", "←SSH-2.0-Go",
			"→KEXINIT from the client", "←KEXINIT from the server",
			"→KEX_HYBRID_INIT", "←KEX_HYBRID_REPLY", // mlkem768x25519-sha256, Go's first choice
			"←NEWKEYS", "←encrypted from here", "→NEWKEYS", "→encrypted from here",
			"→connection closed by the client",
		}
		// The server's KEXINIT may come before the client's; the order of the
		// directions between each other is whatever the network made it.
		if !sameMessages(got, want) {
			t.Fatalf("pieces of %d: messages\n%q\nwant (in some interleaving)\n%q", size, got, want)
		}
		if s := a.State(); s != StateClosed {
			t.Errorf("State = %q, want %q", s, StateClosed)
		}
		n, ok := a.Negotiated()
		if !ok || n.Kex == "" || n.HostKey != "ssh-ed25519" || n.CipherC2S == "" {
			t.Errorf("Negotiated = %+v, %v; want a kex, ssh-ed25519 and a cipher", n, ok)
		}
		for _, m := range msgs {
			if strings.HasPrefix(m.Summary, "KEX_HYBRID_REPLY") {
				if got, want := field(m, "host key fingerprint"), xssh.FingerprintSHA256(key); got != want {
					t.Errorf("fingerprint = %q, want %q", got, want)
				}
				if got := field(m, "host key type"); got != "ssh-ed25519" {
					t.Errorf("host key type = %q, want ssh-ed25519", got)
				}
			}
			if strings.HasPrefix(m.Summary, "KEXINIT") && m.Dir == s2c || strings.HasPrefix(m.Summary, "KEXINIT") && field(m, "negotiated kex") != "" {
				if field(m, "kex algorithms") == "" || field(m, "ciphers server→client") == "" {
					t.Errorf("KEXINIT fields %v lack the lists", m.Fields)
				}
			}
		}
		if a.Encrypted(c2s) == 0 || a.Encrypted(s2c) == 0 {
			t.Errorf("encrypted bytes %d, %d; want some both ways", a.Encrypted(c2s), a.Encrypted(s2c))
		}
		if a.Pending(c2s) != 0 || a.Pending(s2c) != 0 {
			t.Errorf("pending %d, %d after the handshake", a.Pending(c2s), a.Pending(s2c))
		}
	}
}

// sameMessages reports whether got is want with each direction's order kept.
func sameMessages(got, want []string) bool {
	pick := func(l []string, arrow string) []string {
		var out []string
		for _, s := range l {
			if strings.HasPrefix(s, arrow) && !strings.Contains(s, "connection closed") {
				out = append(out, s)
			}
		}
		return out
	}
	for _, arrow := range []string{"→", "←"} {
		g, w := pick(got, arrow), pick(want, arrow)
		if strings.Join(g, "|") != strings.Join(w, "|") {
			return false
		}
	}
	return len(got) == len(want)
}

func TestNegotiationFollowsTheClientsOrder(t *testing.T) {
	chunks, _ := capture(t, func(c *xssh.ClientConfig) {
		c.Config.Ciphers = []string{"aes128-ctr", "aes256-gcm@openssh.com"}
		c.Config.MACs = []string{"hmac-sha2-512", "hmac-sha2-256"}
		c.Config.KeyExchanges = []string{"ecdh-sha2-nistp256", "curve25519-sha256"}
	})
	a, msgs := feedAll(chunks, 0)
	n, _ := a.Negotiated()
	want := Algorithms{Kex: "ecdh-sha2-nistp256", HostKey: n.HostKey, CipherC2S: "aes128-ctr", CipherS2C: "aes128-ctr",
		MACC2S: "hmac-sha2-512", MACS2C: "hmac-sha2-512", CompC2S: "none", CompS2C: "none"}
	if n != want {
		t.Errorf("Negotiated = %+v, want %+v", n, want)
	}
	found := false
	for _, m := range msgs {
		if v := field(m, "negotiated cipher client→server"); v != "" {
			found = true
			if !strings.HasPrefix(v, "aes128-ctr") {
				t.Errorf("negotiated cipher field = %q", v)
			}
		}
		if strings.HasPrefix(m.Summary, "KEX_ECDH_REPLY") && m.Ref != "RFC 5656 §4" {
			t.Errorf("ECDH reply's Ref = %q", m.Ref)
		}
	}
	if !found {
		t.Error("no KEXINIT shows what was negotiated")
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct {
		client, server []string
		want           string
	}{
		{[]string{"a", "b"}, []string{"b", "a"}, "a"},
		{[]string{"x", "b"}, []string{"a", "b"}, "b"},
		{[]string{"x"}, []string{"y"}, ""},
		{nil, []string{"y"}, ""},
	}
	for _, tt := range tests {
		if got := Negotiate(tt.client, tt.server); got != tt.want {
			t.Errorf("Negotiate(%q, %q) = %q, want %q", tt.client, tt.server, got, tt.want)
		}
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"too long a packet", "SSH-2.0-x\r\n" + string(be32(40000)) + "\x04", "malformed: packet_length 40000"},
		{"padding longer than the packet", "SSH-2.0-x\r\n" + string(be32(10)) + "\x20", "malformed: packet_length 10, padding_length 32"},
		{"a very long line", strings.Repeat("x", 300), "malformed: a line of more than 255 bytes"},
	}
	for _, tt := range tests {
		a := NewAnalyzer()
		msgs := a.Feed(s2c, []byte(tt.input), time.Time{})
		more := a.Feed(s2c, make([]byte, 100000), time.Time{})
		if len(more) != 0 || a.Pending(s2c) != 0 {
			t.Errorf("%s: after the malformed input %d messages, %d bytes held; want the rest counted only", tt.name, len(more), a.Pending(s2c))
		}
		if len(msgs) == 0 || !strings.HasPrefix(msgs[len(msgs)-1].Summary, tt.want) {
			t.Errorf("%s: messages %v, want the last to begin %q", tt.name, msgs, tt.want)
		}
	}
}

func TestPreambleAndDisconnect(t *testing.T) {
	a := NewAnalyzer()
	msgs := a.Feed(s2c, []byte("Welcome to the lab\r\nSSH-2.0-OpenSSH_9.6 Debian\r\n"), time.Time{})
	if len(msgs) != 2 || !strings.HasPrefix(msgs[0].Summary, "line before the version") {
		t.Fatalf("messages %v", msgs)
	}
	if got := field(msgs[1], "software version"); got != "OpenSSH_9.6" {
		t.Errorf("software version = %q", got)
	}
	if got := field(msgs[1], "comments"); got != "Debian" {
		t.Errorf("comments = %q", got)
	}
	payload := append([]byte{msgDisconnect}, be32(11)...)
	payload = append(payload, be32(3)...)
	payload = append(payload, "bye"...)
	msgs = a.Feed(s2c, packetOf(payload), time.Time{})
	if len(msgs) != 1 || msgs[0].Summary != "DISCONNECT 11 BY_APPLICATION: bye" || a.State() != StateClosed {
		t.Errorf("messages %v, state %q", msgs, a.State())
	}
}

func be32(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }

// packetOf frames payload as a packet in the clear with 4 bytes of padding.
func packetOf(payload []byte) []byte {
	b := be32(uint32(len(payload) + 5))
	b = append(b, 4)
	b = append(b, payload...)
	return append(b, 0, 0, 0, 0)
}

func TestProtocol(t *testing.T) {
	p := Protocol()
	if p.Name != "sftp" || p.Title != "SFTP (SSH)" || p.DefaultPort != 2022 || p.Transport != "tcp" || p.LayerName() != Layer {
		t.Errorf("Protocol = %+v", p)
	}
	if _, ok := p.NewAnalyzer().(*Analyzer); !ok {
		t.Error("NewAnalyzer does not make an *Analyzer")
	}
	_ = lab.Message{}
}

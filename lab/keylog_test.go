package lab

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"io"
	"math/big"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestKeyLogFromCryptoTLS(t *testing.T) {
	// A real TLS 1.3 handshake writes its secrets through KeyLogWriter; each is
	// found again by label and the ClientHello's random.
	var k KeyLog
	cert := selfSigned(t)
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, KeyLogWriter: &k})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err == nil {
			io.Copy(c, c)
			c.Close()
		}
	}()
	var random []byte
	cfg := &tls.Config{InsecureSkipVerify: true}
	d := tls.Dialer{Config: cfg}
	c, err := d.DialContext(context.Background(), "tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("x"))
	c.Read(make([]byte, 1))
	c.Close()
	lines := k.Lines()
	if len(lines) != 4 {
		t.Fatalf("lines = %d %q, want 4 (TLS 1.3's handshake and traffic secrets)", len(lines), lines)
	}
	for _, line := range lines {
		f := strings.Fields(line)
		r, _ := hex.DecodeString(f[1])
		if random == nil {
			random = r
		}
		if !bytes.Equal(r, random) {
			t.Errorf("line %q: another client random", line)
		}
		if k.Lookup(f[0], r) == nil {
			t.Errorf("Lookup(%s) = nil", f[0])
		}
	}
	if k.Lookup("CLIENT_TRAFFIC_SECRET_0", make([]byte, 32)) != nil {
		t.Error("Lookup of an unknown random found a secret")
	}
	var again KeyLog
	again.Load(strings.Join(lines, "\n"))
	if got := len(again.Lines()); got != 4 {
		t.Errorf("Load kept %d lines, want 4", got)
	}
}

func TestKeyLogIgnoresJunkAndSplitWrites(t *testing.T) {
	var k KeyLog
	line := "CLIENT_RANDOM " + strings.Repeat("ab", 32) + " " + strings.Repeat("01", 48) + "\n"
	k.Write([]byte("# comment\nnot a key line\nCLIENT_RANDOM zz 00\n"))
	k.Write([]byte(line[:20]))
	k.Write([]byte(line[20:]))
	k.Write([]byte(line)) // a duplicate
	if got := k.Lines(); len(got) != 1 {
		t.Fatalf("Lines = %q, want the one key line", got)
	}
	r := bytes.Repeat([]byte{0xab}, 32)
	if s := k.Lookup("CLIENT_RANDOM", r); len(s) != 48 {
		t.Errorf("secret = %x, want 48 bytes", s)
	}
}

// innerAnalyzer reports each line as a message of an inner layer, as TLS reports HTTP.
type innerAnalyzer struct{ lineAnalyzer }

func (a *innerAnalyzer) Feed(dir Dir, b []byte, at time.Time) []Message {
	msgs := a.lineAnalyzer.Feed(dir, b, at)
	for i := range msgs {
		msgs[i].Layer = "inner"
		msgs[i].NextState = "inner-" + msgs[i].Summary
	}
	return msgs
}

func TestInnerLayerMessagesAndStates(t *testing.T) {
	reg := &Registry{}
	p := &Protocol{Name: "outer", Transport: "line", NewAnalyzer: func() Analyzer { return &innerAnalyzer{} }}
	reg.Register(p)
	h := NewHub(HubOptions{Registry: reg})
	addr := echoServer(t, h.Tap(p))
	c, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("a\n"))
	io.ReadFull(c, make([]byte, 2))
	c.Close()
	h.Settle()
	var layers, states []string
	for _, e := range h.Events(0) {
		switch e.Kind {
		case KindMessage:
			if e.Msg.Summary == "a" {
				layers = append(layers, e.Layer)
			}
		case KindState:
			states = append(states, e.Layer+":"+e.From+">"+e.To)
		}
	}
	if strings.Join(layers, ",") != "inner,inner" {
		t.Errorf("message layers = %q, want the inner layer's", layers)
	}
	want := "inner:>inner-a"
	if !slices.Contains(states, want) || !slices.Contains(states, "outer:>open") {
		t.Errorf("states = %q, want %q beside the outer layer's own", states, want)
	}
}

// selfSigned makes a throw-away certificate for 127.0.0.1.
func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

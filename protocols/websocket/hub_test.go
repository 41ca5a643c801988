package websocket

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	stdtls "crypto/tls"
	"crypto/x509"
	"math/big"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	gws "github.com/gorilla/websocket"
	"github.com/protocollab/protolab/lab"
	httpproto "github.com/protocollab/protolab/protocols/http"
	"github.com/protocollab/protolab/protocols/tcp"
	tlsproto "github.com/protocollab/protolab/protocols/tls"
)

// echoSub is a protocol that only declares a layer for the subprotocol "echo",
// as MQTT will declare one for "mqtt": the WebSocket's data frames' payloads go
// to a streamAnalyzer.
func echoSub() *lab.Protocol {
	return &lab.Protocol{Name: "echo-sub", Transport: "tcp", Layers: []*lab.Layer{{
		Name: "echo", ReachedBy: []lab.NextKey{lab.Subprotocol("echo")}, New: func() lab.Analyzer { return &streamAnalyzer{} },
	}}}
}

// selfSigned returns a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (stdtls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return stdtls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// TestHubSubprotocol runs a real WebSocket echo (gorilla/websocket) with the
// subprotocol "echo" over loopback through a hub whose registry holds HTTP,
// HTTPS, WebSocket and a layer for "echo": on the HTTP port (ws://) and inside
// HTTPS (wss://), HTTP finds WebSocket by the Upgrade token and WebSocket finds
// the echo layer by the subprotocol, which reads the messages' payloads.
func TestHubSubprotocol(t *testing.T) {
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	httpP, httpsP := httpproto.Protocol(), tlsproto.HTTPSProtocol()
	for _, p := range []*lab.Protocol{httpP, httpsP, Protocol(), echoSub()} {
		reg.Register(p)
	}
	hub := lab.NewHub(lab.HubOptions{Registry: reg})
	cert, pool := selfSigned(t)

	for _, tt := range []struct {
		scheme string
		p      *lab.Protocol
	}{{"ws", httpP}, {"wss", httpsP}} {
		tap := hub.Tap(tt.p)
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		tl := tap.Listener(l)
		if tt.scheme == "wss" {
			tl = stdtls.NewListener(tl, &stdtls.Config{Certificates: []stdtls.Certificate{cert}, KeyLogWriter: hub.Keys()})
		}
		up := gws.Upgrader{Subprotocols: []string{"echo"}}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := up.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer c.Close()
			for {
				kind, b, err := c.ReadMessage()
				if err != nil {
					return
				}
				c.WriteMessage(kind, b)
			}
		})}
		go srv.Serve(tl)

		d := gws.Dialer{NetDialContext: tap.Dial, Subprotocols: []string{"echo"},
			TLSClientConfig: &stdtls.Config{RootCAs: pool, KeyLogWriter: hub.Keys()}}
		c, _, err := d.Dial(tt.scheme+"://"+l.Addr().String()+"/echo", nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.Subprotocol() != "echo" {
			t.Fatalf("%s: subprotocol %q", tt.scheme, c.Subprotocol())
		}
		for _, m := range []struct {
			kind int
			data string
		}{{gws.TextMessage, "hello\n"}, {gws.BinaryMessage, "bin\n"}} {
			if err := c.WriteMessage(m.kind, []byte(m.data)); err != nil {
				t.Fatal(err)
			}
			if _, b, err := c.ReadMessage(); err != nil || string(b) != m.data {
				t.Fatalf("%s: echo %q, %v", tt.scheme, b, err)
			}
		}
		c.WriteMessage(gws.CloseMessage, gws.FormatCloseMessage(gws.CloseNormalClosure, ""))
		c.ReadMessage() // the server's close
		c.Close()
		srv.Close()
		hub.Settle()

		var conv lab.ConvID
		for _, ci := range hub.Conversations() {
			if ci.Protocol == tt.p.Name {
				conv = ci.ID
			}
		}
		var echo, states []string
		ws := 0
		for _, e := range hub.ConvEvents(conv) {
			switch {
			case e.Kind == lab.KindMessage && e.Layer == "echo" && e.Msg.Dir != lab.DirNone:
				echo = append(echo, e.Msg.Summary)
			case e.Kind == lab.KindMessage && e.Layer == Layer:
				ws++
			case e.Kind == lab.KindState && e.Layer == "echo":
				states = append(states, e.To)
			}
		}
		if got, want := strings.Join(echo, "|"), "→ hello|← hello|→ bin|← bin"; got != want {
			t.Errorf("%s: echo layer messages %q, want %q", tt.scheme, got, want)
		}
		if ws < 6 {
			t.Errorf("%s: %d WebSocket frames, want the 4 messages and 2 closes", tt.scheme, ws)
		}
		if len(states) == 0 || states[0] != "talking" {
			t.Errorf("%s: echo layer states %q, want talking first", tt.scheme, states)
		}
	}
}

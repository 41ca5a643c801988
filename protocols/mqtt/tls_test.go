package mqtt

import (
	"crypto/tls"
	"io"
	"net"
	"slices"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// tlsSession runs CONNECT and CONNACK inside a real TLS handshake over a pipe,
// the client offering alpn, and returns the bytes both ends wrote and the key log.
func tlsSession(t *testing.T, alpn []string) ([]analyzertest.Step, *lab.KeyLog) {
	t.Helper()
	ca, err := labca.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Leaf("mqtt.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	keys := &lab.KeyLog{}
	rec := &analyzertest.Recorder{}
	cc, sc := net.Pipe()
	done := make(chan error, 1)
	go func() {
		srv := tls.Server(rec.Conn(sc, s2c), &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"mqtt"}})
		defer srv.Close()
		if _, err := io.ReadFull(srv, make([]byte, len(connect("tls1")))); err != nil {
			done <- err
			return
		}
		_, err := srv.Write([]byte(pkt(0x20, "\x00\x00")))
		done <- err
	}()
	cl := tls.Client(rec.Conn(cc, c2s), &tls.Config{ServerName: "mqtt.lab.test", RootCAs: ca.Pool(), NextProtos: alpn, KeyLogWriter: keys})
	if _, err := cl.Write([]byte(connect("tls1"))); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(cl, make([]byte, 4)); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	cc.Close()
	return rec.Steps(), keys
}

// TestMQTTS checks that mqtts's analyzer, TLS, shows the MQTT inside whether
// or not ALPN named "mqtt".
func TestMQTTS(t *testing.T) {
	for _, alpn := range [][]string{{"mqtt"}, nil} {
		steps, keys := tlsSession(t, alpn)
		a := TLSProtocol().NewAnalyzer()
		a.(lab.KeyUser).UseKeys(keys)
		var inner []lab.Message
		for _, m := range analyzertest.Feed(a, steps, 0) {
			if m.Layer == Name {
				inner = append(inner, m)
			}
		}
		want := []string{`CONNECT "tls1" (clean session, keep-alive 60 s)`, "CONNACK 0 Accepted"}
		if got := analyzertest.Summaries(inner); !slices.Equal(got, want) {
			t.Errorf("ALPN %q: MQTT inside TLS %q, want %q", alpn, got, want)
		}
		if got := analyzertest.States(inner); !slices.Equal(got, []string{StateConnecting, StateConnected}) {
			t.Errorf("ALPN %q: states %q", alpn, got)
		}
	}
}

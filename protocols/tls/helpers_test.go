package tls_test

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	stdtls "crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	httpproto "github.com/protocollab/protolab/protocols/http"
	"github.com/protocollab/protolab/protocols/tcp"
	tlsproto "github.com/protocollab/protolab/protocols/tls"
)

const labName = "www.lab.test"

// lineAnalyzer is a simple inner analyzer: each line is a message.
type lineAnalyzer struct{ buf [3][]byte }

func (a *lineAnalyzer) Feed(dir lab.Dir, b []byte, _ time.Time) []lab.Message {
	var out []lab.Message
	a.buf[dir] = append(a.buf[dir], b...)
	for {
		i := bytes.IndexByte(a.buf[dir], '\n')
		if i < 0 {
			return out
		}
		out = append(out, lab.Message{Dir: dir, Summary: string(a.buf[dir][:i]), Observed: true})
		a.buf[dir] = a.buf[dir][i+1:]
	}
}

func (a *lineAnalyzer) State() string { return "" }

// lineInner is a layer that takes every connection, whatever the ALPN, and
// hands it to a lineAnalyzer.
var lineInner = &lab.Layer{
	Name:      "line",
	ReachedBy: []lab.NextKey{lab.ALPN(""), lab.ALPN("http/1.1"), lab.ALPN("h2")},
	New:       func() lab.Analyzer { return &lineAnalyzer{} },
}

// httpInner is HTTP/1.x's layer, as the lab's "https" has it (HTTP/2 is left out).
var httpInner = httpproto.Layer()

// newAnalyzer returns a TLS analyzer whose table of layers holds inner (none if nil).
func newAnalyzer(inner *lab.Layer) *tlsproto.Analyzer {
	a := tlsproto.NewAnalyzer()
	if inner != nil {
		a.UseLayers(lab.NewLayers(inner))
	}
	return a
}

// testLab is a hub whose registry holds TCP and TLS (as "tls"), and a tap of TLS.
type testLab struct {
	hub *lab.Hub
	tap *lab.Tap
}

func newTestLab(inner *lab.Layer) *testLab {
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	p := tlsproto.Protocol("tls", "TLS", 0)
	p.Layers = []*lab.Layer{inner}
	reg.Register(p)
	hub := lab.NewHub(lab.HubOptions{Registry: reg})
	return &testLab{hub: hub, tap: hub.Tap(p)}
}

var (
	certOnce  sync.Once
	testCerts []stdtls.Certificate
)

// certificates are an ECDSA and an RSA certificate for www.lab.test, so the
// server can serve both ECDHE-ECDSA and ECDHE-RSA suites.
func certificates(t testing.TB) []stdtls.Certificate {
	t.Helper()
	certOnce.Do(func() {
		ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		rk, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		for i, key := range []any{ek, rk} {
			tmpl := &x509.Certificate{
				SerialNumber: big.NewInt(int64(i + 1)),
				Subject:      pkix.Name{CommonName: labName, Organization: []string{"Protocol Lab"}},
				NotBefore:    time.Now().Add(-time.Hour),
				NotAfter:     time.Now().Add(24 * time.Hour),
				DNSNames:     []string{labName},
				IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
				KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
				ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			}
			pub := key.(crypto.Signer).Public()
			der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, key)
			if err != nil {
				panic(err)
			}
			testCerts = append(testCerts, stdtls.Certificate{Certificate: [][]byte{der}, PrivateKey: key})
		}
	})
	return testCerts
}

// echoServer serves TLS on 127.0.0.1:0 through the lab's tap: every line comes back.
// done is closed when the one connection it serves has ended.
func (tl *testLab) echoServer(t testing.TB, cfg *stdtls.Config) (addr string, done chan struct{}) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done = make(chan struct{})
	go func() {
		defer close(done)
		defer l.Close()
		c, err := stdtls.NewListener(tl.tap.Listener(l), cfg).Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadBytes('\n')
			if len(line) > 0 {
				c.Write(line)
			}
			if err != nil {
				return
			}
		}
	}()
	return l.Addr().String(), done
}

func (tl *testLab) serverConfig(keys bool) *stdtls.Config {
	cfg := &stdtls.Config{Certificates: testCerts, NextProtos: []string{"http/1.1"}}
	if keys {
		cfg.KeyLogWriter = tl.hub.Keys()
	}
	return cfg
}

// messages returns the summaries of the messages of layer, with their direction arrows.
func messages(events []lab.Event, layer string) []string {
	var out []string
	for _, e := range events {
		if (e.Kind == lab.KindMessage || e.Kind == lab.KindHandshake) && e.Layer == layer {
			out = append(out, e.Dir.Arrow()+" "+e.Msg.Summary)
		}
	}
	return out
}

// find returns the first message of layer whose summary starts with prefix.
func find(events []lab.Event, layer, prefix string) *lab.Message {
	for _, e := range events {
		if (e.Kind == lab.KindMessage || e.Kind == lab.KindHandshake) && e.Layer == layer && strings.HasPrefix(e.Msg.Summary, prefix) {
			return e.Msg
		}
	}
	return nil
}

func field(m *lab.Message, name string) string {
	for _, f := range m.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// checkTransitions checks that every state change of layer is one of TLS's transitions.
func checkTransitions(t *testing.T, events []lab.Event, layer string) []string {
	t.Helper()
	var path []string
	for _, e := range events {
		if e.Kind == lab.KindState && e.Layer == layer {
			path = append(path, e.To)
			if !slices.Contains(tlsproto.Transitions, [2]string{e.From, e.To}) {
				t.Errorf("state change %q → %q is not one of Transitions", e.From, e.To)
			}
		}
	}
	return path
}

func x509Pool(certs []stdtls.Certificate) *x509.CertPool {
	pool := x509.NewCertPool()
	for _, c := range certs {
		leaf, err := x509.ParseCertificate(c.Certificate[0])
		if err != nil {
			panic(err)
		}
		pool.AddCert(leaf)
	}
	return pool
}

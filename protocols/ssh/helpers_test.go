package ssh

import (
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"sync"
	"testing"
	"time"

	xssh "golang.org/x/crypto/ssh"

	"github.com/protocollab/protolab/lab"
)

const (
	c2s = lab.ClientToServer
	s2c = lab.ServerToClient
)

// chunk is one write that crossed the connection.
type chunk struct {
	dir lab.Dir
	b   []byte
}

// recorder records what a client's connection writes and reads, in order.
type recorder struct {
	net.Conn
	mu     sync.Mutex
	chunks []chunk
}

func (r *recorder) Read(b []byte) (int, error) {
	n, err := r.Conn.Read(b)
	if n > 0 {
		r.mu.Lock()
		r.chunks = append(r.chunks, chunk{s2c, append([]byte(nil), b[:n]...)})
		r.mu.Unlock()
	}
	return n, err
}

func (r *recorder) Write(b []byte) (int, error) {
	r.mu.Lock()
	r.chunks = append(r.chunks, chunk{c2s, append([]byte(nil), b...)})
	r.mu.Unlock()
	return r.Conn.Write(b)
}

// capture runs a real SSH handshake and password login with golang.org/x/crypto/ssh
// over loopback and returns the bytes as the client saw them, and the server's host key.
func capture(t testing.TB, config func(*xssh.ClientConfig)) ([]chunk, xssh.PublicKey) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := xssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		cfg := &xssh.ServerConfig{PasswordCallback: func(xssh.ConnMetadata, []byte) (*xssh.Permissions, error) { return nil, nil }}
		cfg.AddHostKey(signer)
		sc, chans, reqs, err := xssh.NewServerConn(c, cfg)
		if err != nil {
			return
		}
		go xssh.DiscardRequests(reqs)
		go func() {
			for nc := range chans {
				nc.Reject(xssh.Prohibited, "no")
			}
		}()
		sc.Wait()
	}()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{Conn: c}
	cc := &xssh.ClientConfig{User: "lab", Auth: []xssh.AuthMethod{xssh.Password("lab")},
		HostKeyCallback: xssh.FixedHostKey(signer.PublicKey()), Timeout: 10 * time.Second}
	if config != nil {
		config(cc)
	}
	conn, _, _, err := xssh.NewClientConn(rec, l.Addr().String(), cc)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	<-done
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.chunks, signer.PublicKey()
}

// feedAll feeds chunks to a new analyzer, each cut into pieces of at most size
// bytes (0: whole), closes it and returns the messages.
func feedAll(chunks []chunk, size int) (*Analyzer, []lab.Message) {
	a := NewAnalyzer()
	var out []lab.Message
	for _, c := range chunks {
		b := c.b
		for len(b) > 0 {
			n := len(b)
			if size > 0 {
				n = min(n, size)
			}
			out = append(out, a.Feed(c.dir, append([]byte(nil), b[:n]...), time.Time{})...)
			b = b[n:]
		}
	}
	out = append(out, a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN})...)
	return a, out
}

func field(m lab.Message, name string) string {
	for _, f := range m.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

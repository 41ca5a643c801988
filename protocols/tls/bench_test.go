package tls_test

import (
	stdtls "crypto/tls"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	tlsproto "github.com/protocollab/protolab/protocols/tls"
)

// recordingConn keeps what it writes, in order across both ends of a pipe.
type recordingConn struct {
	net.Conn
	mu     *sync.Mutex
	dirs   *[]lab.Dir
	chunks *[][]byte
	dir    lab.Dir
}

func (c *recordingConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	*c.dirs = append(*c.dirs, c.dir)
	*c.chunks = append(*c.chunks, append([]byte(nil), b...))
	c.mu.Unlock()
	return c.Conn.Write(b)
}

// countAnalyzer counts the plaintext it is fed.
type countAnalyzer struct{ n int }

func (a *countAnalyzer) Feed(_ lab.Dir, b []byte, _ time.Time) []lab.Message {
	a.n += len(b)
	return nil
}
func (a *countAnalyzer) State() string { return "" }

// capture records a connection whose server sends size bytes of application data.
func capture(b *testing.B, client *stdtls.Config, size int) (*lab.KeyLog, []lab.Dir, [][]byte) {
	keys := &lab.KeyLog{}
	var mu sync.Mutex
	var dirs []lab.Dir
	var chunks [][]byte
	cc, sc := net.Pipe()
	server := &stdtls.Config{Certificates: certificates(b), KeyLogWriter: keys}
	done := make(chan error, 1)
	go func() {
		s := stdtls.Server(&recordingConn{sc, &mu, &dirs, &chunks, lab.ServerToClient}, server)
		_, err := s.Write(make([]byte, size))
		s.Close()
		done <- err
	}()
	client.InsecureSkipVerify = true
	c := stdtls.Client(&recordingConn{cc, &mu, &dirs, &chunks, lab.ClientToServer}, client)
	if n, err := io.Copy(io.Discard, c); n != int64(size) {
		b.Fatalf("read %d bytes: %v", n, err)
	}
	c.Close()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	return keys, dirs, chunks
}

// BenchmarkDecrypt measures the analyzer's throughput in decrypted application
// data: a recorded connection whose server sends 4 MiB, fed as it was written.
func BenchmarkDecrypt(b *testing.B) {
	const size = 4 << 20
	for _, bc := range []struct {
		name   string
		client *stdtls.Config
	}{
		{"TLS13-AES128GCM", &stdtls.Config{MinVersion: stdtls.VersionTLS13}},
		{"TLS12-AES256GCM", &stdtls.Config{MaxVersion: stdtls.VersionTLS12, CipherSuites: []uint16{stdtls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}}},
		{"TLS12-ChaCha20", &stdtls.Config{MaxVersion: stdtls.VersionTLS12, CipherSuites: []uint16{stdtls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			keys, dirs, chunks := capture(b, bc.client, size)
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				in := &countAnalyzer{}
				a := tlsproto.NewAnalyzer()
				a.Wrap("count", func() lab.Analyzer { return in })
				a.UseKeys(keys)
				for i := range chunks {
					a.Feed(dirs[i], chunks[i], time.Time{})
				}
				if in.n != size {
					b.Fatalf("decrypted %d bytes, want %d", in.n, size)
				}
			}
		})
	}
}

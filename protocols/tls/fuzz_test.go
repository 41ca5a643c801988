package tls_test

import (
	stdtls "crypto/tls"
	"encoding/binary"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	tlsproto "github.com/protocollab/protolab/protocols/tls"
)

var update = flag.Bool("update", false, "record the fuzz seeds in testdata anew from real connections")

// A script is a connection's bytes in the order they crossed: each chunk is a
// two-byte header, the top bit the direction (set: server to client) and the
// rest the length, then the chunk's bytes.
func appendChunk(script []byte, dir lab.Dir, b []byte) []byte {
	for len(b) > 0 {
		n := min(len(b), 0x7fff)
		h := uint16(n)
		if dir == lab.ServerToClient {
			h |= 0x8000
		}
		script = binary.BigEndian.AppendUint16(script, h)
		script = append(script, b[:n]...)
		b = b[n:]
	}
	return script
}

// runScript feeds a script to a, as the hub would, and returns the messages.
func runScript(t *testing.T, a *tlsproto.Analyzer, script []byte) []lab.Message {
	var out []lab.Message
	bound := 2*(5+tlsproto.MaxRecordBytes) + tlsproto.MaxHandshakeBytes + 4 + tlsproto.MaxPendingBytes
	for len(script) >= 2 {
		h := binary.BigEndian.Uint16(script)
		n := min(int(h&0x7fff), len(script)-2)
		dir := lab.ClientToServer
		if h&0x8000 != 0 {
			dir = lab.ServerToClient
		}
		b := append([]byte(nil), script[2:2+n]...)
		script = script[2+n:]
		state := a.State()
		msgs := a.Feed(dir, b, time.Time{})
		out = append(out, msgs...)
		for _, m := range msgs {
			if m.Layer == "" && m.NextState != "" {
				if !slices.Contains(tlsproto.Transitions, [2]string{state, m.NextState}) {
					t.Fatalf("state %q → %q (%s) is not one of Transitions", state, m.NextState, m.Summary)
				}
				state = m.NextState
			}
		}
		if to := a.State(); to != state {
			t.Fatalf("State() = %q after its messages led to %q", to, state)
		}
		for _, d := range []lab.Dir{lab.ClientToServer, lab.ServerToClient} {
			if p := a.Pending(d); p > bound {
				t.Fatalf("pending %v = %d, more than %d", d, p, bound)
			}
		}
	}
	out = append(out, a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN})...)
	return append(out, a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN})...)
}

// TestRecordSeeds records real connections as scripts in testdata, with the key
// log that decrypts them, when run with -update; the fuzz test starts from them.
func TestRecordSeeds(t *testing.T) {
	if !*update {
		t.Skip("run with -update to record the fuzz seeds anew")
	}
	certificates(t)
	keys := &lab.KeyLog{}
	record := func(name string, server, client func(*testLab) *stdtls.Config) {
		tl := newTestLab(lineInner)
		events := echoOverTLS(t, tl, server(tl), client(tl))
		var script []byte
		for _, e := range events {
			writer := lab.SideClient
			if e.Dir == lab.ServerToClient {
				writer = lab.SideServer
			}
			if e.Kind == lab.KindData && e.Side == writer {
				script = appendChunk(script, e.Dir, e.Data)
			}
		}
		keys.Load(strings.Join(tl.hub.Keys().Lines(), "\n"))
		if err := os.WriteFile(filepath.Join("testdata", name+".script"), script, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	withKeys := func(tl *testLab) *stdtls.Config { return tl.serverConfig(true) }
	version := func(v, suite uint16) func(*testLab) *stdtls.Config {
		return func(tl *testLab) *stdtls.Config {
			c := tl.clientConfig(true)
			c.MinVersion, c.MaxVersion = v, v
			if suite != 0 {
				c.CipherSuites = []uint16{suite}
			}
			return c
		}
	}
	os.MkdirAll("testdata", 0o755)
	record("tls13", withKeys, version(stdtls.VersionTLS13, 0))
	record("tls12-aes-gcm", withKeys, version(stdtls.VersionTLS12, stdtls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384))
	record("tls12-chacha", withKeys, version(stdtls.VersionTLS12, stdtls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256))
	record("tls13-hello-retry", func(tl *testLab) *stdtls.Config {
		c := tl.serverConfig(true)
		c.CurvePreferences = []stdtls.CurveID{stdtls.CurveP256}
		return c
	}, version(stdtls.VersionTLS13, 0))
	if err := os.WriteFile(filepath.Join("testdata", "keys.log"), []byte(strings.Join(keys.Lines(), "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// seeds returns the recorded scripts and the key log that decrypts them.
func seeds(t testing.TB) (map[string][]byte, *lab.KeyLog) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.script"))
	if len(files) == 0 {
		t.Fatal("no seeds in testdata: run go test -run TestRecordSeeds -update")
	}
	out := make(map[string][]byte)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".script")] = b
	}
	text, err := os.ReadFile(filepath.Join("testdata", "keys.log"))
	if err != nil {
		t.Fatal(err)
	}
	keys := &lab.KeyLog{}
	keys.Load(string(text))
	return out, keys
}

// TestSeedsDecrypt replays the recorded connections, whole and cut into small
// pieces, and checks that the lines inside are decrypted every time: framing
// does not depend on how the bytes were chunked.
func TestSeedsDecrypt(t *testing.T) {
	scripts, keys := seeds(t)
	for name, script := range scripts {
		for _, size := range []int{0, 1, 7, 100} {
			s := script
			if size > 0 {
				s = rechunk(script, size)
			}
			a := newAnalyzer(lineInner)
			a.UseKeys(keys)
			var lines []string
			for _, m := range runScript(t, a, s) {
				if m.Layer == "line" {
					lines = append(lines, m.Dir.Arrow()+" "+m.Summary)
				}
				if strings.Contains(m.Summary, "malformed") || strings.Contains(m.Summary, "no key") {
					t.Errorf("%s in pieces of %d: %s", name, size, m.Summary)
				}
			}
			if len(lines) != 4 {
				t.Errorf("%s in pieces of %d: lines %q, want 4", name, size, lines)
			}
			if a.State() != tlsproto.StateClosed {
				t.Errorf("%s: state %q at the end, want closed", name, a.State())
			}
		}
	}
}

// rechunk cuts a script's chunks into pieces of at most n bytes.
func rechunk(script []byte, n int) []byte {
	var out []byte
	for len(script) >= 2 {
		h := binary.BigEndian.Uint16(script)
		k := min(int(h&0x7fff), len(script)-2)
		b := script[2 : 2+k]
		script = script[2+k:]
		for len(b) > 0 {
			m := min(n, len(b))
			out = binary.BigEndian.AppendUint16(out, h&0x8000|uint16(m))
			out = append(out, b[:m]...)
			b = b[m:]
		}
	}
	return out
}

// FuzzAnalyzer feeds arbitrary bytes in both directions, with and without the
// key log of the recorded connections, and checks that the analyzer never
// panics, holds bounded memory and ends closed.
func FuzzAnalyzer(f *testing.F) {
	scripts, keys := seeds(f)
	for _, s := range scripts {
		f.Add(s, true)
		f.Add(rechunk(s, 9), true)
		f.Add(s, false)
	}
	f.Add(appendChunk(nil, lab.ClientToServer, []byte("GET / HTTP/1.1\r\n\r\n")), false)
	f.Add(appendChunk(nil, lab.ServerToClient, []byte{22, 3, 3, 0x41, 0x01}), false)
	f.Fuzz(func(t *testing.T, script []byte, withKeys bool) {
		a := newAnalyzer(httpInner)
		if withKeys {
			a.UseKeys(keys)
		}
		a.Opened(lab.OpenInfo{})
		for _, m := range runScript(t, a, script) {
			if m.Summary == "" && m.Layer == "" {
				t.Fatalf("a TLS message without a summary: %+v", m)
			}
			if strings.Contains(m.Summary, "analyzer failed") {
				t.Fatalf("inner analyzer failed: %s", m.Summary)
			}
			if len(m.Raw) > tlsproto.MaxHandshakeBytes+4 && m.Layer == "" {
				t.Fatalf("a message of %d raw bytes", len(m.Raw))
			}
		}
		if got := a.State(); got != tlsproto.StateClosed {
			t.Fatalf("State after both FINs = %q", got)
		}
	})
}

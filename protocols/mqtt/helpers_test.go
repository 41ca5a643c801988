package mqtt

import (
	"path/filepath"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// step is bytes that went one way (an analyzertest.Steps).
type step struct {
	Dir  lab.Dir
	Data string
}

const (
	c2s = lab.ClientToServer
	s2c = lab.ServerToClient
)

// capture reads testdata/name, a session recorded by a proxy (analyzertest.ReadCapture).
func capture(t testing.TB, name string) []analyzertest.Step {
	t.Helper()
	return analyzertest.ReadCapture(t, filepath.Join("testdata", name))
}

// pkt is an MQTT control packet: the first byte, the remaining length as a
// variable byte integer (§2.2.3), then the rest.
func pkt(first byte, rest string) string {
	b := []byte{first}
	for n := len(rest); ; {
		c := byte(n & 0x7f)
		if n >>= 7; n > 0 {
			c |= 0x80
		}
		b = append(b, c)
		if n == 0 {
			break
		}
	}
	return string(b) + rest
}

// str is a UTF-8 string field: two bytes of length, then the bytes (§1.5.3).
func str(s string) string { return string([]byte{byte(len(s) >> 8), byte(len(s))}) + s }

// connect is a minimal CONNECT of client id, clean session, keep-alive 60.
func connect(id string) string { return pkt(0x10, str("MQTT")+"\x04\x02\x00\x3c"+str(id)) }

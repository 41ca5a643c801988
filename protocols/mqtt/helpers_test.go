package mqtt

import (
	"bufio"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
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

// capture reads testdata/name: the chunks a recording proxy saw cross one
// connection, in order, a line each: "> hex" from the client, "< hex" from
// the broker; lines starting with # say how it was made.
func capture(t testing.TB, name string) []step {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var steps []step
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		dir := c2s
		if line[0] == '<' {
			dir = s2c
		}
		b, err := hex.DecodeString(strings.TrimSpace(line[1:]))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		steps = append(steps, step{Dir: dir, Data: string(b)})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return steps
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

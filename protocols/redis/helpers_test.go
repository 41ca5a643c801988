package redis

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// update rewrites the captures in testdata from a live redis-server.
var update = flag.Bool("update", false, "rewrite testdata from a live redis-server")

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

// cmd is a command as a client library sends it: an array of bulk strings.
func cmd(words ...string) string {
	var b strings.Builder
	b.WriteString("*" + itoa(len(words)) + "\r\n")
	for _, w := range words {
		b.WriteString("$" + itoa(len(w)) + "\r\n" + w + "\r\n")
	}
	return b.String()
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var d []byte
	for ; n > 0; n /= 10 {
		d = append([]byte{byte('0' + n%10)}, d...)
	}
	return string(d)
}

package nats

import (
	"flag"
	"path/filepath"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// update rewrites the captures in testdata from the live server test.
var update = flag.Bool("update", false, "rewrite testdata from a live nats-server")

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

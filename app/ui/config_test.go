package ui

import (
	"os"
	"testing"

	"github.com/protocollab/protolab/lab/labca"
)

// TestMain keeps the tests' lab CA in a folder of their own, never the person's.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "protolab-ui-test")
	if err != nil {
		panic(err)
	}
	os.Setenv(labca.EnvConfigDir, dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

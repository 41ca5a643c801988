package ui

import (
	"os"
	"testing"

	"github.com/protocollab/protolab/lab/labdir"
)

// TestMain keeps the tests' lab CA, SFTP host key and FTP folder in a folder of
// their own, never the person's.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "protolab-ui-test")
	if err != nil {
		panic(err)
	}
	os.Setenv(labdir.EnvConfig, dir)
	os.Setenv(labdir.EnvData, dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

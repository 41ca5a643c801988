package ui

import (
	"os"
	"testing"

	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/servers/ftpserver"
)

// TestMain keeps the tests' lab CA, SFTP host key and FTP folder in a folder of
// their own, never the person's.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "protolab-ui-test")
	if err != nil {
		panic(err)
	}
	os.Setenv(labca.EnvConfigDir, dir)
	os.Setenv(ftpserver.EnvDataDir, dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

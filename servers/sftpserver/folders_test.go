package sftpserver_test

import (
	"os"
	"testing"

	"github.com/protocollab/protolab/lab/labdir/labdirtest"
)

// TestMain keeps every test's lab folders in a temporary folder, whatever the
// environment says.
func TestMain(m *testing.M) { os.Exit(labdirtest.Main(m)) }

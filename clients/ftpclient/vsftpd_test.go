package ftpclient_test

import (
	"testing"

	"github.com/protocollab/protolab/internal/outside"
)

// vsftpd is an outside FTP server (Debian package vsftpd) running for one test.
type vsftpd = outside.Vsftpd

// startVsftpd runs vsftpd on a free port of 127.0.0.1 with its root in a
// temporary folder (outside.StartVsftpd); extra lines are added to its
// configuration.
func startVsftpd(t testing.TB, extra ...string) *vsftpd { return outside.StartVsftpd(t, extra...) }

package ftpclient_test

import (
	"context"
	"crypto/rand"
	"io"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/clients/ftpclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/ftpserver"
)

// BenchmarkRetrLabVsVsftpd downloads the same 64 MiB file with the same client
// (ours, passive) from vsftpd and from the lab's FTP server, untapped and with
// the lab capturing as the app does (TCP and FTP analyzers on the control
// connection; each data connection's first MiB kept, the rest counted and
// hashed), in one run:
//
//	go test -run='^$' -bench=RetrLabVsVsftpd -benchtime=10x ./clients/ftpclient
func BenchmarkRetrLabVsVsftpd(b *testing.B) {
	const size = 64 << 20
	vs := startVsftpd(b)
	big := make([]byte, size)
	rand.Read(big)
	if err := os.WriteFile(filepath.Join(vs.Root, "big.bin"), big, 0o644); err != nil {
		b.Fatal(err)
	}
	labRoot := b.TempDir()
	if err := os.WriteFile(filepath.Join(labRoot, "big.bin"), big, 0o644); err != nil {
		b.Fatal(err)
	}
	startLab := func(b *testing.B, captured bool) string {
		opts := ftpserver.Options{Root: labRoot}
		if captured {
			reg := wire.Registry()
			h := lab.NewHub(lab.HubOptions{Registry: reg})
			opts.Tap, opts.DataTap = h.Tap(reg.Lookup("ftp")), h.Tap(reg.Lookup("ftp-data"))
		}
		srv := ftpserver.New(opts)
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		go srv.Serve(l)
		b.Cleanup(func() { srv.Close() })
		<-srv.Started()
		return l.Addr().String()
	}
	for _, bench := range []struct {
		name, user, pass string
		addr             func(*testing.B) string
	}{
		{"vsftpd", "anonymous", "", func(*testing.B) string { return vs.Addr }},
		{"lab", "lab", "lab", func(b *testing.B) string { return startLab(b, false) }},
		{"lab-captured", "lab", "lab", func(b *testing.B) string { return startLab(b, true) }},
	} {
		b.Run(bench.name, func(b *testing.B) {
			c, err := ftpclient.Dial(context.Background(), bench.addr(b), ftpclient.Options{Mode: ftpclient.Passive})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			if err := c.Login(bench.user, bench.pass); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(size)
			cpu := ownCPU(b)
			for b.Loop() {
				var n countWriter
				if err := c.Retr("big.bin", &n, nil); err != nil || n != size {
					b.Fatalf("Retr: %d bytes, %v", n, err)
				}
			}
			cpu = ownCPU(b) - cpu
			if bench.name != "vsftpd" { // vsftpd's CPU is not this process's
				b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*size>>20), "cpu-µs/MiB")
			}
		})
	}
}

var _ io.Writer = (*countWriter)(nil)

// ownCPU is the CPU this process has taken, user and system.
func ownCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

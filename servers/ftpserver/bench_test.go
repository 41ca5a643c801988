package ftpserver_test

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/protocollab/protolab/servers/ftpserver"
)

// BenchmarkRETR downloads a 64 MiB file over loopback in passive binary mode,
// with the lab capturing both connections and without; b.SetBytes gives MB/s.
func BenchmarkRETR(b *testing.B) {
	const size = 64 << 20
	for _, tapped := range []bool{false, true} {
		name := "untapped"
		if tapped {
			name = "tapped"
		}
		b.Run(name, func(b *testing.B) {
			root := b.TempDir()
			if err := os.WriteFile(filepath.Join(root, "big.bin"), make([]byte, size), 0o644); err != nil {
				b.Fatal(err)
			}
			opts := ftpserver.Options{Root: root}
			if tapped {
				hub := newHub()
				opts.Tap = hub.Tap(hub.Registry().Lookup("ftp"))
				opts.DataTap = hub.Tap(hub.Registry().Lookup("ftp-data"))
			}
			_, addr, _ := startServer(b, opts)
			cc := login(b, addr, "lab", "lab")
			cc.cmd(200, "TYPE I")
			buf := make([]byte, 256<<10)
			b.SetBytes(size)
			b.ResetTimer()
			for b.Loop() {
				d := cc.pasv()
				cc.cmd(150, "RETR big.bin")
				n, err := io.CopyBuffer(io.Discard, d, buf)
				if err != nil || n != size {
					b.Fatalf("RETR: %d bytes, %v", n, err)
				}
				d.Close()
				cc.expect(226)
			}
		})
	}
}

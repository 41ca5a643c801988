package sftpserver_test

import (
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/protocollab/protolab/clients/sftpclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// BenchmarkGet downloads a 64 MiB file with the lab's client, untapped and with
// both ends tapped into a hub that runs the TCP and SSH analyzers.
func BenchmarkGet(b *testing.B) {
	const size = 64 << 20
	f := newFolders(b)
	data := make([]byte, size)
	rand.Read(data)
	if err := os.WriteFile(filepath.Join(f.root, "big.bin"), data, 0o644); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		tap  func() *lab.Tap
	}{
		{"untapped", func() *lab.Tap { return nil }},
		{"tapped", func() *lab.Tap { return newTestLab().tap }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			tap := bc.tap()
			_, addr := testServer(b, tap, f)
			c := dial(b, addr, sftpclient.Options{Tap: tap})
			defer c.Close()
			b.SetBytes(size)
			b.ResetTimer()
			cpu := servertest.CPUTime(b, 0)
			for range b.N {
				if n, err := c.Get("big.bin", io.Discard, nil); err != nil || n != size {
					b.Fatalf("Get = %d, %v", n, err)
				}
			}
			cpu = servertest.CPUTime(b, 0) - cpu
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*size>>20), "cpu-µs/MiB")
		})
	}
}

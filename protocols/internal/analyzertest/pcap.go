package analyzertest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
)

// Pcap writes each of convs as a TCP conversation from 10.0.0.1, port 50000
// and up (one each), to 10.0.0.2 port server, into one capture file (with
// text2pcap and mergecap), for tshark to dissect as Wireshark would; tcp.stream
// numbers them in order. It returns the file's path, in a temporary folder of
// t's. The caller checks that text2pcap and mergecap are installed.
func Pcap(t testing.TB, convs [][]Step, server int) string {
	t.Helper()
	dir := t.TempDir()
	merged := filepath.Join(dir, "all.pcap")
	merge := []string{"-a", "-w", merged}
	for i, steps := range convs {
		var hex strings.Builder
		for _, s := range steps {
			mark := "I" // text2pcap -D: I is the client's
			if s.Dir == lab.ServerToClient {
				mark = "O"
			}
			for off := 0; off < len(s.Data); off += 16 {
				if off == 0 {
					hex.WriteString(mark + " ")
				}
				fmt.Fprintf(&hex, "%06x % x\n", off, s.Data[off:min(off+16, len(s.Data))])
			}
		}
		in, pcap := filepath.Join(dir, fmt.Sprint(i, ".txt")), filepath.Join(dir, fmt.Sprint(i, ".pcap"))
		if err := os.WriteFile(in, []byte(hex.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		ports := fmt.Sprintf("%d,%d", 50000+i, server)
		if out, err := exec.Command("text2pcap", "-q", "-D", "-T", ports, "-4", "10.0.0.1,10.0.0.2", in, pcap).CombinedOutput(); err != nil {
			t.Fatalf("text2pcap: %v\n%s", err, out)
		}
		merge = append(merge, pcap)
	}
	if out, err := exec.Command("mergecap", merge...).CombinedOutput(); err != nil {
		t.Fatalf("mergecap: %v\n%s", err, out)
	}
	return merged
}

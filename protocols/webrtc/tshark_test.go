package webrtc_test

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// writePcap writes steps as UDP datagrams between 127.0.0.1:5000 (the client)
// and 127.0.0.2:6000, in a classic pcap file of raw IPv4 packets.
func writePcap(t *testing.T, path string, steps []analyzertest.Step) {
	b := binary.LittleEndian.AppendUint32(nil, 0xa1b2c3d4)
	b = binary.LittleEndian.AppendUint16(b, 2)
	b = binary.LittleEndian.AppendUint16(b, 4)
	b = append(b, make([]byte, 8)...)
	b = binary.LittleEndian.AppendUint32(b, 65535)
	b = binary.LittleEndian.AppendUint32(b, 228) // LINKTYPE_IPV4
	for i, s := range steps {
		src, dst, sp, dp := []byte{127, 0, 0, 1}, []byte{127, 0, 0, 2}, uint16(5000), uint16(6000)
		if s.Dir == lab.ServerToClient {
			src, dst, sp, dp = dst, src, dp, sp
		}
		n := 28 + len(s.Data)
		ip := []byte{0x45, 0, byte(n >> 8), byte(n), 0, 0, 0x40, 0, 64, 17, 0, 0}
		ip = append(append(ip, src...), dst...)
		var sum uint32
		for j := 0; j < 20; j += 2 {
			sum += uint32(ip[j])<<8 | uint32(ip[j+1])
		}
		for sum > 0xffff {
			sum = sum&0xffff + sum>>16
		}
		binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
		udp := binary.BigEndian.AppendUint16(nil, sp)
		udp = binary.BigEndian.AppendUint16(udp, dp)
		udp = binary.BigEndian.AppendUint16(udp, uint16(8+len(s.Data)))
		udp = append(udp, 0, 0)
		pkt := append(append(ip, udp...), s.Data...)
		b = binary.LittleEndian.AppendUint32(b, uint32(1000+i))
		b = binary.LittleEndian.AppendUint32(b, 0)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(pkt)))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(pkt)))
		b = append(b, pkt...)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestWireshark has tshark dissect the peers' saved flow with Decode As stun
// (what the webrtc protocol's Dissector declares) and the saved key log: it
// finds STUN, DTLS with its certificates, and decrypts the application data.
func TestWireshark(t *testing.T) {
	if testing.Short() {
		t.Skip("tshark takes seconds")
	}
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark is not installed")
	}
	dir := t.TempDir()
	pcap := filepath.Join(dir, "peers.pcap")
	writePcap(t, pcap, analyzertest.ReadCapture(t, "testdata/peers.txt"))
	keys, err := filepath.Abs("testdata/peers.keys")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("tshark", "-r", pcap, "-n", "-d", "udp.port==6000,stun",
		"-o", "tls.keylog_file:"+keys, "-T", "fields", "-e", "frame.protocols").CombinedOutput()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, out)
	}
	got := string(out)
	if testing.Verbose() {
		t.Log(got)
	}
	// dtls:data: the application data decrypted with the key log. This
	// tshark has no rule to read SCTP inside DTLS, so it goes no deeper.
	for _, want := range []string{"udp:stun\n", "udp:dtls\n", "dtls:x509sat", "dtls:data\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("tshark found no %s:\n%s", want, got)
		}
	}
}

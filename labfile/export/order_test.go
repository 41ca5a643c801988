package export_test

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/clients/ftpclient"
	"github.com/protocollab/protolab/labfile/export"
	"github.com/protocollab/protolab/protocols/ftp"
)

// TestPCAPNGOrderAcrossConnections: an active-mode FTP download, whose data
// connection the server dials after its 150 and closes before its 226. In the
// capture, the packets of both connections are in time order, the data
// connection's SYN after the 150 and the server's FIN on it before the 226.
func TestPCAPNGOrderAcrossConnections(t *testing.T) {
	tb := startBench(t, "ftp")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	fc, err := ftpclient.Dial(ctx, tb.addr["ftp"], ftpclient.Options{Tap: tb.tap(ftp.Name), DataTap: tb.tap(ftp.DataName), Mode: ftpclient.Active})
	if err != nil {
		t.Fatalf("ftp: %v", err)
	}
	if err := fc.Login("lab", "lab"); err != nil {
		t.Fatalf("ftp login: %v", err)
	}
	if err := fc.Retr("hello.txt", io.Discard, nil); err != nil {
		t.Fatalf("ftp retr: %v", err)
	}
	if err := fc.Quit(); err != nil {
		t.Fatalf("ftp quit: %v", err)
	}
	fc.Close()
	convs, events, keys := tb.session(t)
	var buf bytes.Buffer
	if err := export.PCAPNG(&buf, wire.Registry(), convs, events, keys); err != nil {
		t.Fatalf("PCAPNG: %v", err)
	}
	r, err := pcapgo.NewNgReader(&buf, pcapgo.DefaultNgReaderOptions)
	if err != nil {
		t.Fatal(err)
	}
	var (
		last                        time.Time
		opening, syn, fin, complete = -1, -1, -1, -1
		dataClient                  layers.TCPPort
		lines                       []string
	)
	for i := 0; ; i++ {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if ci.Timestamp.Before(last) {
			t.Errorf("packet %d at %v, before the one ahead of it (%v)", i, ci.Timestamp, last)
		}
		last = ci.Timestamp
		p := gopacket.NewPacket(data, layers.LinkTypeEthernet, gopacket.Default)
		tcp, _ := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if tcp == nil {
			continue
		}
		lines = append(lines, tcp.SrcPort.String()+"→"+tcp.DstPort.String()+" "+string(tcp.Payload[:min(len(tcp.Payload), 20)]))
		switch {
		case opening < 0 && bytes.HasPrefix(tcp.Payload, []byte("150 ")):
			opening = i
		case complete < 0 && bytes.HasPrefix(tcp.Payload, []byte("226 ")):
			complete = i
		case syn < 0 && opening >= 0 && tcp.SYN && !tcp.ACK:
			syn, dataClient = i, tcp.SrcPort
		case syn >= 0 && fin < 0 && tcp.FIN && tcp.SrcPort == dataClient:
			fin = i
		}
	}
	if opening < 0 || syn < 0 || fin < 0 || complete < 0 || !(opening < syn && fin < complete) {
		t.Errorf("150 in packet %d, the data connection's SYN in %d, the server's FIN on it in %d, 226 in %d; want them in that order, among\n%q",
			opening, syn, fin, complete, lines)
	}
}

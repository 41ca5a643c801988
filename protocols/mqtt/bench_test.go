package mqtt

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// BenchmarkPublish measures the analyzer on a broker's busiest traffic: QoS 0
// and QoS 1 PUBLISH packets of a short reading to lab/sensors/t1, and their
// PUBACKs. An op is one packet.
//
//	go test -run '^$' -bench Publish -benchmem ./protocols/mqtt/
func BenchmarkPublish(b *testing.B) {
	connect := []byte{0x10, 0x10, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 30, 0, 4, 'p', 'u', 'b', '1'}
	connack := []byte{0x20, 2, 0, 0}
	topic := "lab/sensors/t1"
	qos0 := append([]byte{0x30, byte(2 + len(topic) + 4), 0, byte(len(topic))}, topic+"21.5"...)
	qos1 := append([]byte{0x32, byte(2 + len(topic) + 2 + 4), 0, byte(len(topic))}, topic...)
	qos1 = append(qos1, 0, 7, '2', '1', '.', '5')
	puback := []byte{0x40, 2, 0, 7}
	now := time.Now()
	a := NewAnalyzer()
	a.Feed(lab.ClientToServer, connect, now)
	a.Feed(lab.ServerToClient, connack, now)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		switch i % 3 {
		case 0:
			a.Feed(lab.ServerToClient, qos0, now)
		case 1:
			a.Feed(lab.ClientToServer, qos1, now)
		default:
			a.Feed(lab.ServerToClient, puback, now)
		}
	}
}

// BenchmarkCapture measures what the capture of a subscriber's connection
// costs per delivered QoS 0 PUBLISH: the tap's record of the bytes, the hub's
// log and the analyzer's message, against the same writes untapped. The
// connection is an in-memory pipe, so the figure is the capture's own work
// and not the kernel's. An op is one packet, written 10 at a time as a broker
// fanning out writes them.
//
//	go test -run '^$' -bench Capture -benchmem ./protocols/mqtt/
func BenchmarkCapture(b *testing.B) {
	topic := "lab/bench/t1"
	payload := "21.5 degrees, from the bench's sensor"
	pub := append([]byte{0x30, byte(2 + len(topic) + len(payload)), 0, byte(len(topic))}, topic+payload...)
	const batch = 10
	var writes []byte
	for range batch {
		writes = append(writes, pub...)
	}
	connect := []byte{0x10, 0x10, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 30, 0, 4, 's', 'u', 'b', '1'}
	connack := []byte{0x20, 2, 0, 0}
	for _, captured := range []bool{false, true} {
		name := "untapped"
		if captured {
			name = "captured"
		}
		b.Run(name, func(b *testing.B) {
			reg := &lab.Registry{}
			p := Protocol()
			reg.Register(p)
			hub := lab.NewHub(lab.HubOptions{Registry: reg})
			server, client := net.Pipe()
			if captured {
				server = hub.Tap(p).Conn(server, lab.SideServer)
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				io.Copy(io.Discard, client)
			}()
			go client.Write(connect)
			buf := make([]byte, len(connect))
			io.ReadFull(server, buf)
			server.Write(connack)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i += batch {
				server.Write(writes)
			}
			hub.Settle()
			b.StopTimer()
			server.Close()
			<-done
		})
	}
}

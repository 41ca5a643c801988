package mqtt

import (
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

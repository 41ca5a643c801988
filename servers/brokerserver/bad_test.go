package brokerserver

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/mqtt"
)

// connectPacket is an MQTT 3.1.1 CONNECT with a clean session and id.
func connectPacket(id string) []byte {
	body := append([]byte{0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60, 0, byte(len(id))}, id...)
	return append([]byte{0x10, byte(len(body))}, body...)
}

// publishPacket is a QoS 0 PUBLISH of payload to topic.
func publishPacket(topic string, payload []byte) []byte {
	body := append([]byte{byte(len(topic) >> 8), byte(len(topic))}, topic...)
	body = append(body, payload...)
	p := []byte{0x30}
	for n := len(body); ; { // the remaining length, 7 bits a byte
		b := byte(n % 128)
		if n /= 128; n > 0 {
			b |= 0x80
		}
		p = append(p, b)
		if n == 0 {
			break
		}
	}
	return append(p, body...)
}

var connack = []byte{0x20, 0x02, 0x00, 0x00}

var mqttBadInput = []struct {
	name      string
	connected bool   // CONNECT first, answered
	send      []byte // then this
}{
	{"bad remaining length", false, []byte{0x10, 0xff, 0xff, 0xff, 0xff, 0x01}},
	{"first packet not CONNECT", false, []byte{0xc0, 0x00}}, // PINGREQ
	{"wildcard in a PUBLISH topic", true, publishPacket("lab/+/t1", []byte("x"))},
	{"packet over the size limit", true, publishPacket("lab/big", bytes.Repeat([]byte("x"), 4096))},
	{"unknown packet type", true, []byte{0xf0, 0x00}},
}

// TestMQTTBadInput: each malformed packet closes its connection, the client's
// bytes captured as sent; the broker serves the next client as before.
func TestMQTTBadInput(t *testing.T) {
	l := newTestLab(t, BrokerOptions{MaxPayload: 1024})
	for i, tt := range mqttBadInput {
		t.Run(strings.ReplaceAll(tt.name, " ", "_"), func(t *testing.T) {
			c, r := rawConn(t, l.mqtt)
			var sent []byte
			if tt.connected {
				sent = connectPacket(fmt.Sprint("bad", i))
				c.Write(sent)
				ack := make([]byte, 4)
				if _, err := io.ReadFull(r, ack); err != nil || !bytes.Equal(ack, connack) {
					t.Fatalf("CONNACK % x, %v", ack, err)
				}
			}
			c.Write(tt.send)
			sent = append(sent, tt.send...)
			if rest, err := io.ReadAll(r); len(rest) != 0 {
				t.Errorf("the broker answered % x (%v), want its close", rest, err)
			}
			convs := convsOf(l.hub, mqtt.Name)
			if got := captured(l.hub, convs[len(convs)-1].ID, lab.ClientToServer); !bytes.Equal(got, sent) {
				t.Errorf("captured % x, want % x", got, sent)
			}

			c2, r2 := rawConn(t, l.mqtt)
			c2.Write(connectPacket(fmt.Sprint("good", i)))
			ack := make([]byte, 4)
			if _, err := io.ReadFull(r2, ack); err != nil || !bytes.Equal(ack, connack) {
				t.Errorf("the next client's CONNACK % x, %v", ack, err)
			}
		})
	}
}

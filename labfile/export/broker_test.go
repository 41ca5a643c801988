package export_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"strings"
	"testing"
)

// driveBroker talks to the broker's three listeners by hand, as the lab's
// clients of other protocols do: a NATS session (INFO, CONNECT, PING, PONG)
// and an MQTT one in the clear and over TLS (CONNECT, CONNACK, DISCONNECT).
func driveBroker(ctx context.Context, t *testing.T, tb *testBench) {
	t.Helper()
	dial := func(name string) net.Conn {
		c, err := tb.tap(name).Dial(ctx, "tcp", tb.addr[name])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d, ok := ctx.Deadline(); ok {
			c.SetDeadline(d)
		}
		return c
	}
	c := dial("nats")
	r := bufio.NewReader(c)
	if l, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(l, "INFO ") {
		t.Fatalf("nats: %q, %v; want INFO", l, err)
	}
	io.WriteString(c, "CONNECT {\"verbose\":false}\r\nPING\r\n")
	if l, err := r.ReadString('\n'); err != nil || l != "PONG\r\n" {
		t.Fatalf("nats: %q, %v; want PONG", l, err)
	}
	c.Close()

	connect := []byte{0x10, 0x12, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60, 0, 6, 'e', 'x', 'p', 'o', 'r', 't'}
	for _, name := range []string{"mqtt", "mqtts"} {
		c := dial(name)
		if name == "mqtts" {
			c = tls.Client(c, &tls.Config{RootCAs: tb.ca.Pool(), ServerName: "localhost", KeyLogWriter: tb.hub.Keys()})
		}
		c.Write(connect)
		ack := make([]byte, 4)
		if _, err := io.ReadFull(c, ack); err != nil || !bytes.Equal(ack, []byte{0x20, 0x02, 0, 0}) {
			t.Fatalf("%s: CONNACK % x, %v", name, ack, err)
		}
		c.Write([]byte{0xe0, 0x00}) // DISCONNECT
		c.Close()
	}
}

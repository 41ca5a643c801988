package wsserver

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/protocollab/protolab/clients/wsclient"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// upgraded is a Flood.Start: the opening handshake of /ws/echo.
func upgraded(c net.Conn, r *bufio.Reader) error {
	fmt.Fprintf(c, "GET /ws/echo HTTP/1.1\r\nHost: lab\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return fmt.Errorf("upgrade: %s", resp.Status)
	}
	return nil
}

// frameHeader is a client's frame header (masked with the key 0, so the payload
// goes as it is) for a payload of n bytes.
func frameHeader(opcode byte, fin bool, n int) string {
	b := []byte{opcode, 0x80 | 127}
	if fin {
		b[0] |= 0x80
	}
	switch {
	case n < 126:
		b[1] = 0x80 | byte(n)
	case n < 1<<16:
		b[1] = 0x80 | 126
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return string(append(b, 0, 0, 0, 0))
}

// TestFloodRefused: a message of 16 MiB, in one frame or in many, is refused at
// MaxMessageBytes (close 1009) without the server reading it all, while
// another client is served.
func TestFloodRefused(t *testing.T) {
	_, tap := testHub()
	srv, base := testServer(t, Options{Tap: tap})
	addr := srv.Addr().String()
	other := func() error {
		c := dial(t, base+"/ws/echo", wsclient.Options{})
		defer c.Close(1000, "")
		c.SendText("still here")
		if m := next(t, c); string(m.Data) != "still here" {
			return fmt.Errorf("echo = %q, want the text back", string(m.Data))
		}
		return nil
	}
	const part = 32 << 10
	for _, f := range []servertest.Flood{
		{Prefix: frameHeader(0x2, true, servertest.FloodSize)},
		{Prefix: frameHeader(0x2, false, part) + strings.Repeat("x", part), Pattern: frameHeader(0x0, false, part) + strings.Repeat("x", part)},
	} {
		f.Addr, f.Start, f.Other = addr, upgraded, other
		res := f.Run(t)
		if !strings.Contains(res.Answer, "\x88\x02\x03\xf1") { // close, 1009
			t.Errorf("answer = %q, want a close frame with 1009", res.Answer)
		}
	}
}

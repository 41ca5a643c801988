package tcpserver_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/protocollab/protolab/servers/internal/servertest"
	"github.com/protocollab/protolab/servers/tcpserver"
)

// TestChatFloodRefused: 16 MiB without a newline is refused at the line's
// bound, without the server or the capture reading it all, while another
// client chats.
func TestChatFloodRefused(t *testing.T) {
	hub := newHub()
	_, addr := startServer(t, tcpserver.Options{Mode: tcpserver.ModeChat, Tap: hub.Tap(tcpProtocol())})
	res := servertest.Flood{
		Addr: addr,
		Other: func() error {
			c := dialLines(t, addr)
			c.Write([]byte("still here\n"))
			if got, err := c.line(); got != "still here\n" {
				return fmt.Errorf("read %q, %v; want the line back", got, err)
			}
			return nil
		},
	}.Run(t)
	if want := "tcpserver: line longer than 4096 bytes; closing the connection\r\n"; !strings.HasSuffix(res.Answer, want) {
		t.Errorf("answer = %q, want %q at its end", res.Answer, want)
	}
}

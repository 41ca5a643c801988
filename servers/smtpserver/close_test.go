package smtpserver_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/smtp"
	"github.com/protocollab/protolab/servers/smtpserver"
)

// TestCloseSentIsKnown: the server's tap knows what the server's close put on the
// wire — a FIN after QUIT, a RST when it closes with a too-long line unread — and
// the lab draws it, instead of saying it does not know.
func TestCloseSentIsKnown(t *testing.T) {
	for _, tc := range []struct {
		name, send, want string
	}{
		{"quit", "QUIT\r\n", "FIN · the server closes first"},
		{"overlong line", "NOOP " + strings.Repeat("x", 60000) + "\r\n", "RST · the server resets the connection"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hub := newHub()
			_, addr := startServer(t, smtpserver.Options{Store: newStore(t, "alpha.test"), Tap: hub.Tap(hub.Registry().Lookup(smtp.Name))})
			c := dial(t, addr)
			c.cmd(250, "EHLO x")
			if _, err := c.c.Write([]byte(tc.send)); err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, c.br) // the reply, then the server's FIN or RST
			c.c.Close()
			// The FIN reaches the client before the server's tap, which sends it
			// first and then asks its kernel, records it: wait for the close.
			for end := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
				if cs := hub.Conversations(); len(cs) > 0 && !cs[0].Live || time.Now().After(end) {
					break
				}
			}
			hub.Settle()
			var sums []string
			for _, ci := range hub.Conversations() {
				for _, e := range hub.ConvEvents(ci.ID) {
					if e.Kind == lab.KindMessage && e.Layer == "tcp" && e.Msg != nil {
						sums = append(sums, e.Msg.Summary)
					}
				}
			}
			all := strings.Join(sums, "\n")
			if !strings.Contains(all, tc.want) || strings.Contains(all, "not known") {
				t.Errorf("the TCP layer shows:\n%s\nwant %q, and no close that is not known", all, tc.want)
			}
		})
	}
}

package smtpserver_test

import (
	"fmt"
	"net"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/protocollab/protolab/internal/outside"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/servertest"
	"github.com/protocollab/protolab/servers/smtpserver"
)

// BenchmarkAccept measures messages accepted and stored per second over one
// and over ten connections, without and with capture (the lab's tap and SMTP
// analyzer; "capture=full" begins with the hub at its bound, as the capture
// runs once the lab has captured its first MaxBytes), and the same load
// against Mailpit storing on disk too ("mailpit"; skipped without it:
// scripts/bench builds it). Each message is a small one for
// alice@alpha.test, stored in a folder under $TMPDIR (appended
// to her INBOX's message log).
func BenchmarkAccept(b *testing.B) {
	msg := []byte("From: bob@beta.test\r\nTo: alice@alpha.test\r\nSubject: bench\r\n\r\nA short message.\r\n")
	for _, conns := range []int{1, 10} {
		for _, server := range []string{"capture=false", "capture=true", "capture=full", "mailpit"} {
			name := fmt.Sprintf("conns=%d/%s", conns, server)
			b.Run(name, func(b *testing.B) {
				var addr string
				var full *lab.Hub
				if server == "mailpit" {
					addr = outside.Mailpit(b)
				} else {
					opts := smtpserver.Options{Store: newStore(b, "alpha.test")}
					if server != "capture=false" {
						hub := newHub()
						opts.Tap = hub.Tap(hub.Registry().Lookup("smtp"))
						if server == "capture=full" {
							full = hub
						}
					}
					_, addr = startServer(b, opts)
				}
				clients := make([]*smtp.Client, conns)
				for i := range clients {
					c, err := net.Dial("tcp", addr)
					if err != nil {
						b.Fatal(err)
					}
					clients[i] = smtp.NewClient(c)
					if err := clients[i].Hello("bench.lab.test"); err != nil {
						b.Fatal(err)
					}
					defer clients[i].Close()
				}
				mail := func(i int) error { return send(clients[i], msg) }
				servertest.FillHub(b, full, func(n int) error { return servertest.Spread(n, conns, mail) })
				b.SetBytes(int64(len(msg)))
				per := (b.N + conns - 1) / conns
				b.ResetTimer()
				cpu := servertest.CPUTime(b, 0)
				err := servertest.Spread(per*conns, conns, mail)
				cpu = servertest.CPUTime(b, 0) - cpu
				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(per*conns)/b.Elapsed().Seconds(), "mails/s")
				if server != "mailpit" { // Mailpit's CPU is not this process's
					b.ReportMetric(float64(cpu.Microseconds())/float64(per*conns), "cpu-µs/mail")
				}
			})
		}
	}
}

func send(c *smtp.Client, msg []byte) error {
	if err := c.Mail("bob@beta.test", nil); err != nil {
		return err
	}
	if err := c.Rcpt("alice@alpha.test", nil); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	return w.Close()
}

package smtpserver_test

import (
	"fmt"
	"net"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/protocollab/protolab/internal/outside"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/servertest"
	"github.com/protocollab/protolab/servers/smtpserver"
)

// BenchmarkAccept measures messages accepted and stored per second over one
// and over ten connections, without and with capture (the lab's tap and SMTP
// analyzer), and the same load against Mailpit storing on disk too
// ("mailpit"; skipped without it: scripts/bench builds it). Each message is a
// small one for alice@alpha.test, stored in a folder under $TMPDIR (appended
// to her INBOX's message log).
func BenchmarkAccept(b *testing.B) {
	msg := []byte("From: bob@beta.test\r\nTo: alice@alpha.test\r\nSubject: bench\r\n\r\nA short message.\r\n")
	for _, conns := range []int{1, 10} {
		for _, server := range []string{"capture=false", "capture=true", "mailpit"} {
			name := fmt.Sprintf("conns=%d/%s", conns, server)
			b.Run(name, func(b *testing.B) {
				var addr string
				if server == "mailpit" {
					addr = outside.Mailpit(b)
				} else {
					opts := smtpserver.Options{Store: newStore(b, "alpha.test")}
					if server == "capture=true" {
						hub := newHub()
						opts.Tap = hub.Tap(hub.Registry().Lookup("smtp"))
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
				b.SetBytes(int64(len(msg)))
				b.ResetTimer()
				cpu := servertest.CPUTime(b, 0)
				var wg sync.WaitGroup
				per := (b.N + conns - 1) / conns
				for _, c := range clients {
					wg.Go(func() {
						for range per {
							if err := send(c, msg); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				cpu = servertest.CPUTime(b, 0) - cpu
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

var _ = lab.ClientToServer

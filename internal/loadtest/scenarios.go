package loadtest

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	"github.com/miekg/dns"
	xssh "golang.org/x/crypto/ssh"

	"github.com/protocollab/protolab/clients/ftpclient"
	"github.com/protocollab/protolab/clients/imapclient"
	"github.com/protocollab/protolab/clients/pop3client"
	"github.com/protocollab/protolab/clients/sftpclient"
	"github.com/protocollab/protolab/clients/smtpclient"
	"github.com/protocollab/protolab/servers/ftpserver"
	"github.com/protocollab/protolab/servers/imapserver"
	"github.com/protocollab/protolab/servers/pop3server"
)

// Rounds is how many round trips each client of the web and echo scenarios makes.
const Rounds = 5

// Target is what the scenarios reach: the servers' addresses and the lab CA.
type Target struct {
	Addrs map[string]string
	CA    *x509.CertPool // trusts the lab CA (HTTPS, STARTTLS)
}

// Scenario is one named load: Run returns its result (RSS left to the caller).
type Scenario struct {
	Name    string
	Clients int
	AtOnce  int    // at most this many at a time; the server's documented limit when lower than Clients
	Note    string // why AtOnce is lower than Clients
	Client  func(ctx context.Context, t Target, i int, rec *Recorder)
}

// Scenarios returns the load scenarios with scale clients for the heavy ones
// (1,000 in the issue) and scale/5 for the mail and file ones (200).
func Scenarios(scale int) []Scenario {
	light := max(1, scale/5)
	limited := func(name string, limit int, c func(context.Context, Target, int, *Recorder)) Scenario {
		s := Scenario{Name: name, Clients: light, AtOnce: light, Client: c}
		if limit < light {
			s.AtOnce = limit
			s.Note = fmt.Sprintf("(%s serves %d at once, documented; more are refused)", name, limit)
		}
		return s
	}
	return []Scenario{
		{Name: "tcp", Clients: scale, AtOnce: scale, Client: tcpEcho},
		{Name: "http", Clients: scale, AtOnce: scale, Client: httpEcho(false)},
		{Name: "https", Clients: scale, AtOnce: scale, Client: httpEcho(true)},
		{Name: "ws", Clients: scale, AtOnce: scale, Client: wsEcho},
		limited("ftp", ftpserver.DefaultMaxClients, ftpSession),
		{Name: "sftp", Clients: light, AtOnce: light, Client: sftpSession},
		{Name: "smtp", Clients: light, AtOnce: light, Client: smtpSend},
		limited("pop3", pop3server.DefaultMaxClients, pop3Session),
		limited("imap", imapserver.DefaultMaxClients, imapSession),
	}
}

// Run runs s against t, every client bounded by timeout.
func (s Scenario) Run(t Target, timeout time.Duration) Result {
	res := RunClients(s.Name, s.Clients, s.AtOnce, timeout, func(ctx context.Context, i int, rec *Recorder) {
		s.Client(ctx, t, i, rec)
	})
	res.Note = s.Note + res.Note
	return res
}

func tcpEcho(ctx context.Context, t Target, i int, rec *Recorder) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", t.Addrs["tcp"])
	if err != nil {
		rec.Fail(err)
		return
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	buf := make([]byte, 64)
	for r := range Rounds {
		msg := fmt.Sprintf("client %d round %d\n", i, r)
		if rec.Op(func() error {
			if _, err := io.WriteString(c, msg); err != nil {
				return err
			}
			if _, err := io.ReadFull(c, buf[:len(msg)]); err != nil {
				return err
			}
			if string(buf[:len(msg)]) != msg {
				return fmt.Errorf("tcp: echoed %q, want %q", buf[:len(msg)], msg)
			}
			return nil
		}) != nil {
			return
		}
	}
}

func httpEcho(secure bool) func(context.Context, Target, int, *Recorder) {
	return func(ctx context.Context, t Target, i int, rec *Recorder) {
		scheme, name := "http", "http"
		tr := &http.Transport{MaxIdleConnsPerHost: 1}
		if secure {
			scheme, name = "https", "https"
			tr.TLSClientConfig = &tls.Config{RootCAs: t.CA, ServerName: "localhost"}
		}
		defer tr.CloseIdleConnections()
		cl := &http.Client{Transport: tr}
		for r := range Rounds {
			want := fmt.Sprintf("c%dr%d", i, r)
			if rec.Op(func() error {
				req, err := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s://%s/echo?x=%s", scheme, t.Addrs[name], want), nil)
				if err != nil {
					return err
				}
				resp, err := cl.Do(req)
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				body, err := io.ReadAll(resp.Body)
				if err != nil {
					return err
				}
				if resp.StatusCode != 200 || !bytes.Contains(body, []byte(want)) {
					return fmt.Errorf("%s: GET /echo: %s, body without %q", name, resp.Status, want)
				}
				return nil
			}) != nil {
				return
			}
		}
	}
}

func wsEcho(ctx context.Context, t Target, i int, rec *Recorder) {
	c, _, err := websocket.DefaultDialer.DialContext(ctx, "ws://"+t.Addrs["ws"]+"/ws/echo", nil)
	if err != nil {
		rec.Fail(fmt.Errorf("ws: %w", err))
		return
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetReadDeadline(dl)
	}
	for r := range Rounds {
		msg := fmt.Sprintf("client %d round %d", i, r)
		if rec.Op(func() error {
			if err := c.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
				return err
			}
			_, got, err := c.ReadMessage()
			if err != nil {
				return err
			}
			if string(got) != msg {
				return fmt.Errorf("ws: echoed %q, want %q", got, msg)
			}
			return nil
		}) != nil {
			return
		}
	}
}

func ftpSession(ctx context.Context, t Target, _ int, rec *Recorder) {
	var c *ftpclient.Client
	if rec.Op(func() (err error) {
		c, err = ftpclient.Dial(ctx, t.Addrs["ftp"], ftpclient.Options{Timeout: 30 * time.Second})
		if err == nil {
			err = c.Login("lab", "lab")
		}
		return err
	}) != nil {
		return
	}
	defer c.Close()
	if rec.Op(func() error {
		ents, err := c.List("/")
		if err == nil && !hasEntry(ents, "README.txt") {
			err = fmt.Errorf("ftp: LIST without README.txt")
		}
		return err
	}) != nil {
		return
	}
	_ = rec.Op(func() error {
		var b bytes.Buffer
		if err := c.Retr("README.txt", &b, nil); err != nil {
			return err
		}
		if b.Len() == 0 {
			return fmt.Errorf("ftp: RETR README.txt: empty")
		}
		return nil
	})
	_ = c.Quit()
}

func hasEntry(ents []ftpclient.Entry, name string) bool {
	for _, e := range ents {
		if e.Name == name {
			return true
		}
	}
	return false
}

func sftpSession(ctx context.Context, t Target, _ int, rec *Recorder) {
	var c *sftpclient.Client
	if rec.Op(func() (err error) {
		// The lab's own server, on 127.0.0.1: its key is not checked here, so that
		// 200 clients do not write one known_hosts file at once.
		c, err = sftpclient.Dial(ctx, t.Addrs["sftp"], sftpclient.Options{User: "lab", Password: "lab",
			HostKeyCallback: xssh.InsecureIgnoreHostKey(), Timeout: 60 * time.Second})
		return err
	}) != nil {
		return
	}
	defer c.Close()
	_ = rec.Op(func() error {
		ents, err := c.List(".")
		if err == nil && len(ents) == 0 {
			err = fmt.Errorf("sftp: empty listing")
		}
		return err
	})
}

func smtpSend(ctx context.Context, t Target, i int, rec *Recorder) {
	_ = rec.Op(func() error {
		res, err := smtpclient.Send(ctx, t.Addrs["smtp"], smtpclient.Options{User: "alice", Password: "alice",
			StartTLS: true, RootCAs: t.CA, ServerName: "localhost"},
			smtpclient.Mail{From: "alice@alpha.test", To: []string{"alice@alpha.test"},
				Subject: fmt.Sprintf("load %d", i), Body: "Hello under load.\r\n"})
		if err == nil && !res.TLS {
			err = fmt.Errorf("smtp: sent outside TLS")
		}
		return err
	})
}

func pop3Session(ctx context.Context, t Target, _ int, rec *Recorder) {
	var c *pop3client.Client
	if rec.Op(func() (err error) {
		// One session at a time holds a maildrop (RFC 1939 §8, [IN-USE]): the
		// others try again when it ends, as the server asks.
		for {
			c, err = pop3client.Dial(ctx, t.Addrs["pop3"], pop3client.Options{StartTLS: true, RootCAs: t.CA,
				ServerName: "localhost", Timeout: 30 * time.Second})
			if err == nil {
				if err = c.Login("alice", "alice"); err != nil {
					c.Close()
				}
			}
			// [IN-USE]: another holds the maildrop; [SYS/TEMP]: the server is full
			// (a closed session's slot is freed a moment after the client closes).
			if err == nil || !strings.Contains(err.Error(), "[IN-USE]") && !strings.Contains(err.Error(), "[SYS/TEMP]") {
				return err
			}
			rec.Retry()
			select {
			case <-ctx.Done():
				return err
			case <-time.After(time.Duration(5+rand.IntN(20)) * time.Millisecond):
			}
		}
	}) != nil {
		return
	}
	defer c.Close()
	_ = rec.Op(func() error { _, err := c.List(); return err })
	_ = c.Quit()
}

func imapSession(ctx context.Context, t Target, _ int, rec *Recorder) {
	var c *imapclient.Client
	if rec.Op(func() (err error) {
		c, err = imapclient.Dial(ctx, t.Addrs["imap"], imapclient.Options{StartTLS: true, RootCAs: t.CA,
			ServerName: "localhost", Timeout: 30 * time.Second})
		if err == nil {
			err = c.Login("alice", "alice")
		}
		return err
	}) != nil {
		return
	}
	defer c.Close()
	_ = rec.Op(func() error { _, err := c.Select("INBOX"); return err })
	_ = c.Logout()
}

// DNS sends rate queries a second for d over UDP, paced, and checks every answer.
func DNS(t Target, rate int, d time.Duration) Result {
	addr := t.Addrs["dns"]
	total := int(float64(rate) * d.Seconds())
	const workers = 200
	rec := &Recorder{}
	jobs := make(chan int, workers)
	done := make(chan struct{})
	start := time.Now()
	for range workers {
		go func() {
			defer func() { done <- struct{}{} }()
			cl := &dns.Client{Net: "udp", Timeout: 5 * time.Second}
			for n := range jobs {
				_ = rec.Op(func() error { return dnsQuery(cl, addr, n) })
			}
		}()
	}
	tick := time.Second / time.Duration(rate)
	giveUp := start.Add(3 * d) // a lab that answers slower than asked is not waited for without end
	for n := range total {
		if wait := time.Until(start.Add(time.Duration(n) * tick)); wait > 0 {
			time.Sleep(wait)
		}
		if time.Now().After(giveUp) {
			rec.FailN(total-n, fmt.Errorf("dns: %d queries not sent: the answers came too slowly to keep the pace", total-n))
			break
		}
		jobs <- n
	}
	close(jobs)
	for range workers {
		<-done
	}
	res := Result{Name: "dns", Clients: workers, AtOnce: workers, Elapsed: time.Since(start),
		Note: fmt.Sprintf("(%d queries/s asked for %s)", rate, d)}
	rec.Fill(&res)
	return res
}

var dnsNames = []string{"alpha.test.", "mail.alpha.test.", "beta.test.", "mail.beta.test."}

func dnsQuery(cl *dns.Client, addr string, n int) error {
	m := new(dns.Msg)
	name := dnsNames[n%len(dnsNames)]
	qtype := dns.TypeA
	if !strings.HasPrefix(name, "mail.") {
		qtype = dns.TypeMX
	}
	m.SetQuestion(name, qtype)
	r, _, err := cl.Exchange(m, addr)
	if err != nil {
		return err
	}
	if r.Id != m.Id || r.Rcode != dns.RcodeSuccess || len(r.Answer) == 0 {
		return fmt.Errorf("dns: %s %s: %s, %d answers", name, dns.TypeToString[qtype], dns.RcodeToString[r.Rcode], len(r.Answer))
	}
	return nil
}

package smtpserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
	mdns "github.com/miekg/dns"

	"github.com/protocollab/protolab/clients/dnsclient"
	"github.com/protocollab/protolab/lab"
)

// RelayTimeout bounds one relay: lookups, connection and delivery.
const RelayTimeout = 30 * time.Second

func tempRelayError(domain, why string) error {
	return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 4, 1},
		Message: fmt.Sprintf("Cannot relay to %s now: %s", domain, why)}
}

// relay delivers msg for the recipients to of domain over SMTP to the domain's
// mail host, linking the connection under the incoming one, in.
func (s *Server) relay(in *smtp.Conn, domain, from string, to []string, msg []byte) error {
	port := 0
	if s.opts.RelayPort != nil {
		port = s.opts.RelayPort(domain)
	}
	if port == 0 {
		return tempRelayError(domain, "no SMTP server for "+domain+" is running in the lab; start it and send again")
	}
	ctx, cancel := context.WithTimeout(context.Background(), RelayTimeout)
	defer cancel()
	go func() {
		select {
		case <-s.done:
			cancel()
		case <-ctx.Done():
		}
	}()

	host, ip := "mail."+domain, "127.0.0.1"
	if resolver := s.resolver(); resolver != "" {
		var err error
		var mx, a lab.ConvID
		host, mx, err = s.lookupMX(ctx, resolver, domain)
		s.linkLookup(in, mx, domain)
		if err != nil {
			return tempRelayError(domain, err.Error())
		}
		ip, a, err = dnsclient.Resolve(ctx, resolver, host, s.opts.DNSTap)
		s.linkLookup(in, a, domain)
		if err != nil {
			return tempRelayError(domain, err.Error())
		}
	}
	conn, err := s.opts.RelayTap.Dial(ctx, "tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		return tempRelayError(domain, fmt.Sprintf("connecting to %s (%s port %d): %v", host, ip, port, err))
	}
	if out, parent := lab.ConnConversation(conn), lab.ConnConversation(in.Conn()); out != nil && parent != nil {
		out.SetLink(lab.Link{Kind: lab.LinkRelay, Parent: parent.ID(), Dialler: lab.SideServer, Label: "relay to " + domain})
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	defer context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })()
	c, err := s.startRelay(conn, host)
	if err == nil {
		defer c.Close()
		err = s.deliverTo(c, from, to, msg)
	} else {
		conn.Close()
	}
	if err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			return &smtp.SMTPError{Code: se.Code, EnhancedCode: se.EnhancedCode,
				Message: fmt.Sprintf("%s (%s) answered: %s", domain, host, se.Message)}
		}
		return tempRelayError(domain, err.Error())
	}
	return nil
}

// startRelay greets the mail host as the server's own name and switches to TLS
// when it offers STARTTLS. go-smtp's client says "EHLO localhost" before its own
// STARTTLS, so the greeting and STARTTLS are done here, and go-smtp's client
// takes over inside TLS (told the greeting it already had).
func (s *Server) startRelay(conn net.Conn, host string) (*smtp.Client, error) {
	tp := textproto.NewConn(conn)
	if _, _, err := tp.ReadResponse(220); err != nil {
		return nil, err
	}
	id, err := tp.Cmd("EHLO %s", s.host)
	if err != nil {
		return nil, err
	}
	tp.StartResponse(id)
	_, ext, err := tp.ReadResponse(250)
	tp.EndResponse(id)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(strings.Split(ext, "\n"), func(l string) bool { return strings.EqualFold(strings.TrimSpace(l), "STARTTLS") }) {
		c := smtp.NewClient(&greetedConn{Conn: conn, greeting: "220 " + host + " (greeted before)\r\n"})
		return c, c.Hello(s.host)
	}
	id, err = tp.Cmd("STARTTLS")
	if err != nil {
		return nil, err
	}
	tp.StartResponse(id)
	_, _, err = tp.ReadResponse(220)
	tp.EndResponse(id)
	if err != nil {
		return nil, err
	}
	tc := tls.Client(conn, &tls.Config{ServerName: host, RootCAs: s.opts.RelayRootCAs, KeyLogWriter: s.opts.RelayKeyLog, MinVersion: tls.VersionTLS12})
	if err := tc.Handshake(); err != nil {
		return nil, fmt.Errorf("TLS with %s: %w", host, err)
	}
	c := smtp.NewClient(&greetedConn{Conn: tc, greeting: "220 " + host + " (TLS)\r\n"})
	return c, c.Hello(s.host)
}

// greetedConn hands go-smtp's client a greeting the server sent earlier (or,
// after STARTTLS, none at all), then the connection's own bytes; what is
// captured is only ever the real bytes, below.
type greetedConn struct {
	net.Conn
	greeting string
}

func (g *greetedConn) Read(b []byte) (int, error) {
	if g.greeting != "" {
		n := copy(b, g.greeting)
		g.greeting = g.greeting[n:]
		return n, nil
	}
	return g.Conn.Read(b)
}

func (s *Server) deliverTo(c *smtp.Client, from string, to []string, msg []byte) error {
	if err := c.Mail(from, nil); err != nil {
		return err
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt, nil); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// linkLookup links the lookup recorded in conversation id (0: none) under the
// session in, whose relay to domain it serves: the session's server asked.
func (s *Server) linkLookup(in *smtp.Conn, id lab.ConvID, domain string) {
	parent := lab.ConnConversation(in.Conn())
	if id == 0 || parent == nil {
		return
	}
	if c := s.opts.DNSTap.Hub().Conversation(id); c != nil {
		c.SetLink(lab.Link{Kind: lab.LinkRelay, Parent: parent.ID(), Dialler: lab.SideServer, Label: "lookups for the relay to " + domain})
	}
}

// lookupMX asks the lab's DNS server for domain's mail host (the MX record with
// the lowest preference), and says which conversation recorded the question; a
// domain without MX records is its own mail host (RFC 5321 §5.1).
func (s *Server) lookupMX(ctx context.Context, resolver, domain string) (string, lab.ConvID, error) {
	res, err := dnsclient.Query(ctx, resolver, domain, mdns.TypeMX, dnsclient.Options{Tap: s.opts.DNSTap})
	if err != nil {
		return "", 0, fmt.Errorf("looking up the MX of %s: %w", domain, err)
	}
	if res.Rcode != mdns.RcodeSuccess {
		return "", res.Conv, fmt.Errorf("the lab DNS server knows no domain %s (%s)", domain, mdns.RcodeToString[res.Rcode])
	}
	var mx []*mdns.MX
	for _, rr := range res.Msg.Answer {
		if m, ok := rr.(*mdns.MX); ok {
			mx = append(mx, m)
		}
	}
	if len(mx) == 0 {
		return domain, res.Conv, nil
	}
	slices.SortStableFunc(mx, func(a, b *mdns.MX) int { return int(a.Preference) - int(b.Preference) })
	return strings.TrimSuffix(mx[0].Mx, "."), res.Conv, nil
}

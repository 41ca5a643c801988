package smtpserver

import (
	"errors"
	"io"
	"net"
	"slices"
	"strings"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/protocollab/protolab/servers/mailstore"
)

// Replies the server gives, with their enhanced codes.
var (
	errRelayDenied = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1},
		Message: "Relaying denied: this lab server takes mail only for its own domain and, from logged-in users, for the lab's other domains"}
	errAuthToRelay = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0},
		Message: "Authentication required to relay to another domain"}
	errNoSuchUser = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
		Message: "No such user here"}
	errBadAddress = &smtp.SMTPError{Code: 553, EnhancedCode: smtp.EnhancedCode{5, 1, 3},
		Message: "The address is not valid"}
	errAuthFailed = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8},
		Message: "Authentication credentials invalid"}
)

type backend struct{ s *Server }

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s, conn: c}, nil
}

// session is one SMTP session (from EHLO, again after STARTTLS).
type session struct {
	s    *Server
	conn *smtp.Conn
	user string // the address the client logged in as, "" if none
	from string
	rcpt []string
}

var _ smtp.AuthSession = (*session)(nil)

func (ss *session) Reset() {
	ss.from, ss.rcpt = "", nil
}

func (ss *session) Logout() error { return nil }

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain, sasl.Login} }

func (ss *session) Auth(mech string) (sasl.Server, error) {
	check := func(identity, user, pass string) error {
		if identity != "" && identity != user {
			return errAuthFailed
		}
		return ss.login(user, pass)
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(check), nil
	case sasl.Login:
		return &loginServer{check: func(u, p string) error { return check("", u, p) }}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

// login checks a password against the store, slowing down repeated failures.
func (ss *session) login(user, pass string) error {
	var from net.Addr
	if c := ss.conn.Conn(); c != nil {
		from = c.RemoteAddr()
	}
	addr, err := ss.s.opts.Store.Authenticate(user, pass)
	if err == nil {
		ss.s.guard.Succeed(from)
		ss.user = addr
		return nil
	}
	ss.s.guard.FailConn(ss.s.done, ss.conn.Conn())
	return errAuthFailed
}

func clientIP(c net.Conn) string {
	if c == nil || c.RemoteAddr() == nil {
		return ""
	}
	h, _, err := net.SplitHostPort(c.RemoteAddr().String())
	if err != nil {
		return c.RemoteAddr().String()
	}
	return h
}

func (ss *session) Mail(from string, opts *smtp.MailOptions) error {
	if from != "" && !validAddr(from) {
		return errBadAddress
	}
	if err := ss.mayUseSender(from); err != nil {
		return err
	}
	ss.from = from
	return nil
}

func validAddr(a string) bool {
	l, d, ok := strings.Cut(a, "@")
	return ok && l != "" && d != "" && !strings.ContainsAny(a, " <>\r\n")
}

func (ss *session) Rcpt(to string, opts *smtp.RcptOptions) error {
	if !validAddr(to) {
		return errBadAddress
	}
	d := domainOf(to)
	switch {
	case d == ss.s.domain:
		if !ss.s.opts.Store.HasUser(to) {
			return errNoSuchUser
		}
	case !ss.s.relays(d):
		return errRelayDenied
	case ss.user == "":
		return errAuthToRelay
	}
	ss.rcpt = append(ss.rcpt, to)
	return nil
}

// relays reports whether mail for domain d is relayed.
func (s *Server) relays(d string) bool {
	return d != s.domain && slices.ContainsFunc(s.opts.RelayDomains, func(x string) bool { return strings.EqualFold(x, d) })
}

func (ss *session) Data(r io.Reader) error {
	body, err := io.ReadAll(r)
	if err != nil {
		return err // go-smtp's ErrDataTooLarge: 552 5.3.4
	}
	id := traceID()
	var local []string
	remote := map[string][]string{}
	var domains []string
	for _, to := range ss.rcpt {
		if d := domainOf(to); d == ss.s.domain {
			local = append(local, to)
		} else {
			if _, ok := remote[d]; !ok {
				domains = append(domains, d)
			}
			remote[d] = append(remote[d], to)
		}
	}
	for _, to := range local {
		if _, err := ss.s.opts.Store.Deliver(to, ss.delivered(id, to, body)); err != nil {
			if errors.Is(err, mailstore.ErrNoSuchUser) {
				return errNoSuchUser
			}
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "The mailbox could not be written: " + err.Error()}
		}
	}
	for _, d := range domains {
		if err := ss.s.relay(ss.conn, d, ss.from, remote[d], ss.relayed(id, remote[d], body)); err != nil {
			return err
		}
	}
	return nil
}

// loginServer is the server side of the LOGIN mechanism (draft-murchison-sasl-login):
// it asks for the user name, then the password.
type loginServer struct {
	step  int
	user  string
	check func(user, pass string) error
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step++
		if len(resp) == 0 {
			return []byte("Username:"), false, nil
		}
		fallthrough // an initial response is the user name
	case 1:
		l.user = string(resp)
		l.step = 2
		return []byte("Password:"), false, nil
	case 2:
		l.step++
		return nil, true, l.check(l.user, string(resp))
	}
	return nil, true, errors.New("smtpserver: unexpected LOGIN response")
}

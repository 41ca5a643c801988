package pgserver

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/protocollab/protolab/lab"
)

// The request codes of a startup packet, in place of a protocol version.
const (
	codeSSL     = 80877103
	codeGSSENC  = 80877104
	codeCancel  = 80877102
	maxStartup  = 10000 // PostgreSQL's MAX_STARTUP_PACKET_LENGTH
	minStartup  = 8
	protocol30  = 3 << 16
	majorOfCode = 16
)

// startupError is a FATAL ErrorResponse sent before the session starts.
type startupError struct{ code, msg string }

func (e *startupError) Error() string { return e.msg }

// startup is what the client asked for in its startup message.
type startup struct {
	conn   net.Conn // the tapped connection, or TLS over it
	params map[string]string
	minor  uint32
	unrec  []string // _pq_. options the server does not know
}

// handle serves one tapped connection: the startup packets (SSLRequest,
// GSSENCRequest, CancelRequest, StartupMessage), authentication, then the
// session.
func (s *Server) handle(c net.Conn) {
	c.SetDeadline(time.Now().Add(s.HandshakeTimeout))
	st, err := s.readStartup(c)
	if err != nil {
		var se *startupError
		if errors.As(err, &se) {
			fatal(st.conn, se.code, se.msg)
		}
		return
	}
	if st.params == nil {
		return // a cancel request, served
	}
	sess := newSession(s, st.conn, c)
	s.register(sess)
	defer s.unregister(sess)
	defer sess.close()
	if !sess.start(st) {
		return
	}
	c.SetDeadline(time.Time{})
	sess.loop()
}

// fatal sends a FATAL ErrorResponse on c, outside a session.
func fatal(c net.Conn, code, msg string) {
	if c == nil {
		return
	}
	be := pgproto3.NewBackend(c, c)
	be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", SeverityUnlocalized: "FATAL", Code: code, Message: msg})
	be.Flush()
}

// readStartup reads startup packets until a StartupMessage, answering
// SSLRequest (with the TLS handshake) and GSSENCRequest on the way, and
// serving a CancelRequest. It reads exactly each packet's bytes, so nothing a
// client sends before its TLS handshake is taken as if it came after.
func (s *Server) readStartup(c net.Conn) (startup, error) {
	st := startup{conn: c}
	tlsDone := false
	for {
		body, err := readPacket(st.conn)
		if err != nil {
			return st, err
		}
		code := binary.BigEndian.Uint32(body)
		switch code {
		case codeSSL:
			if tlsDone {
				return st, &startupError{"08P01", "SSLRequest received over an encrypted connection"}
			}
			if s.TLS == nil {
				if _, err := st.conn.Write([]byte{'N'}); err != nil {
					return st, err
				}
				continue
			}
			if _, err := st.conn.Write([]byte{'S'}); err != nil {
				return st, err
			}
			tc := tls.Server(st.conn, s.TLS)
			ctx, cancel := context.WithTimeout(context.Background(), s.HandshakeTimeout)
			err := tc.HandshakeContext(ctx)
			cancel()
			if err != nil {
				return startup{}, err
			}
			st.conn, tlsDone = tc, true
		case codeGSSENC:
			if _, err := st.conn.Write([]byte{'N'}); err != nil {
				return st, err
			}
		case codeCancel:
			if len(body) < 12 {
				return st, &startupError{"08P01", "invalid length of cancel request packet"}
			}
			s.cancelRequest(c, binary.BigEndian.Uint32(body[4:]), body[8:])
			return st, nil
		default:
			if major := code >> majorOfCode; major != 3 {
				return st, &startupError{"0A000", fmt.Sprintf("unsupported frontend protocol %d.%d: server supports 3.0 to 3.0", major, code&0xffff)}
			}
			st.minor = code & 0xffff
			return st, st.parseParams(body[4:])
		}
	}
}

// readPacket reads one length-prefixed startup packet, bounded.
func readPacket(c net.Conn) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		return nil, err
	}
	n := int64(int32(binary.BigEndian.Uint32(hdr[:])))
	if n < minStartup || n > maxStartup {
		return nil, &startupError{"08P01", fmt.Sprintf("invalid length of startup packet: %d", n)}
	}
	body := make([]byte, n-4)
	if _, err := io.ReadFull(c, body); err != nil {
		return nil, err
	}
	return body, nil
}

// parseParams reads a StartupMessage's name/value pairs.
func (st *startup) parseParams(b []byte) error {
	st.params = map[string]string{}
	for len(b) > 0 && b[0] != 0 {
		k, rest, ok := cstring(b)
		if !ok {
			return &startupError{"08P01", "invalid startup packet layout: expected terminator as last byte"}
		}
		v, rest, ok := cstring(rest)
		if !ok {
			return &startupError{"08P01", "invalid startup packet layout: expected terminator as last byte"}
		}
		if strings.HasPrefix(k, "_pq_.") {
			st.unrec = append(st.unrec, k)
		} else {
			st.params[k] = v
		}
		b = rest
	}
	if len(b) != 1 {
		return &startupError{"08P01", "invalid startup packet layout: expected terminator as last byte"}
	}
	if st.params["user"] == "" {
		return &startupError{"28000", "no PostgreSQL user name specified in startup packet"}
	}
	return nil
}

func cstring(b []byte) (string, []byte, bool) {
	for i, c := range b {
		if c == 0 {
			return string(b[:i]), b[i+1:], true
		}
	}
	return "", nil, false
}

// cancelRequest cancels the running statement of the session pid when key
// is its secret, and links c's conversation to that session's. Like
// PostgreSQL it answers nothing: the connection just closes.
func (s *Server) cancelRequest(c net.Conn, pid uint32, key []byte) {
	target := s.lookup(pid, key)
	if target == nil {
		return
	}
	if conv, parent := lab.ConnConversation(c), lab.ConnConversation(target.raw); conv != nil && parent != nil {
		conv.SetLink(lab.Link{Kind: lab.LinkCancel, Parent: parent.ID(), Dialler: lab.SideClient,
			Label: fmt.Sprintf("cancel the query of backend %d", pid)})
	}
	target.cancelRunning()
}

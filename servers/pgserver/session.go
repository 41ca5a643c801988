package pgserver

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"
)

// The transaction status ReadyForQuery reports.
const (
	txIdle   = 'I'
	txOpen   = 'T'
	txFailed = 'E'
)

// session is one client's connection after its startup packets. Its loop
// runs in the connection's goroutine; only cancelRunning and secretIs are
// called from others (a CancelRequest's).
type session struct {
	srv  *Server
	conn net.Conn // what the protocol runs over: raw, or TLS over it
	raw  net.Conn // the tapped connection
	be   *pgproto3.Backend
	db   *sql.Conn
	ctx  context.Context
	stop context.CancelFunc
	m    *pgtype.Map

	pid    uint32
	secret [4]byte
	user   string
	params map[string]string // the run-time parameters SET and SHOW know
	tx     byte

	stmts     map[string]*prepared
	portals   map[string]*portal
	skip      bool // an error in the extended protocol: skip to Sync
	unflushed int  // messages answered since the last flush

	mu      sync.Mutex
	running context.CancelFunc // the statement running, nil between statements
}

func newSession(srv *Server, c, raw net.Conn) *session {
	ctx, stop := context.WithCancel(context.Background())
	s := &session{srv: srv, conn: c, raw: raw, be: pgproto3.NewBackend(c, c), ctx: ctx, stop: stop,
		m: pgtype.NewMap(), tx: txIdle, stmts: map[string]*prepared{}, portals: map[string]*portal{}}
	s.be.SetMaxBodyLen(srv.MaxMessage)
	rand.Read(s.secret[:])
	return s
}

// reported are the parameters the server reports with ParameterStatus at
// startup, and again when SET changes them; their defaults.
var reported = []struct{ name, def string }{
	{"server_version", ServerVersion},
	{"server_encoding", "UTF8"},
	{"client_encoding", "UTF8"},
	{"DateStyle", "ISO, MDY"},
	{"integer_datetimes", "on"},
	{"standard_conforming_strings", "on"},
	{"TimeZone", "UTC"},
	{"IntervalStyle", "postgres"},
	{"is_superuser", "off"},
	{"session_authorization", ""},
	{"application_name", ""},
}

// start checks the startup message's user and database, authenticates and
// sends what a session begins with. It reports whether the session is ready.
func (s *session) start(st startup) bool {
	s.user = st.params["user"]
	s.params = map[string]string{}
	for _, p := range reported {
		s.params[lower(p.name)] = p.def
	}
	s.params["session_authorization"] = s.user
	for k, v := range st.params {
		if k != "user" && k != "database" && k != "options" && k != "replication" {
			s.params[lower(k)] = v
		}
	}
	if st.minor > 0 || len(st.unrec) > 0 {
		s.be.Send(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: 0, UnrecognizedOptions: st.unrec})
	}
	ok, err := s.authenticate(s.user)
	if err != nil {
		var se *startupError
		if errors.As(err, &se) {
			s.fatal(se.code, se.msg)
		}
		return false
	}
	if !ok {
		if !s.srv.guard.FailConn(s.srv.conns.Done(), s.raw) {
			return false
		}
		s.fatal("28P01", fmt.Sprintf("password authentication failed for user %q", s.user))
		return false
	}
	s.srv.guard.Succeed(s.raw.RemoteAddr())
	if db := st.params["database"]; db != "" && db != DatabaseName {
		s.fatal("3D000", fmt.Sprintf("database %q does not exist", db))
		return false
	}
	conn, err := s.srv.DB.Conn(s.ctx)
	if err != nil {
		s.fatal("58000", "the lab's database cannot be opened: "+err.Error())
		return false
	}
	s.db = conn
	s.be.Send(&pgproto3.AuthenticationOk{})
	for _, p := range reported {
		s.be.Send(&pgproto3.ParameterStatus{Name: p.name, Value: s.params[lower(p.name)]})
	}
	s.be.Send(&pgproto3.BackendKeyData{ProcessID: s.pid, SecretKey: s.secret[:]})
	s.be.Send(&pgproto3.ReadyForQuery{TxStatus: s.tx})
	return s.be.Flush() == nil
}

// fatal sends a FATAL ErrorResponse; the session ends after it.
func (s *session) fatal(code, msg string) {
	s.be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", SeverityUnlocalized: "FATAL", Code: code, Message: msg})
	s.be.Flush()
}

// loop serves messages until Terminate, an error or the connection's end.
func (s *session) loop() {
	for {
		msg, err := s.be.Receive()
		if err != nil {
			s.receiveError(err)
			return
		}
		if _, ok := msg.(*pgproto3.Terminate); ok {
			return
		}
		if s.skip {
			if _, ok := msg.(*pgproto3.Sync); !ok {
				continue
			}
		}
		if !s.dispatch(msg) {
			return
		}
	}
}

// receiveError answers what Receive could not read with FATAL, as
// PostgreSQL does: the stream cannot be trusted past a bad message.
func (s *session) receiveError(err error) {
	var long *pgproto3.ExceededMaxBodyLenErr
	switch {
	case errors.As(err, &long):
		s.fatal("54000", fmt.Sprintf("message of %d bytes is over the server's limit of %d", long.ActualBodyLen, long.MaxExpectedBodyLen))
	case isNetErr(err):
	default:
		s.fatal("08P01", "invalid frontend message: "+err.Error())
	}
}

func isNetErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, net.ErrClosed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// dispatch serves one message; false ends the session.
func (s *session) dispatch(msg pgproto3.FrontendMessage) bool {
	switch m := msg.(type) {
	case *pgproto3.Query:
		s.simpleQuery(m.String)
	case *pgproto3.Parse:
		s.parse(m)
	case *pgproto3.Bind:
		s.bind(m)
	case *pgproto3.Describe:
		s.describe(m)
	case *pgproto3.Execute:
		s.execute(m)
	case *pgproto3.Close:
		s.closeObject(m)
	case *pgproto3.Sync:
		s.sync()
	case *pgproto3.Flush:
	case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
		// Left over from a COPY that failed: PostgreSQL ignores them too.
		return true
	case *pgproto3.FunctionCall:
		s.fail(&pgError{code: "0A000", msg: "the fastpath function call interface is not supported by the lab's server"})
		s.ready()
	default:
		s.fatal("08P01", fmt.Sprintf("unexpected message %T", msg))
		return false
	}
	// As PostgreSQL, answers go out at Sync, Flush and the end of a Query:
	// a pipelined exchange shows as one segment. Past maxUnflushed messages
	// they go anyway, so a client that never syncs holds no unbounded buffer.
	s.unflushed++
	switch msg.(type) {
	case *pgproto3.Query, *pgproto3.Sync, *pgproto3.Flush, *pgproto3.FunctionCall:
	default:
		if s.unflushed < maxUnflushed {
			return true
		}
	}
	s.unflushed = 0
	return s.be.Flush() == nil
}

// Bounds on what one session keeps.
const (
	maxUnflushed  = 64   // messages answered before a flush without Sync
	maxStatements = 1000 // named prepared statements
	maxPortals    = 1000 // named portals
)

// ready sends ReadyForQuery with the transaction status.
func (s *session) ready() {
	s.be.Send(&pgproto3.ReadyForQuery{TxStatus: s.tx})
}

// fail sends err as an ErrorResponse; in a transaction block, the block
// fails.
func (s *session) fail(err error) {
	pe := toPGError(err)
	s.be.Send(pe.response())
	if s.tx == txOpen {
		s.tx = txFailed
	}
}

// notice sends a NoticeResponse.
func (s *session) notice(severity, code, msg string) {
	s.be.Send(&pgproto3.NoticeResponse{Severity: severity, SeverityUnlocalized: severity, Code: code, Message: msg})
}

// statementContext is the context of a statement that may run now: the
// session's CancelRequest cancels it, and pg_sleep watches it.
func (s *session) statementContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(s.ctx)
	done := s.track(ctx, cancel)
	return ctx, func() {
		done()
		cancel()
	}
}

// track makes ctx the running statement's context, cancel what a
// CancelRequest calls, until the function it returns is called.
func (s *session) track(ctx context.Context, cancel context.CancelFunc) func() {
	s.mu.Lock()
	s.running = cancel
	s.mu.Unlock()
	sleepers.Store(s.pid, ctx)
	return func() {
		s.mu.Lock()
		s.running = nil
		s.mu.Unlock()
		sleepers.Delete(s.pid)
	}
}

// cancelRunning cancels the statement running, if one is.
func (s *session) cancelRunning() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running != nil {
		s.running()
	}
}

func (s *session) secretIs(key []byte) bool {
	return subtle.ConstantTimeCompare(key, s.secret[:]) == 1
}

// close ends the session: its portals, its open transaction (rolled back)
// and its database connection.
func (s *session) close() {
	for name := range s.portals {
		s.dropPortal(name)
	}
	for _, p := range s.stmts {
		p.close()
	}
	if s.db != nil {
		if s.tx != txIdle {
			s.db.ExecContext(context.Background(), "ROLLBACK")
		}
		s.db.Close()
	}
	s.stop()
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Package pgclient is the lab's PostgreSQL client, built on pgx's pgconn
// (github.com/jackc/pgx/v5/pgconn): what a person does in the SQL pane.
// Connect with a user, password and database, in clear text or TLS
// (sslmode disable, require or verify-full against the lab's CA), run SQL
// in the simple protocol (one Query message, several statements allowed)
// or the extended one (Parse, Bind, Describe, Execute, Sync: one
// statement), and get back each statement's columns with their types, its
// rows as text, its command tag and rows affected, the notices the server
// sent and the transaction status (idle, in a transaction, failed). A
// running query can be cancelled: pgconn sends a CancelRequest on a
// connection of its own.
//
// The tap sits below PostgreSQL: pgconn's DialFunc is the lab's dial
// (clients/labdial), so the capture sees every message from the startup
// on, and the cancel request's connection is linked to the session's
// (lab.LinkCancel). With TLS the handshake runs over the tapped connection
// with the lab's key log, so the inspector decrypts it.
package pgclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/protocollab/protolab/clients/labdial"
	"github.com/protocollab/protolab/lab"
)

// The sslmode choices of Options.SSLMode, as libpq names them.
const (
	SSLDisable    = "disable"     // clear text
	SSLRequire    = "require"     // TLS, the server's certificate not checked
	SSLVerifyFull = "verify-full" // TLS, the certificate checked against RootCAs for the host
)

// Options configures a client. The zero value connects untapped as lab/lab
// to the database lab, in clear text.
type Options struct {
	// Tap captures the connection; nil captures nothing. Dialer, if set, is
	// used instead (its own Tap captures, and lab names resolve through the
	// lab DNS).
	Tap    *lab.Tap
	Dialer *labdial.Dialer
	// User, Password and Database log in; empty means "lab" for each. The
	// capture holds the password in clear when the server asks for it so
	// (its "password" method) and TLS is off.
	User, Password, Database string
	// SSLMode is SSLDisable (the zero value), SSLRequire or SSLVerifyFull.
	SSLMode string
	// RootCAs verify the server with SSLVerifyFull (nil: the system's);
	// ServerName is the name checked ("": the host dialed).
	RootCAs    *x509.CertPool
	ServerName string
	// KeyLog receives the TLS secrets (the lab hub's Keys()) so the inspector
	// can decrypt the session.
	KeyLog io.Writer
	// Application is the application_name sent at startup ("": protolab).
	Application string
}

// Mode says which of PostgreSQL's query protocols Run uses.
type Mode int

const (
	Simple   Mode = iota // one Query message; several statements allowed
	Extended             // Parse, Bind, Describe, Execute, Sync; one statement
)

// TxStatus is the transaction status ReadyForQuery reported.
type TxStatus byte

const (
	TxIdle   TxStatus = 'I' // not in a transaction block
	TxOpen   TxStatus = 'T' // in a transaction block
	TxFailed TxStatus = 'E' // in a failed transaction block: ROLLBACK ends it
)

func (s TxStatus) String() string {
	switch s {
	case TxIdle:
		return "idle"
	case TxOpen:
		return "in transaction"
	case TxFailed:
		return "failed transaction"
	}
	return "unknown"
}

// Column is one column of a result.
type Column struct {
	Name string
	OID  uint32 // the type's OID
	Type string // the type's name ("int8", "text"); "" for one pgx does not know
}

// Result is what one statement gave.
type Result struct {
	Columns      []Column    // none for a statement without rows
	Rows         [][]*string // each value as text; nil is NULL
	Tag          string      // the command tag ("SELECT 4", "INSERT 0 1")
	RowsAffected int64
}

// Notice is a NoticeResponse (a WARNING, a NOTICE).
type Notice struct {
	Severity, Code, Message string
}

// Reply is what Run got: the results of the statements that ran, the
// notices, the transaction status after it, and the error that stopped it.
type Reply struct {
	Results  []Result
	Notices  []Notice
	TxStatus TxStatus
	// Err is the server's ErrorResponse, if a statement failed: Code is its
	// SQLSTATE ("42601").
	Err *pgconn.PgError
}

// Client is one session. Run calls one after the other; Cancel may be
// called while one runs, from another goroutine.
type Client struct {
	pc   *pgconn.PgConn
	conv lab.ConvID
	m    *pgtype.Map

	mu      sync.Mutex // held by Run
	nmu     sync.Mutex
	notices []Notice
}

// Connect dials addr ("127.0.0.1:5433"), logs in and waits for the server
// to be ready. A refused login's error is the server's (*pgconn.PgError
// inside, 28P01 for a wrong password).
func Connect(ctx context.Context, addr string, opts Options) (*Client, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("pgclient: %q is not host:port: %w", addr, err)
	}
	or := func(s, def string) string {
		if s == "" {
			return def
		}
		return s
	}
	cfg, err := pgconn.ParseConfig(fmt.Sprintf("host=%s port=%s sslmode=disable", host, port))
	if err != nil {
		return nil, fmt.Errorf("pgclient: %w", err)
	}
	cfg.User, cfg.Password, cfg.Database = or(opts.User, "lab"), or(opts.Password, "lab"), or(opts.Database, "lab")
	cfg.RuntimeParams["application_name"] = or(opts.Application, "protolab")
	switch opts.SSLMode {
	case "", SSLDisable:
	case SSLRequire:
		cfg.TLSConfig = &tls.Config{InsecureSkipVerify: true, KeyLogWriter: opts.KeyLog, MinVersion: tls.VersionTLS12}
	case SSLVerifyFull:
		cfg.TLSConfig = &tls.Config{RootCAs: opts.RootCAs, ServerName: or(opts.ServerName, host), KeyLogWriter: opts.KeyLog, MinVersion: tls.VersionTLS12}
	default:
		return nil, fmt.Errorf("pgclient: sslmode %q: choose %q, %q or %q", opts.SSLMode, SSLDisable, SSLRequire, SSLVerifyFull)
	}
	c := &Client{m: pgtype.NewMap()}
	var connMu sync.Mutex
	cfg.DialFunc = func(ctx context.Context, network, a string) (net.Conn, error) {
		conn, err := labdial.Dial(ctx, opts.Dialer, opts.Tap, network, addr)
		if err != nil {
			return nil, err
		}
		connMu.Lock()
		defer connMu.Unlock()
		cv := lab.ConnConversation(conn)
		switch {
		case cv == nil:
		case c.conv == 0:
			c.conv = cv.ID()
		default: // pgconn dials again only to send a CancelRequest
			cv.SetLink(lab.Link{Kind: lab.LinkCancel, Parent: c.conv, Dialler: lab.SideClient, Label: "cancel the running query"})
		}
		return conn, nil
	}
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		c.nmu.Lock()
		c.notices = append(c.notices, Notice{Severity: n.Severity, Code: n.Code, Message: n.Message})
		c.nmu.Unlock()
	}
	pc, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgclient: %w", err)
	}
	c.pc = pc
	return c, nil
}

// Conversation is the lab conversation of the session (zero when untapped).
func (c *Client) Conversation() lab.ConvID { return c.conv }

// ParameterStatus is the value of a parameter the server reported
// (server_version, TimeZone, ...).
func (c *Client) ParameterStatus(name string) string { return c.pc.ParameterStatus(name) }

// PID is the server's process id for the session (BackendKeyData).
func (c *Client) PID() uint32 { return c.pc.PID() }

// TxStatus is the transaction status after the last exchange.
func (c *Client) TxStatus() TxStatus { return TxStatus(c.pc.TxStatus()) }

// Run runs sql in mode. Its error is for a broken connection or a
// cancelled ctx; a statement the server refused is Reply.Err, after the
// results of those before it.
func (c *Client) Run(ctx context.Context, sql string, mode Mode) (*Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nmu.Lock()
	c.notices = nil
	c.nmu.Unlock()
	r := &Reply{}
	var err error
	if mode == Extended {
		var res Result
		rr := c.pc.ExecParams(ctx, sql, nil, nil, nil, nil)
		res, err = c.read(rr)
		if err == nil || len(res.Columns) > 0 || res.Tag != "" {
			r.Results = append(r.Results, res)
		}
	} else {
		mrr := c.pc.Exec(ctx, sql)
		for mrr.NextResult() {
			res, rerr := c.read(mrr.ResultReader())
			if rerr != nil {
				err = rerr
				break
			}
			r.Results = append(r.Results, res)
		}
		if cerr := mrr.Close(); err == nil {
			err = cerr
		}
	}
	c.nmu.Lock()
	r.Notices = c.notices
	c.nmu.Unlock()
	r.TxStatus = c.TxStatus()
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		r.Err = pe
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("pgclient: %w", err)
	}
	return r, nil
}

// read reads one statement's result, its values as text.
func (c *Client) read(rr *pgconn.ResultReader) (Result, error) {
	var res Result
	for _, f := range rr.FieldDescriptions() {
		col := Column{Name: f.Name, OID: f.DataTypeOID}
		if t, ok := c.m.TypeForOID(f.DataTypeOID); ok {
			col.Type = t.Name
		}
		res.Columns = append(res.Columns, col)
	}
	for rr.NextRow() {
		vals := rr.Values()
		row := make([]*string, len(vals))
		for i, v := range vals {
			if v != nil {
				s := string(v)
				row[i] = &s
			}
		}
		res.Rows = append(res.Rows, row)
	}
	tag, err := rr.Close()
	res.Tag, res.RowsAffected = tag.String(), tag.RowsAffected()
	return res, err
}

// Cancel asks the server, on a connection of its own, to cancel the query
// Run is waiting for; Run then returns the server's 57014.
func (c *Client) Cancel(ctx context.Context) error {
	if err := c.pc.CancelRequest(ctx); err != nil {
		return fmt.Errorf("pgclient: %w", err)
	}
	return nil
}

// Close ends the session with Terminate.
func (c *Client) Close(ctx context.Context) error { return c.pc.Close(ctx) }

package pgserver

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"path/filepath"
	"sync"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labdir"
	"github.com/protocollab/protolab/protocols/pgsql"
	"github.com/protocollab/protolab/servers/internal/labsettings"
	"github.com/protocollab/protolab/servers/internal/labtls"
)

// Name and DefaultPort are the lab's PostgreSQL server's row in the rail,
// as its protocol's package, protocols/pgsql, describes it.
const (
	Name        = pgsql.Name
	DefaultPort = pgsql.DefaultPort
)

// Settings keys and their choices.
const (
	SettingAuth     = "auth"     // the password method: AuthSCRAM, AuthMD5 or AuthCleartext
	SettingTLS      = "tls"      // On or Off: whether SSLRequest is answered 'S'
	SettingUser     = "user"     // the login's user name; "" is DefaultUser
	SettingPassword = "password" // the login's password; "" is DefaultPassword

	On  = labsettings.On
	Off = labsettings.Off
)

// Settings are the server's options a person may change, for its lab.Protocol.
var Settings = []lab.Setting{
	{Key: SettingAuth, Label: "Password method", Default: AuthSCRAM, Choices: []string{AuthSCRAM, AuthMD5, AuthCleartext},
		Help: "how the client proves it knows the password: scram-sha-256 (PostgreSQL's default: a challenge and " +
			"proofs, the password never crosses), md5 (a salted hash) or password (the password itself, in clear " +
			"text unless the session is TLS, as the inspector then shows)"},
	{Key: SettingTLS, Label: "TLS (SSLRequest)", Default: On, Choices: []string{On, Off},
		Help: "on answers a client's SSLRequest with 'S' and TLS with a certificate from the lab's CA (psql " +
			"sslmode=require, or verify-full with the CA exported); off answers 'N', and the session stays in clear text"},
	{Key: SettingUser, Label: "User", Default: DefaultUser, Help: "the user name that logs in with the password below"},
	{Key: SettingPassword, Label: "Password", Default: DefaultPassword,
		Help: "the user's password (the lab is for learning: it is shown, not hidden)"},
}

// Module is the PostgreSQL server for the lab's registry.
var Module = lab.ServerModule{New: NewLab, Settings: Settings}

// DatabaseFile is where the lab keeps its database, in its data folder.
func DatabaseFile() (string, error) {
	data, err := labdir.Data()
	if err != nil {
		return "", fmt.Errorf("pgserver: %w", err)
	}
	return filepath.Join(data, "postgres", "lab.sqlite"), nil
}

// NewLab adapts a Server to lab.Server, the form the Bench drives: Start
// opens the lab's database (DatabaseFile, seeded the first time), binds
// opts.Addr with lab.Listen, taps connections with opts.Tap and serves in
// the background; Close and Shutdown close the database after the server.
// It reads the settings of Settings.
func NewLab(opts lab.ServerOptions) (lab.Server, error) {
	o := Options{Auth: opts.Setting(SettingAuth, AuthSCRAM), Tap: opts.Tap,
		User: opts.Setting(SettingUser, DefaultUser), Password: opts.Setting(SettingPassword, DefaultPassword)}
	tlsOn, err := labsettings.Switch("pgserver", opts, SettingTLS, On)
	if err != nil {
		return nil, err
	}
	if tlsOn {
		cert, err := labtls.Cert("pgserver", opts.Addr)
		if err != nil {
			return nil, err
		}
		o.TLS = labtls.WithKeyLog(labtls.AEADConfig(cert), opts.Tap)
	}
	if _, err := New(Options{DB: &sql.DB{}, Auth: o.Auth}); err != nil {
		return nil, err // an unknown method, said before Start
	}
	return &labServer{name: Name, addr: opts.Addr, opts: o}, nil
}

// labServer opens the database at Start and closes it at the end.
type labServer struct {
	name, addr string
	opts       Options

	mu  sync.Mutex
	srv *Server
	ls  lab.Server
	db  *sql.DB
}

func (l *labServer) Start() error {
	path, err := DatabaseFile()
	if err != nil {
		return err
	}
	db, err := OpenDB(path)
	if err != nil {
		return err
	}
	o := l.opts
	o.DB = db
	srv, err := New(o)
	if err != nil {
		db.Close()
		return err
	}
	ls := lab.StreamServer(l.name, l.addr, srv, srv.Serve)
	if err := ls.Start(); err != nil {
		db.Close()
		return err
	}
	l.mu.Lock()
	l.srv, l.ls, l.db = srv, ls, db
	l.mu.Unlock()
	return nil
}

func (l *labServer) server() (*Server, lab.Server) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.srv, l.ls
}

func (l *labServer) Addr() net.Addr {
	if _, ls := l.server(); ls != nil {
		return ls.Addr()
	}
	return nil
}

func (l *labServer) Sessions() int {
	if s, _ := l.server(); s != nil {
		return s.Sessions()
	}
	return 0
}

func (l *labServer) Close() error {
	_, ls := l.server()
	if ls == nil {
		return nil
	}
	err := ls.Close()
	l.closeDB()
	return err
}

func (l *labServer) Shutdown(ctx context.Context) error {
	_, ls := l.server()
	if ls == nil {
		return nil
	}
	if err := ls.Shutdown(ctx); err != nil {
		return err
	}
	l.closeDB()
	return nil
}

func (l *labServer) closeDB() {
	l.mu.Lock()
	db := l.db
	l.db = nil
	l.mu.Unlock()
	if db != nil {
		db.Close()
	}
}

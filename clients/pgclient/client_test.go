package pgclient_test

import (
	"context"
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/pgclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/pgserver"
)

func TestMain(m *testing.M) { os.Exit(labdirtest.Main(m)) }

func newHub() (*lab.Hub, *lab.Tap) {
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	p := &lab.Protocol{Name: pgserver.Name, Transport: "tcp", DefaultPort: pgserver.DefaultPort}
	reg.Register(p)
	h := lab.NewHub(lab.HubOptions{Registry: reg})
	return h, h.Tap(p)
}

func testServer(t *testing.T, opts pgserver.Options) string {
	t.Helper()
	db, err := pgserver.OpenDB(filepath.Join(t.TempDir(), "lab.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	opts.DB, opts.AuthDelay = db, -1
	srv, err := pgserver.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	<-srv.Started()
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String()
}

func connect(t *testing.T, addr string, opts pgclient.Options) *pgclient.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgclient.Connect(ctx, addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func TestRun(t *testing.T) {
	hub, tap := newHub()
	addr := testServer(t, pgserver.Options{})
	c := connect(t, addr, pgclient.Options{Tap: tap})
	ctx := context.Background()
	for _, mode := range []pgclient.Mode{pgclient.Simple, pgclient.Extended} {
		r, err := c.Run(ctx, "SELECT id, name, gpa, active FROM students WHERE id <= 4 ORDER BY id", mode)
		if err != nil || r.Err != nil {
			t.Fatalf("mode %d: %v %v", mode, err, r.Err)
		}
		res := r.Results[0]
		var cols []string
		for _, col := range res.Columns {
			cols = append(cols, col.Name+":"+col.Type)
		}
		if got, want := strings.Join(cols, " "), "id:int8 name:text gpa:text active:bool"; got != want {
			t.Errorf("mode %d: columns %s, want %s", mode, got, want)
		}
		if len(res.Rows) != 4 || *res.Rows[0][1] != "Ada Lovelace" || res.Rows[3][2] != nil || *res.Rows[3][3] != "f" || res.Tag != "SELECT 4" {
			t.Errorf("mode %d: rows %v, tag %q", mode, res.Rows, res.Tag)
		}
	}
	r, err := c.Run(ctx, "BEGIN; UPDATE courses SET credits = 1; SELECT * FROM nowhere", pgclient.Simple)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Results) != 2 || r.Results[1].RowsAffected != 3 || r.Err == nil || r.Err.Code != "42P01" || r.TxStatus != pgclient.TxFailed {
		t.Errorf("reply %+v, err %v, status %v", r.Results, r.Err, r.TxStatus)
	}
	r, _ = c.Run(ctx, "ROLLBACK", pgclient.Simple)
	if r.TxStatus != pgclient.TxIdle || r.TxStatus.String() != "idle" {
		t.Errorf("after ROLLBACK: %v", r.TxStatus)
	}
	r, _ = c.Run(ctx, "ROLLBACK", pgclient.Extended)
	if len(r.Notices) != 1 || r.Notices[0].Code != "25P01" {
		t.Errorf("ROLLBACK outside a transaction: notices %+v, want 25P01", r.Notices)
	}
	if got := c.ParameterStatus("server_version"); got != pgserver.ServerVersion {
		t.Errorf("server_version %q", got)
	}
	hub.Settle()
	if len(hub.ConvEvents(c.Conversation())) == 0 {
		t.Error("the session was not captured")
	}
}

func TestCancel(t *testing.T) {
	hub, tap := newHub()
	addr := testServer(t, pgserver.Options{})
	c := connect(t, addr, pgclient.Options{Tap: tap})
	done := make(chan *pgclient.Reply, 1)
	go func() {
		r, _ := c.Run(context.Background(), "SELECT pg_sleep(60)", pgclient.Simple)
		done <- r
	}()
	var r *pgclient.Reply
	for r == nil {
		c.Cancel(context.Background()) // until it arrives while the query runs
		select {
		case r = <-done:
		case <-time.After(100 * time.Millisecond):
		}
	}
	if r.Err == nil || r.Err.Code != "57014" {
		t.Fatalf("the cancelled query: %+v", r.Err)
	}
	hub.Settle()
	for _, ci := range hub.Conversations() {
		if ci.Link.Kind == lab.LinkCancel && ci.Link.Parent == c.Conversation() {
			return
		}
	}
	t.Error("no cancel request linked to the session")
}

func TestTLS(t *testing.T) {
	dirs := labdirtest.Temp(t)
	ca, err := labca.Open(dirs.Config)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Leaf()
	if err != nil {
		t.Fatal(err)
	}
	addr := testServer(t, pgserver.Options{TLS: &tls.Config{Certificates: []tls.Certificate{cert}}, Auth: pgserver.AuthMD5})
	for _, mode := range []string{pgclient.SSLRequire, pgclient.SSLVerifyFull} {
		c := connect(t, addr, pgclient.Options{SSLMode: mode, RootCAs: ca.Pool()})
		r, err := c.Run(context.Background(), "SELECT count(*) FROM courses", pgclient.Extended)
		if err != nil || r.Err != nil || *r.Results[0].Rows[0][0] != "3" {
			t.Errorf("%s: %v %v", mode, err, r)
		}
	}
	_, err = pgclient.Connect(context.Background(), addr, pgclient.Options{Password: "wrong"})
	if err == nil || !strings.Contains(err.Error(), "28P01") {
		t.Errorf("a wrong password: %v, want 28P01", err)
	}
}

package pop3server_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/pop3client"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
	"github.com/protocollab/protolab/servers/mailstore"
	"github.com/protocollab/protolab/servers/pop3server"
)

// TestNewLab starts the server as the Bench does, over the lab's shared stores
// of alpha.test and beta.test: mail delivered to the shared store is there, a
// login picks its domain, and STLS uses the lab CA's certificate.
func TestNewLab(t *testing.T) {
	d := labdirtest.Temp(t)
	data, config := d.Data, d.Config
	beta, err := mailstore.Default(data, mailstore.DomainBeta)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := beta.Deliver("bob@beta.test", mail(1)); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		settings map[string]string
		plain    bool // USER and PASS work without STLS
	}{
		{nil, false},
		{map[string]string{pop3server.SettingPlainBeforeTLS: pop3server.On}, true},
		{map[string]string{pop3server.SettingSTLS: pop3server.Off}, true},
	} {
		srv, err := pop3server.NewLab(lab.ServerOptions{Addr: "127.0.0.1:0", Settings: tt.settings})
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		addr := srv.Addr().String()
		c := dial(t, addr, nil, pop3client.Options{})
		if err := c.Login("bob@beta.test", "bob"); (err == nil) != tt.plain {
			t.Errorf("%v: plain login: %v, want allowed %v", tt.settings, err, tt.plain)
		}
		// QUIT, not a bare close: the server lets the maildrop go before it
		// answers QUIT, but only some time after it sees a connection close,
		// and the login below needs the same maildrop.
		if err := c.Quit(); err != nil {
			t.Errorf("%v: QUIT: %v", tt.settings, err)
		}
		if tt.settings[pop3server.SettingSTLS] != pop3server.Off {
			ca, err := labca.Open(config)
			if err != nil {
				t.Fatal(err)
			}
			c := dial(t, addr, &testCA{CA: ca}, pop3client.Options{})
			if err := c.Login("bob", "bob"); err != nil {
				t.Fatal(err)
			}
			if n, _, _ := c.Stat(); n != 1 {
				t.Errorf("bob's maildrop has %d messages, want the 1 delivered", n)
			}
			c.Quit()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		cancel()
	}
	if _, err := os.Stat(filepath.Join(data, "mail")); err != nil {
		t.Errorf("the stores are not in the lab's data folder: %v", err)
	}
	if _, err := pop3server.NewLab(lab.ServerOptions{Addr: "127.0.0.1:0", Settings: map[string]string{pop3server.SettingSTLS: "maybe"}}); err == nil {
		t.Error("NewLab accepted stls \"maybe\"")
	}
}

// TestShutdown: a session waiting for a command is told and closed, without
// deleting what it marked.
func TestShutdown(t *testing.T) {
	st := newStore(t, 1)
	srv, addr, _ := startServer(t, pop3server.Options{Stores: []*mailstore.Store{st}})
	c := dial(t, addr, nil, pop3client.Options{})
	if err := c.Login("alice", "alice"); err != nil {
		t.Fatal(err)
	}
	c.Dele(1)
	if srv.Sessions() != 1 {
		t.Errorf("Sessions = %d, want 1", srv.Sessions())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Noop(); !isERR(err, "SYS/TEMP") {
		t.Errorf("after Shutdown: %v, want -ERR [SYS/TEMP]", err)
	}
	if got := inbox(t, st); len(got) != 1 {
		t.Errorf("Shutdown deleted a marked message: %v left", got)
	}
}

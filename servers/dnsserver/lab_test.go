package dnsserver_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/protocollab/protolab/clients/dnsclient"
	"github.com/protocollab/protolab/lab"
	labdns "github.com/protocollab/protolab/protocols/dns"
	"github.com/protocollab/protolab/servers/dnsserver"
)

// TestLab drives the server as the Bench does, with a zone of its own: it answers
// from that zone over both transports, counts its clients, and stops.
func TestLab(t *testing.T) {
	_, tap := testHub()
	zone := "$ORIGIN lab.test.\n@ IN SOA ns hm 1 1 1 1 1\nextra IN A 127.0.0.9\n"
	srv, err := dnsserver.NewLab(lab.ServerOptions{Addr: "127.0.0.1:0", Tap: tap,
		Settings: map[string]string{labdns.SettingZone: zone}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	addr := srv.Addr().String()
	for _, overTCP := range []bool{false, true} {
		res := query(t, addr, "extra.lab.test", mdns.TypeA, dnsclient.Options{TCP: overTCP})
		if got := values(res.Answer); len(got) != 1 || got[0] != "extra.lab.test A 127.0.0.9" {
			t.Errorf("answer over TCP %v = %q, want the zone's own record", overTCP, got)
		}
		if res := query(t, addr, "www.lab.test", mdns.TypeA, dnsclient.Options{TCP: overTCP}); res.RcodeName != "NXDOMAIN" {
			t.Errorf("www.lab.test over TCP %v = %s, want NXDOMAIN (not in this zone)", overTCP, res.RcodeName)
		}
		if overTCP {
			break
		}
		// Each query came from a socket of its own: two UDP clients.
		if n := srv.Sessions(); n != 2 {
			t.Errorf("Sessions() = %d after two UDP queries, want 2", n)
		}
	}
	// A TCP connection that has been answered is open: one session more.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	m := new(mdns.Msg)
	m.SetQuestion("extra.lab.test.", mdns.TypeA)
	dc := &mdns.Conn{Conn: c}
	if err := dc.WriteMsg(m); err != nil {
		t.Fatal(err)
	}
	if _, err := dc.ReadMsg(); err != nil {
		t.Fatal(err)
	}
	if n := srv.Sessions(); n < 3 {
		t.Errorf("Sessions() = %d with a TCP connection open, want at least 3", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	qctx, qcancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer qcancel()
	if _, err := dnsclient.Query(qctx, addr, "extra.lab.test", mdns.TypeA, dnsclient.Options{TCP: true}); !errors.Is(err, dnsclient.ErrNoListener) {
		t.Errorf("query after Shutdown: %v, want ErrNoListener", err)
	}
}

// TestPortInUse checks that a taken port is reported as a *lab.ListenError.
func TestPortInUse(t *testing.T) {
	_, addr := testServer(t, nil)
	srv, err := dnsserver.NewLab(lab.ServerOptions{Addr: addr})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); !errors.Is(err, lab.ErrPortInUse) {
		t.Errorf("Start on a taken port: %v, want ErrPortInUse", err)
	}
}

// TestListenAndServe serves both transports on one port and stops on Close.
func TestListenAndServe(t *testing.T) {
	srv := dnsserver.New(dnsserver.Options{})
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe("127.0.0.1:0") }()
	<-srv.Started()
	addr := srv.Addr().String()
	for _, overTCP := range []bool{false, true} {
		// Both sockets are bound before either is served: the system queues the query
		// until the server reads it.
		res, err := dnsclient.Query(context.Background(), addr, "ftp.lab.test", mdns.TypeA, dnsclient.Options{TCP: overTCP})
		if err != nil || len(res.Answer) != 1 {
			t.Errorf("query over TCP %v: %+v, %v", overTCP, res, err)
		}
	}
	srv.Close()
	if err := <-errc; !errors.Is(err, dnsserver.ErrServerClosed) {
		t.Errorf("ListenAndServe = %v, want ErrServerClosed", err)
	}
}

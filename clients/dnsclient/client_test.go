package dnsclient_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/protocollab/protolab/clients/dnsclient"
	"github.com/protocollab/protolab/lab"
	labdns "github.com/protocollab/protolab/protocols/dns"
	"github.com/protocollab/protolab/servers/dnsserver"
)

func testServer(t *testing.T) string {
	t.Helper()
	pc, l, err := dnsserver.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := dnsserver.New(dnsserver.Options{})
	go srv.ServeUDP(pc)
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	<-srv.Started()
	return pc.LocalAddr().String()
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestResolve(t *testing.T) {
	addr := testServer(t)
	reg := &lab.Registry{}
	p := labdns.Protocol()
	reg.Register(p)
	hub := lab.NewHub(lab.HubOptions{Registry: reg})
	ip, conv, err := dnsclient.Resolve(ctx(t), addr, "mail.alpha.test", hub.Tap(p))
	if err != nil || ip != "127.0.0.1" || conv == 0 {
		t.Errorf("Resolve(mail.alpha.test) = %q, %d, %v; want 127.0.0.1 and a conversation", ip, conv, err)
	}
	if ip, conv, err := dnsclient.Resolve(ctx(t), addr, "127.0.0.5", nil); err != nil || ip != "127.0.0.5" || conv != 0 {
		t.Errorf("Resolve(127.0.0.5) = %q, %d, %v; want the address itself", ip, conv, err)
	}
	if _, _, err := dnsclient.Resolve(ctx(t), addr, "nope.lab.test", nil); err == nil || !strings.Contains(err.Error(), "NXDOMAIN") {
		t.Errorf("Resolve(nope.lab.test) error = %v, want NXDOMAIN explained", err)
	}
	if _, _, err := dnsclient.Resolve(ctx(t), addr, "alpha.test", nil); err == nil || !strings.Contains(err.Error(), "no A record") {
		t.Errorf("Resolve(alpha.test) error = %v, want no A record", err)
	}
}

func TestQueryResult(t *testing.T) {
	addr := testServer(t)
	res, err := dnsclient.Query(ctx(t), addr, "www.lab.test.", mdns.TypeA, dnsclient.Options{TCP: true})
	if err != nil {
		t.Fatal(err)
	}
	want := dnsclient.Record{Name: "www.lab.test", Type: "A", TTL: 300, Value: "127.0.0.1"}
	if res.Question != "www.lab.test IN A" || len(res.Answer) != 1 || res.Answer[0] != want ||
		res.Rcode != mdns.RcodeSuccess || res.RTT <= 0 || res.Network != "tcp" || res.Server != addr {
		t.Errorf("Query = %+v", res)
	}
	if _, err := dnsclient.Query(ctx(t), addr, "bad..name", mdns.TypeA, dnsclient.Options{}); err == nil {
		t.Error("Query(bad..name) = nil error")
	}
}

// TestNoListener asks a port where nothing listens, over both transports.
func TestNoListener(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	for _, overTCP := range []bool{false, true} {
		_, err := dnsclient.Query(ctx(t), addr, "www.lab.test", mdns.TypeA, dnsclient.Options{TCP: overTCP})
		if !errors.Is(err, dnsclient.ErrNoListener) {
			t.Errorf("Query over TCP %v to a closed port: %v, want ErrNoListener", overTCP, err)
		}
	}
}

// TestNoAnswer asks a socket that reads but never answers.
func TestNoAnswer(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	c, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = dnsclient.Query(c, pc.LocalAddr().String(), "www.lab.test", mdns.TypeA, dnsclient.Options{})
	if !errors.Is(err, dnsclient.ErrNoAnswer) {
		t.Errorf("Query to a silent socket: %v, want ErrNoAnswer", err)
	}
}

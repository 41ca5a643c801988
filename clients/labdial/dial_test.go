package labdial_test

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/labdial"
	"github.com/protocollab/protolab/lab"
	labdns "github.com/protocollab/protolab/protocols/dns"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/protocols/udp"
	"github.com/protocollab/protolab/servers/dnsserver"
)

// bench is a hub with TCP, UDP and DNS, a running lab resolver, and a tapped echo server.
func bench(t *testing.T) (h *lab.Hub, d *labdial.Dialer, echoPort string) {
	t.Helper()
	reg := &lab.Registry{}
	tp := tcp.Protocol()
	reg.Register(tp)
	reg.Register(udp.Protocol())
	dp := labdns.Protocol()
	reg.Register(dp)
	h = lab.NewHub(lab.HubOptions{Registry: reg})

	pc, l, err := dnsserver.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := dnsserver.New(dnsserver.Options{Tap: h.Tap(dp)})
	errc := make(chan error, 2)
	go func() { errc <- srv.ServeUDP(pc) }()
	go func() { errc <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		<-errc
		<-errc
	})
	<-srv.Started()

	el, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { el.Close() })
	go func() {
		for {
			c, err := el.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	_, echoPort, _ = net.SplitHostPort(el.Addr().String())
	return h, &labdial.Dialer{Tap: h.Tap(tp), Resolver: pc.LocalAddr().String(), DNSTap: h.Tap(dp)}, echoPort
}

func TestLabNameIsResolvedThroughTheLabAndLinked(t *testing.T) {
	h, d, port := bench(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := d.DialContext(ctx, "tcp", net.JoinHostPort("www.lab.test", port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := c.RemoteAddr().String(); got != "127.0.0.1:"+port {
		t.Errorf("connected to %s, want 127.0.0.1:%s", got, port)
	}
	conv := lab.ConnConversation(c)
	info := conv.Info(false)
	if info.Link.Parent == 0 || !strings.Contains(info.Link.Text(), "www.lab.test → 127.0.0.1") {
		t.Fatalf("conversation parent %d label %q, want linked under the lookup", info.Link.Parent, info.Link.Text())
	}
	parent := h.Conversation(info.Link.Parent).Info(false)
	if parent.Protocol != "dns" {
		t.Errorf("parent conversation is %q, want the DNS lookup", parent.Protocol)
	}
	if parent.ID >= info.ID {
		t.Errorf("lookup #%d does not come before the connection #%d", parent.ID, info.ID)
	}
}

func TestAddressesAndLocalhostNeedNoLookup(t *testing.T) {
	_, d, port := bench(t)
	for _, host := range []string{"127.0.0.1", "localhost"} {
		c, err := d.DialContext(context.Background(), "tcp", net.JoinHostPort(host, port))
		if err != nil {
			t.Fatalf("%s: %v", host, err)
		}
		if p := lab.ConnConversation(c).Info(false).Link.Parent; p != 0 {
			t.Errorf("%s: linked under %d, want no lookup", host, p)
		}
		c.Close()
	}
}

func TestUnknownNameAndNoResolverAreExplained(t *testing.T) {
	_, d, port := bench(t)
	_, err := d.DialContext(context.Background(), "tcp", net.JoinHostPort("nothing.lab.test", port))
	if err == nil || !strings.Contains(err.Error(), "nothing.lab.test") {
		t.Errorf("unknown name: err = %v, want one naming it", err)
	}
	var none labdial.Dialer
	_, err = none.DialContext(context.Background(), "tcp", "www.lab.test:80")
	if err == nil || !strings.Contains(err.Error(), "start the DNS server") {
		t.Errorf("no resolver: err = %v, want advice to start the DNS server", err)
	}
}

func TestDialTakesTheDialerElseTheTap(t *testing.T) {
	h, d, port := bench(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := labdial.Dial(ctx, d, nil, "tcp", net.JoinHostPort("www.lab.test", port))
	if err != nil {
		t.Fatal(err)
	}
	if p := lab.ConnConversation(c).Info(false).Link.Parent; p == 0 {
		t.Errorf("with a Dialer: parent %d, want linked under the lookup", p)
	}
	c.Close()
	c, err = labdial.Dial(ctx, nil, h.Tap(h.Registry().Lookup("tcp")), "tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		t.Fatal(err)
	}
	if conv := lab.ConnConversation(c); conv == nil {
		t.Error("with a Tap alone: the connection is not tapped, want it through the tap")
	}
	c.Close()
}

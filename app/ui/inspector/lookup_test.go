package inspector

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/clients/labdial"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/dnsserver"
)

func TestInspectorShowsTheLookupFirst(t *testing.T) {
	reg := wire.Registry()
	h := lab.NewHub(lab.HubOptions{Registry: reg})
	in := newTestInspector(t, h, reg)
	pc := labDNS(t, h, reg)
	addr := echoServer(t, h.Tap(reg.Lookup("tcp")))
	_, port, _ := strings.Cut(addr, ":")

	d := &labdial.Dialer{Tap: h.Tap(reg.Lookup("tcp")), Resolver: pc.LocalAddr().String(), DNSTap: h.Tap(reg.Lookup("dns"))}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := d.DialContext(ctx, "tcp", "www.lab.test:"+port)
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("hello\n"))
	bufio.NewReader(c).ReadString('\n')
	id := lab.ConnConversation(c).ID()
	c.Close()
	waitEnded(t, h, id)
	h.Settle()
	in.Update()
	in.Select(id)

	lanes := in.seq.Lanes()
	if len(lanes) != 3 || !strings.HasPrefix(lanes[1], "DNS ") {
		t.Fatalf("lanes = %q, want client, DNS resolver, server", lanes)
	}
	if n := in.msgs.list.Length(); n < 4 || n != in.seq.ArrowCount() {
		t.Fatalf("%d rows and %d arrows, want the lookup's two and the connection's", n, in.seq.ArrowCount())
	}
	q, a := listText(in, 0), listText(in, 1)
	if !strings.Contains(q, "www.lab.test") || !strings.Contains(q, "→") || !strings.Contains(a, "←") {
		t.Errorf("first rows = %q, %q; want the query for www.lab.test and its answer", q, a)
	}
	if ar := in.seq.ArrowAt(0); ar.From != 0 || ar.To != 1 {
		t.Errorf("query arrow %d→%d, want client→DNS (0→1)", ar.From, ar.To)
	}
	last := in.seq.ArrowAt(in.seq.ArrowCount() - 1)
	if last.From != 2 && last.To != 2 {
		t.Errorf("the connection's last arrow %d→%d does not touch the server lane (2)", last.From, last.To)
	}
	if !strings.HasPrefix(q, "-") && !strings.HasPrefix(q, "+") {
		t.Errorf("row 0 = %q, want a time offset", q)
	}
	in.msgs.list.Select(0)
	if !strings.Contains(in.detail.head.Text, "www.lab.test") {
		t.Errorf("detail of row 0 = %q, want the lookup", in.detail.head.Text)
	}
}

// labDNS serves the lab's DNS on 127.0.0.1:0, over UDP and TCP, tapped into h,
// until the test ends, and returns its UDP socket (whose address is the resolver's).
func labDNS(t *testing.T, h *lab.Hub, reg *lab.Registry) net.PacketConn {
	t.Helper()
	pc, l, err := dnsserver.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dns := dnsserver.New(dnsserver.Options{Tap: h.Tap(reg.Lookup("dns"))})
	go dns.ServeUDP(pc)
	go dns.Serve(l)
	t.Cleanup(func() { dns.Close() })
	<-dns.Started()
	return pc
}

package dnsserver_test

import (
	"context"
	"errors"
	"net"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/protocollab/protolab/clients/dnsclient"
	"github.com/protocollab/protolab/lab"
	labdns "github.com/protocollab/protolab/protocols/dns"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/protocols/udp"
	"github.com/protocollab/protolab/servers/dnsserver"
)

// testHub is a hub whose registry knows UDP, TCP and DNS, so that DNS conversations
// get their transport layer below.
func testHub() (*lab.Hub, *lab.Tap) {
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	reg.Register(udp.Protocol())
	p := labdns.Protocol()
	reg.Register(p)
	h := lab.NewHub(lab.HubOptions{Registry: reg})
	return h, h.Tap(p)
}

// testServer serves the default zone on a free port over UDP and TCP.
func testServer(t testing.TB, tap *lab.Tap) (*dnsserver.Server, string) {
	t.Helper()
	pc, l, err := dnsserver.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := dnsserver.New(dnsserver.Options{Tap: tap})
	errc := make(chan error, 2)
	go func() { errc <- srv.ServeUDP(pc) }()
	go func() { errc <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		for range 2 {
			if err := <-errc; !errors.Is(err, dnsserver.ErrServerClosed) {
				t.Errorf("Serve returned %v, want ErrServerClosed", err)
			}
		}
	})
	<-srv.Started()
	return srv, pc.LocalAddr().String()
}

func query(t *testing.T, addr, name string, qt uint16, opts dnsclient.Options) *dnsclient.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := dnsclient.Query(ctx, addr, name, qt, opts)
	if err != nil {
		t.Fatalf("Query(%s %s) over TCP %v: %v", name, labdns.TypeName(qt), opts.TCP, err)
	}
	return res
}

func values(rs []dnsclient.Record) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name+" "+r.Type+" "+r.Value)
	}
	return out
}

var queryTests = []struct {
	name       string
	qtype      uint16
	rcode      string
	aa         bool
	answer     []string
	authority  []string
	additional []string
}{
	{"www.lab.test", mdns.TypeA, "NOERROR", true, []string{"www.lab.test A 127.0.0.1"}, nil, nil},
	{"WWW.Lab.Test", mdns.TypeA, "NOERROR", true, []string{"www.lab.test A 127.0.0.1"}, nil, nil},
	{"alpha.test", mdns.TypeMX, "NOERROR", true, []string{"alpha.test MX 10 mail.alpha.test."}, nil,
		[]string{"mail.alpha.test A 127.0.0.1"}},
	{"beta.test", mdns.TypeMX, "NOERROR", true, []string{"beta.test MX 10 mail.beta.test."}, nil,
		[]string{"mail.beta.test A 127.0.0.1"}},
	{"lab.test", mdns.TypeTXT, "NOERROR", true,
		[]string{`lab.test TXT "Protocol Lab: every name in lab.test points at this computer"`}, nil, nil},
	{"www.lab.test", mdns.TypeAAAA, "NOERROR", true, nil,
		[]string{"lab.test SOA ns.lab.test. hostmaster.lab.test. 1 3600 600 86400 300"}, nil},
	{"nope.lab.test", mdns.TypeA, "NXDOMAIN", true, nil,
		[]string{"lab.test SOA ns.lab.test. hostmaster.lab.test. 1 3600 600 86400 300"}, nil},
	{"example.com", mdns.TypeA, "NXDOMAIN", false, nil, nil, nil},
	{"lab.test", mdns.TypeAXFR, "REFUSED", false, nil, nil, nil},
}

// TestQueries asks every question of the table over UDP and over TCP.
func TestQueries(t *testing.T) {
	_, addr := testServer(t, nil)
	for _, overTCP := range []bool{false, true} {
		for _, tt := range queryTests {
			res := query(t, addr, tt.name, tt.qtype, dnsclient.Options{TCP: overTCP})
			what := tt.name + " " + labdns.TypeName(tt.qtype)
			if res.RcodeName != tt.rcode || res.Authoritative != tt.aa {
				t.Errorf("%s: rcode %s AA %v, want %s AA %v", what, res.RcodeName, res.Authoritative, tt.rcode, tt.aa)
			}
			for _, sec := range []struct {
				name      string
				got, want []string
			}{{"answer", values(res.Answer), tt.answer}, {"authority", values(res.Authority), tt.authority},
				{"additional", values(res.Additional), tt.additional}} {
				if !slices.Equal(sec.got, sec.want) {
					t.Errorf("%s over TCP %v: %s = %q, want %q", what, overTCP, sec.name, sec.got, sec.want)
				}
			}
			if res.Network != map[bool]string{false: "udp", true: "tcp"}[overTCP] {
				t.Errorf("%s: network %q", what, res.Network)
			}
		}
	}
}

// TestHub checks that both taps, the server's and the client's, join into one DNS
// conversation over UDP and one over TCP, each showing the query and the response.
func TestHub(t *testing.T) {
	hub, tap := testHub()
	_, addr := testServer(t, tap)
	u := query(t, addr, "www.lab.test", mdns.TypeA, dnsclient.Options{Tap: tap})
	tc := query(t, addr, "nope.lab.test", mdns.TypeA, dnsclient.Options{Tap: tap, TCP: true})
	if u.Conv == 0 || tc.Conv == 0 || u.Conv == tc.Conv {
		t.Fatalf("conversations %d and %d, want two", u.Conv, tc.Conv)
	}
	hub.Settle()
	for _, c := range []struct {
		id     lab.ConvID
		layers []string
		want   []string
	}{
		{u.Conv, []string{"dns"}, []string{"→ query A www.lab.test", "← response NOERROR A www.lab.test → 127.0.0.1"}},
		{tc.Conv, []string{"dns"}, []string{"→ query A nope.lab.test", "← response NXDOMAIN A nope.lab.test"}},
	} {
		var got []string
		for _, e := range hub.ConvEvents(c.id) {
			if e.Kind == lab.KindMessage && e.Layer == "dns" {
				got = append(got, e.Dir.Arrow()+" "+e.Msg.Summary)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("conversation %d: DNS messages %q, want %q", c.id, got, c.want)
		}
	}
	var seen int
	for _, ci := range hub.Conversations() {
		if ci.Protocol != "dns" {
			t.Errorf("conversation %d is %q, want dns", ci.ID, ci.Protocol)
		}
		if ci.ClientSeen && ci.ServerSeen {
			seen++
		}
	}
	if seen != 2 {
		t.Errorf("%d conversations seen by both taps, want 2: %+v", seen, hub.Conversations())
	}
}

// digTests run the system's dig against the server.
var digTests = []struct {
	args []string
	want []string
}{
	{[]string{"www.lab.test", "A"}, []string{"status: NOERROR", "flags: qr aa rd", "www.lab.test.\t\t300\tIN\tA\t127.0.0.1"}},
	{[]string{"+tcp", "www.lab.test", "A"}, []string{"status: NOERROR", "(TCP)", "www.lab.test.\t\t300\tIN\tA\t127.0.0.1"}},
	{[]string{"alpha.test", "MX"}, []string{"status: NOERROR", "alpha.test.\t\t300\tIN\tMX\t10 mail.alpha.test.",
		"ADDITIONAL SECTION:\nmail.alpha.test.\t300\tIN\tA\t127.0.0.1"}},
	{[]string{"example.com", "A"}, []string{"status: NXDOMAIN"}},
	{[]string{"nope.lab.test", "A"}, []string{"status: NXDOMAIN", "flags: qr aa rd", "AUTHORITY SECTION:\nlab.test."}},
}

func TestDig(t *testing.T) {
	dig, err := exec.LookPath("dig")
	if err != nil {
		t.Skip("dig is not installed")
	}
	_, addr := testServer(t, nil)
	host, port, _ := strings.Cut(addr, ":")
	for _, tt := range digTests {
		args := append([]string{"@" + host, "-p", port, "+tries=1", "+time=3"}, tt.args...)
		out, err := exec.Command(dig, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("dig %v: %v\n%s", args, err, out)
		}
		for _, w := range tt.want {
			if !strings.Contains(string(out), w) {
				t.Errorf("dig %v: output lacks %q:\n%s", tt.args, w, out)
			}
		}
	}
}

// TestAnsweredFlowEnds: each query over UDP is a whole exchange: its flow
// ends once answered, saying so, and a second query from the same socket is a
// conversation of its own.
func TestAnsweredFlowEnds(t *testing.T) {
	hub, tap := testHub()
	_, addr := testServer(t, tap)
	conn, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cl := &mdns.Client{Net: "udp"}
	for i := range 2 {
		m := new(mdns.Msg)
		m.SetQuestion("www.lab.test.", mdns.TypeA)
		if _, _, err := cl.ExchangeWithConn(m, &mdns.Conn{Conn: conn}); err != nil {
			t.Fatal(err)
		}
		// The hub ends the conversation once its analysis has caught up;
		// a datagram before that would still join it.
		for end := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
			convs := hub.Conversations()
			if len(convs) == i+1 && !convs[i].Live {
				break
			}
			if time.Now().After(end) {
				t.Fatalf("after query %d: conversations %+v, want %d, the last ended", i+1, convs, i+1)
			}
		}
	}
	hub.Settle()
	var ended []string
	for _, e := range hub.Events(0) {
		if e.Kind == lab.KindClose {
			ended = append(ended, e.Text)
		}
	}
	convs := hub.Conversations()
	if len(convs) != 2 || len(ended) != 2 {
		t.Fatalf("%d conversations, closes %q; want 2 of each", len(convs), ended)
	}
	for i, c := range convs {
		if c.Live {
			t.Errorf("conversation %d is still live", i)
		}
		if ended[i] != "the flow ended: its queries were answered" {
			t.Errorf("close %d says %q", i, ended[i])
		}
	}
}

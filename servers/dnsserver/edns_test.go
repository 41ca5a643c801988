package dnsserver_test

import (
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/protocollab/protolab/servers/dnsserver"
)

// optOf describes reply's OPT record as the tests compare it, "none" without one.
func optOf(reply *mdns.Msg) string {
	opt := reply.IsEdns0()
	if opt == nil {
		return "none"
	}
	return fmt.Sprintf("version %d udp %d do %v rcode %s options %d", opt.Version(), opt.UDPSize(), opt.Do(),
		rcodeName(reply.Rcode), len(opt.Option))
}

// rcodeName is miekg's name for rcode but for 16, BADVERS in a reply with OPT (RFC
// 6891 §9) and BADSIG only with TSIG, which miekg names.
func rcodeName(rcode int) string {
	if rcode == mdns.RcodeBadVers {
		return "BADVERS"
	}
	return mdns.RcodeToString[rcode]
}

var ednsTests = []struct {
	name  string
	query func(*mdns.Msg)
	want  string
}{
	{"no OPT", func(*mdns.Msg) {}, "none"},
	{"OPT", func(m *mdns.Msg) { m.SetEdns0(4096, false) }, "version 0 udp 1232 do false rcode NOERROR options 0"},
	{"OPT with DO", func(m *mdns.Msg) { m.SetEdns0(4096, true) }, "version 0 udp 1232 do true rcode NOERROR options 0"},
	{"OPT of 512 bytes", func(m *mdns.Msg) { m.SetEdns0(512, false) }, "version 0 udp 1232 do false rcode NOERROR options 0"},
	{"OPT version 1", func(m *mdns.Msg) { m.SetEdns0(4096, true); m.IsEdns0().SetVersion(1) },
		"version 0 udp 1232 do true rcode BADVERS options 0"},
}

// TestEDNS asks with miekg's client over UDP and TCP: the reply's OPT record is the
// same over both, as RFC 6891 §7 and RFC 3225 §3 want it.
func TestEDNS(t *testing.T) {
	_, addr := testServer(t, nil)
	for _, tt := range ednsTests {
		for _, network := range []string{"udp", "tcp"} {
			m := new(mdns.Msg)
			m.SetQuestion("www.lab.test.", mdns.TypeA)
			tt.query(m)
			c := &mdns.Client{Net: network, Timeout: 5 * time.Second}
			r, _, err := c.Exchange(m, addr)
			if err != nil {
				t.Fatalf("%s over %s: %v", tt.name, network, err)
			}
			if got := optOf(r); got != tt.want {
				t.Errorf("%s over %s: OPT %s, want %s", tt.name, network, got, tt.want)
			}
			if bad := r.Rcode == mdns.RcodeBadVers; bad != (len(r.Answer) == 0) {
				t.Errorf("%s over %s: %s with %d answers", tt.name, network, rcodeName(r.Rcode), len(r.Answer))
			}
		}
	}
}

// TestEDNSTwoOPT: a query with two OPT records is malformed (RFC 6891 §6.1.1).
func TestEDNSTwoOPT(t *testing.T) {
	_, addr := testServer(t, nil)
	for _, network := range []string{"udp", "tcp"} {
		m := new(mdns.Msg)
		m.SetQuestion("www.lab.test.", mdns.TypeA)
		m.SetEdns0(4096, false)
		m.SetEdns0(4096, true)
		c := &mdns.Client{Net: network, Timeout: 5 * time.Second}
		r, _, err := c.Exchange(m, addr)
		if err != nil {
			t.Fatalf("over %s: %v", network, err)
		}
		if r.Rcode != mdns.RcodeFormatError || len(r.Answer) != 0 || r.IsEdns0() != nil {
			t.Errorf("over %s: %s with %d answers and OPT %s, want FORMERR, none, none", network,
				mdns.RcodeToString[r.Rcode], len(r.Answer), optOf(r))
		}
	}
}

// optLine is dig's account of a reply's OPT record.
var optLine = regexp.MustCompile(`(?m)^; EDNS: .*$`)

// TestDigEDNS asks the system's dig, an outside client, the same question over UDP
// and TCP: the OPT record dig reads is the same over both.
func TestDigEDNS(t *testing.T) {
	dig, err := exec.LookPath("dig")
	if err != nil {
		t.Skip("dig is not installed")
	}
	_, addr := testServer(t, nil)
	host, port, _ := strings.Cut(addr, ":")
	udp := fmt.Sprintf("udp: %d", dnsserver.UDPSize)
	for _, tt := range []struct {
		args   []string
		want   string // the EDNS line, "" for none
		status string
	}{
		{nil, "; EDNS: version: 0, flags:; " + udp, "NOERROR"},
		{[]string{"+dnssec"}, "; EDNS: version: 0, flags: do; " + udp, "NOERROR"},
		{[]string{"+bufsize=512"}, "; EDNS: version: 0, flags:; " + udp, "NOERROR"},
		{[]string{"+noedns"}, "", "NOERROR"},
		{[]string{"+edns=1", "+noednsnegotiation"}, "; EDNS: version: 0, flags:; " + udp, "BADVERS"},
	} {
		for _, transport := range []string{"+notcp", "+tcp"} {
			args := append([]string{"@" + host, "-p", port, "+tries=1", "+time=3", transport}, tt.args...)
			args = append(args, "www.lab.test", "A")
			out, err := exec.Command(dig, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("dig %v: %v\n%s", args, err, out)
			}
			got := optLine.FindString(string(out))
			if got != tt.want || !strings.Contains(string(out), "status: "+tt.status+",") {
				t.Errorf("dig %s %v: EDNS line %q, want %q and status %s:\n%s", transport, tt.args, got, tt.want,
					tt.status, out)
			}
		}
	}
}

// TestEDNSTruncate: a UDP answer bigger than the server's UDPSize is cut and marked
// TC even when the client takes more, and keeps its OPT record; over TCP it is whole.
func TestEDNSTruncate(t *testing.T) {
	zone := "$ORIGIN lab.test.\n@ IN SOA ns hm 1 1 1 1 1\n"
	for i := range 10 {
		zone += fmt.Sprintf("big IN TXT \"%d %s\"\n", i, strings.Repeat("x", 200))
	}
	z, err := dnsserver.ParseZone(zone, "")
	if err != nil {
		t.Fatal(err)
	}
	pc, l, err := dnsserver.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := dnsserver.New(dnsserver.Options{Zone: z})
	go srv.ServeUDP(pc)
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	<-srv.Started()
	for _, network := range []string{"udp", "tcp"} {
		m := new(mdns.Msg)
		m.SetQuestion("big.lab.test.", mdns.TypeTXT)
		m.SetEdns0(mdns.DefaultMsgSize, false)
		c := &mdns.Client{Net: network, Timeout: 5 * time.Second, UDPSize: mdns.DefaultMsgSize}
		r, _, err := c.Exchange(m, pc.LocalAddr().String())
		if err != nil {
			t.Fatalf("over %s: %v", network, err)
		}
		cut := r.Truncated && len(r.Answer) < 10 && r.Len() <= dnsserver.UDPSize
		if whole := !r.Truncated && len(r.Answer) == 10; network == "udp" && !cut || network == "tcp" && !whole {
			t.Errorf("over %s: TC %v, %d answers in %d bytes", network, r.Truncated, len(r.Answer), r.Len())
		}
		if got := optOf(r); got != "version 0 udp 1232 do false rcode NOERROR options 0" {
			t.Errorf("over %s: OPT %s", network, got)
		}
	}
}

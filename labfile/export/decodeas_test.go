package export_test

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/clients/daytimeclient"
	"github.com/protocollab/protolab/clients/dnsclient"
	"github.com/protocollab/protolab/clients/ftpclient"
	"github.com/protocollab/protolab/clients/httpclient"
	"github.com/protocollab/protolab/clients/imapclient"
	"github.com/protocollab/protolab/clients/labdial"
	"github.com/protocollab/protolab/clients/pop3client"
	"github.com/protocollab/protolab/clients/sftpclient"
	"github.com/protocollab/protolab/clients/smtpclient"
	"github.com/protocollab/protolab/clients/tcpclient"
	"github.com/protocollab/protolab/clients/udpclient"
	"github.com/protocollab/protolab/clients/wsclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/labfile/export"
	"github.com/protocollab/protolab/protocols/ftp"
)

// TestPCAPNGDecodeAsEveryServer starts every server of the lab, has the lab's own
// clients talk to each, and checks the export's Decode As rules: one for each
// server port where Wireshark would not look for the protocol by itself (SFTP on
// its port is read as SSH, beta's SMTP server as SMTP), and with them tshark
// dissects every conversation: no frame's payload is left as plain data.
func TestPCAPNGDecodeAsEveryServer(t *testing.T) {
	needTshark(t)
	var names []string
	for _, p := range wire.Registry().All() {
		if p.NewServer != nil {
			names = append(names, p.Name)
		}
	}
	tb := startBench(t, names...)
	driveEveryServer(t, tb)
	convs, events, keys := tb.session(t)
	reg := wire.Registry()

	// The rules wanted: one per server port and transport the conversations used,
	// unless the protocol's dissector finds it there by itself.
	serverOf := make(map[uint16]string) // port: the server's name
	for _, n := range names {
		p, _ := strconv.Atoi(port(tb.addr[n]))
		serverOf[uint16(p)] = n
	}
	used := make(map[string]bool) // "dns/udp"
	var want []string
	activeData := 0
	for _, c := range convs {
		ap := netip.MustParseAddrPort(c.Server)
		transport := "tcp"
		if c.Datagram || c.Transport == "udp" {
			transport = "udp"
		}
		if name, ok := serverOf[ap.Port()]; ok {
			used[name+"/"+transport] = true
		}
		d := reg.Lookup(c.Protocol).Dissector
		foundByParent := d.ByParent != lab.SideNone && c.Link.Dialler == d.ByParent
		if c.Protocol == ftp.DataName && c.Link.Mode == "active" {
			activeData++
			if foundByParent {
				t.Errorf("active data connection #%d is said to be found by Wireshark from its parent", c.ID)
			}
		}
		if d.Name == "" || foundByParent || slices.Contains(d.Ports, ap.Port()) {
			continue
		}
		want = append(want, fmt.Sprintf("%s.port==%d,%s", transport, ap.Port(), d.Name))
		if d.Inner != "" {
			want = append(want, fmt.Sprintf("tls.port==%d,%s", ap.Port(), d.Inner))
		}
	}
	if activeData == 0 {
		t.Error("no active FTP data connection")
	}
	for _, n := range names {
		if !used[n+"/tcp"] && !used[n+"/udp"] {
			t.Errorf("no conversation with the %s server", n)
		}
	}
	if !used["dns/udp"] || !used["dns/tcp"] {
		t.Errorf("DNS was not asked over both UDP and TCP: %v", used)
	}
	slices.Sort(want)
	want = slices.Compact(want)
	rules := export.DecodeAs(reg, convs)
	if !slices.Equal(rules, want) {
		t.Errorf("DecodeAs =\n%q\nwant\n%q", rules, want)
	}
	for _, r := range []string{
		"tcp.port==" + port(tb.addr["sftp"]) + ",ssh",
		"tcp.port==" + port(tb.addr["smtp-beta"]) + ",smtp",
		"tcp.port==" + port(tb.addr["smtp"]) + ",smtp",
		"udp.port==" + port(tb.addr["dns"]) + ",dns",
		"tcp.port==" + port(tb.addr["dns"]) + ",dns",
		"udp.port==" + port(tb.addr["udp"]) + ",echo",
		"tcp.port==" + port(tb.addr["tcp"]) + ",echo",
	} {
		if !slices.Contains(rules, r) {
			t.Errorf("DecodeAs = %q, want %s", rules, r)
		}
	}

	// With the rules, tshark reads every conversation's payload as its protocol.
	file := writePCAPNG(t, convs, events, keys)
	bad := undissected(t, file, rules, convs)
	for _, c := range convs {
		if len(bad[c.ID]) > 0 && reg.Lookup(c.Protocol).Dissector.Name != "" { // NATS has none: its payload is data
			t.Errorf("conversation #%d (%s %s → %s, server port %d): %d frames of payload left as data, the first: %s",
				c.ID, c.Protocol, c.Client, c.Server, netip.MustParseAddrPort(c.Server).Port(), len(bad[c.ID]), bad[c.ID][0])
		}
	}
}

// undissected runs tshark on file with rules and returns, by conversation, the
// frames whose payload no dissector read: their protocols end in "data" (a
// segment of a message that ends in a later one ends in "tcp", and is not
// counted). A frame of no conversation of convs is an error.
func undissected(t *testing.T, file string, rules []string, convs []lab.ConvInfo) map[lab.ConvID][]string {
	t.Helper()
	var args []string
	for _, r := range rules {
		args = append(args, "-d", r)
	}
	args = append(args, "-T", "fields", "-E", "separator=/t", "-e", "frame.number", "-e", "ip.src", "-e", "ip.dst",
		"-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "udp.srcport", "-e", "udp.dstport",
		"-e", "tcp.len", "-e", "udp.length", "-e", "frame.protocols")
	byEnds := make(map[string]lab.ConvID)
	for _, c := range convs {
		byEnds[c.Client+" "+c.Server] = c.ID
		byEnds[c.Server+" "+c.Client] = c.ID
	}
	seen := make(map[lab.ConvID]bool)
	bad := make(map[lab.ConvID][]string)
	for _, l := range tshark(t, file, args...) {
		f := strings.Split(l, "\t")
		if len(f) != 10 {
			t.Fatalf("tshark line %q: want 10 fields", l)
		}
		num, src, dst, protos := f[0], f[1], f[2], f[9]
		sport, dport, payload := f[3], f[4], f[7] != "" && f[7] != "0"
		if sport == "" {
			sport, dport = f[5], f[6]
			n, _ := strconv.Atoi(f[8])
			payload = n > 8 // more than the UDP header
		}
		id, ok := byEnds[src+":"+sport+" "+dst+":"+dport]
		if !ok {
			t.Errorf("frame %s (%s:%s → %s:%s) is of no conversation of the session", num, src, sport, dst, dport)
			continue
		}
		seen[id] = true
		// DTLS application data decrypted is as deep as tshark 4.0 reads a
		// WebRTC flow: it has no rule for SCTP inside DTLS (RFC 8261).
		if payload && (protos == "data" || strings.HasSuffix(protos, ":data")) && !strings.HasSuffix(protos, ":dtls:data") {
			bad[id] = append(bad[id], fmt.Sprintf("frame %s is dissected as %s", num, protos))
		}
	}
	for _, c := range convs {
		if !seen[c.ID] {
			t.Errorf("conversation #%d (%s %s → %s) has no frame in the capture", c.ID, c.Protocol, c.Client, c.Server)
		}
	}
	return bad
}

// driveEveryServer has the lab's clients talk to every server of tb: a few
// messages each, bounded by one timeout.
func driveEveryServer(t *testing.T, tb *testBench) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	keys := tb.hub.Keys()
	pool := tb.ca.Pool()

	// TCP and UDP echo: one message each, sent back.
	echoed := make(chan []byte, 4)
	tc, err := tcpclient.Dial(ctx, tb.addr["tcp"], tcpclient.Options{Tap: tb.tap("tcp"), OnData: func(b []byte) { echoed <- b }})
	if err != nil {
		t.Fatalf("tcp: %v", err)
	}
	if err := tc.Send([]byte("hello, echo\n")); err != nil {
		t.Fatalf("tcp: %v", err)
	}
	wait(ctx, t, "the TCP echo", echoed)
	if err := tc.Close(); err != nil {
		t.Fatalf("tcp close: %v", err)
	}
	uc, err := udpclient.Dial(ctx, tb.addr["udp"], udpclient.Options{Tap: tb.tap("udp"), OnData: func(b []byte) { echoed <- b }})
	if err != nil {
		t.Fatalf("udp: %v", err)
	}
	if err := uc.Send([]byte("hello, datagram")); err != nil {
		t.Fatalf("udp: %v", err)
	}
	wait(ctx, t, "the UDP echo", echoed)
	uc.Close()

	// DNS over UDP and over TCP.
	for _, overTCP := range []bool{false, true} {
		if _, err := dnsclient.Query(ctx, tb.addr["dns"], "www.lab.test", mdns.TypeA, dnsclient.Options{Tap: tb.tap("dns"), TCP: overTCP}); err != nil {
			t.Fatalf("dns (TCP %v): %v", overTCP, err)
		}
	}

	// HTTP, HTTPS (HTTP/1.1 and HTTP/2) and a WebSocket.
	for _, req := range []struct {
		server string
		r      httpclient.Request
	}{
		{"http", httpclient.Request{URL: "http://" + tb.addr["http"] + "/"}},
		{"https", httpclient.Request{URL: "https://" + tb.addr["https"] + "/"}},
		{"https", httpclient.Request{URL: "https://" + tb.addr["https"] + "/h2", Version: httpclient.Version20}},
	} {
		if _, err := httpclient.Do(ctx, req.r, httpclient.Options{Tap: tb.tap(req.server), RootCAs: pool}); err != nil {
			t.Fatalf("%s %s: %v", req.server, req.r.URL, err)
		}
	}
	ws, err := wsclient.Dial(ctx, "ws://"+tb.addr["ws"]+"/ws/echo", wsclient.Options{Tap: tb.tap("ws")})
	if err != nil {
		t.Fatalf("ws: %v", err)
	}
	if err := ws.SendText("hello, websocket"); err != nil {
		t.Fatalf("ws: %v", err)
	}
	select {
	case <-ws.Receive():
	case <-ctx.Done():
		t.Fatal("no WebSocket echo")
	}
	if err := ws.Close(1000, "done"); err != nil {
		t.Fatalf("ws close: %v", err)
	}

	// FTP: a listing over a passive data connection, a download over an active one.
	fc, err := ftpclient.Dial(ctx, tb.addr["ftp"], ftpclient.Options{Tap: tb.tap(ftp.Name), DataTap: tb.tap(ftp.DataName)})
	if err != nil {
		t.Fatalf("ftp: %v", err)
	}
	defer fc.Close()
	if err := fc.Login("lab", "lab"); err != nil {
		t.Fatalf("ftp login: %v", err)
	}
	if _, err := fc.List("/"); err != nil {
		t.Fatalf("ftp list: %v", err)
	}
	fc.SetMode(ftpclient.Active)
	var got bytes.Buffer
	if err := fc.Retr("hello.txt", &got, nil); err != nil {
		t.Fatalf("ftp retr (active): %v", err)
	}
	if err := fc.Quit(); err != nil {
		t.Fatalf("ftp quit: %v", err)
	}

	// SFTP: a listing.
	sc, err := sftpclient.Dial(ctx, tb.addr["sftp"], sftpclient.Options{Tap: tb.tap("sftp")})
	if err != nil {
		t.Fatalf("sftp: %v", err)
	}
	if _, err := sc.List("."); err != nil {
		t.Fatalf("sftp list: %v", err)
	}
	sc.Close()

	// Mail: alice submits to alpha (STARTTLS, AUTH), which relays to beta; bob
	// reads it with POP3 and IMAP, both after STARTTLS.
	res, err := smtpclient.Send(ctx, tb.addr["smtp"], smtpclient.Options{
		Tap: tb.tap("smtp"), User: "alice", Password: "alice", StartTLS: true, RootCAs: pool, KeyLog: keys,
	}, smtpclient.Mail{From: "alice@alpha.test", To: []string{"bob@beta.test"}, Subject: "decode as", Body: "Hello Bob."})
	if err != nil {
		t.Fatalf("smtp: %v (replies %q)", err, res.Replies)
	}
	pc, err := pop3client.Dial(ctx, tb.addr["pop3"], pop3client.Options{Tap: tb.tap("pop3"), StartTLS: true, RootCAs: pool, KeyLog: keys})
	if err != nil {
		t.Fatalf("pop3: %v", err)
	}
	defer pc.Close()
	if err := pc.Login("bob@beta.test", "bob"); err != nil {
		t.Fatalf("pop3 login: %v", err)
	}
	if n, _, err := pc.Stat(); err != nil || n == 0 {
		t.Fatalf("pop3 stat = %d, %v; want the relayed mail", n, err)
	}
	if err := pc.Quit(); err != nil {
		t.Fatalf("pop3 quit: %v", err)
	}
	ic, err := imapclient.Dial(ctx, tb.addr["imap"], imapclient.Options{Tap: tb.tap("imap"), StartTLS: true, RootCAs: pool, KeyLog: keys})
	if err != nil {
		t.Fatalf("imap: %v", err)
	}
	defer ic.Close()
	if err := ic.Login("bob@beta.test", "bob"); err != nil {
		t.Fatalf("imap login: %v", err)
	}
	if _, err := ic.Select("INBOX"); err != nil {
		t.Fatalf("imap select: %v", err)
	}
	if err := ic.Logout(); err != nil {
		t.Fatalf("imap logout: %v", err)
	}

	// Daytime: the time, and the server's close.
	if _, err := daytimeclient.Get(ctx, &labdial.Dialer{Tap: tb.tap("daytime")}, tb.addr["daytime"]); err != nil {
		t.Fatalf("daytime: %v", err)
	}

	driveBroker(ctx, t, tb)
	driveDatabases(ctx, t, tb)
	driveP2P(ctx, t, tb)
}

// wait waits for one value on ch.
func wait(ctx context.Context, t *testing.T, what string, ch <-chan []byte) {
	t.Helper()
	select {
	case <-ch:
	case <-ctx.Done():
		t.Fatalf("%s: nothing came back", what)
	}
}

package export_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/clients/dnsclient"
	"github.com/protocollab/protolab/clients/ftpclient"
	"github.com/protocollab/protolab/clients/httpclient"
	"github.com/protocollab/protolab/clients/tcpclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/labfile/export"
	"github.com/protocollab/protolab/protocols/ftp"
)

// capture drives the lab's own clients (and curl) against the lab's servers: HTTP
// on a kept-alive connection, HTTPS from the lab's client and from curl, a DNS
// query, an FTP session with a listing and a download, and a TCP echo ended by a
// reset. It returns the session's conversations, events and keys.
func capture(t *testing.T) (*testBench, []lab.ConvInfo, []lab.Event, []string) {
	t.Helper()
	tb := startBench(t, "tcp", "dns", "http", "https", "ftp")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	hc := httpclient.New(httpclient.Options{Tap: tb.tap("http"), KeepAlive: true})
	for _, req := range []httpclient.Request{
		{URL: "http://" + tb.addr["http"] + "/"},
		{Method: "POST", URL: "http://" + tb.addr["http"] + "/form?x=1&y=two", Body: []byte("name=lab&note=hello"),
			Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Cookie": {"a=1; b=2"}}},
	} {
		if _, err := hc.Do(ctx, req); err != nil {
			t.Fatalf("%s %s: %v", req.Method, req.URL, err)
		}
	}
	hc.Close()

	sc := httpclient.New(httpclient.Options{Tap: tb.tap("https"), RootCAs: tb.ca.Pool()})
	if _, err := sc.Do(ctx, httpclient.Request{URL: "https://" + tb.addr["https"] + "/lab-client"}); err != nil {
		t.Fatalf("https: %v", err)
	}
	sc.Close()

	if _, err := exec.LookPath("curl"); err == nil {
		caFile := filepath.Join(t.TempDir(), "ca.pem")
		if err := tb.ca.Export(caFile); err != nil {
			t.Fatal(err)
		}
		out, err := exec.CommandContext(ctx, "curl", "-sS", "--http1.1", "--cacert", caFile, "-o", "/dev/null",
			"https://"+tb.addr["https"]+"/curl-path").CombinedOutput()
		if err != nil {
			t.Fatalf("curl: %v %s", err, out)
		}
	}

	if _, err := dnsclient.Query(ctx, tb.addr["dns"], "www.lab.test", mdns.TypeA, dnsclient.Options{Tap: tb.tap("dns")}); err != nil {
		t.Fatalf("dns: %v", err)
	}

	fc, err := ftpclient.Dial(ctx, tb.addr["ftp"], ftpclient.Options{Tap: tb.tap(ftp.Name), DataTap: tb.tap(ftp.DataName)})
	if err != nil {
		t.Fatalf("ftp: %v", err)
	}
	if err := fc.Login("lab", "lab"); err != nil {
		t.Fatalf("ftp login: %v", err)
	}
	if _, err := fc.List("/"); err != nil {
		t.Fatalf("ftp list: %v", err)
	}
	var got bytes.Buffer
	if err := fc.Retr("hello.txt", &got, nil); err != nil {
		t.Fatalf("ftp retr: %v", err)
	}
	if err := fc.Quit(); err != nil {
		t.Fatalf("ftp quit: %v", err)
	}
	fc.Close()

	echoed := make(chan struct{})
	var seen bytes.Buffer
	tc, err := tcpclient.Dial(ctx, tb.addr["tcp"], tcpclient.Options{Tap: tb.tap("tcp"), OnData: func(b []byte) {
		seen.Write(b)
		if seen.Len() >= 6 {
			select {
			case <-echoed:
			default:
				close(echoed)
			}
		}
	}})
	if err != nil {
		t.Fatalf("tcp: %v", err)
	}
	if err := tc.Send([]byte("hello\n")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-echoed:
	case <-ctx.Done():
		t.Fatal("no echo")
	}
	tc.Abort()

	convs, events, keys := tb.session(t)
	return tb, convs, events, keys
}

func port(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

func writePCAPNG(t *testing.T, convs []lab.ConvInfo, events []lab.Event, keys []string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "out.pcapng")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := export.PCAPNG(f, wire.Registry(), convs, events, keys); err != nil {
		t.Fatalf("PCAPNG: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestPCAPNGTshark: tshark dissects the exported capture as it would a live one.
func TestPCAPNGTshark(t *testing.T) {
	needTshark(t)
	tb, convs, events, keys := capture(t)
	if len(keys) == 0 {
		t.Fatal("the lab logged no TLS keys")
	}
	file := writePCAPNG(t, convs, events, keys)
	if testing.Verbose() {
		for _, l := range tshark(t, file) {
			t.Log(l)
		}
	}

	var decode []string
	for _, r := range export.DecodeAs(wire.Registry(), convs) {
		decode = append(decode, "-d", r)
	}
	if !slices.Contains(decode, "tcp.port=="+port(tb.addr["ftp"])+",ftp") {
		t.Errorf("DecodeAs = %q, want the FTP server's port", decode)
	}
	reqs := tshark(t, file, "-Y", "http.request", "-T", "fields", "-e", "http.request.method", "-e", "http.request.uri")
	for _, want := range []string{"GET\t/", "POST\t/form?x=1&y=two", "GET\t/lab-client", "GET\t/curl-path"} {
		if !contains(reqs, want) {
			t.Errorf("http.request = %q, want a line %q", reqs, want)
		}
	}
	cmds := tshark(t, file, append(decode, "-Y", "ftp.request", "-T", "fields", "-e", "ftp.request.command")...)
	for _, want := range []string{"USER", "PASS", "RETR", "QUIT"} {
		if !contains(cmds, want) {
			t.Errorf("ftp.request = %q, want %s", cmds, want)
		}
	}
	if data := tshark(t, file, append(decode, "-Y", "ftp-data", "-T", "fields", "-e", "tcp.payload")...); len(data) == 0 {
		t.Errorf("no ftp-data packets")
	}
	names := tshark(t, file, "-Y", "dns.flags.response == 0", "-T", "fields", "-e", "dns.qry.name")
	if !contains(names, "www.lab.test") {
		t.Errorf("dns queries = %q, want www.lab.test", names)
	}
	// The TCP echo ends with a reset. HTTPS connections may end with one too: a
	// close_notify that reaches a socket already closed is answered with a RST, which
	// the lab records when a socket reports it.
	echoResets := 0
	for _, l := range tshark(t, file, "-Y", "tcp.flags.reset == 1", "-T", "fields", "-e", "tcp.srcport", "-e", "tcp.dstport") {
		ports := strings.Fields(l)
		switch {
		case slices.Contains(ports, port(tb.addr["tcp"])):
			echoResets++
		case !slices.Contains(ports, port(tb.addr["https"])):
			t.Errorf("a reset between ports %q, want resets only on the TCP echo and HTTPS", ports)
		}
	}
	if echoResets != 1 {
		t.Errorf("%d resets on the TCP echo, want 1", echoResets)
	}
	if bad := tshark(t, file, append(decode, "-Y", "tcp.analysis.flags || _ws.malformed || (_ws.expert.severity >= warning && tcp.flags.reset == 0)")...); len(bad) > 0 {
		t.Errorf("tshark finds problems in a clean capture:\n%s", strings.Join(bad, "\n"))
	}
	// Every connection is complete: tshark's conversation statistics count each once.
	convStats := tshark(t, file, "-q", "-z", "conv,tcp")
	tcpConvs := 0
	for _, c := range convs {
		if c.Transport == "tcp" {
			tcpConvs++
		}
	}
	rows := 0
	for _, l := range convStats {
		if strings.Contains(l, "<->") {
			rows++
		}
	}
	if rows != tcpConvs {
		t.Errorf("tshark counts %d TCP conversations, want %d:\n%s", rows, tcpConvs, strings.Join(convStats, "\n"))
	}
}

// TestPCAPNGMissingBytes: bytes the session lacks are skipped by the sequence
// numbers and told in comments.
func TestPCAPNGMissingBytes(t *testing.T) {
	needTshark(t)
	t0 := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
	conv := lab.ConvInfo{
		ID: 1, Protocol: "tcp", Transport: "tcp", Client: "127.0.0.1:40000", Server: "127.0.0.1:7007",
		Start: t0, End: t0.Add(time.Second), BytesC2S: 1000, BytesS2C: 5, ClosedBy: lab.SideClient, CloseHow: lab.HowFIN,
		ClientSeen: true,
	}
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	events := []lab.Event{
		{Seq: 1, At: at(0), Conv: 1, Kind: lab.KindOpen, Side: lab.SideClient, Layer: "tcp"},
		{Seq: 2, At: at(1), Conv: 1, Kind: lab.KindData, Dir: lab.ClientToServer, Side: lab.SideClient, Data: bytes.Repeat([]byte("a"), 100)},
		{Seq: 3, At: at(1), Conv: 1, Kind: lab.KindMessage, Dir: lab.ClientToServer, Side: lab.SideClient, Layer: "tcp",
			Msg: &lab.Message{Summary: "capture limit reached: bytes past 100 B are counted and hashed, not kept"}},
		{Seq: 4, At: at(2), Conv: 1, Kind: lab.KindData, Dir: lab.ServerToClient, Side: lab.SideClient, Data: []byte("hello")},
		{Seq: 5, At: at(3), Conv: 1, Kind: lab.KindClose, Dir: lab.ClientToServer, Side: lab.SideClient, Text: "the client sent FIN"},
		{Seq: 6, At: at(4), Conv: 1, Kind: lab.KindClose, Dir: lab.ServerToClient, Side: lab.SideClient, Text: "the server sent FIN"},
	}
	file := writePCAPNG(t, []lab.ConvInfo{conv}, events, nil)
	comments := tshark(t, file, "-Y", "frame.comment", "-T", "fields", "-e", "frame.comment")
	if !strings.Contains(strings.Join(comments, "\n"), "900 bytes from the client are not in this capture: past the protocol's capture limit") {
		t.Errorf("comments = %q, want one about the 900 bytes past the limit", comments)
	}
	// The client's FIN comes after the 900 bytes it sent: seq 1 + 100 + 900.
	fin := tshark(t, file, "-Y", "tcp.flags.fin == 1 && tcp.srcport == 40000", "-T", "fields", "-e", "tcp.seq")
	if len(fin) != 1 || fin[0] != "1001" {
		t.Errorf("client FIN seq = %q, want 1001", fin)
	}
	lost := tshark(t, file, "-Y", "tcp.analysis.lost_segment")
	if len(lost) != 1 {
		t.Errorf("lost segments = %q, want the one gap", lost)
	}
	var section bytes.Buffer
	cmd := exec.Command("capinfos", file)
	cmd.Stdout = &section
	if err := cmd.Run(); err == nil && !strings.Contains(section.String(), "900 bytes from the client") {
		t.Errorf("capinfos shows no note of the missing bytes:\n%s", section.String())
	}
}

// TestPCAPNGLargeSegments: a chunk over 64 KiB is split into segments that fit
// an IP packet, and tshark reassembles them into the whole.
func TestPCAPNGLargeSegments(t *testing.T) {
	needTshark(t)
	t0 := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
	big := bytes.Repeat([]byte("0123456789abcdef"), 20000) // 320,000 bytes
	conv := lab.ConvInfo{ID: 7, Protocol: "tcp", Transport: "tcp", Client: "[::1]:40001", Server: "[::1]:7007",
		Start: t0, End: t0.Add(time.Second), BytesC2S: int64(len(big)), ClosedBy: lab.SideServer, CloseHow: lab.HowFIN}
	events := []lab.Event{
		{Seq: 1, At: t0, Conv: 7, Kind: lab.KindOpen, Side: lab.SideServer},
		{Seq: 2, At: t0.Add(time.Millisecond), Conv: 7, Kind: lab.KindData, Dir: lab.ClientToServer, Side: lab.SideServer, Data: big},
	}
	file := writePCAPNG(t, []lab.ConvInfo{conv}, events, nil)
	lens := tshark(t, file, "-Y", "tcp.len > 0", "-T", "fields", "-e", "tcp.len", "-e", "ipv6.plen")
	total := 0
	for _, l := range lens {
		var n, plen int
		if _, err := fmt.Sscan(l, &n, &plen); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		if n > 64<<10 {
			t.Errorf("segment of %d bytes, want at most 64 KiB", n)
		}
		total += n
	}
	if total != len(big) {
		t.Errorf("segments carry %d bytes, want %d", total, len(big))
	}
	// The FIN the conversation's description tells of is there, from the server
	// that sent it; the client's, which the lab did not see, is not.
	if fins := tshark(t, file, "-Y", "tcp.flags.fin == 1", "-T", "fields", "-e", "tcp.srcport"); len(fins) != 1 || fins[0] != "7007" {
		t.Errorf("FINs from ports %q, want one from the server's 7007", fins)
	}
	if bad := tshark(t, file, "-Y", "tcp.analysis.flags || _ws.malformed"); len(bad) > 0 {
		t.Errorf("problems: %q", bad)
	}
}

package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/sftpclient"
	"github.com/protocollab/protolab/clients/smtpclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/lab/labdir"
	"github.com/protocollab/protolab/labfile"
)

// TestExportPCAPNGDecodeAs records an SFTP session and a mail relayed from
// alpha's SMTP server to beta's with `serve --record`, exports the session to
// pcapng and checks the Decode As rules export prints: SSH on the SFTP server's
// port, SMTP on both SMTP servers' ports; with them, tshark reads both protocols.
func TestExportPCAPNGDecodeAs(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(labdir.EnvConfig, dir)
	t.Setenv(labdir.EnvData, dir)
	file := filepath.Join(t.TempDir(), "lab.protolab")
	r := startServe(t, "--only", "dns,sftp,smtp,smtp-beta", "--port", "dns=0,sftp=0,smtp=0,smtp-beta=0", "--json", "--record", file)
	addrs := map[string]string{}
	for range 4 {
		var rec lab.Record
		if l := r.next(t); json.Unmarshal([]byte(l), &rec) != nil || rec.Event != "listening" {
			t.Fatalf("line %q, want a listening line", l)
		}
		addrs[rec.Protocol] = rec.Addr
	}
	ca, err := labca.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sc, err := sftpclient.Dial(ctx, addrs["sftp"], sftpclient.Options{})
	if err != nil {
		t.Fatalf("sftp: %v", err)
	}
	if _, err := sc.List("."); err != nil {
		t.Fatalf("sftp list: %v", err)
	}
	sc.Close()
	res, err := smtpclient.Send(ctx, addrs["smtp"], smtpclient.Options{User: "alice", Password: "alice", StartTLS: true, RootCAs: ca.Pool()},
		smtpclient.Mail{From: "alice@alpha.test", To: []string{"bob@beta.test"}, Subject: "decode as", Body: "Hello Bob."})
	if err != nil {
		t.Fatalf("smtp: %v (replies %q)", err, res.Replies)
	}
	pcap, stdout, tsharkArgs := r.exportPCAPNG(t, file)
	for _, want := range []string{
		"-d tcp.port==" + portOf(addrs["sftp"]) + ",ssh",
		"-d tcp.port==" + portOf(addrs["smtp"]) + ",smtp",
		"-d tcp.port==" + portOf(addrs["smtp-beta"]) + ",smtp",
	} {
		if !strings.Contains(stdout, want+" ") && !strings.Contains(stdout, want+"\n") {
			t.Errorf("export printed %q, want %s", stdout, want)
		}
	}

	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark is not installed (Debian package tshark): the printed rules are not tried")
	}
	rules := strings.Fields(tsharkArgs)
	for protocol, servers := range map[string][]string{"ssh": {"sftp"}, "smtp": {"smtp", "smtp-beta"}} {
		args := append([]string{"-n", "-r", pcap}, rules...)
		out, err := exec.Command("tshark", append(args, "-Y", protocol, "-T", "fields", "-e", "tcp.port")...).Output()
		if err != nil {
			t.Fatalf("tshark %q: %v", args, err)
		}
		ports := map[string]bool{}
		for _, p := range strings.FieldsFunc(string(out), func(r rune) bool { return r == ',' || r == '\n' }) {
			ports[p] = true
		}
		for _, n := range servers {
			if !ports[portOf(addrs[n])] {
				t.Errorf("with the printed rules, tshark reads nothing on %s's port %s as %s", n, portOf(addrs[n]), protocol)
			}
		}
	}
}

// TestExportDecodeAsDefaultPorts: the lab's SFTP server on its default port,
// 2022, gets a rule for SSH and beta's SMTP server on 2526 one for SMTP; SSH on
// 22 and SMTP on 25 need none.
func TestExportDecodeAsDefaultPorts(t *testing.T) {
	t0 := time.Now()
	hello := []byte("SSH-2.0-Go\r\n")
	s := &labfile.Session{Format: labfile.FormatVersion, App: "protolab test", Saved: t0}
	for i, c := range []struct{ protocol, server string }{
		{"sftp", "127.0.0.1:2022"}, {"smtp-beta", "127.0.0.1:2526"}, {"sftp", "127.0.0.1:22"}, {"smtp", "127.0.0.1:25"},
	} {
		id := lab.ConvID(i + 1)
		s.Conversations = append(s.Conversations, lab.ConvInfo{ID: id, Protocol: c.protocol, Transport: "tcp",
			Client: fmt.Sprintf("127.0.0.1:%d", 50000+i), Server: c.server, Start: t0, End: t0, BytesS2C: int64(len(hello))})
		s.Events = append(s.Events, lab.Event{Seq: uint64(i + 1), At: t0, Conv: id, Kind: lab.KindData, Dir: lab.ServerToClient, Side: lab.SideServer, Data: hello})
	}
	file := filepath.Join(t.TempDir(), "ports.protolab")
	if err := labfile.Save(file, s); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "export", "--format", "pcapng", file)
	want := "the lab's servers use ports of their own: in Wireshark, Decode As tcp.port==2022,ssh, tcp.port==2526,smtp; " +
		"with tshark, -d tcp.port==2022,ssh -d tcp.port==2526,smtp\n"
	if code != 0 || !strings.HasSuffix(stdout, want) {
		t.Errorf("export pcapng = %d, %q (%s); want the line %q", code, stdout, stderr, want)
	}
}

// exportPCAPNG stops a serve --record that records to file, checks it exits
// 0, exports the session to pcapng and returns the file, what export printed
// and its Decode As rules for tshark.
func (r *serveRun) exportPCAPNG(t *testing.T, file string) (pcap, stdout, tsharkArgs string) {
	t.Helper()
	r.cancel()
	for range r.lines {
	}
	if code := <-r.code; code != 0 {
		t.Fatalf("serve --record exit code %d; stderr: %s", code, r.stderr)
	}
	pcap = filepath.Join(t.TempDir(), "lab.pcapng")
	code, stdout, stderr := run(t, "export", "--format", "pcapng", file, "-o", pcap)
	if code != 0 {
		t.Fatalf("export pcapng = %d: %s", code, stderr)
	}
	_, tsharkArgs, ok := strings.Cut(stdout, "; with tshark, ")
	if !ok {
		t.Fatalf("export printed %q, want the Decode As rules for tshark", stdout)
	}
	return pcap, stdout, tsharkArgs
}

func portOf(addr string) string {
	return addr[strings.LastIndexByte(addr, ':')+1:]
}

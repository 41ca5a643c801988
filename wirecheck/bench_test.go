package wirecheck_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
	"github.com/protocollab/protolab/protocols/smtp"
	"github.com/protocollab/protolab/servers/ftpserver"
	"github.com/protocollab/protolab/servers/imapserver"
	"github.com/protocollab/protolab/servers/pop3server"
	"github.com/protocollab/protolab/servers/sftpserver"
	"github.com/protocollab/protolab/servers/smtpserver"
)

// bench is every server of the lab on free ports, most on a loopback address of
// their own (so that the capture holds nothing else); the two SMTP servers are on
// 127.0.0.1, where the relay delivers.
type bench struct {
	b      *lab.Bench
	hub    *lab.Hub
	host   string            // the servers' own loopback address
	addr   map[string]string // server name: address
	filter string            // tcpdump's filter: the lab's traffic only
	python string
}

// needTools skips the test unless it can capture and dissect, and returns the
// Python that has the websockets module.
func needTools(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the differential test captures the loopback interface with tcpdump: run it as root")
	}
	for _, tool := range []string{"tcpdump", "tshark", "reordercap", "curl", "dig", "sftp", "sshpass"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (bash scripts/setup test installs it): the differential test needs it", tool)
		}
	}
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(py, "-c", "import websockets").Run() == nil {
			return py
		}
	}
	t.Skip("no python3 with the websockets module (Debian package python3-websockets)")
	return ""
}

func startBench(t *testing.T, python string) *bench {
	t.Helper()
	dir := labdirtest.Temp(t).Config
	if _, err := labca.Open(dir); err != nil {
		t.Fatal(err)
	}
	b := wire.NewBench(lab.HubOptions{FlowIdle: 300 * time.Millisecond}) // a UDP flow ends soon after its last datagram
	t.Cleanup(b.StopAll)
	host := fmt.Sprintf("127.%d.%d.%d", 100+rand.IntN(100), rand.IntN(256), 1+rand.IntN(254))
	bn := &bench{b: b, hub: b.Hub(), host: host, addr: make(map[string]string), python: python}

	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "hello.txt"), []byte("hello from the lab\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.SetSetting("ftp", ftpserver.SettingRoot, root)
	b.SetSetting("sftp", sftpserver.SettingRoot, root)
	b.SetSetting(smtp.Name, smtpserver.SettingInsecureAuth, smtpserver.On)
	b.SetSetting("pop3", pop3server.SettingPlainBeforeTLS, pop3server.On)
	b.SetSetting("imap", imapserver.SettingPlainBeforeTLS, imapserver.On)
	filter := []string{"host " + host}
	for _, p := range wire.Registry().All() {
		if p.NewServer == nil {
			continue
		}
		n := p.Name
		on := host
		if n == smtp.Name || n == smtp.BetaName {
			on = "127.0.0.1"
		}
		b.SetListen(on)
		b.SetPort(n, lowPort(t, on))
		if err := b.Start(n); err != nil {
			t.Fatalf("start %s: %v", n, err)
		}
		bn.addr[n] = b.Status(n).Addr
		if h, port, _ := net.SplitHostPort(bn.addr[n]); h != host {
			filter = append(filter, "port "+port)
		}
	}
	bn.filter = strings.Join(filter, " or ")
	return bn
}

// capture is one tcpdump run.
type capture struct {
	cmd   *exec.Cmd
	file  string
	done  chan error
	stats chan string // tcpdump's last words: how many packets it captured and dropped
}

// startCapture starts tcpdump on the loopback interface with the bench's filter
// and returns once it listens.
func (bn *bench) startCapture(t *testing.T) *capture {
	t.Helper()
	c := &capture{file: filepath.Join(t.TempDir(), "wire.pcap"), done: make(chan error, 1), stats: make(chan string, 1)}
	// In immediate mode each packet takes a slot of the snapshot length in the
	// kernel's ring: with tcpdump's default (256 KiB) a 32 MiB ring held 128
	// packets, and a busy machine dropped some. Loopback's largest packet is
	// 64 KiB and its Ethernet header: about 2,000 slots in 128 MiB.
	c.cmd = exec.Command("tcpdump", "-i", "lo", "-n", "--immediate-mode", "-U", "-s", "65600", "-B", "131072", "-w", c.file, bn.filter)
	stderr, err := c.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("tcpdump: %v", err)
	}
	ready := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stderr)
		var all []string
		for s.Scan() {
			all = append(all, s.Text())
			if strings.Contains(s.Text(), "listening on") {
				ready <- ""
			}
		}
		ready <- strings.Join(all, "\n")
		c.stats <- strings.Join(all, "\n")
		c.done <- c.cmd.Wait()
	}()
	select {
	case msg := <-ready:
		if msg != "" {
			t.Fatalf("tcpdump did not start: %s", msg)
		}
	case <-time.After(10 * time.Second):
		c.cmd.Process.Kill()
		t.Fatal("tcpdump did not start listening within 10 s")
	}
	t.Cleanup(func() { c.cmd.Process.Kill() })
	// tcpdump says it listens a moment before its filter sees packets.
	bn.mark(t, c.file, "wirecheck: start")
	return c
}

// mark sends datagrams carrying text to the servers' address until the capture
// in file holds one: what was on the wire before it is in the capture too.
func (bn *bench) mark(t *testing.T, file, text string) {
	t.Helper()
	probe, err := net.Dial("udp", net.JoinHostPort(bn.host, "9"))
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	for start := time.Now(); ; {
		probe.Write([]byte(text))
		if b, err := os.ReadFile(file); err == nil && bytes.Contains(b, []byte(text)) {
			return
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("tcpdump did not capture %q within 10 s", text)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends the capture, once it holds every packet sent so far, and returns
// its file.
func (c *capture) stop(t *testing.T, bn *bench) string {
	t.Helper()
	bn.mark(t, c.file, "wirecheck: end")
	c.cmd.Process.Signal(os.Interrupt)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		t.Fatal("tcpdump did not stop within 10 s")
	}
	stats := <-c.stats
	for _, l := range strings.Split(stats, "\n") {
		var n int
		if _, err := fmt.Sscanf(l, "%d packets dropped by kernel", &n); err == nil && n > 0 {
			t.Fatalf("tcpdump lost packets, so the capture is not the wire: %s", stats)
		}
	}
	// With several CPUs, packets reach the capture a little out of the order of
	// their timestamps; tshark's TCP analysis needs them in order.
	sorted := strings.TrimSuffix(c.file, ".pcap") + "-sorted.pcap"
	if out, err := exec.Command("reordercap", c.file, sorted).CombinedOutput(); err != nil {
		t.Fatalf("reordercap: %v\n%s", err, out)
	}
	return sorted
}

// run runs an outside client, bounded in time.
func run(t *testing.T, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// py runs one scenario of testdata/clients.py.
func (bn *bench) py(t *testing.T, scenario string, servers ...string) {
	t.Helper()
	args := []string{filepath.Join("testdata", "clients.py"), scenario}
	for _, s := range servers {
		args = append(args, bn.addr[s])
	}
	run(t, bn.python, args...)
}

// settled waits until the conversations after id last have ended, at least min
// of them, and their analysis has caught up; it returns them.
func (bn *bench) settled(t *testing.T, last lab.ConvID, min int) []lab.ConvInfo {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var convs []lab.ConvInfo
		live := 0
		for _, c := range bn.hub.Conversations() {
			if c.ID > last {
				convs = append(convs, c)
				if c.Live {
					live++
				}
			}
		}
		if live == 0 && len(convs) >= min {
			bn.hub.Settle()
			return convs
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d conversations still live (want at least %d) after 15 s", live, len(convs), min)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// lastConv is the newest conversation's ID.
func (bn *bench) lastConv() lab.ConvID {
	var id lab.ConvID
	for _, c := range bn.hub.Conversations() {
		id = max(id, c.ID)
	}
	return id
}

// lowPort is a port free on host (TCP and UDP) below Linux's ephemeral range
// (32768 and up), so that no client's port is ever a server's: tshark's Decode
// As rules go by port, and a client port that is some server's would decode its
// connection as that server's protocol.
func lowPort(t *testing.T, host string) int {
	t.Helper()
	for range 200 {
		port := 20000 + rand.IntN(12000)
		addr := net.JoinHostPort(host, strconv.Itoa(port))
		l, err := net.Listen("tcp", addr)
		if err != nil {
			continue
		}
		u, err := net.ListenPacket("udp", addr)
		l.Close()
		if err != nil {
			continue
		}
		u.Close()
		return port
	}
	t.Fatalf("no free port below 32768 on %s", host)
	return 0
}

package export_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	xssh "golang.org/x/crypto/ssh"

	"github.com/protocollab/protolab/clients/sftpclient"
	"github.com/protocollab/protolab/lab"
)

// TestPCAPNGReaderSegments: SFTP sessions only the server's tap saw, from the
// lab's client and from OpenSSH's sftp. The lab's SSH server reads the client's
// version line a byte at a time; the export sends the line as one segment, so
// tshark reads one version message from each side and the key exchange as SSH
// messages, nothing malformed.
func TestPCAPNGReaderSegments(t *testing.T) {
	needTshark(t)
	t.Run("lab client", func(t *testing.T) {
		tb := startBench(t, "sftp")
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := sftpclient.Dial(ctx, tb.addr["sftp"], sftpclient.Options{HostKeyCallback: xssh.InsecureIgnoreHostKey()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.List("/"); err != nil {
			t.Fatal(err)
		}
		c.Close()
		checkSSHSegments(t, tb)
	})
	t.Run("OpenSSH", func(t *testing.T) {
		sftp, err := exec.LookPath("sftp")
		if err != nil {
			t.Skip("OpenSSH's sftp is not installed (Debian package openssh-client)")
		}
		tb := startBench(t, "sftp")
		// Without a password to give, sftp stops after the key exchange, when it
		// would authenticate: what is checked here comes before.
		out, err := exec.Command(sftp, "-b", "/dev/null", "-P", port(tb.addr["sftp"]), "-o", "BatchMode=yes",
			"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=20",
			"lab@127.0.0.1").CombinedOutput()
		if testing.Verbose() {
			t.Logf("sftp: %v\n%s", err, out)
		}
		checkSSHSegments(t, tb)
	})
}

// checkSSHSegments checks the export of tb's one SFTP conversation, seen by the
// server's tap alone.
func checkSSHSegments(t *testing.T, tb *testBench) {
	t.Helper()
	convs, events, keys := tb.session(t)
	if len(convs) != 1 || convs[0].ClientSeen || !convs[0].ServerSeen {
		t.Fatalf("conversations = %+v, want one seen by the server alone", convs)
	}
	file := writePCAPNG(t, convs, events, keys)
	d := "tcp.port==" + port(tb.addr["sftp"]) + ",ssh"
	if testing.Verbose() {
		for _, l := range tshark(t, file, "-d", d) {
			t.Log(l)
		}
	}
	versions := tshark(t, file, "-d", d, "-Y", "ssh.protocol", "-T", "fields", "-e", "tcp.srcport", "-e", "ssh.protocol")
	if len(versions) != 2 || strings.HasPrefix(versions[0], port(tb.addr["sftp"])) == strings.HasPrefix(versions[1], port(tb.addr["sftp"])) {
		t.Errorf("version messages = %q, want one from each side", versions)
	}
	if kexinit := tshark(t, file, "-d", d, "-Y", "ssh.message_code == 20"); len(kexinit) != 2 {
		t.Errorf("KEXINIT messages = %q, want one from each side", kexinit)
	}
	// Past the key exchange Wireshark 4.0 reads the encrypted packets as malformed,
	// in a capture of the loopback interface too; before it, nothing is.
	if bad := tshark(t, file, "-d", d, "-Y", "tcp.analysis.flags || (ssh.protocol || ssh.message_code == 20) && _ws.malformed"); len(bad) > 0 {
		t.Errorf("problems: %q", bad)
	}
	if bytesOnly := tshark(t, file, "-d", d, "-Y", "tcp.len > 0 && !ssh"); len(bytesOnly) > 0 {
		t.Errorf("segments not read as SSH: %q", bytesOnly)
	}
}

// TestPCAPNGWriterSegments: a client the lab taps writes an SMTP message's body
// and its terminating "." separately, as curl does; each is a segment of its own.
func TestPCAPNGWriterSegments(t *testing.T) {
	needTshark(t)
	tb := startBench(t, "smtp")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := tb.tap("smtp").Dial(ctx, "tcp", tb.addr["smtp"])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(conn)
	reply := func(want string) {
		t.Helper()
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("waiting for %s: %v", want, err)
			}
			if len(l) < 4 || l[3] != '-' {
				if !strings.HasPrefix(l, want) {
					t.Fatalf("reply %q, want %s", l, want)
				}
				return
			}
		}
	}
	body := "From: bob@beta.test\r\nTo: alice@alpha.test\r\nSubject: two writes\r\n\r\nHello.\r\n"
	reply("220")
	for _, step := range [][2]string{
		{"EHLO client.lab.test\r\n", "250"}, {"MAIL FROM:<bob@beta.test>\r\n", "250"},
		{"RCPT TO:<alice@alpha.test>\r\n", "250"}, {"DATA\r\n", "354"}, {body, ""}, {".\r\n", "250"}, {"QUIT\r\n", "221"},
	} {
		if _, err := conn.Write([]byte(step[0])); err != nil {
			t.Fatal(err)
		}
		if step[1] != "" {
			reply(step[1])
		}
	}
	conn.Close()
	convs, events, keys := tb.session(t)
	file := writePCAPNG(t, convs, events, keys)
	segs := tshark(t, file, "-Y", "tcp.len > 0 && tcp.dstport == "+port(tb.addr["smtp"]), "-T", "fields", "-e", "tcp.payload")
	var got []string
	for _, s := range segs {
		b, err := hex.DecodeString(strings.ReplaceAll(s, ":", ""))
		if err != nil {
			t.Fatalf("payload %q: %v", s, err)
		}
		got = append(got, string(b))
	}
	want := []string{"EHLO client.lab.test\r\n", "MAIL FROM:<bob@beta.test>\r\n", "RCPT TO:<alice@alpha.test>\r\n", "DATA\r\n", body, ".\r\n", "QUIT\r\n"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("the client's segments = %q, want %q", got, want)
	}
}

// TestPCAPNGReset: a client outside the lab ends its connection with a reset
// (SO_LINGER 0, then close); the export has its RST and no FIN from it.
func TestPCAPNGReset(t *testing.T) {
	needTshark(t)
	tb := startBench(t, "tcp")
	conn, err := net.Dial("tcp", tb.addr["tcp"])
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := conn.Write([]byte("hello\n")); err != nil {
		t.Fatal(err)
	}
	echo := make([]byte, 6)
	if _, err := conn.Read(echo); err != nil {
		t.Fatal(err)
	}
	client := strconv.Itoa(conn.LocalAddr().(*net.TCPAddr).Port)
	conn.(*net.TCPConn).SetLinger(0)
	conn.Close()
	convs, events, keys := tb.session(t)
	file := writePCAPNG(t, convs, events, keys)
	if rst := tshark(t, file, "-Y", "tcp.flags.reset == 1", "-T", "fields", "-e", "tcp.srcport"); len(rst) != 1 || rst[0] != client {
		t.Errorf("resets from ports %q, want one from the client's %s", rst, client)
	}
	if fin := tshark(t, file, "-Y", "tcp.flags.fin == 1 && tcp.srcport == "+client); len(fin) > 0 {
		t.Errorf("FINs from the client = %q, want none", fin)
	}
}

// handmade is a TCP conversation on the loopback interface from events made by
// hand, seen by one tap.
type handmade struct {
	conv   lab.ConvInfo
	events []lab.Event
	side   lab.Side
}

var handmadeStart = time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)

func newHandmade(id lab.ConvID, clientPort int, side lab.Side) *handmade {
	h := &handmade{side: side, conv: lab.ConvInfo{ID: id, Protocol: "tcp", Transport: "tcp",
		Client: "127.0.0.1:" + strconv.Itoa(clientPort), Server: "127.0.0.1:7007", Start: handmadeStart,
		ClientSeen: side == lab.SideClient, ServerSeen: side == lab.SideServer}}
	h.add(0, lab.KindOpen, 0, nil, "")
	return h
}

// add adds an event at handmadeStart+at; data counts in the conversation's bytes.
func (h *handmade) add(at time.Duration, kind lab.Kind, d lab.Dir, data []byte, text string) {
	h.events = append(h.events, lab.Event{Seq: uint64(len(h.events) + 1), At: handmadeStart.Add(at), Conv: h.conv.ID, Kind: kind,
		Dir: d, Side: h.side, Data: data, Text: text})
	if d == lab.ClientToServer {
		h.conv.BytesC2S += int64(len(data))
	} else {
		h.conv.BytesS2C += int64(len(data))
	}
	h.conv.End = handmadeStart.Add(at)
}

// TestPCAPNGHalfClose: the client half-closes and the server answers after its
// FIN; the packets keep that order, and the server's FIN follows its answer.
func TestPCAPNGHalfClose(t *testing.T) {
	needTshark(t)
	h := newHandmade(3, 40003, lab.SideClient)
	h.add(1*time.Millisecond, lab.KindData, lab.ClientToServer, []byte("hello\n"), "")
	h.add(2*time.Millisecond, lab.KindClose, lab.ClientToServer, nil, "the client sent FIN: half-close")
	h.add(3*time.Millisecond, lab.KindData, lab.ServerToClient, []byte("hello\n"), "")
	h.add(4*time.Millisecond, lab.KindClose, lab.ServerToClient, nil, "the server sent FIN")
	h.conv.ClosedBy, h.conv.CloseHow = lab.SideClient, lab.HowFIN
	file := writePCAPNG(t, []lab.ConvInfo{h.conv}, h.events, nil)
	got := tshark(t, file, "-Y", "tcp.len > 0 || tcp.flags.fin == 1 || tcp.flags.reset == 1",
		"-T", "fields", "-e", "tcp.srcport", "-e", "tcp.len", "-e", "tcp.flags.fin")
	want := []string{"40003\t6\t0", "40003\t0\t1", "7007\t6\t0", "7007\t0\t1"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("packets (port, length, FIN) = %q, want %q", got, want)
	}
	if bad := tshark(t, file, "-Y", "tcp.analysis.flags || _ws.malformed"); len(bad) > 0 {
		t.Errorf("problems: %q", bad)
	}
}

// TestPCAPNGSegmentSizes: a direction only the reader saw is segmented as it was
// read, joining reads that came back to back, and a write larger than the kernel's
// send MSS is split at it.
func TestPCAPNGSegmentSizes(t *testing.T) {
	needTshark(t)
	h := newHandmade(4, 40004, lab.SideServer)
	h.conv.Client, h.conv.Server = "192.0.2.1:40004", "192.0.2.2:7007" // not loopback: the kernel's MSS counts
	h.conv.Kernel = &lab.TCPInfo{SndMSS: 1000}
	us := func(n int) time.Duration { return time.Duration(n) * time.Microsecond }
	for i, c := range []byte("SSH-2.0-Go\r\n") { // a byte at a time: one segment
		h.add(us(100+50*i), lab.KindData, lab.ClientToServer, []byte{c}, "")
	}
	h.add(us(800), lab.KindData, lab.ClientToServer, bytes.Repeat([]byte("a"), 300), "") // larger than the read before: a segment of its own
	h.add(us(900), lab.KindData, lab.ClientToServer, bytes.Repeat([]byte("b"), 400), "") // larger again
	h.add(us(5000), lab.KindData, lab.ServerToClient, bytes.Repeat([]byte("c"), 2500), "")
	h.add(us(5100), lab.KindData, lab.ClientToServer, bytes.Repeat([]byte("d"), 50), "") // the server's bytes between: its own
	file := writePCAPNG(t, []lab.ConvInfo{h.conv}, h.events, nil)
	got := tshark(t, file, "-Y", "tcp.len > 0", "-T", "fields", "-e", "tcp.srcport", "-e", "tcp.len")
	want := []string{"40004\t12", "40004\t300", "40004\t400", "7007\t1000", "7007\t1000", "7007\t500", "40004\t50"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("segments (port, length) = %q, want %q", got, want)
	}
}

// TestPCAPNGLoopbackSegments: on the loopback interface a write is cut where
// Linux's loopback cuts it, at 65,483 bytes, whatever MSS the kernel reported.
func TestPCAPNGLoopbackSegments(t *testing.T) {
	needTshark(t)
	h := newHandmade(5, 40005, lab.SideClient)
	h.conv.Kernel = &lab.TCPInfo{SndMSS: 39424}
	h.add(time.Millisecond, lab.KindData, lab.ClientToServer, bytes.Repeat([]byte("e"), 100000), "")
	file := writePCAPNG(t, []lab.ConvInfo{h.conv}, h.events, nil)
	got := tshark(t, file, "-Y", "tcp.len > 0", "-T", "fields", "-e", "tcp.len")
	if want := []string{"65483", "34517"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("segments' lengths = %q, want %q", got, want)
	}
}

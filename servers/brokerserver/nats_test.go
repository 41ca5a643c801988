package brokerserver

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/protocollab/protolab/lab"
	natsproto "github.com/protocollab/protolab/protocols/nats"
)

// rawConn dials addr as nc would, with a deadline for the whole test.
func rawConn(t testing.TB, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	return c, bufio.NewReader(c)
}

// readUntil reads lines up to and including the one that begins with prefix.
func readUntil(t testing.TB, r *bufio.Reader, prefix string) []string {
	t.Helper()
	var lines []string
	for {
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("after %q: %v", lines, err)
		}
		lines = append(lines, strings.TrimRight(l, "\r\n"))
		if strings.HasPrefix(l, prefix) {
			return lines
		}
	}
}

// TestNATSByHand is a NATS session typed as with nc: INFO, CONNECT, SUB, PUB,
// PING; the client's FIN is answered before the broker closes; and the lab
// captured the conversation from the broker's first byte, the client's bytes
// exactly as sent.
func TestNATSByHand(t *testing.T) {
	l := newTestLab(t, BrokerOptions{})
	c, r := rawConn(t, l.nats)
	if info := readUntil(t, r, "INFO"); !strings.HasPrefix(info[0], "INFO {") {
		t.Fatalf("first line %q, want INFO", info[0])
	}
	sent := "CONNECT {\"verbose\":false,\"pedantic\":false}\r\nSUB lab.> 1\r\nPUB lab.sensors.t1 4\r\n21.5\r\nPING\r\n"
	io.WriteString(c, sent)
	got := readUntil(t, r, "PONG")
	if want := []string{"MSG lab.sensors.t1 1 4", "21.5", "PONG"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("the broker answered %q, want %q", got, want)
	}
	// The last command with the client's FIN: the broker still answers it.
	io.WriteString(c, "PING\r\n")
	sent += "PING\r\n"
	c.(*net.TCPConn).CloseWrite()
	if rest, _ := io.ReadAll(r); string(rest) != "PONG\r\n" {
		t.Errorf("after the client's FIN the broker sent %q, want PONG", rest)
	}

	convs := convsOf(l.hub, natsproto.Name)
	if len(convs) != 1 {
		t.Fatalf("%d NATS conversations, want 1", len(convs))
	}
	id := convs[0].ID
	if dir, first := firstData(l.hub, id); dir != lab.ServerToClient || !bytes.HasPrefix(first, []byte("INFO {")) {
		t.Errorf("the first bytes: %v %q, want the broker's INFO", dir, first)
	}
	if got := captured(l.hub, id, lab.ClientToServer); string(got) != sent {
		t.Errorf("captured from the client %q, want %q", got, sent)
	}
}

// TestQueueGroup: each message to a queue group goes to one of its members; a
// plain subscriber gets every one.
func TestQueueGroup(t *testing.T) {
	l := newTestLab(t, BrokerOptions{})
	const n = 30
	var members []*nats.Conn
	got := make(chan string, 4*n)
	for i := range 3 {
		nc := natsConn(t, l.nats)
		if _, err := nc.QueueSubscribe("jobs", "workers", func(m *nats.Msg) { got <- fmt.Sprint(i, " ", string(m.Data)) }); err != nil {
			t.Fatal(err)
		}
		nc.Flush()
		members = append(members, nc)
	}
	watcher := natsConn(t, l.nats)
	all, err := watcher.SubscribeSync("jobs")
	if err != nil {
		t.Fatal(err)
	}
	watcher.Flush()
	pub := natsConn(t, l.nats)
	for i := range n {
		pub.Publish("jobs", []byte(fmt.Sprint("job", i)))
	}
	pub.Flush()
	for _, nc := range members {
		nc.Flush() // the broker's deliveries to it are in before the PONG
	}
	watcher.Flush()
	seen := map[string]int{}
	for range n {
		select {
		case g := <-got:
			_, job, _ := strings.Cut(g, " ")
			seen[job]++
		case <-time.After(20 * time.Second):
			t.Fatalf("the group got %d of %d", len(seen), n)
		}
	}
	if len(got) != 0 || len(seen) != n {
		t.Errorf("the group got %d distinct jobs and %d more, want each of %d once", len(seen), len(got), n)
	}
	if m, _, _ := all.Pending(); m != n {
		t.Errorf("the plain subscriber has %d, want %d", m, n)
	}
}

// TestNATSBadInput: a wildcard in a PUB subject is refused with -ERR and the
// connection lives on; a payload over the limit is refused and closed; the
// broker serves the next client.
func TestNATSBadInput(t *testing.T) {
	l := newTestLab(t, BrokerOptions{MaxPayload: 1024})
	c, r := rawConn(t, l.nats)
	readUntil(t, r, "INFO")
	io.WriteString(c, "CONNECT {\"verbose\":false}\r\nPUB lab.* 2\r\nhi\r\nPING\r\n")
	if got := readUntil(t, r, "PONG"); !strings.Contains(got[0], "-ERR 'Invalid Publish Subject'") {
		t.Errorf("wildcard PUB answered %q, want -ERR 'Invalid Publish Subject'", got)
	}
	fmt.Fprintf(c, "PUB lab.big 4096\r\n%s\r\n", strings.Repeat("x", 4096))
	if got := readUntil(t, r, "-ERR"); !strings.Contains(got[len(got)-1], "Maximum Payload Violation") {
		t.Errorf("over the limit answered %q, want -ERR 'Maximum Payload Violation'", got)
	}
	if rest, err := io.ReadAll(r); err != nil || len(rest) != 0 {
		t.Errorf("after the violation %q, %v; want the broker's close", rest, err)
	}
	if err := natsConn(t, l.nats).Flush(); err != nil {
		t.Errorf("the next client: %v", err)
	}
}

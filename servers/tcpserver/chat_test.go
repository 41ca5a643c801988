package tcpserver_test

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/tcpserver"
)

// chatAll connects n clients to a chat server, one after the other: each says
// hello and waits for its own hello to come back, which proves it is in the chat
// (and so are all before it). Then all of them send lines lines at once, and each
// must receive every line of every client, once, in each sender's order, after the
// hellos of the clients that joined after it.
func chatAll(t *testing.T, n, lines int, tap *lab.Tap) *tcpserver.Server {
	// Under the race detector on a busy machine a test client can fall seconds
	// behind; this test is about delivery, so the slow-client rule (tested on its
	// own below) gets a long write timeout here.
	srv, addr := startServer(t, tcpserver.Options{
		Mode: tcpserver.ModeChat, Tap: tap, WriteTimeout: time.Minute, Logf: t.Logf,
	})
	conns := make([]*lineConn, n)
	for i := range conns {
		c := dialLines(t, addr)
		hello := fmt.Sprintf("hello %d\n", i)
		if _, err := io.WriteString(c, hello); err != nil {
			t.Fatal(err)
		}
		if got, err := c.line(); got != hello {
			t.Fatalf("client %d read %q, %v; want its own hello", i, got, err)
		}
		conns[i] = c
	}
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- chatClient(c, i, n, lines)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return srv
}

// chatClient sends client id's lines and reads until it has every client's.
func chatClient(c *lineConn, id, n, lines int) error {
	var b strings.Builder
	for k := range lines {
		b.WriteString(lineText(id, k))
	}
	if _, err := io.WriteString(c, b.String()); err != nil {
		return err
	}
	nextHello := id + 1    // later clients' hellos arrive in the order they joined
	next := make([]int, n) // the next line number expected from each client
	for got := 0; got < n*lines || nextHello < n; {
		s, err := c.line()
		if err != nil {
			return fmt.Errorf("client %d after %d lines, waiting for hello %d: %v", id, got, nextHello, err)
		}
		word, from, k, ok := parseLine(s)
		switch {
		case ok && word == "line":
			if from < 0 || from >= n || k != next[from] || s != lineText(from, k) {
				return fmt.Errorf("client %d got %q, want line %d of client %d", id, s, next[from], from)
			}
			next[from]++
			got++
		case ok && word == "hello" && from == nextHello:
			nextHello++
		default:
			return fmt.Errorf("client %d got %q, want hello %d or a line", id, s, nextHello)
		}
	}
	return nil
}

// parseLine splits "hello 7\n" and "line 7 3 xxx\n"; k is -1 for a hello.
func parseLine(s string) (word string, from, k int, ok bool) {
	f := strings.Fields(s)
	if len(f) < 2 {
		return "", 0, 0, false
	}
	from, err := strconv.Atoi(f[1])
	if err != nil {
		return "", 0, 0, false
	}
	k = -1
	if f[0] == "line" {
		if len(f) < 3 {
			return "", 0, 0, false
		}
		if k, err = strconv.Atoi(f[2]); err != nil {
			return "", 0, 0, false
		}
	}
	return f[0], from, k, true
}

func lineText(from, k int) string {
	return fmt.Sprintf("line %d %d %s\n", from, k, strings.Repeat("x", (from+k)%37))
}

func TestChat200Clients(t *testing.T) {
	hub := newHub()
	srv := chatAll(t, 200, 5, hub.Tap(tcpProtocol()))
	if n := srv.Sessions(); n != 200 {
		t.Errorf("Sessions = %d, want 200", n)
	}
	convs := hub.Conversations()
	if len(convs) != 200 {
		t.Fatalf("hub has %d conversations, want 200", len(convs))
	}
	// Client i received the hellos from i on and 1,000 lines; the server's tap saw them all.
	var lineBytes int64
	for i := range 200 {
		for k := range 5 {
			lineBytes += int64(len(lineText(i, k)))
		}
	}
	for i, c := range convs {
		want := lineBytes
		for j := i; j < 200; j++ {
			want += int64(len(fmt.Sprintf("hello %d\n", j)))
		}
		if c.BytesS2C != want {
			t.Fatalf("conversation %d: the tap saw %d bytes to the client, want %d", c.ID, c.BytesS2C, want)
		}
	}
}

func TestChat1000ClientsLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test: 1,000 clients")
	}
	hub := newHub()
	chatAll(t, 1000, 2, hub.Tap(tcpProtocol()))
}

func TestChatLongLine(t *testing.T) {
	_, addr := startServer(t, tcpserver.Options{Mode: tcpserver.ModeChat, MaxLineBytes: 16})
	c := dialLines(t, addr)
	c.Write([]byte("short\n" + strings.Repeat("y", 40) + "\n"))
	if got, _ := c.line(); got != "short\n" {
		t.Fatalf("read %q, want the short line", got)
	}
	want := "tcpserver: line longer than 16 bytes; closing the connection\r\n"
	if got, _ := c.line(); got != want {
		t.Errorf("read %q, want %q", got, want)
	}
	if _, err := c.line(); err == nil {
		t.Error("connection still open after a too-long line")
	}
}

func TestChatLastLineWithoutNewline(t *testing.T) {
	_, addr := startServer(t, tcpserver.Options{Mode: tcpserver.ModeChat})
	c := dialLines(t, addr)
	c.Write([]byte("no newline"))
	c.Conn.(interface{ CloseWrite() error }).CloseWrite()
	if got, err := c.line(); got != "no newline\n" {
		t.Errorf("read %q, %v; want the line with a newline added", got, err)
	}
	if _, err := c.line(); !errors.Is(err, io.EOF) {
		t.Errorf("after the last line: %v, want EOF (the server closes once its queue is written)", err)
	}
}

// A client that never reads is dropped; the others keep chatting.
func TestChatSlowClientDropped(t *testing.T) {
	var mu sync.Mutex
	var logs []string
	srv, addr := startServer(t, tcpserver.Options{
		Mode:          tcpserver.ModeChat,
		MaxQueueBytes: 64 << 10,
		MaxLineBytes:  8 << 10,
		Logf: func(f string, a ...any) {
			mu.Lock()
			logs = append(logs, fmt.Sprintf(f, a...))
			mu.Unlock()
		},
	})
	slow := dialLines(t, addr)
	slow.Conn.(interface{ SetReadBuffer(int) error }).SetReadBuffer(4096)
	slow.Write([]byte("slow\n"))
	if got, _ := slow.line(); got != "slow\n" { // slow is in the chat
		t.Fatalf("slow read %q", got)
	}
	fast := dialLines(t, addr)
	fast.Write([]byte("fast\n"))
	if got, _ := fast.line(); got != "fast\n" {
		t.Fatalf("fast read %q", got)
	}
	line := strings.Repeat("z", 4000) + "\n"
	// A batch stays within the fast client's own queue bound while it is not reading.
	batch := strings.Repeat(line, 8)
	for i := 0; srv.Sessions() == 2; i++ {
		if i == 2048 { // 64 MB: far beyond every buffer on the way
			t.Fatal("the client that never reads was never dropped")
		}
		if _, err := io.WriteString(fast, batch); err != nil {
			t.Fatal(err)
		}
		for range 8 {
			if got, err := fast.line(); got != line {
				t.Fatalf("fast client read %d bytes, %v; want its own line back", len(got), err)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(logs) == 0 || !strings.Contains(logs[0], "dropped") {
		t.Errorf("log = %q, want a note that the slow client was dropped", logs)
	}
}

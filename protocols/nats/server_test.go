package nats

import (
	"bufio"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"

	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// startServer runs nats-server on 127.0.0.1, a port chosen by the system.
func startServer(t *testing.T) *server.Server {
	t.Helper()
	s, err := server.NewServer(&server.Options{ServerName: "lab", Host: "127.0.0.1", Port: -1, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	t.Cleanup(s.Shutdown)
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	return s
}

// session drives nats.go through every verb a client sends and a server
// answers: subscriptions (one with a queue group), publications with and
// without headers, a request with its reply, a request nobody answers, a
// flush and unsubscriptions.
func session(t *testing.T, url string) {
	nc, err := natsgo.Connect(url, natsgo.Name("lab-test"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	got := make(chan *natsgo.Msg, 16)
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	sensors, err := nc.ChanSubscribe("lab.*.t1", got)
	must(nil, err)
	must(nc.ChanQueueSubscribe("work", "workers", got))
	must(nc.Subscribe("help", func(m *natsgo.Msg) { m.Respond([]byte("here")) }))
	must(nil, nc.Flush())
	must(nil, nc.Publish("lab.sensors.t1", []byte("21.5")))
	must(nil, nc.PublishMsg(&natsgo.Msg{Subject: "lab.sensors.t1", Header: natsgo.Header{"Unit": []string{"C"}}, Data: []byte("21.6")}))
	must(nil, nc.Publish("work", []byte("job\r\n1")))
	for range 3 {
		select {
		case <-got:
		case <-time.After(10 * time.Second):
			t.Fatal("a message did not come")
		}
	}
	must(nc.Request("help", []byte("please"), 10*time.Second))
	if _, err := nc.Request("nobody.home", nil, 10*time.Second); err != natsgo.ErrNoResponders {
		t.Fatalf("request to nobody: %v, want no responders", err)
	}
	must(nil, sensors.AutoUnsubscribe(5))
	must(nil, sensors.Unsubscribe())
	must(nil, nc.Flush())
}

// raw sends lines by hand, as with nc: verbose mode, a PING, and a verb the
// server does not know, which it answers with -ERR and a close.
func raw(t *testing.T, addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	// read reads lines until one that begins with prefix.
	read := func(prefix string) {
		t.Helper()
		for {
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("read %q, %v; want %s", line, err, prefix)
			}
			if strings.HasPrefix(line, prefix) {
				return
			}
		}
	}
	read("INFO ")
	c.Write([]byte("CONNECT {\"verbose\":true,\"pedantic\":false,\"name\":\"by hand\"}\r\nPING\r\n"))
	read("+OK")
	read("PONG")
	c.Write([]byte("sub lab.> 1\r\npub lab.x 2\r\nhi\r\n"))
	read("hi")
	c.Write([]byte("FOO bar\r\n"))
	read("-ERR")
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	r.ReadString('\n') // the server's close
}

// TestServer records the sessions with a real nats-server and checks that
// the analyzer frames them whole and in chunks alike, names every verb and
// finds nothing malformed but the unknown verb. With -update it rewrites
// testdata from them.
func TestServer(t *testing.T) {
	s := startServer(t)
	proxy := analyzertest.NewProxy(t, strings.TrimPrefix(s.ClientURL(), "nats://"))
	session(t, "nats://"+proxy.Addr)
	raw(t, proxy.Addr)
	conns := proxy.Conns()
	if len(conns) != 2 {
		t.Fatalf("%d connections", len(conns))
	}
	if *update {
		analyzertest.WriteCapture(t, filepath.Join("testdata", "natsgo.txt"), "nats.go v1.56.0 against nats-server v2.15.3: TestServer's session", conns[0])
		analyzertest.WriteCapture(t, filepath.Join("testdata", "by-hand.txt"), "lines typed by hand against nats-server v2.15.3: TestServer's raw", conns[1])
	}
	verbs := map[string]bool{}
	for i, steps := range conns {
		whole := analyzertest.FeedSpans(t, NewAnalyzer(), steps)
		for _, chunk := range []int{1, 7} {
			if got := analyzertest.Summaries(analyzertest.Feed(NewAnalyzer(), steps, chunk)); !slices.Equal(got, analyzertest.Summaries(whole)) {
				t.Errorf("connection %d in chunks of %d:\n%q, whole\n%q", i, chunk, got, analyzertest.Summaries(whole))
			}
		}
		for _, m := range whole {
			v := analyzertest.Field(m, "verb")
			verbs[v] = true
			if strings.HasPrefix(m.Summary, "malformed") && v != "FOO" {
				t.Errorf("connection %d: %q", i, m.Summary)
			}
			if pub := slices.Contains([]string{"PUB", "HPUB", "MSG", "HMSG"}, v); pub != (m.Pub != nil) {
				t.Errorf("%q: publication %v", m.Summary, m.Pub)
			}
		}
		if got := analyzertest.States(whole); !slices.Equal(got, []string{StateConnecting, StateConnected}) {
			t.Errorf("connection %d: states %q", i, got)
		}
	}
	for _, v := range []string{"INFO", "CONNECT", "PUB", "HPUB", "SUB", "UNSUB", "MSG", "HMSG", "PING", "PONG", "+OK", "-ERR"} {
		if !verbs[strings.ToUpper(v)] {
			t.Errorf("no %s in the sessions", v)
		}
	}
}

package redisclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/redis"
	"github.com/protocollab/protolab/servers/redisserver"
)

// testLab is the lab's Redis server and the tap the clients dial through,
// on one hub.
func testLab(t *testing.T) (string, *lab.Hub, *lab.Tap) {
	t.Helper()
	hub := lab.NewHub(lab.HubOptions{})
	tap := hub.Tap(redis.Protocol())
	srv, err := redisserver.New(redisserver.Options{Tap: tap})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	<-srv.Started()
	return l.Addr().String(), hub, tap
}

func connect(t *testing.T, addr string, tap *lab.Tap, protocol int) *Client {
	t.Helper()
	c, err := Connect(context.Background(), addr, Options{Tap: tap, Username: "lab", Password: "lab", Protocol: protocol})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// doTests are lines typed in the console with the reply the client shows,
// over RESP2 and RESP3.
var doTests = []struct {
	line        string
	resp2, typ2 string
	resp3, typ3 string
}{
	{"FLUSHDB", "OK", "simple string (RESP2)", "OK", "simple string (RESP2)"},
	{"SET greeting \"hello world\"", "OK", "simple string (RESP2)", "OK", "simple string (RESP2)"},
	{"GET greeting", `"hello world"`, "bulk string (RESP2)", `"hello world"`, "bulk string (RESP2)"},
	{"GET nothing", "(nil)", "bulk string (RESP2)", "(nil)", "null (RESP3)"},
	{"DEL h", "(integer) 0", "integer (RESP2)", "(integer) 0", "integer (RESP2)"},
	{"HSET h f v", "(integer) 1", "integer (RESP2)", "(integer) 1", "integer (RESP2)"},
	{"HGETALL h", "1) \"f\"\n2) \"v\"", "array (RESP2)", "1# \"f\" => \"v\"", "map (RESP3)"},
	{"LPUSH greeting x", "(error) WRONGTYPE Operation against a key holding the wrong kind of value", "simple error (RESP2)",
		"(error) WRONGTYPE Operation against a key holding the wrong kind of value", "simple error (RESP2)"},
	{"MULTI", "OK", "simple string (RESP2)", "OK", "simple string (RESP2)"},
	{"INCR n", "QUEUED", "simple string (RESP2)", "QUEUED", "simple string (RESP2)"},
	{"EXEC", "1) (integer) 1", "array (RESP2)", "1) (integer) 1", "array (RESP2)"},
	{"DEL n", "(integer) 1", "integer (RESP2)", "(integer) 1", "integer (RESP2)"},
}

func TestDo(t *testing.T) {
	addr, hub, tap := testLab(t)
	for _, protocol := range []int{2, 3} {
		c := connect(t, addr, tap, protocol)
		for _, tt := range doTests {
			r, err := c.Do(context.Background(), tt.line)
			text, typ := tt.resp2, tt.typ2
			if protocol == 3 {
				text, typ = tt.resp3, tt.typ3
			}
			if err != nil || r.Text != text || r.Type != typ {
				t.Errorf("RESP%d %s: %q %q %v, want %q %q", protocol, tt.line, r.Text, r.Type, err, text, typ)
			}
		}
		if _, err := c.Do(context.Background(), "SUBSCRIBE news"); !errors.Is(err, ErrSubscribeHere) {
			t.Errorf("SUBSCRIBE in the console: %v", err)
		}
		if _, err := c.Do(context.Background(), "SET 'x"); err == nil {
			t.Error("an unclosed quote ran")
		}
		if c.Conversation() == 0 {
			t.Error("no conversation")
		}
		conv := hub.Conversation(c.Conversation())
		if conv == nil {
			t.Fatal("the hub has no conversation for the client")
		}
	}
}

// TestSubscriber: two subscribers, one of a pattern, get what the console
// publishes.
func TestSubscriber(t *testing.T) {
	addr, _, tap := testLab(t)
	for _, protocol := range []int{2, 3} {
		c := connect(t, addr, tap, protocol)
		ctx := context.Background()
		// Channels of their own each time: the server forgets closed subscribers in its own time.
		news := fmt.Sprintf("news%d", protocol)
		a, err := c.Subscribe(ctx, []string{news + ".tech"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := c.Subscribe(ctx, nil, []string{news + ".*"})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := c.Publish(ctx, news+".tech", "hello"); n != 2 || err != nil {
			t.Errorf("RESP%d: PUBLISH reached %d, %v; want 2", protocol, n, err)
		}
		for _, s := range []struct {
			sub     *Subscriber
			pattern string
		}{{a, ""}, {b, news + ".*"}} {
			select {
			case m := <-s.sub.Receive():
				if m.Channel != news+".tech" || m.Payload != "hello" || m.Pattern != s.pattern {
					t.Errorf("RESP%d: %+v", protocol, m)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("RESP%d: no message", protocol)
			}
		}
		if a.Conversation() == 0 || a.Conversation() == c.Conversation() {
			t.Errorf("the subscriber's conversation %d, the console's %d", a.Conversation(), c.Conversation())
		}
		a.Close()
		b.Close()
	}
}

func TestCommandNames(t *testing.T) {
	names := CommandNames()
	for _, want := range []string{"GET", "SET", "SUBSCRIBE", "HELLO", "ZADD"} {
		found := false
		for _, n := range names {
			found = found || n == want
		}
		if !found {
			t.Errorf("no %s in %q", want, names)
		}
	}
	if !strings.Contains(Explain("get"), "string") {
		t.Errorf("GET explained as %q", Explain("get"))
	}
}

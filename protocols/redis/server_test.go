package redis

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/protocollab/protolab/protocols/internal/analyzertest"
	"github.com/protocollab/protolab/protocols/redis/redistest"
)

// captureFiles are the sessions TestServer records with Debian's
// redis-server, in the order it records them.
var captureFiles = []struct{ file, about string }{
	{"goredis-resp2.txt", "go-redis v9.23.0 (RESP2) against redis-server 7.0.15: TestServer's session"},
	{"goredis-resp2-pipeline.txt", "go-redis v9.23.0 (RESP2) against redis-server 7.0.15: TestServer's session's pipeline"},
	{"goredis-resp3.txt", "go-redis v9.23.0 (RESP3) against redis-server 7.0.15: TestServer's session"},
	{"goredis-resp3-pipeline.txt", "go-redis v9.23.0 (RESP3) against redis-server 7.0.15: TestServer's session's pipeline"},
	{"subscriber.txt", "a go-redis v9.23.0 subscriber (RESP2) against redis-server 7.0.15: TestServer's subscriber"},
	{"by-hand.txt", "inline commands typed by hand against redis-server 7.0.15: TestServer's raw"},
}

// session drives go-redis over one connection through every kind of reply:
// strings, lists, hashes, sets, sorted sets, expiry, a pipeline, a
// transaction with WATCH, a publication and errors.
func session(t *testing.T, addr string, protocol int) {
	ctx := context.Background()
	rdb := goredis.NewClient(&goredis.Options{Addr: addr, Username: "lab", Password: "lab", Protocol: protocol, PoolSize: 1,
		DisableIdentity: true})
	defer rdb.Close()
	must := func(err error) {
		t.Helper()
		if err != nil && err != goredis.Nil {
			t.Fatal(err)
		}
	}
	must(rdb.Set(ctx, "greeting", "hello", 0).Err())
	must(rdb.Get(ctx, "greeting").Err())
	must(rdb.Get(ctx, "nothing").Err())
	must(rdb.Set(ctx, "short", "lived", time.Minute).Err())
	must(rdb.TTL(ctx, "short").Err())
	must(rdb.RPush(ctx, "list", "a", "b", "c").Err())
	must(rdb.LRange(ctx, "list", 0, -1).Err())
	must(rdb.HSet(ctx, "hash", "f1", "v1", "f2", "v2").Err())
	must(rdb.HGetAll(ctx, "hash").Err())
	must(rdb.SAdd(ctx, "set", "x", "y").Err())
	must(rdb.SMembers(ctx, "set").Err())
	must(rdb.ZAdd(ctx, "zset", goredis.Z{Score: 1.5, Member: "m"}).Err())
	must(rdb.ZScore(ctx, "zset", "m").Err())
	must(rdb.ZRangeWithScores(ctx, "zset", 0, -1).Err())
	pipe := rdb.Pipeline()
	pipe.Incr(ctx, "n")
	pipe.Incr(ctx, "n")
	pipe.Get(ctx, "n")
	_, err := pipe.Exec(ctx)
	must(err)
	must(rdb.Watch(ctx, func(tx *goredis.Tx) error {
		_, err := tx.TxPipelined(ctx, func(p goredis.Pipeliner) error {
			p.Incr(ctx, "n")
			p.Expire(ctx, "n", time.Hour)
			return nil
		})
		return err
	}, "n"))
	must(rdb.Publish(ctx, "news", "hi").Err())
	if err := rdb.LPush(ctx, "greeting", "x").Err(); err == nil || !strings.HasPrefix(err.Error(), "WRONGTYPE") {
		t.Errorf("LPUSH on a string: %v", err)
	}
}

// subscriber subscribes to a channel and a pattern, has publish (another
// connection) send to both, and reads the messages.
func subscriber(t *testing.T, addr string, publish func(channel, msg string)) {
	ctx := context.Background()
	rdb := goredis.NewClient(&goredis.Options{Addr: addr, Username: "lab", Password: "lab", Protocol: 2, DisableIdentity: true})
	defer rdb.Close()
	ps := rdb.Subscribe(ctx, "news")
	if _, err := ps.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ps.PSubscribe(ctx, "sport.*"); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	publish("news", "hello")
	publish("sport.tennis", "6-4")
	for range 2 {
		if _, err := ps.ReceiveMessage(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := ps.Unsubscribe(ctx); err != nil {
		t.Fatal(err)
	}
	ps.Close()
}

// raw types inline commands, as in telnet: a login, a quoted argument, a
// command the server does not know, and unbalanced quotes, which end it.
func raw(t *testing.T, addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	for _, line := range []string{"PING", "AUTH lab lab", "SET k \"a b\"", "GET k", "FOO", "SET \"x"} {
		fmt.Fprintf(c, "%s\r\n", line)
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := r.ReadString('\n'); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if line == "GET k" {
			r.ReadString('\n')
		}
	}
	r.ReadString('\n') // the close
}

// TestServer records sessions with Debian's redis-server and checks that the
// analyzer frames them whole and in chunks alike, finds nothing malformed but
// the unbalanced quotes, and pairs every reply. With -update it rewrites
// testdata from them.
func TestServer(t *testing.T) {
	addr := redistest.Start(t, "--user", "default", "off")
	proxy := analyzertest.NewProxy(t, addr)
	session(t, proxy.Addr, 2)
	session(t, proxy.Addr, 3)
	pub := goredis.NewClient(&goredis.Options{Addr: addr, Username: "lab", Password: "lab"})
	defer pub.Close()
	subscriber(t, proxy.Addr, func(ch, msg string) {
		if err := pub.Publish(context.Background(), ch, msg).Err(); err != nil {
			t.Fatal(err)
		}
	})
	raw(t, proxy.Addr)
	conns := proxy.Conns()
	if len(conns) != len(captureFiles) {
		for _, c := range conns {
			t.Log(analyzertest.Summaries(analyzertest.Feed(NewAnalyzer(), c, 0)))
		}
		t.Fatalf("%d connections", len(conns))
	}
	for i, steps := range conns {
		if *update {
			analyzertest.WriteCapture(t, filepath.Join("testdata", captureFiles[i].file), captureFiles[i].about, steps)
		}
		checkCapture(t, captureFiles[i].file, steps)
	}
}

// TestCaptures checks the recorded sessions as TestServer does the live ones.
func TestCaptures(t *testing.T) {
	for _, f := range captureFiles {
		checkCapture(t, f.file, capture(t, f.file))
	}
}

func checkCapture(t *testing.T, name string, steps []analyzertest.Step) {
	t.Helper()
	whole := analyzertest.FeedSpans(t, NewAnalyzer(), steps)
	for _, chunk := range []int{1, 7} {
		if got := analyzertest.Summaries(analyzertest.Feed(NewAnalyzer(), steps, chunk)); !slices.Equal(got, analyzertest.Summaries(whole)) {
			t.Errorf("%s in chunks of %d:\n%q, whole\n%q", name, chunk, got, analyzertest.Summaries(whole))
		}
	}
	asked := 0
	for _, m := range whole {
		if strings.HasPrefix(m.Summary, "malformed") && !strings.Contains(m.Summary, "quotes") {
			t.Errorf("%s: %q", name, m.Summary)
		}
		if m.Role == 0 && m.Pub == nil {
			t.Errorf("%s: %q is neither command, reply nor message", name, m.Summary)
		}
		if m.Meaning == "" {
			t.Errorf("%s: %q has no meaning", name, m.Summary)
		}
		if m.Role == 1 {
			asked++
		}
	}
	if asked == 0 {
		t.Errorf("%s: no commands", name)
	}
}

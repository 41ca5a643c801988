package redisserver

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/redis"
	"github.com/protocollab/protolab/servers/internal/authdelay"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// TestGoRedis drives go-redis over RESP2 and RESP3 through the data types,
// expiry, a pipeline and transactions with WATCH.
func TestGoRedis(t *testing.T) {
	for _, protocol := range []int{2, 3} {
		t.Run(map[int]string{2: "RESP2", 3: "RESP3"}[protocol], func(t *testing.T) {
			addr, srv, hub := testServer(t, Options{})
			ctx := context.Background()
			rdb := client(t, addr, protocol)
			check := func(what string, got, want any) {
				t.Helper()
				if !equal(got, want) {
					t.Errorf("%s = %v, want %v", what, got, want)
				}
			}
			check("SET", rdb.Set(ctx, "greeting", "hello", 0).Val(), "OK")
			check("GET", rdb.Get(ctx, "greeting").Val(), "hello")
			if err := rdb.Get(ctx, "nothing").Err(); !errors.Is(err, goredis.Nil) {
				t.Errorf("GET of a missing key: %v", err)
			}
			check("RPUSH", rdb.RPush(ctx, "list", "a", "b", "c").Val(), int64(3))
			check("LRANGE", rdb.LRange(ctx, "list", 0, -1).Val(), []string{"a", "b", "c"})
			check("HSET", rdb.HSet(ctx, "hash", "f1", "v1", "f2", "v2").Val(), int64(2))
			check("HGETALL", rdb.HGetAll(ctx, "hash").Val(), map[string]string{"f1": "v1", "f2": "v2"})
			check("SADD", rdb.SAdd(ctx, "set", "x", "y").Val(), int64(2))
			members := rdb.SMembers(ctx, "set").Val()
			slices.Sort(members)
			check("SMEMBERS", members, []string{"x", "y"})
			rdb.ZAdd(ctx, "zset", goredis.Z{Score: 2, Member: "b"}, goredis.Z{Score: 1.5, Member: "a"})
			check("ZRANGE", rdb.ZRange(ctx, "zset", 0, -1).Val(), []string{"a", "b"})
			check("ZSCORE", rdb.ZScore(ctx, "zset", "a").Val(), 1.5)
			if err := rdb.LPush(ctx, "greeting", "x").Err(); err == nil || !strings.HasPrefix(err.Error(), "WRONGTYPE") {
				t.Errorf("LPUSH on a string: %v", err)
			}

			// Expiry: the server's clock moved on.
			rdb.Set(ctx, "short", "lived", 10*time.Second)
			if ttl := rdb.TTL(ctx, "short").Val(); ttl < 8*time.Second || ttl > 10*time.Second {
				t.Errorf("TTL = %v, want about 10s", ttl)
			}
			srv.FastForward(11 * time.Second)
			check("EXISTS after expiry", rdb.Exists(ctx, "short").Val(), int64(0))

			// A pipeline: several commands in one write.
			cmds, err := rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
				p.Incr(ctx, "n")
				p.Incr(ctx, "n")
				p.Get(ctx, "n")
				return nil
			})
			if err != nil || len(cmds) != 3 || cmds[2].(*goredis.StringCmd).Val() != "2" {
				t.Errorf("pipeline: %v %v", cmds, err)
			}

			// WATCH: a change by another client aborts the transaction.
			other := client(t, addr, protocol)
			err = rdb.Watch(ctx, func(tx *goredis.Tx) error {
				other.Incr(ctx, "n")
				_, err := tx.TxPipelined(ctx, func(p goredis.Pipeliner) error {
					p.Incr(ctx, "n")
					return nil
				})
				return err
			}, "n")
			if !errors.Is(err, goredis.TxFailedErr) {
				t.Errorf("WATCH with a change meanwhile: %v", err)
			}
			err = rdb.Watch(ctx, func(tx *goredis.Tx) error {
				_, err := tx.TxPipelined(ctx, func(p goredis.Pipeliner) error {
					p.Incr(ctx, "n")
					p.Expire(ctx, "n", time.Hour)
					return nil
				})
				return err
			}, "n")
			check("WATCH, MULTI, EXEC", err, nil)
			check("n", rdb.Get(ctx, "n").Val(), "4")

			// The lab saw it all: a transaction, a pipeline, each reply paired.
			msgs := messages(t, hub, func(m []lab.Message) bool { return has(m, "EXEC → (array of 2)") })
			for _, want := range []string{"MULTI → OK", "INCR → QUEUED", "EXEC → (nil)", "GET → \"hello\""} {
				if !has(msgs, want) {
					t.Errorf("no %q in %q", want, summaries(msgs))
				}
			}
			for _, m := range msgs {
				if strings.HasPrefix(m.Summary, "malformed") {
					t.Errorf("%q", m.Summary)
				}
			}
		})
	}
}

// TestPubSub: two subscribers of a channel and one of a pattern get what a
// publisher sends, and the hub follows the PUBLISH to each delivery.
func TestPubSub(t *testing.T) {
	for _, protocol := range []int{2, 3} {
		addr, _, hub := testServer(t, Options{})
		ctx := context.Background()
		var subs []*goredis.PubSub
		for _, s := range []struct{ pattern bool }{{false}, {false}, {true}} {
			rdb := client(t, addr, protocol)
			var ps *goredis.PubSub
			if s.pattern {
				ps = rdb.PSubscribe(ctx, "news.*")
			} else {
				ps = rdb.Subscribe(ctx, "news.tech")
			}
			if _, err := ps.Receive(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ps.Close() })
			subs = append(subs, ps)
		}
		pub := client(t, addr, protocol)
		if n := pub.Publish(ctx, "news.tech", "hello").Val(); n != 3 {
			t.Errorf("RESP%d: PUBLISH reached %d, want 3", protocol, n)
		}
		for i, ps := range subs {
			m, err := ps.ReceiveMessage(ctx)
			if err != nil || m.Channel != "news.tech" || m.Payload != "hello" {
				t.Errorf("RESP%d: subscriber %d: %+v %v", protocol, i, m, err)
			}
		}
		var events []lab.Event
		messages(t, hub, func([]lab.Message) bool {
			events = events[:0]
			for _, e := range hub.Events(0) {
				if e.Msg != nil && e.Msg.Pub != nil {
					events = append(events, e)
				}
			}
			return len(events) == 4
		})
		for _, e := range events {
			if e.Dir != lab.ClientToServer {
				continue
			}
			_, deliveries := hub.Follow(e.Conv, e.Seq)
			if len(deliveries) != 3 {
				t.Errorf("RESP%d: the PUBLISH is followed to %d deliveries, want 3", protocol, len(deliveries))
			}
		}
	}
}

// TestAuth: without AUTH every command is refused; a wrong password waits and
// is refused; the default user, when on, needs no AUTH.
func TestAuth(t *testing.T) {
	addr, _, _ := testServer(t, Options{Guard: &authdelay.Guard{Base: -1}})
	c, r := rawConn(t, addr)
	c.Write([]byte("GET k\r\n"))
	if got := readLine(t, r); got != "-NOAUTH Authentication required." {
		t.Errorf("GET before AUTH: %q", got)
	}
	c.Write([]byte("AUTH lab wrong\r\n"))
	if got := readLine(t, r); !strings.HasPrefix(got, "-WRONGPASS") {
		t.Errorf("AUTH with a wrong password: %q", got)
	}
	c.Write([]byte("AUTH lab lab\r\nSET k v\r\n"))
	if got := readLine(t, r) + readLine(t, r); got != "+OK+OK" {
		t.Errorf("AUTH lab lab, SET: %q", got)
	}

	open, _, _ := testServer(t, Options{DefaultUserOn: true})
	c, r = rawConn(t, open)
	c.Write([]byte("PING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"))
	if got := readLine(t, r) + readLine(t, r); got != "+PONG+OK" {
		t.Errorf("with the default user on: %q", got)
	}
}

// TestAuthDelay: wrong passwords are answered after the Guard's waits.
func TestAuthDelay(t *testing.T) {
	var delays servertest.AuthDelays
	guard := &authdelay.Guard{Base: time.Millisecond}
	guard.Observe(delays.Observe)
	addr, _, _ := testServer(t, Options{Guard: guard})
	rdb := goredis.NewClient(&goredis.Options{Addr: addr, Username: "lab", Password: "nope", MaxRetries: -1, DisableIdentity: true})
	defer rdb.Close()
	for range 2 {
		if err := rdb.Ping(context.Background()).Err(); err == nil || !strings.Contains(err.Error(), "WRONGPASS") {
			t.Errorf("PING with a wrong password: %v", err)
		}
	}
	// go-redis tries HELLO 3 AUTH, then AUTH: two wrong passwords a PING.
	if counts := delays.Counts(); !slices.Equal(counts, []int{1, 2, 3, 4}) {
		t.Errorf("failures counted %v, want 1, 2, 3, 4", counts)
	}
}

func has(msgs []lab.Message, summary string) bool {
	return slices.Contains(summaries(msgs), summary)
}

func summaries(msgs []lab.Message) []string {
	var s []string
	for _, m := range msgs {
		s = append(s, m.Summary)
	}
	return s
}

func equal(a, b any) bool {
	switch x := a.(type) {
	case []string:
		return slices.Equal(x, b.([]string))
	case map[string]string:
		y := b.(map[string]string)
		if len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if y[k] != v {
				return false
			}
		}
		return true
	}
	return a == b
}

var _ = redis.Name

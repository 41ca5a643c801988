// Package redisclient is the lab's Redis client, built on
// github.com/redis/go-redis/v9: what a person does in the Redis pane. Run a
// command typed as a line of words, quoted as in redis-cli ("a b" or 'a b'),
// and see the reply as redis-cli shows it with its RESP type; choose RESP2 or
// RESP3 (HELLO 3) when connecting; subscribe to channels and patterns on a
// connection of their own while publishing from the console.
//
// The tap sits below go-redis: its Dialer is the lab's dial, so the capture
// sees every byte from the HELLO on. go-redis turns replies into Go values,
// which lose RESP's types (a simple string and a bulk string are both a Go
// string), so the client keeps the bytes its command connection reads while a
// command runs and reads the reply from them (protocols/redis.ReadValue).
package redisclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"

	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/protocollab/protolab/clients/labdial"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/redis"
)

// ErrSubscribeHere is Do's error for the commands that turn a connection into
// a subscriber: the pane's subscriber has a connection of its own for them.
var ErrSubscribeHere = errors.New("redisclient: SUBSCRIBE, PSUBSCRIBE and MONITOR need a connection of their own: use the subscriber")

// Options configures a client. The zero value connects untapped over RESP2
// without logging in.
type Options struct {
	// Tap captures the connections; nil captures nothing. Dialer, if set, is
	// used instead (its own Tap captures, and lab names resolve through the
	// lab DNS).
	Tap    *lab.Tap
	Dialer *labdial.Dialer
	// Username and Password log in (HELLO ... AUTH, or AUTH); an empty
	// Username with a Password logs in as the default user; both empty, no
	// login. The capture holds them in clear.
	Username, Password string
	// Protocol is 2 for RESP2 or 3 for RESP3; zero means 2.
	Protocol int
}

// Reply is a command's reply as the server sent it.
type Reply struct {
	Value redis.Value
	Text  string // as redis-cli shows it
	Type  string // its RESP type: "bulk string (RESP2)", "map (RESP3)"
}

// Client is one command connection to a Redis server. Its methods are safe
// for concurrent use; commands run one at a time.
type Client struct {
	opts Options
	addr string
	rdb  *goredis.Client

	mu   sync.Mutex // one command at a time
	read *recorder  // what the command connection reads
	conv lab.ConvID
}

// Connect dials addr ("127.0.0.1:6380"), logs in and chooses the protocol
// (HELLO), and checks the connection with a PING.
func Connect(ctx context.Context, addr string, opts Options) (*Client, error) {
	if opts.Protocol == 0 {
		opts.Protocol = 2
	}
	if opts.Protocol != 2 && opts.Protocol != 3 {
		return nil, fmt.Errorf("redisclient: protocol %d: choose 2 (RESP2) or 3 (RESP3)", opts.Protocol)
	}
	c := &Client{opts: opts, addr: addr, read: &recorder{}}
	c.rdb = newRedis(addr, opts, func(conn net.Conn) net.Conn {
		if cv := lab.ConnConversation(conn); cv != nil {
			c.conv = cv.ID()
		}
		return recConn{conn, c.read}
	})
	if err := c.rdb.Ping(ctx).Err(); err != nil {
		c.rdb.Close()
		return nil, fmt.Errorf("redisclient: connecting to %s: %w", addr, err)
	}
	return c, nil
}

// newRedis is a go-redis client of one connection at a time, dialled through
// the lab, wrap applied to each connection; it sends nothing but what a
// person asks and the handshake (no CLIENT SETINFO, no maintenance
// notifications), and never retries.
func newRedis(addr string, opts Options, wrap func(net.Conn) net.Conn) *goredis.Client {
	return goredis.NewClient(&goredis.Options{
		Addr: addr,
		Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := labdial.Dial(ctx, opts.Dialer, opts.Tap, network, addr)
			if err != nil {
				return nil, err
			}
			return wrap(conn), nil
		},
		Username:                 opts.Username,
		Password:                 opts.Password,
		Protocol:                 opts.Protocol,
		PoolSize:                 1,
		MaxRetries:               -1,
		DisableIdentity:          true,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	})
}

// Conversation is the lab conversation of the command connection (zero when untapped).
func (c *Client) Conversation() lab.ConvID {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conv
}

// Protocol is the RESP version the connection speaks: 2 or 3.
func (c *Client) Protocol() int { return c.opts.Protocol }

// Do runs a command typed as a line of words ("SET greeting \"hello world\"")
// and returns its reply; an error reply (-ERR ...) is a Reply, not an error.
func (c *Client) Do(ctx context.Context, line string) (Reply, error) {
	words, err := redis.SplitInline([]byte(line))
	if err != nil {
		return Reply{}, fmt.Errorf("redisclient: %q: a quote is not closed", line)
	}
	if len(words) == 0 {
		return Reply{}, errors.New("redisclient: no command: type one, such as PING or SET greeting hello")
	}
	args := make([]string, len(words))
	for i, w := range words {
		args[i] = string(w)
	}
	return c.DoArgs(ctx, args...)
}

// DoArgs runs the command args[0] with the arguments after it.
func (c *Client) DoArgs(ctx context.Context, args ...string) (Reply, error) {
	switch strings.ToUpper(args[0]) {
	case "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "MONITOR":
		return Reply{}, ErrSubscribeHere
	}
	anys := make([]any, len(args))
	for i, a := range args {
		anys[i] = a
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.read.start()
	res, err := c.rdb.Do(ctx, anys...).Result()
	raw := c.read.stop()
	var rerr goredis.Error
	if err != nil && !errors.Is(err, goredis.Nil) && !errors.As(err, &rerr) {
		return Reply{}, fmt.Errorf("redisclient: %s: %w", strings.ToUpper(args[0]), err)
	}
	for len(raw) > 0 {
		v, n, perr := redis.ReadValue(raw)
		if perr != nil {
			break
		}
		raw = raw[n:]
		if v.Type == '>' {
			continue // pushed, not the reply
		}
		return Reply{Value: v, Text: v.String(), Type: v.TypeName()}, nil
	}
	// The bytes were not all there (a reply over redis.MaxBulk): go-redis's value.
	return Reply{Text: fmt.Sprint(res), Type: fmt.Sprintf("%T", res)}, nil
}

// Publish sends message to channel and returns how many subscribers received it.
func (c *Client) Publish(ctx context.Context, channel, message string) (int64, error) {
	r, err := c.DoArgs(ctx, "PUBLISH", channel, message)
	if err != nil {
		return 0, err
	}
	if r.Value.Type != ':' {
		return 0, fmt.Errorf("redisclient: PUBLISH: %s", r.Text)
	}
	var n int64
	fmt.Sscan(r.Value.Text, &n)
	return n, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.rdb.Close() }

// CommandNames lists the commands the lab explains, for completion.
func CommandNames() []string { return redis.CommandNames() }

// Explain says what the command name does, "" for one the lab does not describe.
func Explain(name string) string { return redis.Explain(name) }

// recorder keeps what a connection reads while a command runs.
type recorder struct {
	mu  sync.Mutex
	on  bool
	buf []byte
}

func (r *recorder) start() {
	r.mu.Lock()
	r.on, r.buf = true, r.buf[:0]
	r.mu.Unlock()
}

func (r *recorder) stop() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = false
	return append([]byte(nil), r.buf...)
}

// maxRecorded bounds what a recorder keeps of one reply.
const maxRecorded = redis.MaxBulk + 64<<10

func (r *recorder) add(b []byte) {
	r.mu.Lock()
	if r.on && len(r.buf)+len(b) <= maxRecorded {
		r.buf = append(r.buf, b...)
	}
	r.mu.Unlock()
}

// recConn is a connection whose reads a recorder keeps.
type recConn struct {
	net.Conn
	r *recorder
}

func (c recConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.r.add(p[:n])
	return n, err
}

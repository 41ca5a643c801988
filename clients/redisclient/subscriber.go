package redisclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/protocollab/protolab/lab"
)

// DefaultBuffer is how many received messages wait unread.
const DefaultBuffer = 256

// Message is one message the server pushed to a subscriber.
type Message struct {
	Channel string
	Pattern string // the pattern it matched, for a PSUBSCRIBE; "" otherwise
	Payload string
	At      time.Time
}

// Subscriber is a connection of its own subscribed to channels and patterns.
// Its methods are safe for concurrent use; messages arrive on Receive.
type Subscriber struct {
	rdb  *goredis.Client
	ps   *goredis.PubSub
	recv chan Message

	mu      sync.Mutex
	conv    lab.ConvID // of the latest connection: go-redis reconnects a subscriber
	dropped uint64
}

// Subscribe opens a subscriber connection to the server c is connected to,
// logged in and speaking the protocol as c, subscribed to channels; patterns
// (news.*) are subscribed to with PSUBSCRIBE. It returns once the server has
// confirmed them all.
func (c *Client) Subscribe(ctx context.Context, channels, patterns []string) (*Subscriber, error) {
	if len(channels)+len(patterns) == 0 {
		return nil, errors.New("redisclient: subscribe to what? name a channel or a pattern")
	}
	s := &Subscriber{recv: make(chan Message, DefaultBuffer)}
	s.rdb = newRedis(c.addr, c.opts, func(conn net.Conn) net.Conn {
		if cv := lab.ConnConversation(conn); cv != nil {
			s.mu.Lock()
			s.conv = cv.ID()
			s.mu.Unlock()
		}
		return conn
	})
	s.ps = s.rdb.Subscribe(ctx)
	if err := s.Add(ctx, channels, patterns); err != nil {
		s.Close()
		return nil, err
	}
	go s.pump()
	return s, nil
}

// Add subscribes to more channels and patterns and waits for the server's
// confirmations.
func (s *Subscriber) Add(ctx context.Context, channels, patterns []string) error {
	if len(channels) > 0 {
		if err := s.ps.Subscribe(ctx, channels...); err != nil {
			return fmt.Errorf("redisclient: SUBSCRIBE: %w", err)
		}
	}
	if len(patterns) > 0 {
		if err := s.ps.PSubscribe(ctx, patterns...); err != nil {
			return fmt.Errorf("redisclient: PSUBSCRIBE: %w", err)
		}
	}
	for range len(channels) + len(patterns) {
		m, err := s.ps.Receive(ctx)
		if err != nil {
			return fmt.Errorf("redisclient: waiting for the confirmation: %w", err)
		}
		if _, ok := m.(*goredis.Subscription); !ok {
			return fmt.Errorf("redisclient: %v before the confirmation", m)
		}
	}
	return nil
}

// pump hands the messages go-redis reads on to Receive, dropping those that
// find it full.
func (s *Subscriber) pump() {
	defer close(s.recv)
	for m := range s.ps.Channel(goredis.WithChannelSize(DefaultBuffer)) {
		msg := Message{Channel: m.Channel, Pattern: m.Pattern, Payload: m.Payload, At: time.Now()}
		select {
		case s.recv <- msg:
		default:
			s.mu.Lock()
			s.dropped++
			s.mu.Unlock()
		}
	}
}

// Receive delivers the messages, in order; it is closed when the subscriber is.
func (s *Subscriber) Receive() <-chan Message { return s.recv }

// Dropped is how many messages were dropped because Receive was full.
func (s *Subscriber) Dropped() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

// Conversation is the lab conversation of the subscriber's connection.
func (s *Subscriber) Conversation() lab.ConvID {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conv
}

// Close unsubscribes by closing the connection.
func (s *Subscriber) Close() error {
	err := s.ps.Close()
	s.rdb.Close()
	return err
}

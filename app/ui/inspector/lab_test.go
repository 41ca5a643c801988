package inspector

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// lineAnalyzer frames newline-terminated lines: "hello" moves the session to
// "talking", "quit" to "done".
type lineAnalyzer struct {
	buf   [3][]byte
	state string
}

func (a *lineAnalyzer) Feed(dir lab.Dir, b []byte, at time.Time) []lab.Message {
	a.buf[dir] = append(a.buf[dir], b...)
	var out []lab.Message
	for {
		i := bytes.IndexByte(a.buf[dir], '\n')
		if i < 0 {
			return out
		}
		line := string(a.buf[dir][:i])
		raw := append([]byte(nil), a.buf[dir][:i+1]...)
		a.buf[dir] = a.buf[dir][i+1:]
		m := lab.Message{Dir: dir, Summary: line, Raw: raw, Observed: true,
			Meaning: "a line of text", Ref: "RFC 862 §1",
			Fields: []lab.Field{{Name: "length", Value: "n"}}}
		switch strings.TrimSpace(line) {
		case "hello":
			m.NextState = "talking"
		case "quit":
			m.NextState = "done"
		}
		if m.NextState != "" {
			a.state = m.NextState
		}
		out = append(out, m)
	}
}

func (a *lineAnalyzer) State() string { return a.state }

// lineProtocol is a minimal TCP protocol for tests.
func lineProtocol() *lab.Protocol {
	return &lab.Protocol{
		Name:        "line",
		Transport:   "tcp",
		States:      []string{"talking", "done"},
		Transitions: [][2]string{{"talking", "done"}},
		NewAnalyzer: func() lab.Analyzer { return &lineAnalyzer{} },
	}
}

// echoServer serves a line echo on a tapped listener on 127.0.0.1:0 until the test ends.
func echoServer(t testing.TB, tap *lab.Tap) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tl := tap.Listener(l)
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := tl.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if _, err := c.Write([]byte(line)); err != nil {
						return
					}
				}
			}()
		}
	}()
	return l.Addr().String()
}

// exchange dials addr through tap, sends each line, reads its echo and closes.
func exchange(t testing.TB, tap *lab.Tap, addr string, lines ...string) lab.ConvID {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := tap.Dial(ctx, "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	id := lab.ConnConversation(c).ID()
	r := bufio.NewReader(c)
	for _, l := range lines {
		if _, err := c.Write([]byte(l + "\n")); err != nil {
			t.Fatal(err)
		}
		got, err := r.ReadString('\n')
		if err != nil || got != l+"\n" {
			t.Fatalf("echo of %q = %q, %v", l, got, err)
		}
	}
	c.Close()
	return id
}

// waitEnded waits until the hub says conversation id has ended.
func waitEnded(t testing.TB, h *lab.Hub, id lab.ConvID) {
	t.Helper()
	done := make(chan struct{}, 1)
	h.OnConversation(func(lab.ConvID) {
		select {
		case done <- struct{}{}:
		default:
		}
	})
	deadline := time.After(10 * time.Second)
	for h.Conversation(id).Live() {
		select {
		case <-done:
		case <-deadline:
			t.Fatalf("conversation %d still live", id)
		}
	}
}

// newLab returns a hub and registry with lineProtocol registered.
func newLab(maxBytes int64) (*lab.Hub, *lab.Registry, *lab.Protocol) {
	reg := &lab.Registry{}
	p := lineProtocol()
	reg.Register(p)
	return lab.NewHub(lab.HubOptions{Registry: reg, MaxBytes: maxBytes}), reg, p
}

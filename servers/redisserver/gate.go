package redisserver

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/protocollab/protolab/protocols/redis"
	"github.com/protocollab/protolab/servers/internal/bounded"
)

// faultWait bounds the write of the protocol error before a close.
const faultWait = 5 * time.Second

// protoError is what the client sent wrong, in Redis's words: the server
// answers "-ERR Protocol error: ..." and closes the connection.
type protoError string

func (e protoError) Error() string { return "ERR Protocol error: " + string(e) }

// gate is one client's connection as miniredis reads and writes it. It reads
// the client's commands itself, within the Server's bounds — arrays of bulk
// strings, or inline commands, which miniredis does not read — and hands them
// on as arrays; it holds a wrong password's command back for the Guard's
// wait; and when the client breaks RESP it ends miniredis's input there and,
// once miniredis has answered what came before, answers Redis's protocol
// error and closes. Writes go straight to the (tapped) connection.
//
// miniredis reads a gate from one goroutine and writes it from others (a
// subscriber's messages come from the publisher's); Close may come from any.
type gate struct {
	net.Conn
	s    *Server
	r    *bufio.Reader
	out  []byte // commands read and not yet handed on
	drop int    // bytes of miniredis's replies not to pass on: the reply to the AUTH the gate sent itself

	mu    sync.Mutex
	fault error // a protoError to answer before closing, or nil
	once  sync.Once
	done  chan struct{} // closed by Close
	halt  sync.Once
	stop  chan struct{} // closed by kill or Close: a held wrong password's wait ends
}

// newGate returns the gate of the tapped connection c. With the default user
// on, it logs the connection in to miniredis as the lab's user and keeps the
// "+OK" from the client: miniredis has no default user beside an ACL user.
func newGate(c net.Conn, s *Server) *gate {
	g := &gate{Conn: c, s: s, r: bufio.NewReaderSize(c, redis.MaxInline), done: make(chan struct{}), stop: make(chan struct{})}
	if s.DefaultUserOn {
		g.out = encode([][]byte{[]byte("AUTH"), []byte(s.User), []byte(s.Password)})
		g.drop = len("+OK\r\n")
	}
	return g
}

// Read hands miniredis the client's next commands, as arrays of bulk strings.
func (g *gate) Read(p []byte) (int, error) {
	for len(g.out) == 0 {
		args, err := g.next()
		if err != nil {
			var pe protoError
			if errors.As(err, &pe) {
				g.mu.Lock()
				g.fault = pe
				g.mu.Unlock()
				return 0, io.EOF
			}
			return 0, err
		}
		if len(args) == 0 {
			continue // Redis ignores an empty line or array
		}
		if !g.admit(args) {
			return 0, io.EOF
		}
		g.out = encode(args)
	}
	n := copy(p, g.out)
	g.out = g.out[n:]
	return n, nil
}

// Write passes miniredis's replies on to the client.
func (g *gate) Write(p []byte) (int, error) {
	n := len(p)
	if g.drop > 0 {
		k := min(g.drop, len(p))
		g.drop -= k
		p = p[k:]
	}
	if len(p) == 0 {
		return n, nil
	}
	if _, err := g.Conn.Write(p); err != nil {
		return 0, err
	}
	return n, nil
}

// Close answers the protocol error the client made, if it made one, lingers
// so the client reads it, and closes the connection.
func (g *gate) Close() error {
	g.once.Do(func() {
		g.mu.Lock()
		fault := g.fault
		g.mu.Unlock()
		if fault != nil {
			g.Conn.SetWriteDeadline(time.Now().Add(faultWait))
			if _, werr := fmt.Fprintf(g.Conn, "-%s\r\n", fault); werr == nil {
				bounded.Linger(g.Conn)
			}
		}
		g.kill()
		close(g.done)
	})
	return nil
}

// kill closes the connection at once, as the server closes: miniredis reads
// its end and closes the gate.
func (g *gate) kill() {
	g.halt.Do(func() {
		close(g.stop)
		g.Conn.Close()
	})
}

// admit holds back a command that logs in with a wrong password for the
// Guard's wait (the answer, WRONGPASS, is miniredis's), and reports false if
// the connection or the server closed meanwhile.
func (g *gate) admit(args [][]byte) bool {
	user, pass, ok := credentials(args)
	if !ok {
		return true
	}
	if user == g.s.User && pass == g.s.Password {
		g.s.Guard.Succeed(g.Conn.RemoteAddr())
		return true
	}
	return g.s.Guard.FailConn(g.stop, g.Conn)
}

// credentials returns the user and password an AUTH, or a HELLO with AUTH,
// logs in with; ok is false for any other command.
func credentials(args [][]byte) (user, pass string, ok bool) {
	switch name := strings.ToUpper(string(args[0])); {
	case name == "AUTH" && len(args) == 2:
		return "default", string(args[1]), true
	case name == "AUTH" && len(args) == 3:
		return string(args[1]), string(args[2]), true
	case name == "HELLO":
		for i := 2; i+2 < len(args); i++ {
			if strings.EqualFold(string(args[i]), "AUTH") {
				return string(args[i+1]), string(args[i+2]), true
			}
		}
	}
	return "", "", false
}

// next reads the client's next command: its words, or none for an input
// Redis ignores (an empty line, an empty array).
func (g *gate) next() ([][]byte, error) {
	line, err := g.line("too big inline request")
	if err != nil {
		return nil, err
	}
	if line[0] != '*' {
		args, err := redis.SplitInline(line)
		if err != nil {
			return nil, protoError("unbalanced quotes in request")
		}
		return args, nil
	}
	n, err := strconv.Atoi(string(bytes.TrimRight(line[1:], "\r\n")))
	if err != nil || n > maxArgs {
		return nil, protoError("invalid multibulk length")
	}
	args := make([][]byte, 0, min(n, 1024))
	total := 0
	for range n {
		line, err := g.line("too big bulk count string")
		if err != nil {
			return nil, err
		}
		if line[0] != '$' {
			return nil, protoError(fmt.Sprintf("expected '$', got '%c'", line[0]))
		}
		size, err := strconv.Atoi(string(bytes.TrimRight(line[1:], "\r\n")))
		if err != nil || size < 0 || size > g.s.MaxBulk {
			return nil, protoError("invalid bulk length")
		}
		if total += size; total > g.s.MaxRequest {
			return nil, protoError(fmt.Sprintf("command longer than the server's limit of %d bytes (client-query-buffer-limit)", g.s.MaxRequest))
		}
		b := make([]byte, size+2)
		if _, err := io.ReadFull(g.r, b); err != nil {
			return nil, err
		}
		args = append(args, b[:size])
	}
	return args, nil
}

// line reads one line of the client's, its LF included, at most
// redis.MaxInline bytes: a longer one is the protocol error tooBig.
func (g *gate) line(tooBig string) ([]byte, error) {
	for {
		line, err := g.r.ReadSlice('\n')
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			return nil, protoError(tooBig)
		case err != nil:
			return nil, err
		}
		if len(bytes.TrimRight(line, "\r\n")) > 0 {
			return line, nil
		}
	}
}

// encode is a command as an array of bulk strings.
func encode(args [][]byte) []byte {
	var b []byte
	b = fmt.Appendf(b, "*%d\r\n", len(args))
	for _, a := range args {
		b = fmt.Appendf(b, "$%d\r\n", len(a))
		b = append(b, a...)
		b = append(b, '\r', '\n')
	}
	return b
}

// Package authdelay slows down password guessing on the lab's servers (FTP,
// SFTP, SMTP, POP3, IMAP), as RFC 2577 §5 advises for FTP: the answer to a wrong
// password waits, a little after an address's first failure and twice as long
// after each further one, up to a cap. An address's count starts again after a
// right password, or after Forget without a failure.
//
// The wait happens in the failing session's own goroutine, outside any lock, so
// it never holds up another session; it ends early when the server or the
// connection closes. FailConn shows each wait in the inspector, on the
// conversation of the failed login.
package authdelay

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/protocollab/protolab/lab"
)

// The lab's delays.
const (
	// Default is the wait after an address's first wrong password.
	Default = 250 * time.Millisecond
	// Max caps the wait, however many failures came before.
	Max = 8 * time.Second
	// Forget is how long an address's failures are remembered.
	Forget = 10 * time.Minute
)

// maxKept bounds the addresses a Guard remembers: past it, the stale ones are
// forgotten rather than let the map grow.
const maxKept = 10000

// Delay is the wait before answering the failures-th wrong password in a row:
// base (Default when zero), doubled for each failure after the first, at most
// Max. A negative base, or failures below 1, waits nothing.
func Delay(base time.Duration, failures int) time.Duration {
	switch {
	case base < 0 || failures < 1:
		return 0
	case base == 0:
		base = Default
	}
	d := base
	for i := 1; i < failures && d < Max; i++ {
		d *= 2
	}
	return min(d, Max)
}

// Guard counts the wrong passwords in a row of each client address and makes
// the answer to each wait Delay(Base, count). The zero value is ready to use.
// A Guard is safe for concurrent use.
type Guard struct {
	// Base is the wait after an address's first wrong password: zero means
	// Default, a negative value no wait (tests). Set it before the first Fail.
	Base time.Duration

	mu      sync.Mutex
	fails   map[string]failure
	observe func(failures int, wait time.Duration)
	now     func() time.Time // time.Now; tests move the clock
}

// failure is one address's count of wrong passwords, and when the last came.
type failure struct {
	n    int
	last time.Time
}

// Fail records a wrong password from the client at addr and waits before
// returning, so that the session answers it only then. It returns false when
// done was closed first: the server or the connection is closing, and the
// session should end rather than answer.
func (g *Guard) Fail(done <-chan struct{}, addr net.Addr) bool {
	_, d := g.record(key(addr))
	return wait(done, d)
}

// FailConn is Fail for the client of c (nil: an unknown client), and shows the
// wait in the inspector: when the lab taps c (or the connection a TLS
// connection c runs over), the server reports on its conversation that the
// answer is held back, with the count of wrong passwords.
func (g *Guard) FailConn(done <-chan struct{}, c net.Conn) bool {
	var addr net.Addr
	if c != nil {
		addr = c.RemoteAddr()
	}
	k := key(addr)
	n, d := g.record(k)
	if d > 0 {
		if conv := lab.ConnConversation(c); conv != nil {
			conv.Report(lab.SideServer, Note(k, n, d))
		}
	}
	return wait(done, d)
}

// Note is the message the inspector shows when the answer to the failures-th
// wrong password in a row from ip waits d.
func Note(ip string, failures int, d time.Duration) lab.Message {
	if ip == "" {
		ip = "an unknown address"
	}
	return lab.Message{
		Dir:     lab.ServerToClient,
		Summary: fmt.Sprintf("wrong password #%d from %s: answer delayed %v", failures, ip, d),
		Meaning: "The server holds back its answer to a wrong password, twice as long after each further failure " +
			"from the same address (up to " + Max.String() + "), so that guessing passwords takes long. " +
			"A right password starts the count again. Nothing is sent meanwhile: the server reports the wait.",
		Ref:      "RFC 2577 §5",
		Fields:   []lab.Field{{Name: "client", Value: ip}, {Name: "wrong passwords in a row", Value: strconv.Itoa(failures)}, {Name: "delay", Value: d.String()}},
		Observed: true,
	}
}

// wait waits d, or until done is closed: false then.
func wait(done <-chan struct{}, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-done:
		return false
	}
}

// record counts a failure of k and returns the count and the wait before its
// answer.
func (g *Guard) record(k string) (int, time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	if g.now != nil {
		now = g.now()
	}
	if g.fails == nil {
		g.fails = make(map[string]failure)
	}
	f := g.fails[k]
	if now.Sub(f.last) > Forget {
		f.n = 0
	}
	f.n++
	f.last = now
	g.fails[k] = f
	if len(g.fails) > maxKept {
		for a, h := range g.fails {
			if now.Sub(h.last) > Forget {
				delete(g.fails, a)
			}
		}
	}
	d := Delay(g.Base, f.n)
	if g.observe != nil {
		g.observe(f.n, d)
	}
	return f.n, d
}

// Succeed forgets the failures of the client at addr: it logged in.
func (g *Guard) Succeed(addr net.Addr) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.fails, key(addr))
}

// Observe has f told, from now on, each failure's count and the wait before its
// answer, as Fail begins to wait: tests read the delays from it, without
// waiting them. f is called with the Guard's lock held: it must not call the
// Guard.
func (g *Guard) Observe(f func(failures int, wait time.Duration)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.observe = f
}

// key is the address failures are counted by: the client's IP, without its
// port (a client that reconnects is the same guesser), "" when unknown.
func key(addr net.Addr) string {
	if addr == nil {
		return ""
	}
	s := addr.String()
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone("").String()
	}
	if h, _, err := net.SplitHostPort(s); err == nil {
		return h
	}
	return s
}

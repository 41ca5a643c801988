package lab

import (
	"io"
	"net"
	"testing"
	"time"
)

// TestInTimeWait closes a connection from the client first: the client's end is
// then in TIME-WAIT, the server's (the passive closer) is not.
func TestInTimeWait(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	cl, cr := c.LocalAddr().(*net.TCPAddr), c.RemoteAddr().(*net.TCPAddr)
	sl, sr := s.LocalAddr().(*net.TCPAddr), s.RemoteAddr().(*net.TCPAddr)
	if tw, ok := inTimeWait(cl, cr); !ok || tw {
		t.Fatalf("an open connection: TIME-WAIT %v, told %v; want told, not in TIME-WAIT", tw, ok)
	}
	c.Close()
	io.Copy(io.Discard, s) // the client's FIN
	s.Close()
	for end := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		tw, ok := inTimeWait(cl, cr)
		if !ok {
			t.Fatal("the kernel did not say")
		}
		if tw {
			break
		}
		if time.Now().After(end) {
			t.Fatal("the client's end, which closed first, never reached TIME-WAIT")
		}
	}
	if tw, ok := inTimeWait(sl, sr); !ok || tw {
		t.Errorf("the server's end, which closed second: TIME-WAIT %v, told %v; want told, not in TIME-WAIT", tw, ok)
	}
}

package tcpserver_test

import (
	"bufio"
	"net"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	tcpproto "github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/internal/servertest"
	"github.com/protocollab/protolab/servers/tcpserver"
)

// tcpProtocol is the protocol the tapped tests record under, with its analyzer, so
// that what the tap costs includes the analysis.
func tcpProtocol() *lab.Protocol { return tcpproto.Protocol() }

// newHub returns a hub big enough to keep everything a test sends.
func newHub() *lab.Hub { return lab.NewHub(lab.HubOptions{MaxBytes: 512 << 20}) }

// startServer serves opts on 127.0.0.1:0 until the test ends, and checks that
// Serve then returns ErrServerClosed.
func startServer(t testing.TB, opts tcpserver.Options) (*tcpserver.Server, string) {
	t.Helper()
	srv := tcpserver.New(opts)
	return srv, servertest.Start(t, srv, tcpserver.ErrServerClosed)
}

// lineConn is a test client that reads lines.
type lineConn struct {
	net.Conn
	r *bufio.Reader
}

func dialLines(t testing.TB, addr string) *lineConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(2 * time.Minute))
	return &lineConn{Conn: c, r: bufio.NewReader(c)}
}

func (c *lineConn) line() (string, error) { return c.r.ReadString('\n') }

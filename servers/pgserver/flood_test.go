package pgserver

import (
	"bufio"
	"encoding/binary"
	"net"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/protocollab/protolab/servers/internal/servertest"
)

// loggedIn is a Flood's Start: the startup and a cleartext login, then
// query (none when empty) up to its first answer of type T.
func loggedIn[T pgproto3.BackendMessage](t *testing.T, query string) func(net.Conn, *bufio.Reader) error {
	return func(c net.Conn, r *bufio.Reader) error {
		fe := pgproto3.NewFrontend(r, c)
		fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "lab"}})
		fe.Flush()
		expect[*pgproto3.AuthenticationCleartextPassword](t, fe)
		fe.Send(&pgproto3.PasswordMessage{Password: "lab"})
		fe.Flush()
		until[*pgproto3.ReadyForQuery](t, fe)
		if query != "" {
			fe.Send(&pgproto3.Query{String: query})
			fe.Flush()
			until[T](t, fe)
		}
		return nil
	}
}

// other is another client's exchange during a flood.
func other(t *testing.T, addr string) func() error {
	return func() error {
		_, fe := login(t, addr)
		fe.Send(&pgproto3.Query{String: "SELECT 1"})
		fe.Flush()
		until[*pgproto3.ReadyForQuery](t, fe)
		return nil
	}
}

func header(typ byte, n int64) string {
	return string(binary.BigEndian.AppendUint32([]byte{typ}, uint32(n+4)))
}

// TestFloodMessage: a 16 MiB Query is refused at its header, unread.
func TestFloodMessage(t *testing.T) {
	_, addr := testServer(t, Options{Auth: AuthCleartext})
	res := servertest.Flood{
		Addr:   addr,
		Start:  loggedIn[*pgproto3.ReadyForQuery](t, ""),
		Prefix: header('Q', servertest.FloodSize),
		Other:  other(t, addr),
	}.Run(t)
	if !strings.Contains(res.Answer, "54000") || !strings.Contains(res.Answer, "over the server's limit") {
		t.Errorf("answer %q, want FATAL 54000", res.Answer)
	}
}

// TestFloodCopy: COPY data past Options.MaxCopy is read and dropped, and
// the COPY fails with 54000 at its end; the session goes on.
func TestFloodCopy(t *testing.T) {
	_, addr := testServer(t, Options{Auth: AuthCleartext, MaxCopy: 100 << 10})
	lines := strings.Repeat("1\tx\n", 16<<10) // 64 KiB: the first message is taken, the second is past the bound
	msg := header('d', int64(len(lines))) + lines
	res := servertest.Flood{
		Addr:    addr,
		Start:   loggedIn[*pgproto3.CopyInResponse](t, "CREATE TABLE sink (a INT4, b TEXT); COPY sink FROM STDIN"),
		Pattern: msg,
		Size:    servertest.FloodSize / int64(len(msg)) * int64(len(msg)), // whole messages
		Suffix:  header('c', 0) + header('X', 0),                          // CopyDone, Terminate: the answer ends with the connection
		Other:   other(t, addr),
		Drains:  true,
	}.Run(t)
	if !strings.Contains(res.Answer, "54000") || !strings.Contains(res.Answer, "COPY data over the lab's limit") {
		t.Errorf("answer %q, want ERROR 54000", res.Answer)
	}
}

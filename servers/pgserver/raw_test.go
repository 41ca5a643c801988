package pgserver

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// rawConn dials addr; every read and write fails after 10 s, so a server
// that does not answer fails the test rather than hanging it.
func rawConn(t *testing.T, addr string) (net.Conn, *pgproto3.Frontend) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c, pgproto3.NewFrontend(c, c)
}

// login starts a session on a server with AuthCleartext.
func login(t *testing.T, addr string) (net.Conn, *pgproto3.Frontend) {
	t.Helper()
	c, fe := rawConn(t, addr)
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "lab", "database": "lab"}})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	expect[*pgproto3.AuthenticationCleartextPassword](t, fe)
	fe.Send(&pgproto3.PasswordMessage{Password: "lab"})
	fe.Flush()
	until[*pgproto3.ReadyForQuery](t, fe)
	return c, fe
}

// expect receives the next message, which must be a T.
func expect[T pgproto3.BackendMessage](t *testing.T, fe *pgproto3.Frontend) T {
	t.Helper()
	msg, err := fe.Receive()
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	m, ok := msg.(T)
	if !ok {
		var want T
		t.Fatalf("received %T %+v, want %T", msg, msg, want)
	}
	return m
}

// until receives messages up to a T, and returns their types, T's included.
func until[T pgproto3.BackendMessage](t *testing.T, fe *pgproto3.Frontend) []string {
	t.Helper()
	var got []string
	for {
		msg, err := fe.Receive()
		if err != nil {
			t.Fatalf("receive after %v: %v", got, err)
		}
		got = append(got, describeMsg(msg))
		if _, ok := msg.(T); ok {
			return got
		}
	}
}

func describeMsg(msg pgproto3.BackendMessage) string {
	switch m := msg.(type) {
	case *pgproto3.CommandComplete:
		return "CommandComplete " + string(m.CommandTag)
	case *pgproto3.ErrorResponse:
		return "Error " + m.Code
	case *pgproto3.DataRow:
		return "DataRow " + string(m.Values[0])
	case *pgproto3.ReadyForQuery:
		return "ReadyForQuery " + string(m.TxStatus)
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", msg), "*pgproto3.")
}

func TestExtendedPortals(t *testing.T) {
	_, addr := testServer(t, Options{Auth: AuthCleartext})
	_, fe := login(t, addr)
	fe.Send(&pgproto3.Parse{Name: "ids", Query: "SELECT id FROM students WHERE id > $1 ORDER BY id"})
	fe.Send(&pgproto3.Describe{ObjectType: 'S', Name: "ids"})
	fe.Send(&pgproto3.Bind{DestinationPortal: "p", PreparedStatement: "ids", Parameters: [][]byte{[]byte("0")}})
	fe.Send(&pgproto3.Describe{ObjectType: 'P', Name: "p"})
	fe.Send(&pgproto3.Execute{Portal: "p", MaxRows: 2})
	fe.Send(&pgproto3.Execute{Portal: "p", MaxRows: 3})
	fe.Send(&pgproto3.Close{ObjectType: 'P', Name: "p"})
	fe.Send(&pgproto3.Close{ObjectType: 'S', Name: "ids"})
	fe.Send(&pgproto3.Sync{})
	fe.Flush()
	got := strings.Join(until[*pgproto3.ReadyForQuery](t, fe), ", ")
	want := "ParseComplete, ParameterDescription, RowDescription, BindComplete, RowDescription, DataRow 1, DataRow 2, PortalSuspended, " +
		"DataRow 3, DataRow 4, CommandComplete SELECT 2, CloseComplete, CloseComplete, ReadyForQuery I"
	if got != want {
		t.Errorf("messages:\n%s\nwant\n%s", got, want)
	}
	// An error skips everything up to Sync.
	fe.Send(&pgproto3.Parse{Query: "SELEC 1"})
	fe.Send(&pgproto3.Bind{})
	fe.Send(&pgproto3.Execute{})
	fe.Send(&pgproto3.Sync{})
	fe.Send(&pgproto3.Query{String: "SELECT 1; SELECT 2"})
	fe.Flush()
	got = strings.Join(append(until[*pgproto3.ReadyForQuery](t, fe), until[*pgproto3.ReadyForQuery](t, fe)...), ", ")
	want = "Error 42601, ReadyForQuery I, RowDescription, DataRow 1, CommandComplete SELECT 1, RowDescription, DataRow 2, CommandComplete SELECT 1, ReadyForQuery I"
	if got != want {
		t.Errorf("messages:\n%s\nwant\n%s", got, want)
	}
	fe.Send(&pgproto3.Query{String: "ROLLBACK; BEGIN; SELECT * FROM nowhere; SELECT 1"})
	fe.Send(&pgproto3.Query{String: "SELECT 1"})
	fe.Send(&pgproto3.Query{String: "ROLLBACK"})
	fe.Flush()
	got = strings.Join(append(append(until[*pgproto3.ReadyForQuery](t, fe), until[*pgproto3.ReadyForQuery](t, fe)...), until[*pgproto3.ReadyForQuery](t, fe)...), ", ")
	want = "NoticeResponse, CommandComplete ROLLBACK, CommandComplete BEGIN, Error 42P01, ReadyForQuery E, Error 25P02, ReadyForQuery E, CommandComplete ROLLBACK, ReadyForQuery I"
	if got != want {
		t.Errorf("messages:\n%s\nwant\n%s", got, want)
	}
}

// malformedTests are what a broken or hostile client sends: each gets a
// FATAL ErrorResponse with its SQLSTATE and the connection's end.
var malformedTests = []struct {
	name   string
	login  bool // after a good startup
	send   []byte
	code   string
	prefix string
}{
	{"message before startup", false, append([]byte{'Q', 0, 0, 0, 13}, "SELECT 1;\x00"...), "08P01", "invalid length of startup packet"},
	{"unknown protocol version", false, startupBytes(2 << 16), "0A000", "unsupported frontend protocol 2.0"},
	{"startup too short", false, []byte{0, 0, 0, 4}, "08P01", "invalid length of startup packet"},
	{"startup without a user", false, startupBytes(3 << 16), "28000", "no PostgreSQL user name"},
	{"bad message length", true, []byte{'Q', 0, 0, 0, 2}, "08P01", "invalid frontend message"},
	{"unknown message type", true, []byte{'z', 0, 0, 0, 4}, "08P01", "invalid frontend message"},
	{"message over the limit", true, []byte{'Q', 0, 0x20, 0, 0}, "54000", "message of"},
}

func startupBytes(version uint32) []byte {
	b := binary.BigEndian.AppendUint32(nil, 9)
	b = binary.BigEndian.AppendUint32(b, version)
	return append(b, 0)
}

func TestMalformed(t *testing.T) {
	_, addr := testServer(t, Options{Auth: AuthCleartext})
	for _, tc := range malformedTests {
		t.Run(tc.name, func(t *testing.T) {
			var c net.Conn
			var fe *pgproto3.Frontend
			if tc.login {
				c, fe = login(t, addr)
			} else {
				c, fe = rawConn(t, addr)
			}
			if _, err := c.Write(tc.send); err != nil {
				t.Fatal(err)
			}
			e := expect[*pgproto3.ErrorResponse](t, fe)
			if e.Severity != "FATAL" || e.Code != tc.code || !strings.HasPrefix(e.Message, tc.prefix) {
				t.Errorf("%s %s %q, want FATAL %s %q...", e.Severity, e.Code, e.Message, tc.code, tc.prefix)
			}
			// Unread bytes of the client's may make the close a reset.
			if n, err := io.Copy(io.Discard, c); err != nil && !errors.Is(err, syscall.ECONNRESET) || n != 0 {
				t.Errorf("after FATAL: %d more bytes, %v; want the connection closed", n, err)
			}
			// The server goes on serving.
			_, fe2 := login(t, addr)
			fe2.Send(&pgproto3.Query{String: "SELECT 7"})
			fe2.Flush()
			if got := strings.Join(until[*pgproto3.ReadyForQuery](t, fe2), ", "); !strings.Contains(got, "DataRow 7") {
				t.Errorf("another client after it: %s", got)
			}
		})
	}
}

// TestSSLAndGSSRefused: with TLS off both encryption requests get 'N', and
// the startup goes on in clear text.
func TestSSLAndGSSRefused(t *testing.T) {
	_, addr := testServer(t, Options{Auth: AuthCleartext})
	c, fe := rawConn(t, addr)
	for _, code := range []uint32{codeGSSENC, codeSSL} {
		b := binary.BigEndian.AppendUint32(nil, 8)
		c.Write(binary.BigEndian.AppendUint32(b, code))
		var answer [1]byte
		if _, err := io.ReadFull(c, answer[:]); err != nil || answer[0] != 'N' {
			t.Errorf("request %d answered %q, %v; want N", code, answer[:], err)
		}
	}
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "lab", "application_name": "raw"}})
	fe.Flush()
	expect[*pgproto3.AuthenticationCleartextPassword](t, fe)
	fe.Send(&pgproto3.PasswordMessage{Password: "lab"})
	fe.Flush()
	got := strings.Join(until[*pgproto3.ReadyForQuery](t, fe), ", ")
	if !strings.HasPrefix(got, "AuthenticationOk, ParameterStatus") || !strings.HasSuffix(got, "BackendKeyData, ReadyForQuery I") {
		t.Errorf("startup: %s", got)
	}
}

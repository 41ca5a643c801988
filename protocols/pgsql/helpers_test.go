package pgsql

import (
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/protocollab/protolab/lab"
)

// step is bytes that went one way (an analyzertest.Steps).
type step struct {
	Dir  lab.Dir
	Data string
}

const (
	c2s = lab.ClientToServer
	s2c = lab.ServerToClient
)

// enc encodes msgs with pgproto3, as a client or server would send them in one write.
func enc(t testing.TB, msgs ...pgproto3.Message) string {
	t.Helper()
	var b []byte
	for _, m := range msgs {
		var err error
		if b, err = m.Encode(b); err != nil {
			t.Fatalf("encode %T: %v", m, err)
		}
	}
	return string(b)
}

// client and server are one write of each end.
func client(t testing.TB, msgs ...pgproto3.Message) step {
	t.Helper()
	return step{c2s, enc(t, msgs...)}
}
func server(t testing.TB, msgs ...pgproto3.Message) step {
	t.Helper()
	return step{s2c, enc(t, msgs...)}
}

func startupMsg() *pgproto3.StartupMessage {
	return &pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": "lab", "database": "lab"}}
}

// welcome is what a server sends after the password is accepted.
func welcome(t testing.TB) step {
	return server(t, &pgproto3.AuthenticationOk{}, &pgproto3.ParameterStatus{Name: "server_version", Value: "15.4"},
		&pgproto3.BackendKeyData{ProcessID: 4242, SecretKey: []byte{1, 2, 3, 4}}, &pgproto3.ReadyForQuery{TxStatus: 'I'})
}

// col is a RowDescription's column of type oid in format f.
func col(name string, oid uint32, f int16) pgproto3.FieldDescription {
	return pgproto3.FieldDescription{Name: []byte(name), TableOID: 16384, TableAttributeNumber: 1, DataTypeOID: oid, DataTypeSize: -1, TypeModifier: -1, Format: f}
}

// login is a start-up with a cleartext password.
func login(t testing.TB) []step {
	return []step{
		client(t, startupMsg()),
		server(t, &pgproto3.AuthenticationCleartextPassword{}),
		client(t, &pgproto3.PasswordMessage{Password: "s3cret!"}),
		welcome(t),
	}
}

// simpleQuery is a session with one SELECT and its two rows, one with a NULL.
func simpleQuery(t testing.TB) []step {
	return append(login(t),
		client(t, &pgproto3.Query{String: "SELECT id, name FROM people"}),
		server(t, &pgproto3.RowDescription{Fields: []pgproto3.FieldDescription{col("id", 23, 0), col("name", 25, 0)}},
			&pgproto3.DataRow{Values: [][]byte{[]byte("1"), []byte("Ada")}},
			&pgproto3.DataRow{Values: [][]byte{[]byte("2"), nil}},
			&pgproto3.CommandComplete{CommandTag: []byte("SELECT 2")}, &pgproto3.ReadyForQuery{TxStatus: 'I'}),
		client(t, &pgproto3.Terminate{}),
	)
}

// briefOf frames the typed message raw, sent in direction dir, as Feed does.
func (a *Analyzer) briefOf(dir lab.Dir, raw []byte) lab.Message {
	var m lab.Message
	if dir == lab.ClientToServer {
		a.frontend(&m, raw)
	} else {
		a.backend(&m, raw)
	}
	return m
}

// wholeOf decodes the typed message raw, sent in direction dir, with its
// fields at once.
func (a *Analyzer) wholeOf(dir lab.Dir, raw []byte) lab.Message {
	var m lab.Message
	if dir == lab.ClientToServer {
		a.decodeFrontend(&m, raw, true)
	} else {
		a.decodeBackend(&m, raw, true)
	}
	return m
}

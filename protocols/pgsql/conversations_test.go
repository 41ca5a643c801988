package pgsql

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

func be(n int, v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b[8-n:]
}

// extended prepares a named statement, describes it, binds a portal with a
// binary int8 parameter and binary results, runs it and closes the statement.
func extended(t testing.TB) []step {
	q := "SELECT $1::int8, 1.5::float8, true, '\\xdead'::bytea, '2024-01-02 03:04:05'::timestamp, 12.345::numeric, 'x'::text"
	cols := []pgproto3.FieldDescription{col("int8", 20, 0), col("float8", 701, 0), col("bool", 16, 0), col("bytea", 17, 0),
		col("timestamp", 1114, 0), col("numeric", 1700, 0), col("text", 25, 0)}
	// 2024-01-02 03:04:05 in microseconds since 2000-01-01.
	ts := uint64((8767*86400 + 3*3600 + 4*60 + 5) * 1e6)
	// 12.345: 2 digits base 10000 (0012, 3450), weight 0, sign +, dscale 3.
	num := []byte{0, 2, 0, 0, 0, 0, 0, 3, 0, 12, 0x0d, 0x7a}
	return append(login(t),
		client(t, &pgproto3.Parse{Name: "s1", Query: q, ParameterOIDs: []uint32{20}},
			&pgproto3.Describe{ObjectType: 'S', Name: "s1"}, &pgproto3.Sync{}),
		server(t, &pgproto3.ParseComplete{}, &pgproto3.ParameterDescription{ParameterOIDs: []uint32{20}},
			&pgproto3.RowDescription{Fields: cols}, &pgproto3.ReadyForQuery{TxStatus: 'I'}),
		client(t, &pgproto3.Bind{DestinationPortal: "p1", PreparedStatement: "s1", ParameterFormatCodes: []int16{1},
			Parameters: [][]byte{be(8, 42)}, ResultFormatCodes: []int16{1}},
			&pgproto3.Execute{Portal: "p1"}, &pgproto3.Sync{}),
		server(t, &pgproto3.BindComplete{},
			&pgproto3.DataRow{Values: [][]byte{be(8, 42), be(8, math.Float64bits(1.5)), {1}, {0xde, 0xad}, be(8, ts), num, []byte("x")}},
			&pgproto3.CommandComplete{CommandTag: []byte("SELECT 1")}, &pgproto3.ReadyForQuery{TxStatus: 'I'}),
		client(t, &pgproto3.Close{ObjectType: 'S', Name: "s1"}, &pgproto3.Sync{}),
		server(t, &pgproto3.CloseComplete{}, &pgproto3.ReadyForQuery{TxStatus: 'I'}),
		client(t, &pgproto3.Terminate{}),
	)
}

// txFail is a transaction that fails on a duplicate key, refuses the next
// statement and is rolled back.
func txFail(t testing.TB) []step {
	rfq := func(s byte) *pgproto3.ReadyForQuery { return &pgproto3.ReadyForQuery{TxStatus: s} }
	return append(login(t),
		client(t, &pgproto3.Query{String: "BEGIN"}),
		server(t, &pgproto3.CommandComplete{CommandTag: []byte("BEGIN")}, rfq('T')),
		client(t, &pgproto3.Query{String: "INSERT INTO people VALUES (1, 'Ada')"}),
		server(t, &pgproto3.ErrorResponse{Severity: "ERROR", SeverityUnlocalized: "ERROR", Code: "23505",
			Message: `duplicate key value violates unique constraint "people_pkey"`, Detail: "Key (id)=(1) already exists."}, rfq('E')),
		client(t, &pgproto3.Query{String: "SELECT 1"}),
		server(t, &pgproto3.ErrorResponse{Severity: "ERROR", Code: "25P02",
			Message: "current transaction is aborted, commands ignored until end of transaction block"}, rfq('E')),
		client(t, &pgproto3.Query{String: "ROLLBACK"}),
		server(t, &pgproto3.CommandComplete{CommandTag: []byte("ROLLBACK")}, rfq('I')),
		client(t, &pgproto3.Terminate{}),
	)
}

// copyInOut copies two rows in, then out.
func copyInOut(t testing.TB) []step {
	return append(login(t),
		client(t, &pgproto3.Query{String: "COPY people FROM STDIN"}),
		server(t, &pgproto3.CopyInResponse{OverallFormat: 0, ColumnFormatCodes: []uint16{0, 0}}),
		client(t, &pgproto3.CopyData{Data: []byte("3\tGrace\n")}, &pgproto3.CopyData{Data: []byte("4\tLinus\n")}, &pgproto3.CopyDone{}),
		server(t, &pgproto3.CommandComplete{CommandTag: []byte("COPY 2")}, &pgproto3.ReadyForQuery{TxStatus: 'I'}),
		client(t, &pgproto3.Query{String: "COPY people TO STDOUT"}),
		server(t, &pgproto3.CopyOutResponse{OverallFormat: 0, ColumnFormatCodes: []uint16{0, 0}},
			&pgproto3.CopyData{Data: []byte("1\tAda\n")}, &pgproto3.CopyDone{},
			&pgproto3.CommandComplete{CommandTag: []byte("COPY 1")}, &pgproto3.ReadyForQuery{TxStatus: 'I'}),
	)
}

// scram is a SCRAM-SHA-256 exchange.
func scram(t testing.TB) []step {
	return []step{
		client(t, startupMsg()),
		server(t, &pgproto3.AuthenticationSASL{AuthMechanisms: []string{"SCRAM-SHA-256"}}),
		client(t, &pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256", Data: []byte("n,,n=,r=rOprNGfwEbeRWgbNEkqO")}),
		server(t, &pgproto3.AuthenticationSASLContinue{Data: []byte("r=rOprNGfwEbeRWgbNEkqOsrvNonce,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")}),
		client(t, &pgproto3.SASLResponse{Data: []byte("c=biws,r=rOprNGfwEbeRWgbNEkqOsrvNonce,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")}),
		server(t, &pgproto3.AuthenticationSASLFinal{Data: []byte("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")}),
		welcome(t),
	}
}

// md5 is a start-up with an MD5 password.
func md5(t testing.TB) []step {
	return []step{
		client(t, startupMsg()),
		server(t, &pgproto3.AuthenticationMD5Password{Salt: [4]byte{0xa1, 0xb2, 0xc3, 0xd4}}),
		client(t, &pgproto3.PasswordMessage{Password: "md5" + "0123456789abcdef0123456789abcdef"}),
		welcome(t),
	}
}

// sslNo asks for TLS, is told no, and starts in the clear.
func sslNo(t testing.TB) []step {
	return append([]step{client(t, &pgproto3.SSLRequest{}), {s2c, "N"}}, login(t)...)
}

// cancel is a connection that cancels another's query.
func cancel(t testing.TB) []step {
	return []step{client(t, &pgproto3.CancelRequest{ProcessID: 4242, SecretKey: []byte{1, 2, 3, 4}})}
}

// badSQL is a syntax error, a missing table, a division by zero and a notice.
func badSQL(t testing.TB) []step {
	rfq := &pgproto3.ReadyForQuery{TxStatus: 'I'}
	return append(login(t),
		client(t, &pgproto3.Query{String: "SELEC 1"}),
		server(t, &pgproto3.ErrorResponse{Severity: "ERROR", Code: "42601", Message: `syntax error at or near "SELEC"`, Position: 1}, rfq),
		client(t, &pgproto3.Query{String: "SELECT * FROM nope"}),
		server(t, &pgproto3.ErrorResponse{Severity: "ERROR", Code: "42P01", Message: `relation "nope" does not exist`, Position: 15}, rfq),
		client(t, &pgproto3.Query{String: "SELECT 1/0"}),
		server(t, &pgproto3.RowDescription{Fields: []pgproto3.FieldDescription{col("?column?", 23, 0)}},
			&pgproto3.ErrorResponse{Severity: "ERROR", Code: "22012", Message: "division by zero"}, rfq),
		client(t, &pgproto3.Query{String: "DROP TABLE IF EXISTS nope"}),
		server(t, &pgproto3.NoticeResponse{Severity: "NOTICE", Code: "00000", Message: `table "nope" does not exist, skipping`},
			&pgproto3.CommandComplete{CommandTag: []byte("DROP TABLE")}, rfq),
		client(t, &pgproto3.Query{String: ""}),
		server(t, &pgproto3.EmptyQueryResponse{}, rfq),
	)
}

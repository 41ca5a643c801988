package pgsql

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/protocollab/protolab/lab"
)

// BenchmarkAnalyze measures the analyzer on a database's busiest traffic: a
// simple query answered by its RowDescription, three DataRows, its
// CommandComplete and ReadyForQuery. An op is one message.
//
//	go test -run '^$' -bench Analyze -benchmem ./protocols/pgsql/
func BenchmarkAnalyze(b *testing.B) {
	a, now := loggedIn(b)
	query := []byte(enc(b, &pgproto3.Query{String: "SELECT id, name, born FROM people"}))
	var answer [][]byte
	for _, m := range []pgproto3.BackendMessage{
		&pgproto3.RowDescription{Fields: []pgproto3.FieldDescription{col("id", 23, 0), col("name", 25, 0), col("born", 1082, 0)}},
		&pgproto3.DataRow{Values: [][]byte{[]byte("1"), []byte("Ada Lovelace"), []byte("1815-12-10")}},
		&pgproto3.DataRow{Values: [][]byte{[]byte("2"), []byte("Grace Hopper"), []byte("1906-12-09")}},
		&pgproto3.DataRow{Values: [][]byte{[]byte("3"), []byte("Alan Turing"), []byte("1912-06-23")}},
		&pgproto3.CommandComplete{CommandTag: []byte("SELECT 3")},
		&pgproto3.ReadyForQuery{TxStatus: 'I'},
	} {
		answer = append(answer, []byte(enc(b, m)))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if k := i % 7; k == 0 {
			a.Feed(lab.ClientToServer, query, now)
		} else {
			a.Feed(lab.ServerToClient, answer[k-1], now)
		}
	}
}

// BenchmarkPrepared measures the analyzer on what a driver that caches its
// statements sends for each query (pgx's default): Bind with one parameter,
// Execute and Sync in one segment, answered by BindComplete, a DataRow,
// CommandComplete and ReadyForQuery in another. An op is one query.
//
//	go test -run '^$' -bench Prepared -benchmem ./protocols/pgsql/
func BenchmarkPrepared(b *testing.B) {
	a, now := loggedIn(b)
	a.Feed(lab.ClientToServer, []byte(enc(b, &pgproto3.Parse{Name: "stmt1", Query: "SELECT name FROM people WHERE id = $1", ParameterOIDs: []uint32{23}},
		&pgproto3.Describe{ObjectType: 'S', Name: "stmt1"}, &pgproto3.Sync{})), now)
	a.Feed(lab.ServerToClient, []byte(enc(b, &pgproto3.ParseComplete{}, &pgproto3.ParameterDescription{ParameterOIDs: []uint32{23}},
		&pgproto3.RowDescription{Fields: []pgproto3.FieldDescription{col("name", 25, 0)}}, &pgproto3.ReadyForQuery{TxStatus: 'I'})), now)
	query := []byte(enc(b, &pgproto3.Bind{PreparedStatement: "stmt1", ParameterFormatCodes: []int16{1}, Parameters: [][]byte{{0, 0, 0, 1}}, ResultFormatCodes: []int16{0}},
		&pgproto3.Execute{}, &pgproto3.Sync{}))
	answer := []byte(enc(b, &pgproto3.BindComplete{}, &pgproto3.DataRow{Values: [][]byte{[]byte("Ada Lovelace")}},
		&pgproto3.CommandComplete{CommandTag: []byte("SELECT 1")}, &pgproto3.ReadyForQuery{TxStatus: 'I'}))
	b.ReportAllocs()
	for b.Loop() {
		a.Feed(lab.ClientToServer, query, now)
		a.Feed(lab.ServerToClient, answer, now)
	}
}

// BenchmarkSelectOne measures the analyzer on the smallest query round a
// server answers: the Query "SELECT 1" in one segment, and its answer,
// RowDescription, one DataRow, CommandComplete and ReadyForQuery, in another,
// as a server writes it. An op is one query.
//
//	go test -run '^$' -bench SelectOne -benchmem ./protocols/pgsql/
func BenchmarkSelectOne(b *testing.B) {
	a, now := loggedIn(b)
	query := []byte(enc(b, &pgproto3.Query{String: "SELECT 1"}))
	answer := []byte(enc(b, &pgproto3.RowDescription{Fields: []pgproto3.FieldDescription{col("?column?", 20, 0)}},
		&pgproto3.DataRow{Values: [][]byte{[]byte("1")}},
		&pgproto3.CommandComplete{CommandTag: []byte("SELECT 1")},
		&pgproto3.ReadyForQuery{TxStatus: 'I'}))
	b.ReportAllocs()
	for b.Loop() {
		a.Feed(lab.ClientToServer, query, now)
		a.Feed(lab.ServerToClient, answer, now)
	}
}

// loggedIn returns an analyzer that has seen a session's start-up, as the
// benchmarks' queries come after one, and the time they are fed at.
func loggedIn(b *testing.B) (*Analyzer, time.Time) {
	now := time.Now()
	a := NewAnalyzer()
	for _, s := range login(b) {
		a.Feed(s.Dir, []byte(s.Data), now)
	}
	return a, now
}

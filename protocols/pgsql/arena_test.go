package pgsql

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/protocollab/protolab/lab"
)

// TestSummariesKeptApart: summaries kept one after another in the
// analyzer's room each stay as they were, and a row's fields, made when
// someone looks, are its own, however many rows and descriptions came after.
func TestSummariesKeptApart(t *testing.T) {
	a := NewAnalyzer()
	for _, s := range login(t) {
		a.Feed(s.Dir, []byte(s.Data), time.Time{})
	}
	var out []lab.Message
	for i := range 200 {
		out = append(out, a.Feed(lab.ClientToServer, []byte(enc(t, &pgproto3.Query{String: fmt.Sprintf("SELECT %d", i)})), time.Time{})...)
		msgs := []pgproto3.Message{}
		if i%3 == 0 { // a new description now and then: the rows' fields follow it
			msgs = append(msgs, &pgproto3.RowDescription{Fields: []pgproto3.FieldDescription{col(fmt.Sprintf("c%d", i), 25, 0)}})
		}
		msgs = append(msgs, &pgproto3.DataRow{Values: [][]byte{[]byte(fmt.Sprintf("value %d %s", i, strings.Repeat("v", i%90)))}},
			&pgproto3.CommandComplete{CommandTag: []byte("SELECT 1")}, &pgproto3.ReadyForQuery{TxStatus: 'I'})
		out = append(out, a.Feed(lab.ServerToClient, []byte(enc(t, msgs...)), time.Time{})...)
	}
	q, rows := 0, 0
	for _, m := range out {
		switch {
		case strings.HasPrefix(m.Summary, "Query"):
			if want := fmt.Sprintf("SELECT %d", q); !strings.Contains(m.Summary, want) {
				t.Errorf("query %d: summary %q", q, m.Summary)
			}
			q++
		case strings.HasPrefix(m.Summary, "DataRow"):
			v := fmt.Sprintf("value %d %s", rows, strings.Repeat("v", rows%90))
			if !strings.Contains(m.Summary, v[:min(len(v), 40)]) {
				t.Errorf("row %d: summary %q", rows, m.Summary)
			}
			fields, _ := m.Detail()
			name := fmt.Sprintf("c%d", rows-rows%3)
			found := false
			for _, f := range fields {
				found = found || strings.Contains(f.Name, name) || strings.Contains(f.Value, name)
			}
			if !found {
				t.Errorf("row %d: no field names column %s: %+v", rows, name, fields)
			}
			rows++
		}
	}
	if q != 200 || rows != 200 {
		t.Fatalf("%d queries and %d rows, want 200 each", q, rows)
	}
}

// TestAppendQuoteAsStrconv checks the quick path of appendQuote gives what
// strconv.Quote gives, for every byte in and around printable ASCII.
func TestAppendQuoteAsStrconv(t *testing.T) {
	vals := []string{"", "Ada Lovelace", "1815-12-10", `say "hi"`, `back\slash`, "tab\there", "ünïcode", "\x00\x7f~ "}
	for c := 0; c < 256; c++ {
		vals = append(vals, "a"+string(rune(c))+"z", "a"+string([]byte{byte(c)})+"z")
	}
	for _, v := range vals {
		if got, want := string(appendQuote([]byte("x="), v)), "x="+strconv.Quote(v); got != want {
			t.Errorf("appendQuote(%q) = %s, want %s", v, got, want)
		}
	}
}

package pgsql

import (
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// pairs lists the messages as "pair role summary", role > for a request and < for an answer.
func pairs(msgs []lab.Message) []string {
	var out []string
	for _, m := range msgs {
		role := map[lab.Role]string{lab.RoleNone: "-", lab.RoleRequest: ">", lab.RoleAnswer: "<"}[m.Role]
		out = append(out, m.Pair+" "+role+" "+m.Summary)
	}
	return out
}

// TestPipelined sends two queries before either is answered: each answer is
// paired with its own query, and each DataRow read by its own columns.
func TestPipelined(t *testing.T) {
	rfq := &pgproto3.ReadyForQuery{TxStatus: 'I'}
	_, msgs := feed(t, append(login(t),
		client(t, &pgproto3.Query{String: "SELECT 1"}, &pgproto3.Query{String: "SELECT true"}),
		server(t, &pgproto3.RowDescription{Fields: []pgproto3.FieldDescription{col("a", 23, 0)}},
			&pgproto3.DataRow{Values: [][]byte{[]byte("1")}}, &pgproto3.CommandComplete{CommandTag: []byte("SELECT 1")}, rfq,
			&pgproto3.RowDescription{Fields: []pgproto3.FieldDescription{col("b", 16, 0)}},
			&pgproto3.DataRow{Values: [][]byte{[]byte("t")}}, &pgproto3.CommandComplete{CommandTag: []byte("SELECT 1")}, rfq)))
	want := []string{`2 > Query "SELECT 1"`, `3 > Query "SELECT true"`,
		"2 < RowDescription 1 column: a int4", "2 < DataRow 1", `2 < CommandComplete "SELECT 1"`, "2 < ReadyForQuery I (idle)",
		"3 < RowDescription 1 column: b bool", "3 < DataRow t", `3 < CommandComplete "SELECT 1"`, "3 < ReadyForQuery I (idle)"}
	if got := pairs(msgs[len(loginSummaries):]); !slices.Equal(got, want) {
		t.Errorf("\n%q, want\n%q", got, want)
	}
	row := analyzertest.Find(t, msgs, "DataRow t")
	if got := analyzertest.Field(row, "b"); got != "t" {
		t.Errorf("b = %q", got)
	}
}

// TestExtendedError checks that after an error in a batch the server's
// skipping to the Sync leaves the next batch's answers in step.
func TestExtendedError(t *testing.T) {
	_, msgs := feed(t, append(login(t),
		client(t, &pgproto3.Parse{Query: "SELEC 1"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{}),
		server(t, &pgproto3.ErrorResponse{Severity: "ERROR", Code: "42601", Message: "syntax error"}, &pgproto3.ReadyForQuery{TxStatus: 'I'}),
		client(t, &pgproto3.Parse{Query: "SELECT 2"}, &pgproto3.Bind{ResultFormatCodes: []int16{1}},
			&pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{MaxRows: 1}, &pgproto3.Sync{}),
		server(t, &pgproto3.ParseComplete{}, &pgproto3.BindComplete{},
			&pgproto3.RowDescription{Fields: []pgproto3.FieldDescription{col("n", 23, 1)}},
			&pgproto3.DataRow{Values: [][]byte{{0, 0, 0, 2}}}, &pgproto3.PortalSuspended{}, &pgproto3.ReadyForQuery{TxStatus: 'I'}),
	))
	want := []string{`2 > Parse "SELEC 1"`, `2 - Bind portal "" to statement ""`, `2 - Execute portal ""`, "2 - Sync",
		`2 < ErrorResponse ERROR 42601 "syntax error"`, "2 < ReadyForQuery I (idle)",
		`3 > Parse "SELECT 2"`, `3 - Bind portal "" to statement ""`, `3 - Describe portal ""`, `3 - Execute portal "" (at most 1 row)`, "3 - Sync",
		"3 < ParseComplete", "3 < BindComplete", "3 < RowDescription 1 column: n int4", "3 < DataRow 2", "3 < PortalSuspended",
		"3 < ReadyForQuery I (idle)"}
	if got := pairs(msgs[len(loginSummaries):]); !slices.Equal(got, want) {
		t.Errorf("\n%q, want\n%q", got, want)
	}
}

func TestNegotiateAndNotify(t *testing.T) {
	start := &pgproto3.StartupMessage{ProtocolVersion: 3<<16 | 9, Parameters: map[string]string{"user": "lab", "_pq_.x": "1"}}
	_, msgs := feed(t, []step{
		client(t, start),
		server(t, &pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: 2, UnrecognizedOptions: []string{"_pq_.x"}},
			&pgproto3.AuthenticationOk{}, &pgproto3.ReadyForQuery{TxStatus: 'I'}),
		client(t, &pgproto3.Query{String: "LISTEN news"}),
		server(t, &pgproto3.CommandComplete{CommandTag: []byte("LISTEN")}, &pgproto3.ReadyForQuery{TxStatus: 'I'},
			&pgproto3.NotificationResponse{PID: 7, Channel: "news", Payload: "hello"}),
	})
	want := []string{`StartupMessage user "lab" database "lab"`, "NegotiateProtocolVersion 3.2", "AuthenticationOk",
		"ReadyForQuery I (idle)", `Query "LISTEN news"`, `CommandComplete "LISTEN"`, "ReadyForQuery I (idle)",
		`NotificationResponse "news" "hello" from process 7`}
	if got := analyzertest.Summaries(msgs); !slices.Equal(got, want) {
		t.Errorf("\n%q, want\n%q", got, want)
	}
	if got := analyzertest.Field(msgs[0], "protocol version"); got != "3.9 (196617)" {
		t.Errorf("protocol version %q", got)
	}
	if n := msgs[len(msgs)-1]; n.Role != lab.RoleNone {
		t.Errorf("a notification answers no request: role %v pair %q", n.Role, n.Pair)
	}
}

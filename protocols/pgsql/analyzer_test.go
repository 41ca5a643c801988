package pgsql

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

var (
	loginSummaries = []string{
		`StartupMessage user "lab" database "lab"`, "AuthenticationCleartextPassword", "PasswordMessage (masked)",
		"AuthenticationOk", `ParameterStatus server_version = "15.4"`, "BackendKeyData process 4242", "ReadyForQuery I (idle)",
	}
	welcomeSummaries = loginSummaries[3:]
	loginStates      = []string{StateAuthenticating, StateIdle}
)

// conversationTests are whole conversations, built with pgproto3's encoders,
// with the summaries and the states the analyzer must show.
var conversationTests = []struct {
	name      string
	steps     func(testing.TB) []step
	summaries []string
	states    []string
}{
	{"simple query", simpleQuery, append(slices.Clone(loginSummaries),
		`Query "SELECT id, name FROM people"`, "RowDescription 2 columns: id int4, name text", `DataRow 1, "Ada"`, "DataRow 2, NULL",
		`CommandComplete "SELECT 2"`, "ReadyForQuery I (idle)", "Terminate"),
		[]string{StateAuthenticating, StateIdle, StateTerminated}},
	{"extended protocol", extended, append(slices.Clone(loginSummaries),
		`Parse statement "s1" "SELECT $1::int8, 1.5::float8, true, '\\xdead'::bytea, '2024-01-02 03:04:05'::time…"`,
		`Describe statement "s1"`, "Sync",
		"ParseComplete", "ParameterDescription int8",
		"RowDescription 7 columns: int8 int8, float8 float8, bool bool, bytea bytea, timestamp timestamp, numeric numeric, text text",
		"ReadyForQuery I (idle)",
		`Bind portal "p1" to statement "s1", 1 parameter`, `Execute portal "p1"`, "Sync",
		"BindComplete", `DataRow 42, 1.5, true, \xdead, 2024-01-02 03:04:05, 12.345, "x"`, `CommandComplete "SELECT 1"`, "ReadyForQuery I (idle)",
		`Close statement "s1"`, "Sync", "CloseComplete", "ReadyForQuery I (idle)", "Terminate"),
		[]string{StateAuthenticating, StateIdle, StateTerminated}},
	{"failed transaction", txFail, append(slices.Clone(loginSummaries),
		`Query "BEGIN"`, `CommandComplete "BEGIN"`, "ReadyForQuery T (in transaction)",
		`Query "INSERT INTO people VALUES (1, 'Ada')"`,
		`ErrorResponse ERROR 23505 "duplicate key value violates unique constraint \"people_pkey\""`, "ReadyForQuery E (failed transaction)",
		`Query "SELECT 1"`, `ErrorResponse ERROR 25P02 "current transaction is aborted, commands ignored until end of transaction block"`,
		"ReadyForQuery E (failed transaction)",
		`Query "ROLLBACK"`, `CommandComplete "ROLLBACK"`, "ReadyForQuery I (idle)", "Terminate"),
		[]string{StateAuthenticating, StateIdle, StateTransaction, StateFailed, StateIdle, StateTerminated}},
	{"COPY in and out", copyInOut, append(slices.Clone(loginSummaries),
		`Query "COPY people FROM STDIN"`, "CopyInResponse text, 2 columns",
		`CopyData "3\tGrace\n"`, `CopyData "4\tLinus\n"`, "CopyDone", `CommandComplete "COPY 2"`, "ReadyForQuery I (idle)",
		`Query "COPY people TO STDOUT"`, "CopyOutResponse text, 2 columns", `CopyData "1\tAda\n"`, "CopyDone",
		`CommandComplete "COPY 1"`, "ReadyForQuery I (idle)"), loginStates},
	{"SCRAM-SHA-256", scram, append([]string{`StartupMessage user "lab" database "lab"`,
		"AuthenticationSASL SCRAM-SHA-256", "SASLInitialResponse SCRAM-SHA-256", "AuthenticationSASLContinue",
		"SASLResponse (proof masked)", "AuthenticationSASLFinal"}, welcomeSummaries...), loginStates},
	{"MD5", md5, append([]string{`StartupMessage user "lab" database "lab"`,
		"AuthenticationMD5Password salt a1b2c3d4", "PasswordMessage (masked)"}, welcomeSummaries...), loginStates},
	{"SSLRequest refused", sslNo, append([]string{"SSLRequest", "'N': no TLS"}, loginSummaries...), loginStates},
	{"CancelRequest", cancel, []string{"CancelRequest for process 4242"}, nil},
	{"errors", badSQL, append(slices.Clone(loginSummaries),
		`Query "SELEC 1"`, `ErrorResponse ERROR 42601 "syntax error at or near \"SELEC\""`, "ReadyForQuery I (idle)",
		`Query "SELECT * FROM nope"`, `ErrorResponse ERROR 42P01 "relation \"nope\" does not exist"`, "ReadyForQuery I (idle)",
		`Query "SELECT 1/0"`, "RowDescription 1 column: ?column? int4", `ErrorResponse ERROR 22012 "division by zero"`, "ReadyForQuery I (idle)",
		`Query "DROP TABLE IF EXISTS nope"`, `NoticeResponse NOTICE 00000 "table \"nope\" does not exist, skipping"`,
		`CommandComplete "DROP TABLE"`, "ReadyForQuery I (idle)",
		`Query ""`, "EmptyQueryResponse", "ReadyForQuery I (idle)"), loginStates},
}

// TestConversations feeds each conversation whole, in one-byte and in
// three-byte chunks: the messages, their fields and the states are the same.
func TestConversations(t *testing.T) {
	for _, tt := range conversationTests {
		steps := tt.steps(t)
		var whole []lab.Message
		for _, chunk := range []int{0, 1, 3} {
			a := NewAnalyzer()
			a.Opened(lab.OpenInfo{})
			msgs := analyzertest.Feed(a, steps, chunk)
			if got := analyzertest.Summaries(msgs); !slices.Equal(got, tt.summaries) {
				t.Errorf("%s, chunks of %d: messages\n%q, want\n%q", tt.name, chunk, got, tt.summaries)
				continue
			}
			if got := analyzertest.States(msgs); !slices.Equal(got, tt.states) {
				t.Errorf("%s, chunks of %d: states %q, want %q", tt.name, chunk, got, tt.states)
			}
			analyzertest.CheckSpans(t, msgs)
			for i, m := range msgs {
				if m.Meaning == "" || m.Ref == "" || !m.Observed {
					t.Errorf("%s: %q has meaning %q, ref %q, observed %v", tt.name, m.Summary, m.Meaning, m.Ref, m.Observed)
				}
				if strings.HasPrefix(m.Summary, "malformed") {
					t.Errorf("%s: %q", tt.name, m.Summary)
				}
				if whole != nil && (!slices.Equal(m.Fields, whole[i].Fields) || !bytes.Equal(m.Raw, whole[i].Raw)) {
					t.Errorf("%s, chunks of %d: %q differs from the whole feed's", tt.name, chunk, m.Summary)
				}
			}
			if whole == nil {
				whole = msgs
			}
			if p := a.Pending(c2s) + a.Pending(s2c); p != 0 {
				t.Errorf("%s, chunks of %d: %d bytes pending", tt.name, chunk, p)
			}
		}
	}
}

// feed feeds steps whole to a fresh analyzer and returns its messages.
func feed(t *testing.T, steps []step) (*Analyzer, []lab.Message) {
	t.Helper()
	a := NewAnalyzer()
	a.Opened(lab.OpenInfo{})
	return a, analyzertest.FeedSpans(t, a, steps)
}

func TestPasswordsMasked(t *testing.T) {
	for _, tt := range []struct {
		name, secret, summary, field string
		steps                        func(testing.TB) []step
	}{
		{"cleartext", "s3cret!", "PasswordMessage (masked)", "password", simpleQuery},
		{"MD5", "md50123456789abcdef0123456789abcdef", "PasswordMessage (masked)", "password", md5},
		{"SCRAM proof", "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", "SASLResponse (proof masked)", "proof (p=)", scram},
	} {
		steps := tt.steps(t)
		_, msgs := feed(t, steps)
		m := analyzertest.Find(t, msgs, tt.summary)
		for _, f := range m.Fields {
			if strings.Contains(f.Value, tt.secret) {
				t.Errorf("%s: field %q shows the secret: %q", tt.name, f.Name, f.Value)
			}
		}
		if bytes.Contains(m.Raw, []byte(tt.secret)) || strings.Contains(m.Meaning+m.Summary, tt.secret) {
			t.Errorf("%s: the bytes shown hold the secret: %q", tt.name, m.Raw)
		}
		if got, ok := analyzertest.Span(m, tt.field); !ok || got != strings.Repeat("*", len(tt.secret)) {
			t.Errorf("%s: field %q covers %q", tt.name, tt.field, got)
		}
		// The bytes the analyzer is fed stay as they crossed the wire.
		a := NewAnalyzer()
		var fed [][]byte
		for _, st := range steps {
			b := []byte(st.Data)
			fed = append(fed, b)
			a.Feed(st.Dir, b, time.Time{})
		}
		if !bytes.Contains(bytes.Join(fed, nil), []byte(tt.secret)) {
			t.Errorf("%s: the analyzer changed the bytes it was fed", tt.name)
		}
	}
}

func TestSCRAMFields(t *testing.T) {
	_, msgs := feed(t, scram(t))
	analyzertest.ExpectSpans(t, analyzertest.Find(t, msgs, "AuthenticationSASLContinue"), analyzertest.Spans{
		"nonce (r=)": "rOprNGfwEbeRWgbNEkqOsrvNonce", "salt (s=, base64)": "W22ZaJ0SNY7soEsUEjb6gQ==", "iterations (i=)": "4096",
	})
	analyzertest.ExpectSpans(t, analyzertest.Find(t, msgs, "SASLInitialResponse SCRAM-SHA-256"), analyzertest.Spans{
		"mechanism": "SCRAM-SHA-256", "nonce (r=)": "rOprNGfwEbeRWgbNEkqO",
	})
	analyzertest.ExpectSpans(t, analyzertest.Find(t, msgs, "SASLResponse (proof masked)"), analyzertest.Spans{
		"channel binding (c=)": "biws", "nonce (r=)": "rOprNGfwEbeRWgbNEkqOsrvNonce",
	})
}

func TestRowsDecoded(t *testing.T) {
	_, msgs := feed(t, extended(t))
	row := analyzertest.Find(t, msgs, `DataRow 42, 1.5, true, \xdead, 2024-01-02 03:04:05, 12.345, "x"`)
	for name, want := range map[string]string{"int8": "42", "float8": "1.5", "bool": "true", "bytea": `\xdead`,
		"timestamp": "2024-01-02 03:04:05", "numeric": "12.345", "text": `"x"`} {
		if got := analyzertest.Field(row, name); got != want {
			t.Errorf("DataRow %s = %q, want %q", name, got, want)
		}
	}
	bind := analyzertest.Find(t, msgs, `Bind portal "p1" to statement "s1", 1 parameter`)
	analyzertest.ExpectSpans(t, bind, analyzertest.Spans{"$1": "\x00\x00\x00\x00\x00\x00\x00\x2a", "portal": "p1", "statement": "s1"})
	if got := analyzertest.Field(bind, "$1"); got != "42" {
		t.Errorf("Bind $1 = %q, want 42 (int8 from the Parse)", got)
	}
	_, msgs = feed(t, simpleQuery(t))
	row = analyzertest.Find(t, msgs, "DataRow 2, NULL")
	analyzertest.ExpectSpans(t, row, analyzertest.Spans{"id": "2", "name": "\xff\xff\xff\xff"})
	desc := analyzertest.Find(t, msgs, "RowDescription 2 columns: id int4, name text")
	analyzertest.ExpectSpans(t, desc, analyzertest.Spans{"data type": "\x00\x00\x00\x17", "name": "id", "type": "T"})
}

func TestErrorFields(t *testing.T) {
	_, msgs := feed(t, txFail(t))
	m := analyzertest.Find(t, msgs, `ErrorResponse ERROR 23505 "duplicate key value violates unique constraint \"people_pkey\""`)
	if got := analyzertest.Field(m, "SQLSTATE"); !strings.HasPrefix(got, "23505 unique_violation: ") {
		t.Errorf("SQLSTATE field %q", got)
	}
	if span, _ := analyzertest.Span(m, "SQLSTATE"); span != "C23505" {
		t.Errorf("SQLSTATE spans %q", span)
	}
	for _, want := range []string{"23505", "unique", "Key (id)=(1) already exists.", "ROLLBACK"} {
		if !strings.Contains(m.Meaning, want) {
			t.Errorf("meaning %q lacks %q", m.Meaning, want)
		}
	}
	for code, want := range map[string]string{"42601": "syntax_error", "42P01": "undefined_table", "42703": "undefined_column",
		"23502": "not_null_violation", "22012": "division_by_zero", "57014": "query_canceled", "25P02": "in_failed_sql_transaction",
		"25P01": "no_active_sql_transaction", "28P01": "invalid_password", "0A000": "feature_not_supported", "08P01": "protocol_violation",
		"42Z99": "class 42, a syntax error"} {
		if got := explainState(code); !strings.HasPrefix(got, want) {
			t.Errorf("explainState(%s) = %q, want %q…", code, got, want)
		}
	}
}

// TestPairs checks the timing view's marks: each Query, each Sync'd batch and
// the start-up is one request, answered by the server's messages up to its
// ReadyForQuery.
func TestPairs(t *testing.T) {
	_, msgs := feed(t, extended(t))
	var requests []string
	answers := map[string]int{}
	for _, m := range msgs {
		switch m.Role {
		case lab.RoleRequest:
			requests = append(requests, m.Pair+" "+m.Summary[:strings.IndexByte(m.Summary+" ", ' ')])
		case lab.RoleAnswer:
			answers[m.Pair]++
		}
	}
	if want := []string{"1 StartupMessage", "2 Parse", "3 Bind", "4 Close"}; !slices.Equal(requests, want) {
		t.Errorf("requests %q, want %q", requests, want)
	}
	if want := map[string]int{"1": 5, "2": 4, "3": 4, "4": 2}; !maps(answers, want) {
		t.Errorf("answers by pair %v, want %v", answers, want)
	}
}

func maps(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestClosed(t *testing.T) {
	a, _ := feed(t, login(t))
	analyzertest.Feed(a, []step{{c2s, "Q\x00\x00\x00\x10SELE"}}, 0)
	end := a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN})
	if got := analyzertest.Summaries(end); !slices.Equal(got, []string{"9 bytes of an unfinished message", "connection closed without Terminate"}) ||
		a.State() != StateTerminated || end[1].NextState != StateTerminated {
		t.Errorf("%q, state %q", got, a.State())
	}
	// After Terminate the end of the connection adds nothing.
	a, _ = feed(t, simpleQuery(t))
	if end := a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN}); len(end) != 0 {
		t.Errorf("after Terminate: %q", analyzertest.Summaries(end))
	}
}

func TestCopyRows(t *testing.T) {
	steps := append(copyInOut(t)[:len(login(t))+2], client(t, &pgproto3.CopyData{Data: []byte("5\tAlan\n6\t\\N\n")}))
	_, msgs := feed(t, steps)
	m := analyzertest.Find(t, msgs, `CopyData 2 rows: "5\tAlan\n6\t\\N\n"`)
	analyzertest.ExpectSpans(t, m, analyzertest.Spans{"row 1": "5\tAlan", "row 2": "6\t\\N"})
	if got := analyzertest.Field(m, "row 2"); got != `"6" | NULL` {
		t.Errorf("row 2 = %q", got)
	}
}

// TestRowDeferred: a well-formed DataRow's fields wait until someone looks;
// a malformed one is decoded at once, to say what is wrong.
func TestRowDeferred(t *testing.T) {
	a, _ := feed(t, simpleQuery(t)[:len(login(t))+1])
	a.Feed(s2c, []byte(enc(t, &pgproto3.RowDescription{Fields: []pgproto3.FieldDescription{col("id", 23, 0)}})), time.Time{})
	msgs := a.Feed(s2c, []byte(enc(t, &pgproto3.DataRow{Values: [][]byte{[]byte("7")}})+"D\x00\x00\x00\x0a\x00\x01\x00\x00\x00\x09x"), time.Time{})
	if len(msgs) != 2 || !msgs[0].Deferred() || len(msgs[0].Fields) != 0 || msgs[1].Deferred() {
		t.Fatalf("%q, deferred %v", analyzertest.Summaries(msgs), len(msgs) > 0 && msgs[0].Deferred())
	}
	fields, meaning := msgs[0].Detail()
	if got := analyzertest.Field(lab.Message{Fields: fields}, "id"); got != "7" || meaning == "" {
		t.Errorf("id = %q, meaning %q", got, meaning)
	}
	if msgs[1].Summary != "malformed DataRow: the length ends before its value" {
		t.Errorf("%q", msgs[1].Summary)
	}
}

// TestDescriptionDeferred: a well-formed RowDescription's columns are taken at
// once (the rows after it are decoded by them) and its fields built when
// someone looks, the same as a description decoded at once; a malformed one
// is decoded at once.
func TestDescriptionDeferred(t *testing.T) {
	a, _ := feed(t, simpleQuery(t)[:len(login(t))+1])
	desc := enc(t, &pgproto3.RowDescription{Fields: []pgproto3.FieldDescription{col("id", 23, 0), col("name", 25, 0)}})
	msgs := a.Feed(s2c, []byte(desc), time.Time{})
	if len(msgs) != 1 || !msgs[0].Deferred() || msgs[0].Summary != "RowDescription 2 columns: id int4, name text" {
		t.Fatalf("%q, deferred %v", analyzertest.Summaries(msgs), len(msgs) > 0 && msgs[0].Deferred())
	}
	built := *msgs[0].Built()
	analyzertest.ExpectSpans(t, built, analyzertest.Spans{"name": "id", "column 2": "name\x00" + desc[len(desc)-18:]})
	var eager lab.Message
	typed(&eager, s2c, []byte(desc))
	(&Analyzer{}).rowDescription(&eager, &reader{m: &eager, off: 5})
	if fmt.Sprint(built.Fields) != fmt.Sprint(eager.Fields) {
		t.Errorf("deferred fields\n%v\nwant those decoded at once\n%v", built.Fields, eager.Fields)
	}
	rows := a.Feed(s2c, []byte(enc(t, &pgproto3.DataRow{Values: [][]byte{[]byte("7"), []byte("Ada")}})), time.Time{})
	if len(rows) != 1 || rows[0].Summary != `DataRow 7, "Ada"` {
		t.Errorf("the row after it: %q", analyzertest.Summaries(rows))
	}
	bad := a.Feed(s2c, []byte("T\x00\x00\x00\x06\x00\x01"), time.Time{})
	if len(bad) != 1 || bad[0].Deferred() || !strings.HasPrefix(bad[0].Summary, "malformed RowDescription") {
		t.Errorf("a malformed description: %q", analyzertest.Summaries(bad))
	}
}

package pgsql

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// captureTests are connections recorded by a proxy between real clients
// (psql 15, pgx, psycopg2) and a real PostgreSQL 15 (testdata; each file's
// first line says how), with what the analyzer must make of them.
var captureTests = []struct {
	file   string
	states []string
	shows  []string          // summaries among the messages
	fields map[string]string // "summary/field" → value
}{
	{"psql-session.txt", []string{StateAuthenticating, StateIdle, StateTransaction, StateFailed, StateIdle, StateTerminated},
		[]string{"SSLRequest", "'N': no TLS", "SASLResponse (proof masked)", "RowDescription 4 columns: id int4, name text, born date, score numeric",
			`DataRow 1, "Ada", "1815-12-10", 99.50`, "ReadyForQuery E (failed transaction)", "CopyInResponse text, 4 columns",
			`CopyData "2\tGrace\t1906-12-09\t\\N\n"`, `ErrorResponse ERROR 42601 "syntax error at or near \"SELEC\""`},
		map[string]string{`DataRow 2, "Grace", "1906-12-09", NULL/score`: "NULL"}},
	{"pgx-extended.txt", []string{StateAuthenticating, StateIdle, StateTerminated},
		[]string{"ParameterDescription int4", `DataRow "Ada", 1815-12-10, 99.5`, "ParameterDescription int4, text",
			`ErrorResponse ERROR 23505 "duplicate key value violates unique constraint \"people_pkey\""`, `DataRow 3, "Linus"`},
		map[string]string{`DataRow "Ada", 1815-12-10, 99.5/born`: "1815-12-10",
			// pgx's Parse leaves the types to the server: its ParameterDescription gives them.
			`Bind portal "" to statement "stmtcache_c95f9ddc75e4d395f031b23003ed31e4786457fb1af397ba", 1 parameter/$1`: "1"}},
	{"psycopg2-session.txt", []string{StateAuthenticating, StateIdle, StateTransaction, StateIdle, StateTerminated},
		[]string{"ReadyForQuery T (in transaction)", `CommandComplete "COMMIT"`},
		nil},
}

// capture reads testdata/name.
func capture(t testing.TB, name string) []step {
	t.Helper()
	var steps []step
	for _, s := range analyzertest.ReadCapture(t, filepath.Join("testdata", name)) {
		steps = append(steps, step(s))
	}
	return steps
}

func TestCaptures(t *testing.T) {
	for _, tt := range captureTests {
		steps := capture(t, tt.file)
		for _, chunk := range []int{0, 1} {
			a := NewAnalyzer()
			a.Opened(lab.OpenInfo{})
			msgs := analyzertest.Feed(a, steps, chunk)
			msgs = append(msgs, a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN})...)
			analyzertest.CheckSpans(t, msgs)
			got := analyzertest.Summaries(msgs)
			for _, s := range got {
				if strings.Contains(s, "malformed") || strings.Contains(s, "unfinished") {
					t.Errorf("%s, chunks of %d: %q", tt.file, chunk, s)
				}
			}
			for _, want := range tt.shows {
				if !slices.Contains(got, want) {
					t.Errorf("%s, chunks of %d: no %q in\n%q", tt.file, chunk, want, got)
				}
			}
			if states := analyzertest.States(msgs); !slices.Equal(states, tt.states) {
				t.Errorf("%s, chunks of %d: states %q, want %q", tt.file, chunk, states, tt.states)
			}
			for key, want := range tt.fields {
				summary, field, _ := strings.Cut(key, "/")
				if got := analyzertest.Field(analyzertest.Find(t, msgs, summary), field); got != want {
					t.Errorf("%s: %s = %q, want %q", tt.file, key, got, want)
				}
			}
		}
	}
}

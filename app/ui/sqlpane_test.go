package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/protocollab/protolab/clients/pgclient"
	"github.com/protocollab/protolab/protocols/pgsql"
)

// sqlPaneOn starts the lab's PostgreSQL server and connects the SQL pane to it.
func sqlPaneOn(t *testing.T) (*Window, *sqlPane) {
	t.Helper()
	w := testWindow(t)
	started(t, w, pgsql.Name)
	p := w.wb.benches[pgsql.Name].client.(*sqlPane)
	test.Tap(p.connect)
	waitFor(t, w, "the session", func() bool { return p.client != nil || !p.busy })
	if !strings.Contains(p.status.Text, "connected") {
		t.Fatalf("status %q", p.status.Text)
	}
	return w, p
}

// runIn types sql into the pane, runs it in mode and waits for the reply.
func runIn(t *testing.T, w *Window, p *sqlPane, mode, sql string) {
	t.Helper()
	p.mode.SetSelected(mode)
	p.editor.SetText(sql)
	test.Tap(p.runBtn)
	waitFor(t, w, "the reply to "+sql, func() bool { return !p.busy })
}

// TestSQLPane: the SQL pane runs SQL on the lab's server in both protocols
// and shows rows with their column types, errors with their SQLSTATE and its
// meaning, and the transaction's status light; the history keeps what ran.
func TestSQLPane(t *testing.T) {
	w, p := sqlPaneOn(t)
	if p.client.TxStatus() != pgclient.TxIdle || !strings.Contains(p.txText.Text, "idle") {
		t.Errorf("after connecting: %q", p.txText.Text)
	}
	for _, mode := range sqlModes {
		runIn(t, w, p, mode, "SELECT 1 AS one, 'two' AS two, NULL AS three")
		rows, cols := p.results.size()
		if rows != 1 || cols != 3 {
			t.Fatalf("%s: %d rows of %d columns", mode, rows, cols)
		}
		res := p.results.result()
		if res.Columns[0].Type == "" || *res.Rows[0][1] != "two" || res.Rows[0][2] != nil {
			t.Errorf("%s: columns %+v, row %v", mode, res.Columns, res.Rows[0])
		}
	}
	runIn(t, w, p, "Simple", "SELECT * FROM no_such_table")
	if !p.results.errText.Visible() || !strings.Contains(p.results.errText.Text, "42P01") || !strings.Contains(p.results.errText.Text, "undefined_table") {
		t.Errorf("an unknown table: %q", p.results.errText.Text)
	}
	runIn(t, w, p, "Simple", "BEGIN")
	if p.client.TxStatus() != pgclient.TxOpen || !strings.Contains(p.txText.Text, "in transaction") {
		t.Errorf("after BEGIN: %q", p.txText.Text)
	}
	runIn(t, w, p, "Simple", "INSERT INTO no_such_table VALUES (1)")
	if p.client.TxStatus() != pgclient.TxFailed || !strings.Contains(p.txText.Text, "failed") || !p.results.errText.Visible() {
		t.Errorf("after an error in the transaction: %q, %q", p.txText.Text, p.results.errText.Text)
	}
	runIn(t, w, p, "Simple", "ROLLBACK")
	if p.client.TxStatus() != pgclient.TxIdle || p.results.errText.Visible() {
		t.Errorf("after ROLLBACK: %q, error %q", p.txText.Text, p.results.errText.Text)
	}
	if got := len(p.history.Options); got != 5 || !strings.HasPrefix(p.history.Options[0], "ROLLBACK") {
		t.Errorf("history %q, want the five statements run, newest first", p.history.Options)
	}
	p.history.SetSelected(p.history.Options[len(p.history.Options)-1])
	if !strings.HasPrefix(p.editor.Text, "SELECT 1 AS one") {
		t.Errorf("picking the oldest statement put %q in the editor", p.editor.Text)
	}
}

// TestSQLPaneCancel: Cancel stops a long statement with a CancelRequest on a
// connection of its own; the session goes on.
func TestSQLPaneCancel(t *testing.T) {
	w, p := sqlPaneOn(t)
	p.mode.SetSelected("Simple")
	p.editor.SetText("SELECT pg_sleep(60)")
	test.Tap(p.runBtn)
	// The statement runs until cancelled: waitFor would wait for it.
	if !p.running || p.cancel.Disabled() || !p.runBtn.Disabled() {
		t.Fatalf("while a statement runs: running %v, Cancel disabled %v, Run disabled %v", p.running, p.cancel.Disabled(), p.runBtn.Disabled())
	}
	// A cancel that reaches the server before the Query cancels nothing: wait
	// until the capture has seen the Query go, and a little more.
	for end := time.Now().Add(15 * time.Second); !sentQuery(w, p); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("the Query was not seen on the wire")
		}
	}
	time.Sleep(100 * time.Millisecond)
	test.Tap(p.cancel)
	waitFor(t, w, "the cancel", func() bool { return !p.busy })
	if !strings.Contains(p.results.errText.Text, "57014") {
		t.Errorf("after Cancel: %q", p.results.errText.Text)
	}
	runIn(t, w, p, "Simple", "SELECT 2")
	if rows, _ := p.results.size(); rows != 1 || p.client == nil {
		t.Errorf("the session after a cancel: %d rows", rows)
	}
}

// sentQuery reports whether the capture saw the pane's session send a Query.
func sentQuery(w *Window, p *sqlPane) bool {
	for _, e := range w.hub.ConvEvents(p.client.Conversation()) {
		if e.Msg != nil && strings.HasPrefix(e.Msg.Summary, "Query ") {
			return true
		}
	}
	return false
}

package ui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/clients/pgclient"
	"github.com/protocollab/protolab/protocols/pgsql"
)

// maxSQLHistory bounds the statements the history offers.
const maxSQLHistory = 50

// runSQL runs the editor's SQL off the UI goroutine; Cancel may stop it.
func (p *sqlPane) runSQL() {
	c := p.client
	sql := strings.TrimSpace(p.editor.Text)
	if c == nil || sql == "" {
		if sql == "" {
			p.fail(errors.New("type some SQL to run, such as SELECT * FROM courses;"))
		}
		return
	}
	p.remember(sql)
	mode := pgclient.Simple
	if p.mode.Selected == sqlModes[1] {
		mode = pgclient.Extended
	}
	var reply *pgclient.Reply
	var took time.Duration
	p.running = true
	p.runThen("running "+strings.ToLower(p.mode.Selected)+" query", func() (err error) {
		start := time.Now()
		reply, err = c.Run(context.Background(), sql, mode)
		took = time.Since(start)
		return err
	}, func(err error) {
		p.running, p.cancelling = false, false
		if err != nil {
			// The connection broke: the session is over.
			p.results.clear()
			if p.client == c {
				p.client = nil
				p.ctx.Go(func() {
					ctx, cancel := context.WithTimeout(context.Background(), dialTimeout)
					defer cancel()
					c.Close(ctx)
				})
			}
			return
		}
		p.results.show(reply)
		setStatus(p.status, sqlReplyLine(reply, took), reply.Err != nil)
	})
}

// sqlReplyLine says in one line what a run did.
func sqlReplyLine(r *pgclient.Reply, took time.Duration) string {
	var tags []string
	for _, res := range r.Results {
		tags = append(tags, res.Tag)
	}
	line := strings.Join(tags, ", ")
	if r.Err != nil {
		if line != "" {
			line += ", then "
		}
		line += "ERROR " + r.Err.Code
	}
	if line == "" {
		line = "nothing to run"
	}
	return fmt.Sprintf("%s · %v", line, took.Round(10*time.Microsecond))
}

// cancelSQL asks the server, over a connection of its own, to stop the
// running statement (CancelRequest).
func (p *sqlPane) cancelSQL() {
	c := p.client
	if c == nil || !p.running || p.cancelling {
		return
	}
	p.cancelling = true
	p.setControls()
	p.ctx.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), dialTimeout)
		defer cancel()
		err := c.Cancel(ctx)
		fyne.Do(func() {
			if err != nil {
				setStatus(p.status, "the cancel request failed: "+err.Error(), true)
			}
		})
	})
}

// remember puts sql at the end of the history, once.
func (p *sqlPane) remember(sql string) {
	if i := p.historyIndex(historyLabel(sql)); i >= 0 {
		p.past = append(p.past[:i], p.past[i+1:]...)
	}
	p.past = append(p.past, sql)
	if len(p.past) > maxSQLHistory {
		p.past = p.past[len(p.past)-maxSQLHistory:]
	}
	labels := make([]string, len(p.past))
	for i, s := range p.past {
		labels[len(p.past)-1-i] = historyLabel(s) // newest first
	}
	p.history.SetOptions(labels)
}

// historyIndex finds the statement whose label is label, -1 for none.
func (p *sqlPane) historyIndex(label string) int {
	for i := len(p.past) - 1; i >= 0; i-- {
		if historyLabel(p.past[i]) == label {
			return i
		}
	}
	return -1
}

// historyLabel is a statement on one line, shortened.
func historyLabel(sql string) string {
	s := strings.Join(strings.Fields(sql), " ")
	if r := []rune(s); len(r) > 60 {
		s = string(r[:59]) + "…"
	}
	return s
}

// sqlResults shows a run's results: which statement, its command tag and
// rows affected, its rows in a table whose header names each column and its
// type, and the error and notices.
type sqlResults struct {
	pick    *widget.Select
	summary *widget.Label
	errText *widget.Label
	notices *widget.Label
	table   *widget.Table
	reply   *pgclient.Reply
	shown   int // the result shown
	obj     fyne.CanvasObject
}

func newSQLResults() *sqlResults {
	r := &sqlResults{shown: -1}
	r.pick = widget.NewSelect(nil, func(s string) {
		if i := strings.Index(s, ":"); i > 0 {
			if n, err := strconv.Atoi(s[:i]); err == nil {
				r.showResult(n - 1)
			}
		}
	})
	r.pick.Hide()
	r.summary = widget.NewLabel("no result yet")
	r.errText = widget.NewLabel("")
	r.errText.Wrapping = fyne.TextWrapWord
	r.errText.Importance = widget.DangerImportance
	r.errText.Hide()
	r.notices = widget.NewLabel("")
	r.notices.Wrapping = fyne.TextWrapWord
	r.notices.Importance = widget.WarningImportance
	r.notices.Hide()
	r.table = widget.NewTableWithHeaders(r.size, func() fyne.CanvasObject { return widget.NewLabel("") }, r.cell)
	r.table.ShowHeaderColumn = false
	r.table.CreateHeader = func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.TextStyle.Bold = true
		return l
	}
	r.table.UpdateHeader = r.header
	head := container.NewVBox(container.NewBorder(nil, nil, r.pick, nil, r.summary), r.errText, r.notices)
	r.obj = container.NewBorder(head, nil, nil, nil, r.table)
	return r
}

// show puts reply in the view, its last result with columns first.
func (r *sqlResults) show(reply *pgclient.Reply) {
	r.reply = reply
	var labels []string
	last := len(reply.Results) - 1
	for i, res := range reply.Results {
		labels = append(labels, fmt.Sprintf("%d: %s", i+1, res.Tag))
		if len(res.Columns) > 0 {
			last = i
		}
	}
	r.pick.SetOptions(labels)
	if len(labels) > 1 {
		r.pick.Show()
	} else {
		r.pick.Hide()
	}
	if e := reply.Err; e != nil {
		r.errText.SetText(fmt.Sprintf("%s %s: %s — %s", e.Severity, e.Code, e.Message, pgsql.ExplainSQLState(e.Code)))
		r.errText.Show()
	} else {
		r.errText.Hide()
	}
	var ns []string
	for _, n := range reply.Notices {
		ns = append(ns, fmt.Sprintf("%s %s: %s", n.Severity, n.Code, n.Message))
	}
	r.notices.SetText(strings.Join(ns, "\n"))
	r.notices.Hidden = len(ns) == 0
	r.notices.Refresh()
	r.showResult(last)
}

// showResult shows result i (-1: none).
func (r *sqlResults) showResult(i int) {
	r.shown = i
	switch {
	case i < 0:
		r.summary.SetText("no statement completed")
	default:
		res := r.reply.Results[i]
		line := res.Tag
		if len(res.Columns) > 0 {
			line += fmt.Sprintf(" · %d rows of %d columns", len(res.Rows), len(res.Columns))
		} else {
			line += fmt.Sprintf(" · %d rows affected", res.RowsAffected)
		}
		r.summary.SetText(line)
		if i < len(r.pick.Options) && r.pick.Selected != r.pick.Options[i] {
			r.pick.SetSelected(r.pick.Options[i])
		}
	}
	r.fitColumns()
	r.table.Refresh()
}

// fitColumns sizes each column to its header and the widest of its first
// rows, within bounds.
func (r *sqlResults) fitColumns() {
	res := r.result()
	if res == nil {
		return
	}
	style := fyne.TextStyle{}
	size := theme.TextSize()
	pad := 4 * theme.Padding()
	for c, col := range res.Columns {
		w := fyne.MeasureText(col.Name+" ("+col.Type+")", size, fyne.TextStyle{Bold: true}).Width
		for _, row := range res.Rows[:min(len(res.Rows), 200)] {
			if c < len(row) && row[c] != nil {
				w = max(w, fyne.MeasureText(*row[c], size, style).Width)
			}
		}
		r.table.SetColumnWidth(c, min(max(w+pad, 60), 360))
	}
}

// clear empties the view.
func (r *sqlResults) clear() {
	r.reply, r.shown = nil, -1
	r.pick.Hide()
	r.summary.SetText("no result")
	r.errText.Hide()
	r.notices.Hide()
	r.table.Refresh()
}

// result is the result shown, nil for none.
func (r *sqlResults) result() *pgclient.Result {
	if r.reply == nil || r.shown < 0 || r.shown >= len(r.reply.Results) {
		return nil
	}
	return &r.reply.Results[r.shown]
}

func (r *sqlResults) size() (int, int) {
	res := r.result()
	if res == nil {
		return 0, 0
	}
	return len(res.Rows), len(res.Columns)
}

func (r *sqlResults) cell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	res := r.result()
	if res == nil || id.Row >= len(res.Rows) || id.Col >= len(res.Rows[id.Row]) {
		l.SetText("")
		return
	}
	if v := res.Rows[id.Row][id.Col]; v == nil {
		l.TextStyle.Italic = true
		l.SetText("NULL")
	} else {
		l.TextStyle.Italic = false
		l.SetText(*v)
	}
}

// header names a column and its type: "name (int8)".
func (r *sqlResults) header(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	res := r.result()
	if res == nil || id.Col < 0 || id.Col >= len(res.Columns) {
		l.SetText("")
		return
	}
	c := res.Columns[id.Col]
	typ := c.Type
	if typ == "" {
		typ = "oid " + strconv.FormatUint(uint64(c.OID), 10)
	}
	l.SetText(c.Name + " (" + typ + ")")
}

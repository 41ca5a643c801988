package pgserver

import (
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
)

// outcome is what running a statement gave: rows to send, or a command tag.
type outcome struct {
	cur   *cursor // nil: no rows
	tag   string  // the tag; with rows, its word before the count
	empty bool    // an empty query
}

// allowedInFailed reports whether p may run in a failed transaction block.
func allowedInFailed(p *plan) bool {
	return p.kind == kindCommit || p.kind == kindRollback || p.kind == kindSQL && p.words[0] == "ROLLBACK"
}

// run runs p with args, except COPY.
func (s *session) run(p *plan, args []any) (outcome, error) {
	if s.tx == txFailed && !allowedInFailed(p) {
		return outcome{}, errAborted
	}
	switch p.kind {
	case kindEmpty:
		return outcome{empty: true}, nil
	case kindBegin:
		if s.tx != txIdle {
			s.notice("WARNING", "25001", "there is already a transaction in progress")
			return outcome{tag: "BEGIN"}, nil
		}
		if err := s.exec("BEGIN"); err != nil {
			return outcome{}, err
		}
		s.tx = txOpen
		return outcome{tag: "BEGIN"}, nil
	case kindCommit:
		return s.commit()
	case kindRollback:
		if s.tx == txIdle {
			s.notice("WARNING", "25P01", "there is no transaction in progress")
			return outcome{tag: "ROLLBACK"}, nil
		}
		s.endTransaction("ROLLBACK")
		return outcome{tag: "ROLLBACK"}, nil
	case kindSet:
		return outcome{tag: "SET"}, s.set(p.name, p.value)
	case kindReset:
		if p.name == "all" {
			for _, r := range reported[1:] {
				s.set(lower(r.name), r.def)
			}
			return outcome{tag: "RESET"}, nil
		}
		return outcome{tag: "RESET"}, s.set(p.name, defaultOf(p.name))
	case kindShow:
		return s.show(p.name)
	case kindDeallocate:
		if strings.EqualFold(p.name, "ALL") {
			for n, st := range s.stmts {
				st.close()
				delete(s.stmts, n)
			}
			return outcome{tag: "DEALLOCATE ALL"}, nil
		}
		st, ok := s.stmts[p.name]
		if !ok {
			return outcome{}, &pgError{code: "26000", msg: fmt.Sprintf("prepared statement %q does not exist", p.name)}
		}
		st.close()
		delete(s.stmts, p.name)
		return outcome{tag: "DEALLOCATE"}, nil
	case kindNoop:
		return outcome{tag: strings.Join(p.words[:min(len(p.words), 1)], " ")}, nil
	case kindUnsupported:
		return outcome{}, &pgError{code: "0A000", msg: fmt.Sprintf("%s is not supported by the lab's server", p.words[0])}
	case kindCatalog:
		cols, rows, err := s.catalog(p.text)
		if err != nil {
			return outcome{}, err
		}
		return outcome{cur: staticCursor(cols, rows), tag: "SELECT"}, nil
	case kindCopy:
		return outcome{}, &pgError{code: "0A000", msg: "COPY cannot run here"}
	}
	if w := p.words[0]; s.tx == txIdle && (w == "SAVEPOINT" || w == "RELEASE" || w == "ROLLBACK") {
		return outcome{}, &pgError{code: "25P01", msg: w + " can only be used in transaction blocks"}
	}
	if len(args) < p.tr.nparams {
		return outcome{}, &pgError{code: "08P01", msg: fmt.Sprintf("the statement needs %d parameters, %d were given", p.tr.nparams, len(args))}
	}
	if p.rows {
		c, err := s.openCursor(p.tr.sql, args)
		if err != nil {
			return outcome{}, err
		}
		return outcome{cur: c}, nil
	}
	ctx, done := s.statementContext()
	defer done()
	res, err := s.db.ExecContext(ctx, p.tr.sql, args...)
	if err != nil {
		return outcome{}, err
	}
	n, _ := res.RowsAffected()
	if p.words[0] == "ROLLBACK" && s.tx == txFailed {
		s.tx = txOpen // ROLLBACK TO SAVEPOINT ends the failure
	}
	return outcome{tag: p.tag(n)}, nil
}

// exec runs a statement of the session's own.
func (s *session) exec(sql string) error {
	ctx, done := s.statementContext()
	defer done()
	_, err := s.db.ExecContext(ctx, sql)
	return err
}

// commit ends the transaction block: a failed one rolls back.
func (s *session) commit() (outcome, error) {
	switch s.tx {
	case txIdle:
		s.notice("WARNING", "25P01", "there is no transaction in progress")
		return outcome{tag: "COMMIT"}, nil
	case txFailed:
		s.endTransaction("ROLLBACK")
		return outcome{tag: "ROLLBACK"}, nil
	}
	s.dropPortals()
	if err := s.exec("COMMIT"); err != nil {
		s.endTransaction("ROLLBACK")
		return outcome{}, err
	}
	s.tx = txIdle
	return outcome{tag: "COMMIT"}, nil
}

// endTransaction ends the transaction block with sql (ROLLBACK); SQLite may
// have rolled it back already (an interrupted write), which is no error.
func (s *session) endTransaction(sql string) {
	s.dropPortals()
	s.exec(sql)
	s.tx = txIdle
}

// set changes a run-time parameter; a reported one is reported again.
func (s *session) set(name, value string) error {
	if name == "server_version" || name == "server_encoding" || name == "integer_datetimes" {
		return &pgError{code: "55P02", msg: fmt.Sprintf("parameter %q cannot be changed", name)}
	}
	if name == "client_encoding" && !strings.EqualFold(strings.ReplaceAll(value, "-", ""), "UTF8") {
		return &pgError{code: "22023", msg: fmt.Sprintf("the lab's server speaks UTF8 only, not %q", value)}
	}
	s.params[name] = value
	for _, r := range reported {
		if lower(r.name) == name {
			s.be.Send(&pgproto3.ParameterStatus{Name: r.name, Value: value})
		}
	}
	return nil
}

func defaultOf(name string) string {
	for _, r := range reported {
		if lower(r.name) == name {
			return r.def
		}
	}
	return ""
}

// show answers SHOW name, or SHOW ALL.
func (s *session) show(name string) (outcome, error) {
	if name == "all" {
		names := make([]string, 0, len(s.params))
		for n := range s.params {
			names = append(names, n)
		}
		slices.Sort(names)
		rows := make([][]any, len(names))
		for i, n := range names {
			rows[i] = []any{n, s.params[n]}
		}
		return outcome{cur: staticCursor([]column{{"name", oidText}, {"setting", oidText}}, rows), tag: "SHOW"}, nil
	}
	v, ok := s.params[name]
	if !ok {
		switch name {
		case "transaction_isolation", "default_transaction_isolation":
			v, ok = "serializable", true
		case "max_identifier_length":
			v, ok = "63", true
		case "search_path":
			v, ok = `"$user", public`, true
		}
	}
	if !ok {
		return outcome{}, &pgError{code: "42704", msg: fmt.Sprintf("unrecognized configuration parameter %q", name)}
	}
	return outcome{cur: staticCursor([]column{{name, oidText}}, [][]any{{v}}), tag: "SHOW"}, nil
}

// finish sends the rest of o's rows (all of them) and its CommandComplete.
func (s *session) finish(o outcome) error {
	if o.empty {
		s.be.Send(&pgproto3.EmptyQueryResponse{})
		return nil
	}
	if o.cur == nil {
		s.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(o.tag)})
		return nil
	}
	defer o.cur.close()
	if _, err := s.sendRows(o.cur, o.cur.cols, nil, 0); err != nil {
		return err
	}
	s.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(rowsTag(o.tag, o.cur.n))})
	return nil
}

// rowsTag is the tag of a statement that sent n rows: SHOW alone, the
// others with their count.
func rowsTag(tag string, n int64) string {
	if tag == "SHOW" {
		return tag
	}
	if tag == "" {
		tag = "SELECT"
	}
	return tag + " " + itoa(n)
}

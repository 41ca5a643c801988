package pgserver

import (
	"fmt"

	"github.com/jackc/pgx/v5/pgproto3"
)

// prepared is a statement Parse made.
type prepared struct {
	name      string
	p         *plan
	paramOIDs []uint32
	cols      []column // the result's columns, once described
	described bool
}

func (p *prepared) close() {}

// portal is a statement bound to its parameters (Bind), with its cursor
// once Execute or Describe started it.
type portal struct {
	stmt    *prepared
	args    []any
	formats []int16
	cols    []column // what the client was told, once it was
	out     *outcome // started: its rows (cursor) or its tag
	done    bool     // ran to its end
}

// extendedError answers an error of the extended protocol: ErrorResponse,
// and every message up to Sync ignored.
func (s *session) extendedError(err error) {
	s.fail(err)
	s.skip = true
}

func (s *session) parse(m *pgproto3.Parse) {
	if _, dup := s.stmts[m.Name]; dup && m.Name != "" {
		s.extendedError(&pgError{code: "42P05", msg: fmt.Sprintf("prepared statement %q already exists", m.Name)})
		return
	}
	if m.Name != "" && len(s.stmts) >= maxStatements {
		s.extendedError(&pgError{code: "54000", msg: fmt.Sprintf("too many prepared statements (the lab's limit is %d): close some", maxStatements)})
		return
	}
	stmts := splitStatements(m.Query)
	if len(stmts) > 1 {
		s.extendedError(&pgError{code: "42601", msg: "cannot insert multiple commands into a prepared statement"})
		return
	}
	text := ""
	if len(stmts) == 1 {
		text = stmts[0]
	}
	p, err := planStatement(text, s.pid, s.user)
	if err != nil {
		s.extendedError(err)
		return
	}
	if p.kind == kindSQL {
		if err := s.check(p); err != nil {
			s.extendedError(err)
			return
		}
	}
	st := &prepared{name: m.Name, p: p}
	n := max(len(m.ParameterOIDs), p.tr.nparams)
	var infer []uint32
	for i := range n {
		var oid uint32
		if i < len(m.ParameterOIDs) {
			oid = m.ParameterOIDs[i]
		}
		if oid == 0 {
			oid = p.tr.casts[i+1]
		}
		if oid == 0 {
			if infer == nil {
				infer = s.inferParams(p.tr.sql, n)
			}
			oid = infer[i]
		}
		st.paramOIDs = append(st.paramOIDs, oid)
	}
	if old := s.stmts[m.Name]; old != nil {
		old.close()
	}
	s.stmts[m.Name] = st
	s.be.Send(&pgproto3.ParseComplete{})
}

// check has SQLite compile p, for the errors PostgreSQL reports at Parse.
func (s *session) check(p *plan) error {
	ctx, done := s.statementContext()
	defer done()
	st, err := s.db.PrepareContext(ctx, p.tr.sql)
	if err != nil {
		return err
	}
	return st.Close()
}

func (s *session) bind(m *pgproto3.Bind) {
	st, ok := s.stmts[m.PreparedStatement]
	if !ok {
		s.extendedError(&pgError{code: "26000", msg: fmt.Sprintf("prepared statement %q does not exist", m.PreparedStatement)})
		return
	}
	if _, dup := s.portals[m.DestinationPortal]; dup && m.DestinationPortal != "" {
		s.extendedError(&pgError{code: "42P03", msg: fmt.Sprintf("cursor %q already exists", m.DestinationPortal)})
		return
	}
	if m.DestinationPortal != "" && len(s.portals) >= maxPortals {
		s.extendedError(&pgError{code: "54000", msg: fmt.Sprintf("too many portals (the lab's limit is %d): close some", maxPortals)})
		return
	}
	if len(m.Parameters) != len(st.paramOIDs) {
		s.extendedError(&pgError{code: "08P01", msg: fmt.Sprintf("bind message supplies %d parameters, but prepared statement %q requires %d",
			len(m.Parameters), st.name, len(st.paramOIDs))})
		return
	}
	if n := len(m.ParameterFormatCodes); n > 1 && n != len(m.Parameters) {
		s.extendedError(&pgError{code: "08P01", msg: fmt.Sprintf("bind message has %d parameter formats but %d parameters", n, len(m.Parameters))})
		return
	}
	args := make([]any, len(m.Parameters))
	for i, raw := range m.Parameters {
		v, err := decodeParam(s.m, st.paramOIDs[i], formatOf(m.ParameterFormatCodes, i), raw)
		if err != nil {
			s.extendedError(fmt.Errorf("parameter $%d: %w", i+1, err))
			return
		}
		args[i] = v
	}
	s.dropPortal(m.DestinationPortal)
	s.portals[m.DestinationPortal] = &portal{stmt: st, args: args, formats: append([]int16(nil), m.ResultFormatCodes...)}
	s.be.Send(&pgproto3.BindComplete{})
}

func (s *session) describe(m *pgproto3.Describe) {
	if m.ObjectType == 'S' {
		st, ok := s.stmts[m.Name]
		if !ok {
			s.extendedError(&pgError{code: "26000", msg: fmt.Sprintf("prepared statement %q does not exist", m.Name)})
			return
		}
		if err := s.describeStatement(st); err != nil {
			s.extendedError(err)
			return
		}
		s.be.Send(&pgproto3.ParameterDescription{ParameterOIDs: st.paramOIDs})
		if st.cols == nil {
			s.be.Send(&pgproto3.NoData{})
		} else {
			s.be.Send(rowDescription(st.cols, nil))
		}
		return
	}
	pt, ok := s.portals[m.Name]
	if !ok {
		s.extendedError(&pgError{code: "34000", msg: fmt.Sprintf("portal %q does not exist", m.Name)})
		return
	}
	cols, err := s.portalColumns(pt)
	if err != nil {
		s.extendedError(err)
		return
	}
	if cols == nil {
		s.be.Send(&pgproto3.NoData{})
		return
	}
	if n := len(pt.formats); n > 1 && n != len(cols) {
		s.extendedError(&pgError{code: "08P01", msg: fmt.Sprintf("bind message has %d result formats but query has %d columns", n, len(cols))})
		return
	}
	s.be.Send(rowDescription(cols, pt.formats))
}

// describeStatement finds st's result columns without its parameters: a
// query runs once with NULL for each (a RETURNING statement inside a
// savepoint rolled back), and its columns are typed by their declared types
// or the first row's values.
func (s *session) describeStatement(st *prepared) error {
	if st.described {
		return nil
	}
	p := st.p
	switch {
	case p.kind == kindShow || p.kind == kindCatalog:
		o, err := s.run(p, nil)
		if err != nil {
			return err
		}
		st.cols = o.cur.cols
		o.cur.close()
	case p.kind == kindSQL && p.rows:
		args := make([]any, len(st.paramOIDs))
		write := p.words[0] != "SELECT" && p.words[0] != "WITH" && p.words[0] != "VALUES"
		if write {
			if err := s.exec("SAVEPOINT pgserver_describe"); err != nil {
				return err
			}
			defer s.exec("RELEASE pgserver_describe")
			defer s.exec("ROLLBACK TO pgserver_describe")
		}
		c, err := s.openCursor(p.tr.sql, args)
		if err != nil {
			if write {
				return nil // described as returning no rows: the columns were not found
			}
			return err
		}
		st.cols = c.cols
		c.close()
	}
	st.described = true
	return nil
}

// portalColumns are the columns pt's rows come in, nil for none: the
// statement's, once described, or those of its cursor, started now.
func (s *session) portalColumns(pt *portal) ([]column, error) {
	if pt.cols != nil || pt.stmt.described {
		if pt.cols == nil {
			pt.cols = pt.stmt.cols
		}
		return pt.cols, nil
	}
	p := pt.stmt.p
	if !(p.kind == kindSQL && p.rows || p.kind == kindShow || p.kind == kindCatalog) {
		return nil, nil
	}
	if err := s.startPortal(pt); err != nil {
		return nil, err
	}
	if pt.out.cur != nil {
		pt.cols = pt.out.cur.cols
	}
	return pt.cols, nil
}

// start runs pt's statement; rows wait in its cursor.
func (s *session) startPortal(pt *portal) error {
	o, err := s.run(pt.stmt.p, pt.args)
	if err != nil {
		return err
	}
	pt.out = &o
	return nil
}

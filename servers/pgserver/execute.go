package pgserver

import (
	"fmt"

	"github.com/jackc/pgx/v5/pgproto3"
)

func (s *session) execute(m *pgproto3.Execute) {
	pt, ok := s.portals[m.Portal]
	if !ok {
		s.extendedError(&pgError{code: "34000", msg: fmt.Sprintf("portal %q does not exist", m.Portal)})
		return
	}
	if err := s.executePortal(pt, m.MaxRows); err != nil {
		s.extendedError(err)
		if pt.out != nil && pt.out.cur != nil {
			pt.out.cur.close()
		}
		pt.done = true
	}
}

func (s *session) executePortal(pt *portal, max uint32) error {
	if pt.stmt.p.kind == kindCopy {
		return s.copy(pt.stmt.p)
	}
	if pt.done {
		if pt.out == nil || pt.out.cur == nil {
			return &pgError{code: "55000", msg: "the portal has run already"}
		}
		s.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(rowsTag(pt.out.tag, 0))})
		return nil
	}
	if pt.out == nil {
		if err := s.startPortal(pt); err != nil {
			return err
		}
		if pt.out.cur != nil && pt.out.tag == "" {
			pt.out.tag = firstTag(pt.stmt.p)
		}
	}
	o := pt.out
	if o.cur == nil {
		pt.done = true
		return s.finish(*o)
	}
	if o.tag == "" {
		o.tag = firstTag(pt.stmt.p)
	}
	cols := pt.cols
	if cols == nil {
		cols = o.cur.cols
	}
	before := o.cur.n
	more, err := s.sendRows(o.cur, cols, pt.formats, max)
	if err != nil {
		return err
	}
	if more {
		s.be.Send(&pgproto3.PortalSuspended{})
		return nil
	}
	// As PostgreSQL, the count is of the rows this Execute sent.
	s.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(rowsTag(o.tag, o.cur.n-before))})
	o.cur.close()
	pt.done = true
	return nil
}

func (s *session) closeObject(m *pgproto3.Close) {
	if m.ObjectType == 'S' {
		if st := s.stmts[m.Name]; st != nil {
			st.close()
			delete(s.stmts, m.Name)
		}
	} else {
		s.dropPortal(m.Name)
	}
	s.be.Send(&pgproto3.CloseComplete{})
}

// sync ends an extended-protocol exchange: outside a transaction block its
// portals end with it.
func (s *session) sync() {
	s.skip = false
	if s.tx == txIdle {
		s.dropPortals()
	}
	s.ready()
}

func (s *session) dropPortal(name string) {
	if pt := s.portals[name]; pt != nil {
		if pt.out != nil && pt.out.cur != nil {
			pt.out.cur.close()
		}
		delete(s.portals, name)
	}
}

func (s *session) dropPortals() {
	for name := range s.portals {
		s.dropPortal(name)
	}
}

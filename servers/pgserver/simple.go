package pgserver

import "github.com/jackc/pgx/v5/pgproto3"

// simpleQuery serves a Query message: its statements one after the other,
// each with its own results, until one fails; then ReadyForQuery.
func (s *session) simpleQuery(q string) {
	s.dropPortal("")
	stmts := splitStatements(q)
	if len(stmts) == 0 {
		s.be.Send(&pgproto3.EmptyQueryResponse{})
	}
	for _, text := range stmts {
		if err := s.simpleStatement(text); err != nil {
			s.fail(err)
			break
		}
	}
	s.ready()
}

func (s *session) simpleStatement(text string) error {
	p, err := planStatement(text, s.pid, s.user)
	if err != nil {
		return err
	}
	if p.kind == kindCopy {
		return s.copy(p)
	}
	o, err := s.run(p, nil)
	if err != nil {
		return err
	}
	if o.cur != nil {
		s.be.Send(rowDescription(o.cur.cols, nil))
		if o.tag == "" {
			o.tag = firstTag(p)
		}
	}
	return s.finish(o)
}

// firstTag is the word before the count of a row-returning SQL statement.
func firstTag(p *plan) string {
	tag := p.tag(0)
	return tag[:len(tag)-2]
}

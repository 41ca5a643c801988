package pgserver

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
)

// copyIn runs COPY FROM STDIN: CopyInResponse, then the client's CopyData
// until CopyDone (or CopyFail), each line inserted at once, inside a
// savepoint that a failure rolls back to. After an error the rest of the
// client's data is read and dropped, so the session stays in step.
func (s *session) copyIn(c *copySpec) error {
	ins, err := s.prepareCopy(c)
	if err != nil {
		return err
	}
	ctx, done := s.statementContext()
	defer done()
	if _, err := s.db.ExecContext(ctx, "SAVEPOINT pgserver_copy"); err != nil {
		ins.stmt.Close()
		return err
	}
	s.be.Send(&pgproto3.CopyInResponse{OverallFormat: 0, ColumnFormatCodes: make([]uint16, len(ins.decls))})
	if err := s.be.Flush(); err != nil {
		return err
	}
	r := copyReader{spec: c, ins: ins, ctx: ctx, s: s, skipHeader: c.header}
	err = r.run()
	ins.stmt.Close()
	if err != nil {
		s.db.ExecContext(context.Background(), "ROLLBACK TO pgserver_copy")
		s.db.ExecContext(context.Background(), "RELEASE pgserver_copy")
		return err
	}
	if _, err := s.db.ExecContext(context.Background(), "RELEASE pgserver_copy"); err != nil {
		return err
	}
	s.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(fmt.Sprintf("COPY %d", r.rows))})
	return nil
}

// inserter is the INSERT a COPY FROM runs for each row.
type inserter struct {
	stmt  *sql.Stmt
	decls []uint32 // each column's type
	names []string
}

func (s *session) prepareCopy(c *copySpec) (*inserter, error) {
	ins := &inserter{}
	declared := map[string]string{}
	var all []string
	err := s.each(s.ctx, "SELECT name, type FROM pragma_table_info("+quoteLiteral(c.table)+")", func(v []any) {
		declared[lower(str(v[0]))] = str(v[1])
		all = append(all, str(v[0]))
	})
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, &pgError{code: "42P01", msg: fmt.Sprintf("relation %q does not exist", c.table)}
	}
	ins.names = c.cols
	if len(ins.names) == 0 {
		ins.names = all
	}
	for _, n := range ins.names {
		d, ok := declared[lower(n)]
		if !ok {
			return nil, &pgError{code: "42703", msg: fmt.Sprintf("column %q of relation %q does not exist", n, c.table)}
		}
		oid := declOID(strings.ToUpper(d))
		if oid == 0 {
			oid = oidText
		}
		ins.decls = append(ins.decls, oid)
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(ins.names)), ", ")
	q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", quoteIdent(c.table), strings.Join(quoteAll(ins.names), ", "), marks)
	st, err := s.db.PrepareContext(s.ctx, q)
	if err != nil {
		return nil, err
	}
	ins.stmt = st
	return ins, nil
}

// copyReader takes a COPY FROM's data apart into rows.
type copyReader struct {
	spec       *copySpec
	ins        *inserter
	ctx        context.Context
	s          *session
	pending    []byte // a line not yet ended
	total      int64
	rows       int64
	skipHeader bool
	ended      bool // the text format's \. came
	err        error
}

// run reads the client's messages to CopyDone or CopyFail.
func (r *copyReader) run() error {
	for {
		msg, err := r.s.be.Receive()
		if err != nil {
			return err
		}
		switch m := msg.(type) {
		case *pgproto3.CopyData:
			r.total += int64(len(m.Data))
			if r.err == nil && r.total > r.s.srv.MaxCopy {
				r.err = &pgError{code: "54000", msg: fmt.Sprintf("COPY data over the lab's limit of %d bytes", r.s.srv.MaxCopy)}
			}
			if r.err == nil {
				r.err = r.feed(m.Data)
			}
		case *pgproto3.CopyDone:
			if r.err == nil && len(r.pending) > 0 {
				r.err = r.record(r.pending)
			}
			return r.err
		case *pgproto3.CopyFail:
			return &pgError{code: "57014", msg: "COPY from stdin failed: " + m.Message}
		case *pgproto3.Flush, *pgproto3.Sync:
		default:
			return &pgError{code: "08P01", msg: fmt.Sprintf("unexpected message type %T during COPY from stdin", msg)}
		}
	}
}

// feed takes data, inserting each whole line (a whole record, for CSV).
func (r *copyReader) feed(data []byte) error {
	r.pending = append(r.pending, data...)
	start := 0
	for {
		i := bytes.IndexByte(r.pending[start:], '\n')
		if i < 0 {
			break
		}
		end := start + i + 1
		if r.spec.csv && bytes.Count(r.pending[:end], []byte{'"'})%2 == 1 {
			start = end // a quoted value runs on to the next line
			continue
		}
		if err := r.record(r.pending[:end]); err != nil {
			return err
		}
		r.pending = r.pending[end:]
		start = 0
	}
	if len(r.pending) > r.s.srv.MaxMessage {
		return &pgError{code: "54000", msg: "a COPY line is over the lab's limit"}
	}
	return nil
}

// record inserts one line.
func (r *copyReader) record(line []byte) error {
	l := strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r")
	if r.ended {
		return nil
	}
	if !r.spec.csv && l == `\.` {
		r.ended = true
		return nil
	}
	if r.skipHeader {
		r.skipHeader = false
		return nil
	}
	var fields []*string
	if r.spec.csv {
		fields = splitCSV(l, r.spec.delim[0], r.spec.null)
	} else {
		fields = splitText(l, r.spec.delim[0], r.spec.null)
	}
	if len(fields) != len(r.ins.decls) {
		return &pgError{code: "22P04", msg: fmt.Sprintf("line %d of the COPY data has %d values, the table's columns are %d", r.rows+1, len(fields), len(r.ins.decls))}
	}
	args := make([]any, len(fields))
	for i, f := range fields {
		if f == nil {
			continue
		}
		v, err := decodeParam(r.s.m, r.ins.decls[i], 0, []byte(*f))
		if err != nil {
			return fmt.Errorf("COPY %s, line %d, column %s: %w", r.spec.table, r.rows+1, r.ins.names[i], err)
		}
		args[i] = v
	}
	if _, err := r.ins.stmt.ExecContext(r.ctx, args...); err != nil {
		return err
	}
	r.rows++
	return nil
}

// splitText splits a line of COPY's text format, undoing its escapes; nil
// stands for NULL.
func splitText(l string, delim byte, null string) []*string {
	var out []*string
	for _, raw := range strings.Split(l, string(delim)) {
		if raw == null {
			out = append(out, nil)
			continue
		}
		var b strings.Builder
		for i := 0; i < len(raw); i++ {
			if raw[i] == '\\' && i+1 < len(raw) {
				i++
				b.WriteByte(unescaped(raw[i]))
				continue
			}
			b.WriteByte(raw[i])
		}
		v := b.String()
		out = append(out, &v)
	}
	return out
}

// splitCSV splits a CSV record; an unquoted value equal to null is NULL.
func splitCSV(l string, delim byte, null string) []*string {
	var out []*string
	for i := 0; ; {
		var b strings.Builder
		quoted, wasQuoted := false, false
		for ; i < len(l) && (quoted || l[i] != delim); i++ {
			switch c := l[i]; {
			case c == '"' && quoted && i+1 < len(l) && l[i+1] == '"':
				b.WriteByte('"')
				i++
			case c == '"':
				quoted, wasQuoted = !quoted, true
			default:
				b.WriteByte(c)
			}
		}
		v := b.String()
		if v == null && !wasQuoted {
			out = append(out, nil)
		} else {
			out = append(out, &v)
		}
		if i >= len(l) {
			return out
		}
		i++ // the delimiter
	}
}

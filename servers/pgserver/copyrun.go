package pgserver

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
)

// copy runs COPY: TO STDOUT sends the rows as CopyData, FROM STDIN reads
// them and inserts each, all or none (a savepoint).
func (s *session) copy(p *plan) error {
	if s.tx == txFailed {
		return errAborted
	}
	if p.copy.in {
		return s.copyIn(p.copy)
	}
	return s.copyOut(p.copy)
}

func (s *session) copyOut(c *copySpec) error {
	q := c.query
	if q == "" {
		cols := "*"
		if len(c.cols) > 0 {
			cols = strings.Join(quoteAll(c.cols), ", ")
		}
		q = "SELECT " + cols + " FROM " + quoteIdent(c.table)
	}
	tr := translate(q, s.pid, s.user)
	cur, err := s.openCursor(tr.sql, nil)
	if err != nil {
		return err
	}
	defer cur.close()
	defer s.track(cur.ctx, cur.cancel)()
	s.be.Send(&pgproto3.CopyOutResponse{OverallFormat: 0, ColumnFormatCodes: make([]uint16, len(cur.cols))})
	if c.csv && c.header {
		names := make([]any, len(cur.cols))
		for i, col := range cur.cols {
			names[i] = col.name
		}
		s.be.Send(&pgproto3.CopyData{Data: c.line(names, textCols(make([]string, len(names))...))})
	}
	for {
		row, err := cur.next()
		if err != nil {
			return err
		}
		if row == nil {
			break
		}
		s.be.Send(&pgproto3.CopyData{Data: c.line(row, cur.cols)})
		if cur.n++; cur.n%flushEvery == 0 {
			if err := s.be.Flush(); err != nil {
				return err
			}
		}
	}
	s.be.Send(&pgproto3.CopyDone{})
	s.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(fmt.Sprintf("COPY %d", cur.n))})
	return nil
}

// line is one row in c's format, with its newline.
func (c *copySpec) line(row []any, cols []column) []byte {
	var b []byte
	for i, v := range row {
		if i > 0 {
			b = append(b, c.delim...)
		}
		if v == nil {
			b = append(b, c.null...)
			continue
		}
		t := textValue(v, cols[i].oid)
		if c.csv {
			b = append(b, csvQuote(string(t), c.delim, c.null)...)
		} else {
			b = append(b, textEscape(string(t), c.delim)...)
		}
	}
	return append(b, '\n')
}

// textEscape escapes a value for COPY's text format.
func textEscape(s, delim string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t' && delim != "\t":
			b.WriteString(`\t`)
		case string(c) == delim:
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// csvQuote quotes a CSV value when it must be: it holds the delimiter, a
// quote or a line break, or reads as the NULL marker.
func csvQuote(s, delim, null string) string {
	if s == null || strings.ContainsAny(s, delim+"\"\r\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = quoteIdent(n)
	}
	return out
}

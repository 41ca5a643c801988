package pgserver

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"

	"github.com/jackc/pgx/v5/pgproto3"
)

// flushEvery is how many DataRows go out before the server flushes: a long
// result streams to the client, and the server's buffer stays small.
const flushEvery = 256

// cursor is a result being sent: rows SQLite is producing, or rows the
// server made (SHOW, the catalog). A portal keeps one open across Executes.
type cursor struct {
	cols   []column
	rows   *sql.Rows // nil: static
	static [][]any
	peek   []any // a row read ahead to type the columns without a declared type
	peeked bool
	n      int64 // rows sent
	ctx    context.Context
	cancel context.CancelFunc
}

// staticCursor is a cursor over rows the server made.
func staticCursor(cols []column, rows [][]any) *cursor {
	return &cursor{cols: cols, static: rows, cancel: func() {}}
}

// openCursor runs a row-returning statement with args. Its context lives as
// long as the cursor; the statement is the session's running one while it
// starts.
func (s *session) openCursor(query string, args []any) (*cursor, error) {
	ctx, cancel := context.WithCancel(s.ctx)
	defer s.track(ctx, cancel)()
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		cancel()
		return nil, err
	}
	c := &cursor{rows: rows, ctx: ctx, cancel: cancel}
	types, err := rows.ColumnTypes()
	if err != nil {
		c.close()
		return nil, err
	}
	if rows.Next() {
		if c.peek, err = scanRow(rows, len(types)); err != nil {
			c.close()
			return nil, err
		}
		c.peeked = true
	} else if err := rows.Err(); err != nil {
		c.close()
		return nil, err
	}
	for i, t := range types {
		oid := declOID(t.DatabaseTypeName())
		if oid == 0 && c.peeked {
			oid = valueOID(c.peek[i])
		}
		if oid == 0 {
			oid = oidText
		}
		c.cols = append(c.cols, column{name: pgColumnName(t.Name()), oid: oid})
	}
	return c, nil
}

func scanRow(rows *sql.Rows, n int) ([]any, error) {
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	return vals, nil
}

// next returns the next row, nil at the end.
func (c *cursor) next() ([]any, error) {
	if c.peeked {
		c.peeked = false
		return c.peek, nil
	}
	if c.rows == nil {
		if len(c.static) == 0 {
			return nil, nil
		}
		r := c.static[0]
		c.static = c.static[1:]
		return r, nil
	}
	if !c.rows.Next() {
		return nil, c.rows.Err()
	}
	return scanRow(c.rows, len(c.cols))
}

func (c *cursor) close() {
	if c.rows != nil {
		c.rows.Close()
	}
	c.cancel()
}

// rowDescription describes cols in formats.
func rowDescription(cols []column, formats []int16) *pgproto3.RowDescription {
	rd := &pgproto3.RowDescription{Fields: make([]pgproto3.FieldDescription, len(cols))}
	for i, c := range cols {
		rd.Fields[i] = pgproto3.FieldDescription{Name: []byte(c.name), DataTypeOID: c.oid,
			DataTypeSize: typeSize(c.oid), TypeModifier: -1, Format: formatOf(formats, i)}
	}
	return rd
}

// formatOf is column i's format by Bind's result format codes: none is all
// text, one is for all.
func formatOf(formats []int16, i int) int16 {
	switch len(formats) {
	case 0:
		return 0
	case 1:
		return formats[0]
	}
	if i < len(formats) {
		return formats[i]
	}
	return 0
}

// sendRows sends c's rows as cols in formats, at most max (0: all). It
// reports whether rows may remain: the portal is suspended.
func (s *session) sendRows(c *cursor, cols []column, formats []int16, max uint32) (bool, error) {
	if c.ctx != nil {
		defer s.track(c.ctx, c.cancel)()
	}
	for sent := uint32(0); max == 0 || sent < max; sent++ {
		row, err := c.next()
		if err != nil {
			return false, err
		}
		if row == nil {
			return false, nil
		}
		if len(row) != len(cols) {
			return false, &pgError{code: "0A000", msg: "cached plan must not change result type"}
		}
		dr := &pgproto3.DataRow{Values: make([][]byte, len(row))}
		for i, v := range row {
			oid := cols[i].oid
			if formatOf(formats, i) == 1 {
				if dr.Values[i], err = binaryValue(s.m, v, oid); err != nil {
					return false, fmt.Errorf("column %q: %w", cols[i].name, err)
				}
			} else {
				dr.Values[i] = textValue(v, oid)
			}
		}
		s.be.Send(dr)
		c.n++
		if c.n%flushEvery == 0 {
			if err := s.be.Flush(); err != nil {
				return false, err
			}
		}
	}
	return true, nil
}

var funcColumn = regexp.MustCompile(`^(?:\w+\.)?(\w+)\s*\(.*\)$`)

// pgColumnName names an expression's column as PostgreSQL does: a function
// call by its function (count(*) is "count"), another expression that is not
// a name "?column?". SQLite names it by its text.
func pgColumnName(name string) string {
	if m := funcColumn.FindStringSubmatch(name); m != nil {
		return m[1]
	}
	for i := 0; i < len(name); i++ {
		if !isIdent(name[i]) {
			return "?column?"
		}
	}
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		return "?column?"
	}
	return name
}

package pgserver

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// schema is SQLite's schema as the catalog tells it.
type schema struct {
	tables []*table
}

type table struct {
	name    string
	oid     int64
	cols    []tableColumn
	indexes []index
	fks     []foreignKey
}

type tableColumn struct {
	name, decl, dflt string
	notNull          bool
	pk               int64 // its place in the primary key, from 1; 0 when not in it
}

type index struct {
	name, def     string
	primary, uniq bool
	constraint    bool // made by a constraint (UNIQUE, PRIMARY KEY), not CREATE INDEX
	cols          []string
}

type foreignKey struct {
	cols, refCols []string
	refTable      string
}

func (sc *schema) byOID(oid int64) *table {
	for _, t := range sc.tables {
		if t.oid == oid {
			return t
		}
	}
	return nil
}

// schema reads SQLite's schema. A table's OID is 16384 and its root page:
// stable across sessions.
func (s *session) schema() (*schema, error) {
	ctx := s.ctx
	rows, err := s.db.QueryContext(ctx, "SELECT name, rootpage FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
	if err != nil {
		return nil, err
	}
	sc := &schema{}
	for rows.Next() {
		t := &table{}
		if err := rows.Scan(&t.name, &t.oid); err != nil {
			rows.Close()
			return nil, err
		}
		t.oid += 16384
		sc.tables = append(sc.tables, t)
	}
	rows.Close()
	for _, t := range sc.tables {
		if err := s.readTable(ctx, t); err != nil {
			return nil, err
		}
	}
	return sc, nil
}

func (s *session) readTable(ctx context.Context, t *table) error {
	q := quoteIdent(t.name)
	err := s.each(ctx, "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info("+quoteLiteral(t.name)+")", func(v []any) {
		c := tableColumn{name: str(v[0]), decl: lower(str(v[1])), notNull: toI(v[2]) != 0 || toI(v[4]) != 0, dflt: str(v[3]), pk: toI(v[4])}
		t.cols = append(t.cols, c)
	})
	if err != nil {
		return err
	}
	err = s.each(ctx, "SELECT name, \"unique\", origin FROM pragma_index_list("+quoteLiteral(t.name)+")", func(v []any) {
		t.indexes = append(t.indexes, index{name: str(v[0]), uniq: toI(v[1]) != 0, primary: str(v[2]) == "pk", constraint: str(v[2]) != "c"})

	})
	if err != nil {
		return err
	}
	for i := range t.indexes {
		ix := &t.indexes[i]
		if err := s.each(ctx, "SELECT name FROM pragma_index_info("+quoteLiteral(ix.name)+") ORDER BY seqno", func(v []any) {
			ix.cols = append(ix.cols, str(v[0]))
		}); err != nil {
			return err
		}
		switch {
		case ix.primary:
			ix.name = t.name + "_pkey"
		case ix.constraint:
			ix.name = t.name + "_" + strings.Join(ix.cols, "_") + "_key"
		}
		u := ""
		if ix.uniq {
			u = "UNIQUE "
		}
		ix.def = fmt.Sprintf("CREATE %sINDEX %s ON public.%s USING btree (%s)", u, ix.name, q, strings.Join(ix.cols, ", "))
	}
	if pk := t.pkCols(); len(pk) > 0 && !t.hasPrimaryIndex() {
		t.indexes = append(t.indexes, index{name: t.name + "_pkey", primary: true, uniq: true, constraint: true, cols: pk,
			def: fmt.Sprintf("CREATE UNIQUE INDEX %s_pkey ON public.%s USING btree (%s)", t.name, q, strings.Join(pk, ", "))})
	}
	return s.each(ctx, "SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list("+quoteLiteral(t.name)+") ORDER BY id, seq", func(v []any) {
		id := int(toI(v[0]))
		for len(t.fks) <= id {
			t.fks = append(t.fks, foreignKey{})
		}
		fk := &t.fks[id]
		fk.refTable = str(v[1])
		fk.cols = append(fk.cols, str(v[2]))
		fk.refCols = append(fk.refCols, str(v[3]))
	})
}

// pkCols are the columns of the table's PRIMARY KEY, whose index SQLite
// keeps implicit for an INTEGER PRIMARY KEY (the rowid).
func (t *table) pkCols() []string {
	var pk []string
	for n := int64(1); ; n++ {
		found := false
		for _, c := range t.cols {
			if c.pk == n {
				pk, found = append(pk, c.name), true
			}
		}
		if !found {
			return pk
		}
	}
}

func (t *table) hasPrimaryIndex() bool {
	for _, ix := range t.indexes {
		if ix.primary {
			return true
		}
	}
	return false
}

func (s *session) each(ctx context.Context, q string, f func([]any)) error {
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		v, err := scanRow(rows, len(cols))
		if err != nil {
			return err
		}
		f(v)
	}
	return rows.Err()
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case []byte:
		return string(x)
	}
	return string(textValue(v, oidText))
}

func toI(v any) int64 {
	n, _ := v.(int64)
	return n
}

var plainIdent = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// quoteIdent is s as an SQL identifier, quoted when it must be.
func quoteIdent(s string) string {
	if plainIdent.MatchString(s) {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// referencing lists the tables with a foreign key to name, and the keys.
func (sc *schema) referencing(name string) []fkOf {
	var out []fkOf
	for _, t := range sc.tables {
		for _, fk := range t.fks {
			if strings.EqualFold(fk.refTable, name) {
				out = append(out, fkOf{t, fk})
			}
		}
	}
	return out
}

type fkOf struct {
	t  *table
	fk foreignKey
}

func (fk foreignKey) def() string {
	return fmt.Sprintf("FOREIGN KEY (%s) REFERENCES %s(%s)", strings.Join(fk.cols, ", "), fk.refTable, strings.Join(fk.refCols, ", "))
}

func (fk foreignKey) name(t *table) string {
	return t.name + "_" + strings.Join(fk.cols, "_") + "_fkey"
}

// foreignKeys answers \d TABLE's foreign keys query.

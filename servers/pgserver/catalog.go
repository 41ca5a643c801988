package pgserver

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// The catalog answers the queries psql 15 sends for \dt, \d and \d TABLE,
// from SQLite's schema: it knows those queries by their shape, not by
// running them, for the lab has no pg_catalog. Any other catalog query gets
// 0A000.
var errNoCatalog = &pgError{code: "0A000", msg: "not supported by the lab's catalog",
	hint: "the lab's catalog answers psql's \\dt, \\d and \\d TABLE; for the rest, ask SQLite: SELECT * FROM sqlite_schema"}

// catalogQuery is one query shape the catalog answers.
type catalogQuery struct {
	signs  []string // all of these are in the query
	answer func(s *session, sch *schema, q string) ([]column, [][]any, error)
}

var catalogQueries = []catalogQuery{
	{[]string{`as "Owner"`, "pg_catalog.pg_class c"}, listRelations},
	{[]string{"SELECT c.oid,", "c.relname", "pg_catalog.pg_table_is_visible(c.oid)"}, findRelation},
	{[]string{"c.relchecks, c.relkind, c.relhasindex"}, relationInfo},
	{[]string{"FROM pg_catalog.pg_attribute a", "a.attrelid = '"}, attributes},
	{[]string{"pg_catalog.pg_index i", "pg_get_indexdef"}, indexes},
	{[]string{"FROM pg_catalog.pg_constraint r", "r.contype = 'f'", "conrelid = '"}, foreignKeys},
	{[]string{"pg_catalog.pg_constraint", "confrelid"}, referencedBy},

	{[]string{"pg_catalog.pg_policy"}, nothing},
	{[]string{"pg_catalog.pg_statistic_ext"}, nothing},
	{[]string{"pg_catalog.pg_publication"}, nothing},
	{[]string{"pg_catalog.pg_inherits"}, nothing},
	{[]string{"pg_catalog.pg_trigger"}, nothing},
	{[]string{"FROM pg_catalog.pg_constraint r", "r.contype = 'c'"}, nothing},
}

// catalog answers a catalog query.
func (s *session) catalog(q string) ([]column, [][]any, error) {
	for _, cq := range catalogQueries {
		if hasAll(q, cq.signs) {
			sch, err := s.schema()
			if err != nil {
				return nil, nil, err
			}
			return cq.answer(s, sch, q)
		}
	}
	return nil, nil, errNoCatalog
}

func hasAll(q string, signs []string) bool {
	for _, s := range signs {
		if !strings.Contains(q, s) {
			return false
		}
	}
	return true
}

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

func quoteIdent(s string) string {
	if regexp.MustCompile(`^[a-z_][a-z0-9_]*$`).MatchString(s) {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func textCols(names ...string) []column {
	cols := make([]column, len(names))
	for i, n := range names {
		cols[i] = column{n, oidText}
	}
	return cols
}

var relnameRe = regexp.MustCompile(`c\.relname OPERATOR\(pg_catalog\.~\) '((?:[^']|'')*)'`)

// relnameFilter is the pattern psql turned \d PATTERN into, nil for none.
func relnameFilter(q string) (*regexp.Regexp, error) {
	m := relnameRe.FindStringSubmatch(q)
	if m == nil {
		return nil, nil
	}
	re, err := regexp.Compile(strings.ReplaceAll(m[1], "''", "'"))
	if err != nil {
		return nil, &pgError{code: "2201B", msg: "invalid regular expression: " + err.Error()}
	}
	return re, nil
}

// listRelations answers \dt and \d: the tables, if relkind 'r' is asked for.
func listRelations(_ *session, sc *schema, q string) ([]column, [][]any, error) {
	cols := textCols("Schema", "Name", "Type", "Owner")
	if !strings.Contains(q, "'r'") {
		return cols, nil, nil
	}
	re, err := relnameFilter(q)
	if err != nil {
		return nil, nil, err
	}
	var rows [][]any
	for _, t := range sc.tables {
		if re == nil || re.MatchString(t.name) {
			rows = append(rows, []any{"public", t.name, "table", DefaultUser})
		}
	}
	return cols, rows, nil
}

// findRelation answers \d TABLE's first query: the tables by name.
func findRelation(_ *session, sc *schema, q string) ([]column, [][]any, error) {
	re, err := relnameFilter(q)
	if err != nil {
		return nil, nil, err
	}
	var rows [][]any
	for _, t := range sc.tables {
		if re == nil || re.MatchString(t.name) {
			rows = append(rows, []any{strconv.FormatInt(t.oid, 10), "public", t.name})
		}
	}
	return textCols("oid", "nspname", "relname"), rows, nil
}

var oidRe = regexp.MustCompile(`(?:c\.oid|attrelid|conrelid|confrelid) = '(\d+)'|pg_partition_ancestors\('(\d+)'\)`)

// tableOf finds the table whose OID q asks about.
func (sc *schema) tableIn(q string) *table {
	m := oidRe.FindStringSubmatch(q)
	if m == nil {
		return nil
	}
	oid, _ := strconv.ParseInt(m[1]+m[2], 10, 64)
	return sc.byOID(oid)
}

func nothing(*session, *schema, string) ([]column, [][]any, error) {
	return textCols("?column?"), nil, nil
}

// relationInfo answers \d TABLE's second query: what kind of relation it is.
func relationInfo(_ *session, sc *schema, q string) ([]column, [][]any, error) {
	cols := textCols("relchecks", "relkind", "relhasindex", "relhasrules", "relhastriggers", "relrowsecurity",
		"relforcerowsecurity", "relhasoids", "relispartition", "reloptions", "reltablespace", "reloftype",
		"relpersistence", "relreplident", "amname")
	t := sc.tableIn(q)
	if t == nil {
		return cols, nil, nil
	}
	hasIndex := "f"
	if len(t.indexes) > 0 {
		hasIndex = "t"
	}
	triggers := "f" // psql asks for foreign keys only of a table with triggers, as PostgreSQL's are
	if len(t.fks) > 0 || len(sc.referencing(t.name)) > 0 {
		triggers = "t"
	}
	return cols, [][]any{{"0", "r", hasIndex, "f", triggers, "f", "f", "f", "f", "", "0", "", "p", "d", "heap"}}, nil
}

// attributes answers \d TABLE's columns query.
func attributes(_ *session, sc *schema, q string) ([]column, [][]any, error) {
	cols := textCols("attname", "format_type", "default", "attnotnull", "attcollation", "attidentity", "attgenerated")
	t := sc.tableIn(q)
	if t == nil {
		return cols, nil, nil
	}
	var rows [][]any
	for _, c := range t.cols {
		var dflt any
		if c.dflt != "" {
			dflt = c.dflt
		}
		rows = append(rows, []any{c.name, formatType(c.decl), dflt, string(boolText(c.notNull)), nil, "", ""})
	}
	return cols, rows, nil
}

// formatType is how PostgreSQL's format_type spells the type a SQLite
// column's declared type (lower-cased) stands for.
func formatType(decl string) string {
	base, mod, _ := strings.Cut(decl, "(")
	if mod != "" {
		mod = "(" + mod
	}
	switch declOID(strings.ToUpper(decl)) {
	case oidInt8:
		return "bigint"
	case oidInt4:
		return "integer"
	case oidInt2:
		return "smallint"
	case oidFloat8:
		return "double precision"
	case oidFloat4:
		return "real"
	case oidBool:
		return "boolean"
	case oidBytea:
		return "bytea"
	case oidTimestamp:
		return "timestamp without time zone"
	}
	switch strings.TrimSpace(base) {
	case "varchar":
		return "character varying" + mod
	case "":
		return "text"
	}
	return decl
}

// indexes answers \d TABLE's indexes query.
func indexes(_ *session, sc *schema, q string) ([]column, [][]any, error) {
	cols := textCols("relname", "indisprimary", "indisunique", "indisclustered", "indisvalid", "pg_get_indexdef",
		"pg_get_constraintdef", "contype", "condeferrable", "condeferred", "indisreplident", "reltablespace")
	t := sc.tableIn(q)
	if t == nil {
		return cols, nil, nil
	}
	var rows [][]any
	for _, pass := range []bool{true, false} { // primary key first, as psql orders
		for _, ix := range t.indexes {
			if ix.primary != pass {
				continue
			}
			var def, contype any
			switch {
			case ix.primary:
				def, contype = "PRIMARY KEY ("+strings.Join(ix.cols, ", ")+")", "p"
			case ix.constraint:
				def, contype = "UNIQUE ("+strings.Join(ix.cols, ", ")+")", "u"
			}
			rows = append(rows, []any{ix.name, string(boolText(ix.primary)), string(boolText(ix.uniq)), "f", "t", ix.def, def, contype, "f", "f", "f", "0"})
		}
	}
	return cols, rows, nil
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
func foreignKeys(_ *session, sc *schema, q string) ([]column, [][]any, error) {
	cols := textCols("sametable", "conname", "condef", "ontable")
	t := sc.tableIn(q)
	if t == nil {
		return cols, nil, nil
	}
	var rows [][]any
	for _, fk := range t.fks {
		rows = append(rows, []any{"t", fk.name(t), fk.def(), t.name})
	}
	return cols, rows, nil
}

// referencedBy answers \d TABLE's "Referenced by" query.
func referencedBy(_ *session, sc *schema, q string) ([]column, [][]any, error) {
	cols := textCols("conname", "ontable", "condef")
	t := sc.tableIn(q)
	if t == nil {
		return cols, nil, nil
	}
	var rows [][]any
	for _, r := range sc.referencing(t.name) {
		rows = append(rows, []any{r.fk.name(r.t), r.t.name, r.fk.def()})
	}
	return cols, rows, nil
}

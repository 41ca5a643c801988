package pgserver

import (
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

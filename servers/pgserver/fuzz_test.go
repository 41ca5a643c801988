package pgserver

import (
	"strings"
	"testing"
)

// FuzzStatements feeds what a client may send as SQL to the server's own
// parsing of it: the statement splitter, the translation to SQLite, the
// planner (COPY, SET, SHOW...) and the catalog's recognition of psql's
// queries. None may panic or loop; a split never yields more statements
// than there are semicolons, plus one.
func FuzzStatements(f *testing.F) {
	for _, s := range []string{
		"SELECT 1; SELECT 2",
		"SELECT 'a;b', \"c;d\", $$e;f$$, $tag$g;$tag$ -- h;\n/* i; /* j; */ */ ;",
		"SELECT $1::int8, x::double precision, (a+b)::bool, E'\\n\\'', public.students.id::text[]",
		"SELECT pg_sleep(1), pg_backend_pid(), current_user, session_user",
		"COPY students (id, name) FROM STDIN WITH (FORMAT csv, HEADER, DELIMITER ';', NULL 'x')",
		"COPY (SELECT 1) TO STDOUT CSV HEADER",
		"SET TIME ZONE 'UTC'", "SET application_name TO 'x'", "SHOW ALL", "RESET ALL", "DEALLOCATE ALL",
		"SELECT c.oid,\n n.nspname,\n c.relname FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.~) '^(stu)$' AND pg_catalog.pg_table_is_visible(c.oid)",
		"INSERT INTO t (a, b) VALUES (?1, ?2)", "E'", "$$", "$1", "::", "(((", ")))", "$a", "/*",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		stmts := splitStatements(sql)
		if len(stmts) > strings.Count(sql, ";")+1 {
			t.Fatalf("%d statements from %d semicolons", len(stmts), strings.Count(sql, ";"))
		}
		for _, s := range stmts {
			tr := translate(s, 42, "lab")
			if tr.nparams > maxParams {
				t.Fatalf("%d parameters", tr.nparams)
			}
			p, err := planStatement(s, 42, "lab")
			if err == nil && p.kind == kindCatalog {
				relnameFilter(s)
				oidRe.FindStringSubmatch(s)
			}
		}
		stripLiterals(sql)
		firstWords(sql, 3)
	})
}

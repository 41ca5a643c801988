package pgserver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPsql runs what a person types in psql: SQL, \conninfo, \timing, the
// catalog commands, \copy both ways and an error with its SQLSTATE.
func TestPsql(t *testing.T) {
	_, addr := testServer(t, Options{})
	dir := t.TempDir()
	in := filepath.Join(dir, "in.tsv")
	out := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(in, []byte("10\tLin Yu\tlin@lab.test\t2025-01-01 08:00:00\tt\t\\N\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	script := `\set VERBOSITY verbose
SELECT id, name, active, gpa FROM students ORDER BY id;
\conninfo
\timing on
SELECT version();
\timing off
\dt
\d students
\copy students from '` + in + `'
\copy (SELECT id, name FROM students WHERE id >= 4 ORDER BY id) to '` + out + `' with csv header
SELEC 1;
SELECT current_database(), current_user; SHOW server_version;
`
	got := psql(t, conninfo(addr, "sslmode=disable"), script, nil)
	for _, want := range []string{
		" 1 | Ada Lovelace    | t      | 3.9",
		"(4 rows)",
		`You are connected to database "lab" as user "lab" on host "127.0.0.1"`,
		"PostgreSQL 15.0 (Protocol Lab)",
		"Time: ",
		" public | courses    | table | lab",
		" public | students   | table | lab",
		`Table "public.students"`,
		" email       | character varying(100)      |           | not null | ",
		`"students_pkey" PRIMARY KEY, btree (id)`,
		`"students_email_key" UNIQUE CONSTRAINT, btree (email)`,
		"COPY 1",
		"ERROR:  42601: ",
		" current_database | current_user",
		"15.0 (Protocol Lab)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("psql printed:\n%s\nwant %q in it", got, want)
		}
	}
	csv, err := os.ReadFile(out)
	if want := "id,name\n4,Edsger Dijkstra\n10,Lin Yu\n"; err != nil || string(csv) != want {
		t.Errorf("\\copy to wrote %q, %v; want %q", csv, err, want)
	}
}

// TestPsqlCatalogRefused: a catalog query the lab's catalog does not know
// gets a clear 0A000.
func TestPsqlCatalogRefused(t *testing.T) {
	_, addr := testServer(t, Options{})
	got := psql(t, conninfo(addr, "sslmode=disable"), "\\set VERBOSITY verbose\n\\df\nSELECT 1 AS still;\n", nil)
	for _, want := range []string{"ERROR:  0A000: not supported by the lab's catalog", "still"} {
		if !strings.Contains(got, want) {
			t.Errorf("psql printed:\n%s\nwant %q in it", got, want)
		}
	}
}

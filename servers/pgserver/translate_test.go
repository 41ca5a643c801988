package pgserver

import (
	"reflect"
	"testing"
)

var splitTests = []struct {
	in   string
	want []string
}{
	{"SELECT 1; SELECT 2;", []string{"SELECT 1", "SELECT 2"}},
	{"SELECT 'a;b', \"c;d\"; -- e;\n", []string{`SELECT 'a;b', "c;d"`}},
	{"SELECT $$x;y$$, $t$;$t$ /* ; /* ; */ ; */", []string{"SELECT $$x;y$$, $t$;$t$ /* ; /* ; */ ; */"}},
	{"SELECT E'it\\'s;'; SELECT $1", []string{"SELECT E'it\\'s;'", "SELECT $1"}},
	{" ; -- only a comment\n;", nil},
}

func TestSplitStatements(t *testing.T) {
	for _, tc := range splitTests {
		if got := splitStatements(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitStatements(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

var translateTests = []struct {
	in, want string
	nparams  int
	casts    map[int]uint32
}{
	{"SELECT * FROM students WHERE id = $2 OR id = $1", "SELECT * FROM students WHERE id = ?2 OR id = ?1", 2, nil},
	{"SELECT $1::int8, '1'::integer, x::double precision", "SELECT CAST(?1 AS INTEGER), CAST('1' AS INTEGER), CAST(x AS REAL)", 1, map[int]uint32{1: oidInt8}},
	{"SELECT (a + b)::text, count(*)::float8, t.c::boolean", "SELECT CAST((a + b) AS TEXT), CAST(count(*) AS REAL), pg_bool(t.c)", 0, nil},
	{"SELECT E'a\\nb''c', $$d'e$$", "SELECT 'a\nb''c', 'd''e'", 0, nil},
	{"SELECT * FROM public.students WHERE name ILIKE 'a%'", "SELECT * FROM main.students WHERE name LIKE 'a%'", 0, nil},
	{"SELECT pg_catalog.version(), current_user, pg_backend_pid()", "SELECT version(), current_user('lab'), 42", 0, nil},
	{"SELECT pg_sleep(1.5)", "SELECT pg_sleep(42, 1.5)", 0, nil},
	{"CREATE TABLE t (id SERIAL PRIMARY KEY)", "CREATE TABLE t (id INTEGER PRIMARY KEY)", 0, nil},
	{"SELECT '$1::int', \"public\".x -- $2", "SELECT '$1::int', \"public\".x -- $2", 0, nil},
}

func TestTranslate(t *testing.T) {
	for _, tc := range translateTests {
		got := translate(tc.in, 42, "lab")
		if got.sql != tc.want || got.nparams != tc.nparams || !reflect.DeepEqual(got.casts, tc.casts) {
			t.Errorf("translate(%q) = %q, %d, %v; want %q, %d, %v", tc.in, got.sql, got.nparams, got.casts, tc.want, tc.nparams, tc.casts)
		}
	}
}

func TestParseCopy(t *testing.T) {
	c, err := parseCopy(`COPY "students" (id, name) FROM STDIN WITH (FORMAT csv, HEADER, DELIMITER ';', NULL 'x')`)
	if err != nil || c.table != "students" || !reflect.DeepEqual(c.cols, []string{"id", "name"}) || !c.in || !c.csv || !c.header || c.delim != ";" || c.null != "x" {
		t.Errorf("parseCopy = %+v, %v", c, err)
	}
	c, err = parseCopy("COPY (SELECT 1) TO STDOUT CSV HEADER")
	if err != nil || c.query != "SELECT 1" || c.in || !c.csv || c.delim != "," || c.null != "" {
		t.Errorf("parseCopy = %+v, %v", c, err)
	}
	for _, bad := range []string{"COPY students FROM '/etc/passwd'", "COPY students TO STDOUT BINARY", "COPY (SELECT 1) FROM STDIN", "COPY"} {
		if _, err := parseCopy(bad); err == nil {
			t.Errorf("parseCopy(%q) took it", bad)
		}
	}
}

func TestSplitCSV(t *testing.T) {
	s := func(v string) *string { return &v }
	got := splitCSV(`1,"a,""b""",,""`, ',', "")
	want := []*string{s("1"), s(`a,"b"`), nil, s("")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("splitCSV = %v, want %v", got, want)
	}
	got = splitText("1\ta\\tb\t\\N", '\t', `\N`)
	if len(got) != 3 || *got[1] != "a\tb" || got[2] != nil {
		t.Errorf("splitText = %v", got)
	}
}

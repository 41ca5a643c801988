package pgserver

import (
	"strings"
	"testing"
)

func TestPsqlBasic(t *testing.T) {
	_, addr := testServer(t, Options{})
	out := psql(t, conninfo(addr, "sslmode=disable"), "SELECT id, name, active, gpa FROM students ORDER BY id;\nSELECT 1 AS one, 2.5, 'x';\n", nil)
	for _, want := range []string{"Ada Lovelace", "(4 rows)", "one"} {
		if !strings.Contains(out, want) {
			t.Errorf("psql printed %q, want %q in it", out, want)
		}
	}
}

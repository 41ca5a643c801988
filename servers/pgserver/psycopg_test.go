package pgserver

import (
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// psycopgScript runs psycopg2 against the server: parameters (psycopg2
// interpolates them into a simple Query), a transaction, a unique violation
// and COPY both ways with copy_expert.
const psycopgScript = `
import io, sys, psycopg2, psycopg2.errors
conn = psycopg2.connect(host="127.0.0.1", port=int(sys.argv[1]), user="lab", password="lab", dbname="lab", sslmode="disable")
cur = conn.cursor()
cur.execute("SELECT name, active, gpa FROM students WHERE id = %s AND name LIKE %s", (1, "Ada%"))
print("row", cur.fetchone())
cur.execute("INSERT INTO courses (id, code, title, credits) VALUES (%s, %s, %s, %s)", (9, "PY101", "Python's \"quotes\"", 3))
conn.commit()
cur.execute("SELECT title FROM courses WHERE id = 9")
print("title", cur.fetchone()[0])
try:
    cur.execute("INSERT INTO courses (id, code, title) VALUES (10, 'PY101', 'again')")
except psycopg2.errors.UniqueViolation as e:
    print("unique", e.pgcode)
conn.rollback()
buf = io.StringIO()
cur.copy_expert("COPY courses TO STDOUT WITH CSV HEADER", buf)
print("copy-out", buf.getvalue().count("\n"))
try:
    cur.copy_expert("COPY courses (id, code, title, credits) FROM STDIN", io.StringIO("20\tC20\tTwenty\t2\n21\tC21\tTwenty one\t\\N\n"))
except psycopg2.errors.NotNullViolation as e:
    print("copy-null", e.pgcode)
conn.rollback()
cur.copy_expert("COPY courses (id, code, title) FROM STDIN", io.StringIO("20\tC20\tTwenty\n21\tC21\tTwenty one\n"))
conn.commit()
cur.execute("SELECT count(*) FROM courses")
print("count", cur.fetchone()[0])
`

func TestPsycopg2(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import psycopg2").Run(); err != nil {
		t.Skip("python3-psycopg2 is not installed")
	}
	_, addr := testServer(t, Options{})
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command("/usr/bin/python3", "-c", psycopgScript, port)
	cmd.Env = os.Environ()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("psycopg2: %v\n%s", err, out)
	}
	for _, want := range []string{
		"row ('Ada Lovelace', True, '3.9')", // numeric is text: SQLite keeps no decimals
		"copy-null 23502",
		`title Python's "quotes"`,
		"unique 23505",
		"copy-out 5",
		"count 6",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("psycopg2 printed %q, want %q in it", out, want)
		}
	}
}

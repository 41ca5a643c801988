package pgserver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
)

// DatabaseName is the one database the server serves; a client may also
// leave the name out (it is then the user's name, "lab").
const DatabaseName = "lab"

// ServerVersion is what the server reports as server_version and version().
const ServerVersion = "15.0 (Protocol Lab)"

// seed is the sample schema a new database starts with: a course's students,
// its courses and who is enrolled in what, with the constraints the lessons
// about errors need (a unique e-mail, a unique enrolment, NOT NULL names).
const seed = `
CREATE TABLE students (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	email VARCHAR(100) NOT NULL UNIQUE,
	enrolled_on TIMESTAMP,
	active BOOLEAN NOT NULL DEFAULT true,
	gpa NUMERIC(3,2)
);
CREATE TABLE courses (
	id INTEGER PRIMARY KEY,
	code VARCHAR(10) NOT NULL UNIQUE,
	title TEXT NOT NULL,
	credits INT4 NOT NULL DEFAULT 5
);
CREATE TABLE enrolments (
	student_id INTEGER NOT NULL REFERENCES students(id),
	course_id INTEGER NOT NULL REFERENCES courses(id),
	grade FLOAT8,
	UNIQUE (student_id, course_id)
);
INSERT INTO students (id, name, email, enrolled_on, active, gpa) VALUES
	(1, 'Ada Lovelace', 'ada@lab.test', '2024-09-02 09:00:00', true, 3.90),
	(2, 'Alan Turing', 'alan@lab.test', '2024-09-02 09:05:00', true, 3.70),
	(3, 'Grace Hopper', 'grace@lab.test', '2024-09-03 10:30:00', true, 3.80),
	(4, 'Edsger Dijkstra', 'edsger@lab.test', '2023-09-04 14:00:00', false, NULL);
INSERT INTO courses (id, code, title, credits) VALUES
	(1, 'NET101', 'Computer Networks', 6),
	(2, 'DB201', 'Databases', 5),
	(3, 'SEC301', 'Network Security', 4);
INSERT INTO enrolments (student_id, course_id, grade) VALUES
	(1, 1, 5.5), (1, 2, 6.0), (2, 1, 5.0), (3, 2, NULL), (3, 3, 4.5);
`

// OpenDB opens (creating and seeding it the first time) the SQLite database
// at path, in WAL mode: a killed lab leaves the last committed state, never a
// corrupt file, and readers never wait for a writer. Each session takes a
// connection of its own from the pool.
func OpenDB(path string) (*sql.DB, error) {
	registerFuncs()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("pgserver: %w", err)
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(NORMAL)", "busy_timeout(5000)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("pgserver: %w", err)
	}
	if err := seedDB(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("pgserver: the database %s: %w", path, err)
	}
	return db, nil
}

// seedDB creates the sample schema in an empty database, in one transaction.
func seedDB(db *sql.DB) error {
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, seed); err != nil {
		return err
	}
	return tx.Commit()
}

// sleepers holds the context of each session's running statement by its
// process id: pg_sleep(pid, seconds), as the translation writes pg_sleep(s),
// ends early when the statement is cancelled. SQLite's own interrupt cannot
// reach into a Go function.
var sleepers sync.Map // uint32 → context.Context

var registerOnce sync.Once

// registerFuncs adds the PostgreSQL functions the lab's SQL may call to every
// connection the sqlite driver opens.
func registerFuncs() {
	registerOnce.Do(func() {
		str := func(v string) func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
			return func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) { return v, nil }
		}
		sqlite.MustRegisterDeterministicScalarFunction("version", 0, str("PostgreSQL "+ServerVersion+" on SQLite (modernc.org/sqlite)"))
		sqlite.MustRegisterDeterministicScalarFunction("current_database", 0, str(DatabaseName))
		sqlite.MustRegisterDeterministicScalarFunction("current_schema", 0, str("public"))
		sqlite.MustRegisterScalarFunction("now", 0, func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
			return time.Now().UTC().Format("2006-01-02 15:04:05.999999"), nil
		})
		sqlite.MustRegisterScalarFunction("pg_sleep", 2, pgSleep)
		same := func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) { return a[0], nil }
		sqlite.MustRegisterDeterministicScalarFunction("current_user", 1, same) // current_user(the session's user), as translate writes it
		sqlite.MustRegisterDeterministicScalarFunction("session_user", 1, same)
		sqlite.MustRegisterDeterministicScalarFunction("pg_bool", 1, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
			switch v := a[0].(type) {
			case nil:
				return nil, nil
			case string:
				b, ok := parseBool(v)
				if !ok {
					return nil, fmt.Errorf("invalid input syntax for type boolean: %q", v)
				}
				return b, nil
			case int64:
				return v != 0, nil
			case float64:
				return v != 0, nil
			}
			return nil, errors.New("cannot cast to boolean")
		})
	})
}

// errCanceled is pg_sleep's error when its statement is cancelled.
var errCanceled = errors.New("canceling statement due to user request")

// pgSleep is pg_sleep(pid, seconds): it waits, or until the statement of the
// session pid is cancelled.
func pgSleep(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
	var secs float64
	switch v := a[1].(type) {
	case int64:
		secs = float64(v)
	case float64:
		secs = v
	case nil:
		return nil, nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return nil, fmt.Errorf("invalid input syntax for type double precision: %q", v)
		}
		secs = f
	default:
		return nil, fmt.Errorf("pg_sleep: the argument must be a number of seconds, not %T", v)
	}
	ctx := context.Background()
	if pid, ok := a[0].(int64); ok {
		if c, ok := sleepers.Load(uint32(pid)); ok {
			ctx = c.(context.Context)
		}
	}
	if secs <= 0 {
		return nil, nil
	}
	t := time.NewTimer(time.Duration(secs * float64(time.Second)))
	defer t.Stop()
	select {
	case <-t.C:
		return nil, nil
	case <-ctx.Done():
		return nil, errCanceled
	}
}

// parseBool reads PostgreSQL's spellings of a boolean.
func parseBool(s string) (bool, bool) {
	switch s {
	case "t", "true", "TRUE", "True", "y", "yes", "on", "1":
		return true, true
	case "f", "false", "FALSE", "False", "n", "no", "off", "0":
		return false, true
	}
	return false, false
}

package pgserver

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// pgError is an error as the client gets it: an SQLSTATE and a message.
type pgError struct {
	code, msg, detail, hint string
	severity                string // "" is ERROR
	table, column, constr   string
}

func (e *pgError) Error() string { return e.msg }

func (e *pgError) response() *pgproto3.ErrorResponse {
	sev := e.severity
	if sev == "" {
		sev = "ERROR"
	}
	return &pgproto3.ErrorResponse{Severity: sev, SeverityUnlocalized: sev, Code: e.code, Message: e.msg,
		Detail: e.detail, Hint: e.hint, TableName: e.table, ColumnName: e.column, ConstraintName: e.constr}
}

// errAborted is the answer to a statement in a failed transaction block.
var errAborted = &pgError{code: "25P02", msg: "current transaction is aborted, commands ignored until end of transaction block",
	hint: "send ROLLBACK (or COMMIT, which rolls back) to end the failed transaction"}

// toPGError is err with the SQLSTATE PostgreSQL gives the same failure:
// SQLite's result codes and messages mapped, cancellation 57014.
func toPGError(err error) *pgError {
	var pe *pgError
	if errors.As(err, &pe) {
		return pe
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, errCanceled) || strings.Contains(err.Error(), errCanceled.Error()) {
		return &pgError{code: "57014", msg: "canceling statement due to user request"}
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return &pgError{code: "XX000", msg: err.Error()}
	}
	msg := sqliteMessage(se.Error())
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		cols := strings.TrimPrefix(msg, "UNIQUE constraint failed: ")
		return &pgError{code: "23505", msg: "duplicate key value violates unique constraint", detail: "SQLite: " + msg,
			table: tableOf(cols), constr: cols}
	case sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		col := strings.TrimPrefix(msg, "NOT NULL constraint failed: ")
		_, c, _ := strings.Cut(col, ".")
		return &pgError{code: "23502", msg: fmt.Sprintf("null value in column %q violates not-null constraint", c),
			table: tableOf(col), column: c}
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return &pgError{code: "23503", msg: "insert or update violates foreign key constraint", detail: "SQLite: " + msg}
	case sqlite3.SQLITE_CONSTRAINT_CHECK:
		return &pgError{code: "23514", msg: "new row violates check constraint", detail: "SQLite: " + msg}
	case sqlite3.SQLITE_INTERRUPT:
		return &pgError{code: "57014", msg: "canceling statement due to user request"}
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_BUSY_SNAPSHOT:
		return &pgError{code: "55P03", msg: "could not obtain lock: another session is writing: " + msg,
			hint: "end the other session's transaction, then try again"}
	case sqlite3.SQLITE_READONLY:
		return &pgError{code: "25006", msg: msg}
	case sqlite3.SQLITE_TOOBIG:
		return &pgError{code: "54000", msg: msg}
	case sqlite3.SQLITE_MISMATCH:
		return &pgError{code: "42804", msg: msg}
	case sqlite3.SQLITE_RANGE:
		return &pgError{code: "08P01", msg: msg}
	}
	return fromMessage(msg)
}

// fromMessage maps SQLite's generic error (SQLITE_ERROR) by its message.
func fromMessage(msg string) *pgError {
	switch {
	case strings.HasPrefix(msg, "no such table: "):
		return &pgError{code: "42P01", msg: fmt.Sprintf("relation %q does not exist", unqualify(strings.TrimPrefix(msg, "no such table: ")))}
	case strings.HasPrefix(msg, "no such column: "):
		return &pgError{code: "42703", msg: fmt.Sprintf("column %q does not exist", strings.TrimPrefix(msg, "no such column: "))}
	case strings.Contains(msg, "has no column named "):
		_, col, _ := strings.Cut(msg, "has no column named ")
		return &pgError{code: "42703", msg: fmt.Sprintf("column %q does not exist", col)}
	case strings.HasPrefix(msg, "no such function: "):
		return &pgError{code: "42883", msg: fmt.Sprintf("function %s does not exist", strings.TrimPrefix(msg, "no such function: ")),
			hint: "the lab's database is SQLite: its functions, and version(), now(), pg_sleep() and current_database()"}
	case strings.Contains(msg, "wrong number of arguments to function"):
		return &pgError{code: "42883", msg: msg}
	case strings.Contains(msg, "syntax error") || strings.Contains(msg, "incomplete input") || strings.Contains(msg, "unrecognized token"):
		return &pgError{code: "42601", msg: msg}
	case strings.HasPrefix(msg, "table ") && strings.HasSuffix(msg, " already exists"):
		return &pgError{code: "42P07", msg: fmt.Sprintf("relation %q already exists", strings.TrimSuffix(strings.TrimPrefix(msg, "table "), " already exists"))}
	case strings.HasPrefix(msg, "index ") && strings.HasSuffix(msg, " already exists"):
		return &pgError{code: "42P07", msg: msg}
	case strings.HasPrefix(msg, "no such index: "):
		return &pgError{code: "42704", msg: msg}
	case strings.Contains(msg, "ambiguous column name"):
		return &pgError{code: "42702", msg: msg}
	case strings.Contains(msg, "division by zero"):
		return &pgError{code: "22012", msg: "division by zero"}
	case strings.Contains(msg, "invalid input syntax"):
		return &pgError{code: "22P02", msg: msg}
	case strings.Contains(msg, "no such savepoint"):
		return &pgError{code: "3B001", msg: msg}
	}
	return &pgError{code: "XX000", msg: msg}
}

// sqliteMessage is SQLite's message without the driver's decoration
// ("SQL logic error: no such table: x (1)").
func sqliteMessage(m string) string {
	if i := strings.LastIndex(m, " ("); i > 0 && strings.HasSuffix(m, ")") {
		m = m[:i]
	}
	for _, p := range []string{"SQL logic error: ", "constraint failed: ", "interrupted: ", "datatype mismatch: "} {
		if i := strings.Index(m, p); i >= 0 {
			m = m[i+len(p):]
		}
	}
	return m
}

func unqualify(name string) string {
	if _, n, ok := strings.Cut(name, "."); ok {
		return n
	}
	return name
}

// tableOf is the table of "table.column, table.column".
func tableOf(cols string) string {
	t, _, _ := strings.Cut(cols, ".")
	return t
}

// Package pgserver is the lab's PostgreSQL server: the frontend/backend
// protocol version 3.0 (PostgreSQL 15 documentation, chapter 55 "Frontend/
// Backend Protocol") over an embedded SQLite database, so that psql, pgx,
// psycopg2 and the lab's own client connect unchanged and every message
// they exchange can be watched.
//
// # Design
//
// The messages are github.com/jackc/pgx/v5/pgproto3's (its Backend reads
// and writes them, bounded by Options.MaxMessage); the SQL is
// modernc.org/sqlite's, pure Go, kept in one file in the lab's data folder
// (DatabaseFile) and seeded the first time with a course's students,
// courses and enrolments. The file is in WAL mode: a killed lab leaves the
// last committed state and never a corrupt file, and readers never wait for
// a writer. Each session holds a SQLite connection of its own for its life,
// so its transaction is its own and one session's long query never blocks
// another's.
//
// The server reads the startup packets itself, each exactly (never a byte
// beyond, so nothing sent before a TLS handshake is taken as sent after):
// SSLRequest is answered 'S' and TLS with Options.TLS (the lab's CA, its
// secrets to the hub's key log so the inspector decrypts the session) or
// 'N' without it; GSSENCRequest 'N'; a version other than 3.x gets FATAL
// 0A000 as from PostgreSQL, a 3.x minor above 0 NegotiateProtocolVersion.
// Passwords are checked by cleartext, MD5 or SCRAM-SHA-256 (RFC 5802 and
// RFC 7677, without channel binding) as Options.Auth says; wrong ones wait
// as servers/internal/authdelay says. Then come ParameterStatus,
// BackendKeyData and ReadyForQuery.
//
// A simple Query may hold several statements; they run one after the other
// until one fails. The extended protocol has named and unnamed statements
// and portals; Execute's row limit suspends a portal (PortalSuspended) and a
// later Execute goes on from its open cursor. A parameter's type is the one
// the client gave, or its cast ($1::int8), or that of the column it meets
// (id = $1, INSERT INTO t (c) VALUES ($1), LIMIT $1), else text. Result
// columns are typed by their declared SQLite types (INTEGER int8, INT4
// int4, REAL and FLOAT8 float8, BOOLEAN bool, BYTEA and BLOB bytea,
// TIMESTAMP timestamp, the rest — NUMERIC and VARCHAR too — text), an
// expression's by its first row's value, in text or binary (pgtype's
// encoding). Describing a statement before its parameters are bound runs it
// once with NULLs (a RETURNING one in a savepoint rolled back).
//
// BEGIN, COMMIT and ROLLBACK are the server's, for ReadyForQuery's I, T and
// E: after an error in a transaction block every statement gets 25P02 until
// ROLLBACK (COMMIT rolls back too). SQLite's errors become PostgreSQL's
// SQLSTATEs (42601 syntax, 42P01 undefined table, 42703 undefined column,
// 23505 unique violation, 23502 not null, 57014 cancelled, ...). What
// people type in PostgreSQL's dialect is translated where SQLite's differs
// and the rewrite is local: $n, expr::type, E” and $$ strings, public.,
// SERIAL, ILIKE, SET, SHOW, RESET, version(), now(), current_database(),
// current_user, pg_backend_pid() and pg_sleep(seconds).
//
// COPY FROM STDIN and COPY TO STDOUT speak the text and CSV formats; COPY
// FROM inserts all its rows or none, and its data is bounded by
// Options.MaxCopy. A COPY to or from a file is refused: psql's \copy is the
// way.
//
// A CancelRequest comes on a connection of its own with the process id and
// secret key BackendKeyData gave; the statement that session runs is
// cancelled through its context, which SQLite's interrupt and pg_sleep
// watch, and the request's conversation is linked to the session's
// (lab.LinkCancel).
//
// # The catalog
//
// SQLite has no pg_catalog. The server knows the queries psql 15 sends for
// \dt, \d and \d TABLE by their shape and answers them from SQLite's schema
// (columns, NOT NULL, defaults, primary keys, unique constraints, indexes
// and foreign keys both ways); \conninfo needs no query. Any other query of
// pg_catalog or information_schema gets ErrorResponse 0A000 "not supported
// by the lab's catalog".
//
// # Left out
//
// Replication, functions calls (FunctionCall), LISTEN/NOTIFY, COPY's binary
// format, server-side cursors by SQL (DECLARE, FETCH), an implicit
// transaction around a multi-statement Query, and PostgreSQL's types beyond
// those above. SQLite's integer division by zero is NULL, not 22012.
package pgserver

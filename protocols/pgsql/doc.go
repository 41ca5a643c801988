// Package pgsql is what the lab knows about PostgreSQL's frontend/backend
// protocol, version 3.0 (and 3.2, PostgreSQL 18's), as the chapter
// "Frontend/Backend Protocol" of PostgreSQL's documentation describes it
// (https://www.postgresql.org/docs/current/protocol.html).
//
// The analyzer frames every message both ways, with the bytes each field was
// read from: the untyped start-up packets (StartupMessage with its protocol
// version and parameters, SSLRequest and its one-byte answer S or N,
// GSSENCRequest, CancelRequest with the process id and secret key), then the
// typed messages, a type byte and an Int32 length (Message Formats). It names
// RowDescription's column types by OID, reads each DataRow by the
// RowDescription in force — for the extended protocol, that of the portal an
// Execute runs, with the result formats of its Bind, text or binary — shows
// ErrorResponse and NoticeResponse field by field with the SQLSTATE's meaning,
// and shows COPY data as text rows. The authentication exchange is explained
// step by step (cleartext, MD5 with its salt, SCRAM-SHA-256's four messages);
// the password, the MD5 answer and SCRAM's ClientProof are masked in the fields
// and in the message's bytes the lab shows (the connection's data and the
// pcapng export keep what crossed the wire).
//
// The session goes startup → authenticating → idle ⇄ in transaction → failed
// transaction, by ReadyForQuery's status (I, T, E), and ends terminated (a
// Terminate, a FATAL error or the connection's end). Each Query, each batch of
// extended-protocol messages up to its Sync, and the start-up are marked as a
// request with the server's messages up to ReadyForQuery as its answer
// (lab.Message.Role and Pair), for the timing view.
//
// After an SSLRequest answered 'S' (or a client's direct TLS, PostgreSQL 17's
// sslnegotiation=direct) the rest is TLS: the TLS layer decrypts it with the
// lab's key log and hands the plaintext to a PostgreSQL analyzer inside
// (starttls.Handoff). After a GSSENCRequest answered 'G' the rest is only
// counted.
//
// Malformed input gets a message that says what is wrong and what a server
// does about it: a length under 4 or over a gigabyte (nothing after it can be
// framed, so that direction is only counted from there), a type byte no
// message has, a typed message before the StartupMessage, a startup with a
// protocol version other than 3, a message cut short or with bytes after its
// last field. A message longer than MaxMessage is shown by its header and
// counted, not held.
//
// Left out: the replication sub-protocol inside CopyBoth, and the values of
// arrays, ranges and composite types in binary format (shown as bytes).
package pgsql

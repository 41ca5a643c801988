// Package redisserver is the lab's Redis server: an embedded miniredis
// (github.com/alicebob/miniredis/v2) speaking RESP2 and RESP3 (HELLO 3) to
// unchanged clients — redis-cli, go-redis — with strings, lists, hashes,
// sets and sorted sets, expiry on the wall clock, MULTI/EXEC/WATCH, pub/sub
// with channels and patterns, and AUTH with an ACL user (lab, password lab;
// Options.User, Options.Password). The default user is off unless
// Options.DefaultUserOn: until a client logs in, every command but AUTH and
// HELLO is answered NOAUTH. The data lives in memory only and goes when the
// server stops.
//
// # How the lab sees every byte
//
// miniredis's server serves any net.Conn it is handed (server.ServeConn), so
// there is no relay: the Server accepts on the listener the lab opened and
// tapped, and hands miniredis each tapped connection wrapped in a gate. The
// capture is of that very socket, from the client's first byte.
//
// The gate reads the client's commands itself before miniredis does, because
// miniredis reads without bounds (a bulk length allocates as much) and knows
// no inline commands: it reads arrays of bulk strings and inline lines, each
// line at most 64 KiB, each argument at most Options.MaxBulk, a command's
// arguments together at most Options.MaxRequest, and hands each command on as
// an array. What breaks RESP or a bound is answered as Redis answers it —
// "-ERR Protocol error: invalid bulk length", "invalid multibulk length",
// "expected '$', got ':'", "too big inline request", "unbalanced quotes in
// request" — after the replies to the commands before it, and the connection
// is closed; the other clients are served as before. A wrong password's
// command is held back for the wait of servers/internal/authdelay's Guard
// (shown in the inspector) before miniredis answers WRONGPASS. With the
// default user on, the gate logs each connection in as the lab's user before
// its first command and keeps miniredis's "+OK" to that from the client:
// miniredis has no default user beside ACL users.
//
// Left out: persistence (SAVE, AOF), TLS, replication, cluster, ACL rules
// beyond one user, client-side caching, and whatever miniredis leaves out
// (its README lists the commands it implements). COMMAND DOCS is answered
// with no documents, which redis-cli takes as "no hints".
package redisserver

// Package redis is what the lab knows about RESP, the Redis serialization
// protocol (redis.io/docs/latest/develop/reference/protocol-spec): RESP2's
// simple strings, errors, integers, bulk strings and arrays, and RESP3's
// nulls, doubles, booleans, big numbers, bulk errors, verbatim strings, maps,
// sets, attributes and pushes, which a client asks for with HELLO 3; and the
// inline commands a person types in telnet or nc.
//
// The analyzer frames every value in both directions with the bytes each
// part was read from (a type byte, a length, the data; an aggregate's count
// and elements), names each command's arguments from a table of the common
// commands and says what the command does, and matches each reply to its
// command in order — RESP's pipelining: a client may send many commands in
// one write, and the replies come back in the same order — marking both with
// Message.Role and Pair. Pub/sub: a PUBLISH and each message pushed to a
// subscriber (message, pmessage) carry a lab.Publication with the channel as
// subject, so the hub follows one message through the server to its
// subscribers; the confirmations of SUBSCRIBE and its kin answer them, one a
// channel. AUTH's and HELLO ... AUTH's passwords are masked in the fields
// and summaries (the raw bytes show them, as the wire did).
//
// The connection's state: connected, then authenticated once a command is
// run (after AUTH, or at once when the default user is on), in transaction
// between MULTI and EXEC or DISCARD, subscribed while it has subscriptions,
// and closed with the connection.
//
// Bad input gets a message that says what Redis does about it: an unknown
// type byte, a bad length, a line without CR LF, bulk data not followed by CR
// LF, unbalanced quotes in an inline command; framing goes on at the next
// line. A frame with a bulk string over MaxBulk bytes, or longer than the
// lab holds, is shown by its start and counted through to its end, not held;
// an array the connection's end cut short is shown as unfinished.
//
// Left out: client-side caching's invalidations are shown as pushes without
// more; CLIENT REPLY OFF and SKIP, which leave commands without replies,
// would put the matching out of step.
package redis

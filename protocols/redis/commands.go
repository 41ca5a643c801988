package redis

import (
	"fmt"
	"slices"
	"strings"
)

// command describes one Redis command for people: the names of its
// arguments (fixed ones, then a group that repeats) and what it does.
type command struct {
	args    []string // the arguments in order
	rest    []string // a group of arguments that repeats after them ("field", "value")
	meaning string
}

// commands describes the commands a course meets first (redis.io/commands),
// by name in capitals.
var commands = map[string]command{
	"GET":          {[]string{"key"}, nil, "Read the string stored at a key: the reply is its value, or null when the key does not exist."},
	"SET":          {[]string{"key", "value"}, []string{"option"}, "Store a string value at a key, replacing what was there. Options: EX seconds or PX milliseconds set an expiry, NX only if the key does not exist, XX only if it does, GET also returns the old value."},
	"SETEX":        {[]string{"key", "seconds", "value"}, nil, "Store a string value at a key that expires after the given number of seconds."},
	"GETSET":       {[]string{"key", "value"}, nil, "Store a new value at a key and return the old one."},
	"MGET":         {nil, []string{"key"}, "Read several keys at once: the reply is an array of their values, null for a missing key."},
	"MSET":         {nil, []string{"key", "value"}, "Store several key/value pairs at once."},
	"APPEND":       {[]string{"key", "value"}, nil, "Add bytes to the end of a string: the reply is the new length."},
	"STRLEN":       {[]string{"key"}, nil, "The length in bytes of the string at a key."},
	"DEL":          {nil, []string{"key"}, "Delete keys: the reply is how many existed."},
	"UNLINK":       {nil, []string{"key"}, "Delete keys, freeing their memory in the background: the reply is how many existed."},
	"EXISTS":       {nil, []string{"key"}, "Count how many of the keys exist."},
	"TYPE":         {[]string{"key"}, nil, "The type of the value at a key: string, list, set, zset, hash, stream, or none."},
	"KEYS":         {[]string{"pattern"}, nil, "List every key matching a glob pattern (* ? [abc]). It walks the whole keyspace: fine in the lab, slow on a big server, where SCAN is used."},
	"SCAN":         {[]string{"cursor"}, []string{"option"}, "Walk the keyspace a page at a time: the reply is the next cursor (0 when done) and a page of keys."},
	"RENAME":       {[]string{"key", "new key"}, nil, "Give a key a new name."},
	"EXPIRE":       {[]string{"key", "seconds"}, []string{"option"}, "Make a key expire after a number of seconds: the reply is 1 if the key exists, 0 if not."},
	"PEXPIRE":      {[]string{"key", "milliseconds"}, []string{"option"}, "Make a key expire after a number of milliseconds."},
	"EXPIREAT":     {[]string{"key", "unix time"}, []string{"option"}, "Make a key expire at a moment given in seconds since 1970."},
	"PERSIST":      {[]string{"key"}, nil, "Remove a key's expiry, so it stays."},
	"TTL":          {[]string{"key"}, nil, "The seconds a key has left to live: -1 when it never expires, -2 when it does not exist."},
	"PTTL":         {[]string{"key"}, nil, "The milliseconds a key has left to live: -1 when it never expires, -2 when it does not exist."},
	"INCR":         {[]string{"key"}, nil, "Add 1 to the integer stored at a key (a missing key counts as 0): the reply is the new value. Atomic, so many clients can count together."},
	"DECR":         {[]string{"key"}, nil, "Subtract 1 from the integer stored at a key: the reply is the new value."},
	"INCRBY":       {[]string{"key", "increment"}, nil, "Add an integer to the integer stored at a key: the reply is the new value."},
	"DECRBY":       {[]string{"key", "decrement"}, nil, "Subtract an integer from the integer stored at a key."},
	"INCRBYFLOAT":  {[]string{"key", "increment"}, nil, "Add a decimal number to the number stored at a key."},
	"LPUSH":        {[]string{"key"}, []string{"element"}, "Push elements onto the head (left) of a list, creating it if needed: the reply is the list's new length."},
	"RPUSH":        {[]string{"key"}, []string{"element"}, "Push elements onto the tail (right) of a list, creating it if needed: the reply is the list's new length."},
	"LPOP":         {[]string{"key"}, []string{"count"}, "Remove and return the first element of a list."},
	"RPOP":         {[]string{"key"}, []string{"count"}, "Remove and return the last element of a list."},
	"LRANGE":       {[]string{"key", "start", "stop"}, nil, "Read the elements from start to stop of a list (0 is the first, -1 the last): LRANGE key 0 -1 reads it all."},
	"LLEN":         {[]string{"key"}, nil, "The number of elements in a list."},
	"LINDEX":       {[]string{"key", "index"}, nil, "The element at an index of a list."},
	"BLPOP":        {nil, []string{"key"}, "Pop the first element of the first non-empty list, waiting up to the timeout (the last argument) for one: a queue's consumer."},
	"HSET":         {[]string{"key"}, []string{"field", "value"}, "Set fields of a hash (a small map inside one key): the reply is how many fields were new."},
	"HGET":         {[]string{"key", "field"}, nil, "Read one field of a hash."},
	"HMGET":        {[]string{"key"}, []string{"field"}, "Read several fields of a hash."},
	"HGETALL":      {[]string{"key"}, nil, "Read every field and value of a hash: an array of field, value, field, value in RESP2, a map in RESP3."},
	"HDEL":         {[]string{"key"}, []string{"field"}, "Delete fields of a hash."},
	"HKEYS":        {[]string{"key"}, nil, "The field names of a hash."},
	"HLEN":         {[]string{"key"}, nil, "The number of fields in a hash."},
	"HINCRBY":      {[]string{"key", "field", "increment"}, nil, "Add an integer to a field of a hash."},
	"SADD":         {[]string{"key"}, []string{"member"}, "Add members to a set (no duplicates, no order): the reply is how many were new."},
	"SREM":         {[]string{"key"}, []string{"member"}, "Remove members from a set."},
	"SMEMBERS":     {[]string{"key"}, nil, "Every member of a set: an array in RESP2, a set in RESP3."},
	"SISMEMBER":    {[]string{"key", "member"}, nil, "Whether a value is a member of a set: 1 or 0."},
	"SCARD":        {[]string{"key"}, nil, "The number of members of a set."},
	"SINTER":       {nil, []string{"key"}, "The members every one of the sets has."},
	"SUNION":       {nil, []string{"key"}, "The members any of the sets has."},
	"ZADD":         {[]string{"key"}, []string{"score", "member"}, "Add members with a score to a sorted set, kept ordered by score (a leaderboard): the reply is how many were new."},
	"ZRANGE":       {[]string{"key", "start", "stop"}, []string{"option"}, "Read the members of a sorted set from start to stop in score order; WITHSCORES adds their scores."},
	"ZREVRANGE":    {[]string{"key", "start", "stop"}, []string{"option"}, "Read the members of a sorted set from the highest score down."},
	"ZSCORE":       {[]string{"key", "member"}, nil, "The score of a member of a sorted set."},
	"ZINCRBY":      {[]string{"key", "increment", "member"}, nil, "Add to the score of a member of a sorted set."},
	"ZREM":         {[]string{"key"}, []string{"member"}, "Remove members from a sorted set."},
	"ZCARD":        {[]string{"key"}, nil, "The number of members of a sorted set."},
	"ZRANK":        {[]string{"key", "member"}, nil, "The position of a member in a sorted set, lowest score first."},
	"MULTI":        {nil, nil, "Begin a transaction: the server queues the commands that follow (answering QUEUED) and runs them all at once, with no other client's command in between, at EXEC."},
	"EXEC":         {nil, nil, "Run the commands queued since MULTI: the reply is an array of their replies, or null if a WATCHed key changed meanwhile, so nothing ran."},
	"DISCARD":      {nil, nil, "Drop the commands queued since MULTI: the transaction ends without running them."},
	"WATCH":        {nil, []string{"key"}, "Watch keys for the next transaction: if another client changes one before EXEC, EXEC runs nothing and replies null (optimistic locking: read, decide, then MULTI ... EXEC)."},
	"UNWATCH":      {nil, nil, "Forget the keys WATCHed."},
	"SUBSCRIBE":    {nil, []string{"channel"}, "Subscribe to channels: the server confirms each, then pushes every message PUBLISHed to them. In RESP2 the connection is then only for pub/sub commands until it unsubscribes from all."},
	"UNSUBSCRIBE":  {nil, []string{"channel"}, "Unsubscribe from channels (all of them when none is named): the server confirms each with the count of subscriptions left."},
	"PSUBSCRIBE":   {nil, []string{"pattern"}, "Subscribe to every channel matching a glob pattern (news.*): messages come as pmessage with the pattern and the channel."},
	"PUNSUBSCRIBE": {nil, []string{"pattern"}, "Unsubscribe from patterns (all when none is named)."},
	"PUBLISH":      {[]string{"channel", "message"}, nil, "Publish a message to a channel: the server pushes it to every subscriber of the channel and of a matching pattern, and replies with how many received it. Nothing is stored: a subscriber not connected now never sees it."},
	"PUBSUB":       {[]string{"subcommand"}, []string{"argument"}, "Ask about pub/sub: PUBSUB CHANNELS lists the channels with subscribers, NUMSUB counts them."},
	"HELLO":        {[]string{"protocol version"}, []string{"option"}, "Choose the protocol version — 2 for RESP2, 3 for RESP3 with its maps, sets and pushes — and optionally authenticate (AUTH username password) and name the connection. The reply describes the server."},
	"AUTH":         {[]string{"username", "password"}, nil, "Log in as an ACL user with its password (with one argument, as the default user). Until then the server answers every other command NOAUTH. The password crosses in clear text unless TLS protects it."},
	"PING":         {nil, []string{"message"}, "Check the connection: the server answers PONG (or echoes the message)."},
	"ECHO":         {[]string{"message"}, nil, "The server sends the message back."},
	"SELECT":       {[]string{"index"}, nil, "Switch to another of the server's numbered databases (0 to 15)."},
	"DBSIZE":       {nil, nil, "The number of keys in the current database."},
	"FLUSHDB":      {nil, []string{"option"}, "Delete every key of the current database."},
	"FLUSHALL":     {nil, []string{"option"}, "Delete every key of every database."},
	"INFO":         {nil, []string{"section"}, "Facts about the server, as lines of text."},
	"TIME":         {nil, nil, "The server's clock: seconds and microseconds."},
	"CLIENT":       {[]string{"subcommand"}, []string{"argument"}, "Manage the connection: CLIENT SETNAME names it, CLIENT ID and CLIENT INFO describe it, CLIENT SETINFO tells the server the client library's name and version."},
	"COMMAND":      {nil, []string{"argument"}, "Ask the server about its commands (redis-cli asks COMMAND DOCS to complete and hint)."},
	"CONFIG":       {[]string{"subcommand"}, []string{"argument"}, "Read or change the server's settings (CONFIG GET name)."},
	"QUIT":         {nil, nil, "Ask the server to close the connection after its reply."},
	"RESET":        {nil, nil, "Reset the connection to its state right after connecting: out of MULTI and pub/sub, back to RESP2, logged out."},
	"OBJECT":       {[]string{"subcommand", "key"}, nil, "Inspect how a value is stored (OBJECT ENCODING key)."},
}

// argName names the i-th argument (after the command's name) of the command c.
func argName(c command, i int) string {
	if i < len(c.args) {
		return c.args[i]
	}
	if len(c.rest) == 0 {
		return fmt.Sprintf("argument %d", i+1)
	}
	j := i - len(c.args)
	return fmt.Sprintf("%s %d", c.rest[j%len(c.rest)], j/len(c.rest)+1)
}

// CommandNames lists the commands the analyzer explains, sorted: what a client
// offers to complete.
func CommandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Explain returns what the command name does in plain words, "" for one the lab does not describe.
func Explain(name string) string { return commands[strings.ToUpper(name)].meaning }

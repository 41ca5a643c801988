package redis

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// Bounds on what the parser accepts.
const (
	// MaxBulk is the longest bulk string (or verbatim string, blob error) the
	// analyzer holds; a frame with a longer one is shown by its start and
	// counted. Redis's own default bound (proto-max-bulk-len) is 512 MB.
	MaxBulk = 4 << 20
	// MaxInline is the longest inline command or type line Redis reads
	// (PROTO_INLINE_MAX_SIZE, 64 KiB): past it, "too big inline request".
	MaxInline = 64 << 10
	// maxDepth bounds how deep aggregates nest before the parser calls the
	// frame malformed (Redis's replies nest a few levels).
	maxDepth = 32
)

// kind is what a RESP type byte announces (RESP2 and RESP3, redis.io "Redis
// serialization protocol specification").
type kind struct {
	name string // "bulk string"
	agg  bool   // an aggregate: a count, then that many elements (twice as many for a map)
	blob bool   // a length, then that many bytes and CR LF
	resp string // "RESP2" or "RESP3"
}

// kinds is every type byte, by its byte; a byte no type has has no name
// (known). An array, not a map: the analyzer looks a type up for every
// value it frames.
var kinds = [256]kind{
	'+': {name: "simple string", resp: "RESP2"},
	'-': {name: "simple error", resp: "RESP2"},
	':': {name: "integer", resp: "RESP2"},
	'$': {name: "bulk string", blob: true, resp: "RESP2"},
	'*': {name: "array", agg: true, resp: "RESP2"},
	'_': {name: "null", resp: "RESP3"},
	',': {name: "double", resp: "RESP3"},
	'#': {name: "boolean", resp: "RESP3"},
	'!': {name: "bulk error", blob: true, resp: "RESP3"},
	'=': {name: "verbatim string", blob: true, resp: "RESP3"},
	'(': {name: "big number", resp: "RESP3"},
	'%': {name: "map", agg: true, resp: "RESP3"},
	'~': {name: "set", agg: true, resp: "RESP3"},
	'>': {name: "push", agg: true, resp: "RESP3"},
	'|': {name: "attribute", agg: true, resp: "RESP3"},
}

// node is one parsed RESP value with the bytes it was read from, as offsets
// into the frame.
type node struct {
	typ      byte
	off, end int // the value's bytes, type byte to its last CR LF
	numOff   int // the header line's text after the type byte (a length, a count, a simple value)
	numLen   int
	n        int // a blob's length or an aggregate's count (pairs for a map or attribute); -1 for RESP2's null
	valOff   int // a blob's bytes, or a simple value's text
	valLen   int
	kids     []node
	attr     *node // an attribute ('|') before the value, which belongs to it
}

// known returns the kind of type byte t, and whether RESP has one.
func known(t byte) (kind, bool) {
	k := kinds[t]
	return k, k.name != ""
}

// val is the value's bytes in frame.
func (n *node) val(frame []byte) []byte { return frame[n.valOff : n.valOff+n.valLen] }

// null reports whether n is a null: RESP3's _, or RESP2's $-1 or *-1.
func (n *node) null() bool { return n.typ == '_' || n.n == -1 && (n.typ == '$' || n.typ == '*') }

// errIncomplete says the bytes end before the frame does.
var errIncomplete = errors.New("redis: incomplete frame")

// tooBig says the frame holds a blob longer than MaxBulk, or is longer than
// the analyzer holds: at is where its header line starts, n the length it gives.
type tooBig struct{ at, n int }

func (e *tooBig) Error() string { return fmt.Sprintf("redis: a bulk string of %d bytes", e.n) }

// malformed is a frame no parser can read: what is wrong, at which byte.
type malformed struct {
	at   int
	what string
	ref  string // the part of the specification it breaks
}

func (e *malformed) Error() string { return e.what }

// parse reads the RESP value that starts at off in data, returning it and the
// offset after it; errIncomplete when data ends first, *tooBig or
// *malformed.
func parse(data []byte, off, depth int) (node, int, error) {
	if off >= len(data) {
		return node{}, 0, errIncomplete
	}
	t := data[off]
	k, ok := known(t)
	if !ok {
		return node{}, 0, &malformed{at: off, what: fmt.Sprintf("an unknown type byte %s", quoteByte(t)),
			ref: "RESP: RESP protocol description"}
	}
	i := bytes.IndexByte(data[off:], '\n')
	if i < 0 {
		if len(data)-off > MaxInline {
			return node{}, 0, &malformed{at: off, what: fmt.Sprintf("a %s's line longer than %d bytes", k.name, MaxInline), ref: "RESP: RESP protocol description"}
		}
		return node{}, 0, errIncomplete
	}
	eol := off + i + 1
	if i < 1 || data[eol-2] != '\r' {
		return node{}, 0, &malformed{at: off, what: fmt.Sprintf("a %s's line not ended by CR LF", k.name), ref: "RESP: RESP protocol description"}
	}
	nd := node{typ: t, off: off, numOff: off + 1, numLen: eol - 2 - off - 1}
	text := data[nd.numOff : nd.numOff+nd.numLen]
	switch {
	case k.agg || k.blob:
		n, ok := length(text)
		if !ok || n < -1 || n == -1 && t != '$' && t != '*' {
			return node{}, 0, &malformed{at: off, what: fmt.Sprintf("a bad %s length %q", k.name, clip(string(text), 32)),
				ref: "RESP: " + k.name + "s"}
		}
		nd.n = n
	default:
		nd.valOff, nd.valLen = nd.numOff, nd.numLen
		if err := checkSimple(t, text); err != "" {
			return node{}, 0, &malformed{at: off, what: err, ref: "RESP: " + k.name + "s"}
		}
	}
	switch {
	case nd.n == -1:
		nd.end = eol
	case k.blob:
		if nd.n > MaxBulk {
			return node{}, 0, &tooBig{at: off, n: nd.n}
		}
		end := eol + nd.n + 2
		if len(data) < end {
			return nd, end, errIncomplete // the offset says how many bytes the frame needs at least
		}
		if data[end-2] != '\r' || data[end-1] != '\n' {
			return node{}, 0, &malformed{at: off, what: fmt.Sprintf("a %s of %d bytes not followed by CR LF", k.name, nd.n), ref: "RESP: " + k.name + "s"}
		}
		nd.valOff, nd.valLen, nd.end = eol, nd.n, end
		if t == '=' && (nd.n < 4 || data[eol+3] != ':') {
			return node{}, 0, &malformed{at: off, what: "a verbatim string without its three-letter format and colon", ref: "RESP: verbatim strings"}
		}
	case k.agg:
		if depth >= maxDepth {
			return node{}, 0, &malformed{at: off, what: fmt.Sprintf("aggregates nested more than %d deep", maxDepth), ref: "RESP: RESP protocol description"}
		}
		count := nd.n
		if t == '%' || t == '|' {
			count *= 2
		}
		at := eol
		nd.kids = make([]node, 0, min(count, maxKidsAhead))
		for range count {
			kid, next, err := parseValue(data, at, depth+1)
			if err != nil {
				return nd, next, err
			}
			nd.kids = append(nd.kids, kid)
			at = next
		}
		nd.end = at
	default:
		nd.end = eol
	}
	return nd, nd.end, nil
}

// maxKidsAhead bounds the room made for an aggregate's elements before they
// are read: a count is only what the frame claims.
const maxKidsAhead = 64

// length reads a blob's length or an aggregate's count as strconv.Atoi
// would (a sign, decimal digits, within an int), without the string Atoi
// takes, which would be made for every value and kept by its error.
func length(text []byte) (int, bool) {
	neg := false
	if len(text) > 0 && (text[0] == '-' || text[0] == '+') {
		neg, text = text[0] == '-', text[1:]
	}
	if len(text) == 0 {
		return 0, false
	}
	var n uint64
	for _, c := range text {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (1<<63)/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
		if n > 1<<63 {
			return 0, false
		}
	}
	if !neg {
		if n > 1<<63-1 {
			return 0, false
		}
		return int(n), true
	}
	return -int(n), true // -(1<<63) wraps to itself: MinInt64
}

// parseValue is parse, with an attribute before the value joined to it.
func parseValue(data []byte, off, depth int) (node, int, error) {
	nd, next, err := parse(data, off, depth)
	if err != nil || nd.typ != '|' {
		return nd, next, err
	}
	v, next, err := parseValue(data, next, depth)
	if err != nil {
		return v, next, err
	}
	a := nd
	v.attr, v.off = &a, a.off
	return v, next, nil
}

// checkSimple says what is wrong with the text of a simple value of type t, "" if nothing.
func checkSimple(t byte, text []byte) string {
	switch t {
	case '+', '-':
		if bytes.ContainsAny(text, "\r\n") {
			return "a simple string holding CR or LF"
		}
	case ':':
		if _, err := strconv.ParseInt(string(text), 10, 64); err != nil {
			return fmt.Sprintf("an integer that is not a signed 64-bit number: %q", clip(string(text), 32))
		}
	case '_':
		if len(text) != 0 {
			return "a null with bytes after its _"
		}
	case '#':
		if string(text) != "t" && string(text) != "f" {
			return fmt.Sprintf("a boolean that is neither t nor f: %q", clip(string(text), 32))
		}
	case ',':
		s := string(text)
		if _, err := strconv.ParseFloat(s, 64); err != nil && s != "inf" && s != "-inf" && s != "nan" {
			return fmt.Sprintf("a double that is not a number: %q", clip(s, 32))
		}
	case '(':
		s := string(text)
		if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
			s = s[1:]
		}
		if s == "" || bytes.IndexFunc([]byte(s), func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
			return fmt.Sprintf("a big number with other than digits: %q", clip(string(text), 32))
		}
	}
	return ""
}

// quoteByte shows a byte for a person: 'x' or 0x07.
func quoteByte(b byte) string {
	if b >= 0x20 && b < 0x7f {
		return fmt.Sprintf("'%c'", b)
	}
	return fmt.Sprintf("0x%02x", b)
}

// clip cuts s to at most n bytes, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

package nats

import (
	"bytes"
	"math"
	"strconv"
	"strings"

	"github.com/protocollab/protolab/protocols/internal/framing"
)

// token is one word of a control line and where it starts in the line.
type token struct {
	s   string
	off int
}

// line is one control line, parsed: its verb, its arguments (or, for INFO,
// CONNECT and -ERR, the text after the verb), and, for the verbs followed by a
// payload, the payload's length (size, -1 for none) and the headers' (hdr).
type line struct {
	raw   []byte // the line, then the payload and its CR LF when there is one
	n     int    // the line's length, CR LF included
	verb  token  // as written
	cmd   string // the verb in capitals, as the protocol compares it
	args  []token
	text  token // the rest of the line after the verb and its space
	size  int   // the bytes after the line before its CR LF: headers and payload; -1 without
	hdr   int   // of size, the headers' bytes (HPUB, HMSG)
	big   bool  // size is over MaxPayload: raw is the line alone, the rest is counted
	fault string
}

// verbs lists the protocol's verbs, and how many arguments each takes (at
// least, at most); -1 for one that takes the rest of the line as text.
var verbs = map[string][2]int{
	"INFO": {-1, -1}, "CONNECT": {-1, -1}, "-ERR": {-1, -1},
	"PUB": {2, 3}, "HPUB": {3, 4}, "MSG": {3, 4}, "HMSG": {4, 5},
	"SUB": {2, 3}, "UNSUB": {1, 2},
	"PING": {0, 0}, "PONG": {0, 0}, "+OK": {0, 0},
}

// words appends to ts the words of s, split at spaces and tabs, from offset base.
func words(ts []token, s string, base int) []token {
	for i := 0; i < len(s); {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' {
			j++
		}
		if j > i {
			ts = append(ts, token{s[i:j], base + i})
		}
		i = j
	}
	return ts
}

// parseLine parses raw, one control line with its LF.
func parseLine(raw []byte) line { return parseLineIn(raw, nil, nil) }

// parseLineIn is parseLine with the line's words appended to ts, and its
// text kept in arena when there is one: the analyzer's hot path reuses ts
// (what it keeps of a line's words, it keeps as strings) and keeps a line's
// text in an arena, as it does a summary's.
func parseLineIn(raw []byte, ts []token, arena *framing.Arena) line {
	l := line{raw: raw, n: len(raw), size: -1}
	text := bytes.TrimSuffix(bytes.TrimSuffix(raw, []byte("\n")), []byte("\r"))
	var s string
	if arena != nil {
		s = arena.String(text)
	} else {
		s = string(text)
	}
	ws := words(ts, s, 0)
	if len(ws) == 0 {
		l.fault = "an empty line"
		return l
	}
	l.verb = ws[0]
	rest := l.verb.off + len(l.verb.s)
	for rest < len(s) && (s[rest] == ' ' || s[rest] == '\t') {
		rest++
	}
	l.text = token{s[rest:], rest}
	l.args = ws[1:]
	v := strings.ToUpper(l.verb.s)
	l.cmd = v
	n, known := verbs[v]
	switch {
	case !known:
		l.fault = "unknown verb " + strconv.Quote(clip(l.verb.s, 40))
		return l
	case n[0] < 0:
		return l
	case len(l.args) < n[0] || len(l.args) > n[1]:
		l.fault = v + " with " + strconv.Itoa(len(l.args)) + " arguments"
		return l
	}
	switch v {
	case "PUB", "MSG":
		size, ok := count(l.args[len(l.args)-1].s)
		if !ok {
			l.fault = "a byte count that is not a number: " + strconv.Quote(clip(l.args[len(l.args)-1].s, 40))
			return l
		}
		l.size = size
	case "HPUB", "HMSG":
		hdr, ok1 := count(l.args[len(l.args)-2].s)
		total, ok2 := count(l.args[len(l.args)-1].s)
		switch {
		case !ok1 || !ok2:
			l.fault = "a byte count that is not a number"
			return l
		case hdr > total:
			l.fault = "a header length larger than the total length"
			return l
		}
		l.size, l.hdr = total, hdr
	}
	return l
}

// count parses a byte count: decimal digits only, at most 2^31-1.
func count[T string | []byte](s T) (int, bool) {
	if len(s) == 0 || len(s) > 10 {
		return 0, false
	}
	n := 0
	for i := range len(s) {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = 10*n + int(c-'0')
	}
	return n, n <= math.MaxInt32
}

// clip cuts s to at most n bytes, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

package filter

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxLen bounds a filter's length in bytes; MaxRegexp a matches pattern's.
const (
	MaxLen    = 4096
	MaxRegexp = 1024
)

// maxDepth bounds the nesting of parentheses and nots, so that parsing never
// runs deep.
const maxDepth = 64

// Error is a filter that does not parse: where, and what is wrong.
type Error struct {
	Pos int    // the position in characters, from 1; one past the end for "expected more"
	Msg string // "a value is expected after >="
}

func (e *Error) Error() string { return fmt.Sprintf("at %d: %s", e.Pos, e.Msg) }

type tokKind uint8

const (
	tEOF tokKind = iota
	tWord
	tString
	tLParen
	tRParen
	tAnd
	tOr
	tNot
	tOp
)

// The comparison operators.
type op uint8

const (
	opEq op = iota + 1
	opNe
	opLt
	opLe
	opGt
	opGe
	opContains
	opMatches
)

var opNames = [...]string{opEq: "==", opNe: "!=", opLt: "<", opLe: "<=", opGt: ">", opGe: ">=", opContains: "contains", opMatches: "matches"}

func (o op) String() string { return opNames[o] }

func (o op) ordering() bool { return o >= opLt && o <= opGe }

type token struct {
	kind tokKind
	pos  int    // byte offset
	text string // as written (a string's without quotes, unescaped)
	op   op
}

// keywords are the words the lexer reads as operators, by lower-case spelling.
var keywords = map[string]token{
	"and":      {kind: tAnd},
	"or":       {kind: tOr},
	"not":      {kind: tNot},
	"contains": {kind: tOp, op: opContains},
	"matches":  {kind: tOp, op: opMatches},
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '-' || c == '.' || c == ':' || c == '/' || c >= utf8.RuneSelf
}

// lexer reads a filter's tokens.
type lexer struct {
	src string
	pos int
}

// errAt is an Error at byte offset off of src.
func errAt(src string, off int, format string, args ...any) *Error {
	off = min(max(off, 0), len(src))
	return &Error{Pos: utf8.RuneCountInString(src[:off]) + 1, Msg: fmt.Sprintf(format, args...)}
}

func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) && (l.src[l.pos] == ' ' || l.src[l.pos] == '\t' || l.src[l.pos] == '\n' || l.src[l.pos] == '\r') {
		l.pos++
	}
	start := l.pos
	if start >= len(l.src) {
		return token{kind: tEOF, pos: start}, nil
	}
	two := ""
	if start+1 < len(l.src) {
		two = l.src[start : start+2]
	}
	tok := func(k tokKind, n int, o op) (token, error) {
		l.pos += n
		return token{kind: k, pos: start, text: l.src[start:l.pos], op: o}, nil
	}
	switch two {
	case "&&":
		return tok(tAnd, 2, 0)
	case "||":
		return tok(tOr, 2, 0)
	case "==":
		return tok(tOp, 2, opEq)
	case "!=":
		return tok(tOp, 2, opNe)
	case "<=":
		return tok(tOp, 2, opLe)
	case ">=":
		return tok(tOp, 2, opGe)
	}
	switch c := l.src[start]; {
	case c == '(':
		return tok(tLParen, 1, 0)
	case c == ')':
		return tok(tRParen, 1, 0)
	case c == '!':
		return tok(tNot, 1, 0)
	case c == '<':
		return tok(tOp, 1, opLt)
	case c == '>':
		return tok(tOp, 1, opGt)
	case c == '~':
		return tok(tOp, 1, opMatches)
	case c == '=':
		return token{}, errAt(l.src, start, "= is not an operator: write == to compare")
	case c == '&' || c == '|':
		return token{}, errAt(l.src, start, "%c alone is not an operator: write %c%c (or %s)", c, c, c, map[byte]string{'&': "and", '|': "or"}[c])
	case c == '"':
		return l.str()
	case isWordByte(c):
		for l.pos < len(l.src) && isWordByte(l.src[l.pos]) {
			l.pos++
		}
		w := l.src[start:l.pos]
		if !utf8.ValidString(w) {
			return token{}, errAt(l.src, start, "%q is not valid UTF-8 text", w)
		}
		if k, ok := keywords[strings.ToLower(w)]; ok {
			k.pos, k.text = start, w
			return k, nil
		}
		return token{kind: tWord, pos: start, text: w}, nil
	default:
		r, _ := utf8.DecodeRuneInString(l.src[start:])
		return token{}, errAt(l.src, start, "%q cannot stand here: put text in double quotes", r)
	}
}

// str reads a double-quoted string with Go's escapes.
func (l *lexer) str() (token, error) {
	start := l.pos
	i := start + 1
	for ; i < len(l.src); i++ {
		switch l.src[i] {
		case '\\':
			i++
			continue
		case '"':
			s, err := strconv.Unquote(l.src[start : i+1])
			if err == nil && !utf8.ValidString(l.src[start:i+1]) {
				return token{}, errAt(l.src, start, "the string at %d is not valid UTF-8 text", utf8.RuneCountInString(l.src[:start])+1)
			}
			if err != nil {
				return token{}, errAt(l.src, start, "the string %s has a bad escape (\\\" \\\\ \\n \\t \\xNN are known)", l.src[start:i+1])
			}
			l.pos = i + 1
			return token{kind: tString, pos: start, text: s}, nil
		case '\n':
			return token{}, errAt(l.src, i, "a string ends at the end of its line: a closing \" is expected")
		}
	}
	return token{}, errAt(l.src, len(l.src), "a closing \" is expected for the string at %d", utf8.RuneCountInString(l.src[:start])+1)
}

package imap

import (
	"bytes"
	"strconv"
	"strings"
)

// tokKind is the kind of one token of a command or response.
type tokKind int

const (
	tokAtom    tokKind = iota // an atom or number: LOGIN, 3, \Seen, BODY[HEADER]<0.10>
	tokQuoted                 // a quoted string, unescaped
	tokLiteral                // a literal: text holds its first bytes
	tokList                   // a parenthesized list: items hold its tokens
)

// token is one token of a frame's text.
type token struct {
	kind  tokKind
	text  string  // the atom, the quoted string's value, the literal's first bytes
	size  int64   // a literal's size
	items []token // a list's tokens
	raw   string  // the token as displayed ("{5}" for a literal, "(...)" for a list)
}

// Bounds on the tokenizer's work.
const (
	maxTokens = 10000
	maxDepth  = 32
)

// tokenizer splits a frame's text into tokens; it knows the frame's literals.
type tokenizer struct {
	text []byte
	pos  int
	lit  int // index of the next literal
	lits []literal
	n    int // tokens made
}

// tokenize splits text into at most max top-level tokens (all if max ≤ 0).
func tokenize(text []byte, lits []literal, max int) []token {
	t := &tokenizer{text: text, lits: lits}
	return t.list(0, max, false)
}

func (t *tokenizer) spaces() {
	for t.pos < len(t.text) && (t.text[t.pos] == ' ' || t.text[t.pos] == '\r' || t.text[t.pos] == '\n') {
		t.pos++
	}
}

// list reads tokens until the end of the text, or a ')' when inList.
func (t *tokenizer) list(depth, max int, inList bool) []token {
	var out []token
	for {
		t.spaces()
		if t.pos >= len(t.text) || t.n >= maxTokens || (max > 0 && len(out) >= max) {
			return out
		}
		if t.text[t.pos] == ')' {
			if inList {
				t.pos++
				return out
			}
			t.pos++
			continue
		}
		out = append(out, t.token(depth))
		t.n++
	}
}

func (t *tokenizer) token(depth int) token {
	start := t.pos
	switch c := t.text[t.pos]; {
	case c == '"':
		t.pos++
		var b strings.Builder
		for t.pos < len(t.text) && t.text[t.pos] != '"' && t.text[t.pos] != '\r' && t.text[t.pos] != '\n' {
			if t.text[t.pos] == '\\' && t.pos+1 < len(t.text) {
				t.pos++
			}
			b.WriteByte(t.text[t.pos])
			t.pos++
		}
		if t.pos < len(t.text) && t.text[t.pos] == '"' {
			t.pos++
		}
		return token{kind: tokQuoted, text: b.String(), raw: string(t.text[start:t.pos])}
	case c == '(' && depth < maxDepth:
		t.pos++
		items := t.list(depth+1, 0, true)
		return token{kind: tokList, items: items, raw: display(t.text[start:t.pos])}
	case c == '{' || (c == '~' && t.pos+1 < len(t.text) && t.text[t.pos+1] == '{'):
		if end := bytes.IndexByte(t.text[t.pos:], '\n'); end >= 0 {
			if n, _, ok := literalAtEnd(t.text[t.pos : t.pos+end+1]); ok {
				t.pos += end + 1
				tok := token{kind: tokLiteral, size: n, raw: "{" + strconv.FormatInt(n, 10) + "}"}
				if t.lit < len(t.lits) {
					tok.text = string(t.lits[t.lit].head)
				}
				t.lit++
				return tok
			}
		}
	}
	// An atom: up to a space, CR, LF or ')' outside brackets.
	brackets := 0
	for t.pos < len(t.text) {
		c := t.text[t.pos]
		if brackets == 0 && (c == ' ' || c == '\r' || c == '\n' || c == ')' || (c == '(' && t.pos > start)) {
			break
		}
		switch c {
		case '[':
			brackets++
		case ']':
			brackets--
		case '\r', '\n':
			brackets = 0
			continue
		}
		t.pos++
	}
	if t.pos == start { // a lone '(' past maxDepth
		t.pos++
	}
	return token{kind: tokAtom, text: string(t.text[start:t.pos]), raw: string(t.text[start:t.pos])}
}

// display turns a frame's text into one line: the CRLFs after literal markers
// and at the end go, the markers stay ("{1234}").
func display(text []byte) string {
	if i := bytes.IndexByte(text, '\n'); i == len(text)-1 {
		// One line, as most are: one string made, not three.
		return string(bytes.TrimRight(bytes.TrimSuffix(bytes.TrimSuffix(text, []byte("\n")), []byte("\r")), " "))
	}
	s := string(text)
	s = strings.ReplaceAll(s, "\r\n", "")
	s = strings.ReplaceAll(s, "\n", "")
	return strings.TrimRight(s, " ")
}

// shorten cuts s to about n bytes for a one-line summary.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 { // not inside a UTF-8 sequence
		cut--
	}
	return s[:cut] + "…"
}

// value is a token's value for people: an atom, a string or a literal's start.
func (t token) value() string {
	switch t.kind {
	case tokList:
		return t.raw
	case tokLiteral:
		if int64(len(t.text)) < t.size {
			return t.text + "…"
		}
	}
	return t.text
}

// words are the values of toks, joined by spaces.
func words(toks []token) string {
	s := make([]string, len(toks))
	for i, t := range toks {
		s[i] = t.raw
	}
	return strings.Join(s, " ")
}

// asciiUpper upper-cases ASCII letters only, so that byte offsets stay those of s.
func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

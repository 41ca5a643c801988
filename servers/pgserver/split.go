package pgserver

import "strings"

// splitStatements cuts a simple Query's text into its statements at the
// semicolons outside string literals, quoted identifiers, dollar quotes and
// comments, as PostgreSQL's parser does. Statements of only blanks and
// comments are left out: an empty result is an empty query.
func splitStatements(sql string) []string {
	var out []string
	start := 0
	for i := 0; i < len(sql); {
		if sql[i] == ';' {
			out = appendStatement(out, sql[start:i])
			i++
			start = i
			continue
		}
		i = skipQuoted(sql, i)
	}
	return appendStatement(out, sql[start:])
}

func appendStatement(out []string, s string) []string {
	if strings.TrimSpace(stripComments(s)) == "" {
		return out
	}
	return append(out, strings.TrimSpace(s))
}

// skipQuoted returns the index after the token at i when it is a string
// literal, quoted identifier, dollar-quoted string or comment, and i+1
// otherwise. An unterminated one runs to the end of sql.
func skipQuoted(sql string, i int) int {
	switch c := sql[i]; {
	case c == '\'' || c == '"':
		for j := i + 1; j < len(sql); j++ {
			if sql[j] == c {
				if j+1 < len(sql) && sql[j+1] == c {
					j++
					continue
				}
				return j + 1
			}
			if c == '\'' && sql[j] == '\\' && escapeString(sql, i) && j+1 < len(sql) {
				j++
			}
		}
		return len(sql)
	case c == '-' && strings.HasPrefix(sql[i:], "--"):
		if j := strings.IndexByte(sql[i:], '\n'); j >= 0 {
			return i + j + 1
		}
		return len(sql)
	case c == '/' && strings.HasPrefix(sql[i:], "/*"):
		depth := 0
		for j := i; j+1 < len(sql); j++ {
			switch sql[j : j+2] {
			case "/*":
				depth++
				j++
			case "*/":
				depth--
				j++
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(sql)
	case c == '$':
		if tag, ok := dollarTag(sql[i:]); ok {
			if j := strings.Index(sql[i+len(tag):], tag); j >= 0 {
				return i + len(tag) + j + len(tag)
			}
			return len(sql)
		}
	}
	return i + 1
}

// escapeString reports whether the quote at i opens an E'...' string, where
// backslashes escape.
func escapeString(sql string, i int) bool {
	return i > 0 && (sql[i-1] == 'E' || sql[i-1] == 'e') && (i == 1 || !isIdent(sql[i-2]))
}

// dollarTag returns the opening $tag$ of a dollar-quoted string at the start
// of s.
func dollarTag(s string) (string, bool) {
	if len(s) < 2 || s[0] != '$' {
		return "", false
	}
	for j := 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '$':
			return s[:j+1], true
		case c >= '0' && c <= '9':
			if j == 1 {
				return "", false // $1 is a parameter
			}
		case !isIdent(c):
			return "", false
		}
	}
	return "", false
}

// stripComments removes the comments of sql, keeping its literals whole.
func stripComments(sql string) string {
	var b strings.Builder
	for i := 0; i < len(sql); {
		j := skipQuoted(sql, i)
		if !strings.HasPrefix(sql[i:], "--") && !strings.HasPrefix(sql[i:], "/*") {
			b.WriteString(sql[i:j])
		} else {
			b.WriteByte(' ')
		}
		i = j
	}
	return b.String()
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// firstWords returns the first n words of sql, upper-cased, comments left
// out: what decides a statement's kind and command tag.
func firstWords(sql string, n int) []string {
	f := strings.Fields(strings.ToUpper(stripComments(sql)))
	var words []string
	for _, w := range f {
		w = strings.TrimRight(strings.TrimLeft(w, "("), ";")
		if w == "" {
			continue
		}
		words = append(words, w)
		if len(words) == n {
			break
		}
	}
	return words
}

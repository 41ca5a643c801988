package pgserver

import (
	"strconv"
	"strings"
)

// translation is a statement in PostgreSQL's SQL rewritten for SQLite.
type translation struct {
	sql     string
	nparams int            // the highest $n
	casts   map[int]uint32 // $n::type: the parameter's type OID, from its cast
}

// translate rewrites what people type in PostgreSQL's dialect where SQLite's
// differs and the rewrite is cheap and local: $n parameters (SQLite's ?n),
// expr::type casts (CAST(expr AS type)), E'...' and $$...$$ strings (plain
// literals), the public schema (SQLite's main), SERIAL columns, ILIKE, and the
// session's functions (pg_sleep, pg_backend_pid, current_user). Literals,
// quoted identifiers and comments pass through as they are. pid and user are
// the session's.
func translate(sql string, pid uint32, user string) translation {
	t := translation{}
	var out []byte
	var stack []int   // where each open parenthesis's operand starts in out
	lastStart := -1   // where the last complete operand starts in out; -1: none
	prevIdent := -1   // start in out of the identifier just written, -1 when the last token was not one
	afterDot := false // the last token was a '.'
	chainStart := -1  // where a dotted name being written starts
	operand := func(start int) {
		if afterDot && chainStart >= 0 {
			start = chainStart
		}
		lastStart, chainStart, afterDot = start, start, false
	}
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			out = append(out, c)
			prevIdent = -1 // "SELECT (a)" is no call of SELECT
			i++
			continue
		case strings.HasPrefix(sql[i:], "--") || strings.HasPrefix(sql[i:], "/*"):
			j := skipQuoted(sql, i)
			out = append(out, sql[i:j]...)
			i = j
			continue
		case c == '\'' || c == '"':
			j := skipQuoted(sql, i)
			start := len(out)
			out = append(out, sql[i:j]...)
			prevIdent = -1
			if c == '"' {
				prevIdent = start
			}
			operand(start)
			i = j
			continue
		case c == '$':
			if tag, ok := dollarTag(sql[i:]); ok {
				j := skipQuoted(sql, i)
				body := sql[i+len(tag) : max(j-len(tag), i+len(tag))]
				start := len(out)
				out = append(out, quoteLiteral(body)...)
				prevIdent = -1
				operand(start)
				i = j
				continue
			}
			j := i + 1
			for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
				j++
			}
			if j > i+1 {
				n, err := strconv.Atoi(sql[i+1 : j])
				if err == nil && n <= maxParams {
					t.nparams = max(t.nparams, n)
				}
				start := len(out)
				out = append(out, '?')
				out = append(out, sql[i+1:j]...)
				prevIdent = -1
				operand(start)
				i = j
				continue
			}
		case c >= '0' && c <= '9':
			j := i
			for j < len(sql) && (isIdent(sql[j]) || sql[j] == '.') {
				j++
			}
			start := len(out)
			out = append(out, sql[i:j]...)
			prevIdent = -1
			operand(start)
			i = j
			continue
		case isIdent(c):
			j := i
			for j < len(sql) && isIdent(sql[j]) {
				j++
			}
			word := sql[i:j]
			if (c == 'E' || c == 'e') && j == i+1 && j < len(sql) && sql[j] == '\'' {
				k := skipQuoted(sql, j)
				start := len(out)
				out = append(out, quoteLiteral(unescapeE(sql[j+1:max(k-1, j+1)]))...)
				prevIdent = -1
				operand(start)
				i = k
				continue
			}
			start := len(out)
			next := nextNonSpace(sql, j)
			switch lw := strings.ToLower(word); {
			case lw == "public" && next == '.' && !afterDot:
				word = "main"
			case lw == "pg_catalog" && next == '.' && !afterDot:
				i = skipSpace(sql, j) + 1 // pg_catalog.version() is version()
				continue
			case lw == "serial" || lw == "bigserial" || lw == "serial4" || lw == "serial8":
				word = "INTEGER"
			case lw == "ilike":
				word = "LIKE"
			case (lw == "current_user" || lw == "session_user") && next != '(':
				word = lw + "(" + quoteLiteral(user) + ")"
			case lw == "pg_backend_pid" && next == '(':
				k := skipSpace(sql, j) + 1
				if nextNonSpace(sql, k) == ')' {
					word = strconv.FormatUint(uint64(pid), 10)
					j = skipSpace(sql, k) + 1
				}
			case lw == "pg_sleep" && next == '(':
				k := skipSpace(sql, j) + 1
				word = "pg_sleep(" + strconv.FormatUint(uint64(pid), 10) + ", "
				j = k
				out = append(out, word...)
				stack = append(stack, start)
				prevIdent, lastStart, afterDot, chainStart = -1, -1, false, -1
				i = j
				continue
			}
			out = append(out, word...)
			wasDot := afterDot
			operand(start)
			if wasDot {
				prevIdent = lastStart
			} else {
				prevIdent = start
			}
			i = j
			continue
		case c == '(':
			start := len(out)
			if prevIdent >= 0 {
				start = prevIdent
			}
			stack = append(stack, start)
			out = append(out, c)
			prevIdent, lastStart, afterDot, chainStart = -1, -1, false, -1
			i++
			continue
		case c == ')':
			out = append(out, c)
			prevIdent, afterDot = -1, false
			lastStart = -1
			if n := len(stack); n > 0 {
				lastStart = stack[n-1]
				stack = stack[:n-1]
			}
			chainStart = -1
			i++
			continue
		case c == '.':
			out = append(out, c)
			afterDot = true
			prevIdent = -1
			i++
			continue
		case c == ':' && strings.HasPrefix(sql[i:], "::"):
			name, j := readTypeName(sql, i+2)
			typ, oid := castType(name)
			if lastStart >= 0 && typ != "" {
				expr := string(out[lastStart:])
				if strings.HasPrefix(expr, "?") {
					if n, err := strconv.Atoi(expr[1:]); err == nil {
						if t.casts == nil {
							t.casts = map[int]uint32{}
						}
						t.casts[n] = oid
					}
				}
				out = out[:lastStart]
				if typ == "BOOL" {
					out = append(out, "pg_bool("+expr+")"...)
				} else {
					out = append(out, "CAST("+expr+" AS "+typ+")"...)
				}
				i = j
				prevIdent = -1
				continue
			}
		}
		out = append(out, c)
		prevIdent, lastStart, afterDot, chainStart = -1, -1, false, -1
		i++
	}
	t.sql = string(out)
	return t
}

// maxParams is the most parameters a statement may have, PostgreSQL's limit.
const maxParams = 65535

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

func nextNonSpace(s string, i int) byte {
	if i = skipSpace(s, i); i < len(s) {
		return s[i]
	}
	return 0
}

// readTypeName reads the type name of a cast at i: one or more words
// ("double precision", "timestamp without time zone"), a modifier in
// parentheses and array brackets. It returns the name, lower-cased without
// its modifier, and the index after it.
func readTypeName(s string, i int) (string, int) {
	var words []string
	i = skipSpace(s, i)
	for {
		j := i
		for j < len(s) && isIdent(s[j]) {
			j++
		}
		if j == i {
			break
		}
		w := strings.ToLower(s[i:j])
		if len(words) > 0 && !typeWordGoesOn(words[len(words)-1], w) {
			break
		}
		words = append(words, w)
		i = j
		k := skipSpace(s, i)
		if k < len(s) && isIdent(s[k]) {
			i2 := k
			for i2 < len(s) && isIdent(s[i2]) {
				i2++
			}
			if typeWordGoesOn(w, strings.ToLower(s[k:i2])) {
				i = k
				continue
			}
		}
		break
	}
	if k := skipSpace(s, i); k < len(s) && s[k] == '(' {
		if e := strings.IndexByte(s[k:], ')'); e >= 0 {
			i = k + e + 1
		}
	}
	for strings.HasPrefix(s[i:], "[]") {
		i += 2
	}
	return strings.Join(words, " "), i
}

// typeWordGoesOn reports whether w continues a type name after prev.
func typeWordGoesOn(prev, w string) bool {
	switch prev + " " + w {
	case "double precision", "character varying", "timestamp without", "timestamp with",
		"without time", "with time", "time zone":
		return true
	}
	return false
}

// castType is the SQLite type a cast to the PostgreSQL type name becomes,
// and the type's OID; "" for a name the lab does not know, left as it is.
func castType(name string) (string, uint32) {
	switch name {
	case "int2", "smallint":
		return "INTEGER", oidInt2
	case "int", "int4", "integer":
		return "INTEGER", oidInt4
	case "int8", "bigint":
		return "INTEGER", oidInt8
	case "float4", "real":
		return "REAL", oidFloat4
	case "float8", "float", "double precision":
		return "REAL", oidFloat8
	case "numeric", "decimal":
		return "NUMERIC", oidText
	case "text", "varchar", "character varying", "char", "character", "bpchar", "name":
		return "TEXT", oidText
	case "bool", "boolean":
		return "BOOL", oidBool
	case "bytea":
		return "BLOB", oidBytea
	case "timestamp", "timestamp without time zone", "timestamptz", "timestamp with time zone":
		return "TEXT", oidTimestamp
	case "date":
		return "TEXT", oidText
	}
	return "", 0
}

// quoteLiteral is s as an SQL string literal.
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// unescapeE decodes the body of an E'...' string: backslash escapes, and ”.
func unescapeE(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' && i+1 < len(s) && s[i+1] == '\'':
			b.WriteByte('\'')
			i++
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(unescaped(s[i]))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// unescaped is the byte a backslash escape \c stands for, in E” strings
// and COPY's text format: \n, \t, \r, \b, \f, \v, and any other c itself.
func unescaped(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 't':
		return '\t'
	case 'r':
		return '\r'
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'v':
		return '\v'
	}
	return c
}

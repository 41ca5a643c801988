package pgserver

import (
	"regexp"
	"strings"
)

// kind says who answers a statement.
type kind int

const (
	kindEmpty       kind = iota // only blanks and comments
	kindSQL                     // SQLite runs it
	kindBegin                   // BEGIN, START TRANSACTION
	kindCommit                  // COMMIT, END
	kindRollback                // ROLLBACK, ABORT (not ROLLBACK TO)
	kindSet                     // SET name = value
	kindReset                   // RESET name
	kindShow                    // SHOW name
	kindCopy                    // COPY ... FROM STDIN / TO STDOUT
	kindCatalog                 // a query of pg_catalog or information_schema
	kindDeallocate              // DEALLOCATE name / ALL
	kindNoop                    // accepted and ignored: SET TRANSACTION, DISCARD
	kindUnsupported             // LISTEN, NOTIFY, ...
)

// plan is a statement as the session runs it.
type plan struct {
	text  string // as the client sent it
	kind  kind
	tr    translation // kindSQL
	rows  bool        // kindSQL: it returns rows
	words []string    // its first words, upper-cased
	name  string      // SET, RESET, SHOW, DEALLOCATE: the parameter or statement
	value string      // SET: the value
	copy  *copySpec   // kindCopy
}

// catalogWords are the names that make a query the catalog's to answer.
var catalogWords = regexp.MustCompile(`(?i)\b(pg_catalog|information_schema|pg_class|pg_namespace|pg_attribute|pg_type|pg_database|pg_roles|pg_user|pg_settings|pg_index|pg_constraint|pg_am|pg_proc|pg_tables|pg_views)\b|::\s*regclass|::\s*regtype`)

var setRe = regexp.MustCompile(`(?is)^SET\s+(?:SESSION\s+|LOCAL\s+)?("?[\w.]+"?)\s*(?:=|\bTO\b)\s*(.*?)\s*;?\s*$`)
var timeZoneRe = regexp.MustCompile(`(?is)^SET\s+(?:SESSION\s+|LOCAL\s+)?TIME\s+ZONE\s+(.*?)\s*;?\s*$`)

// planStatement classifies one statement (no semicolons between
// statements) and translates what SQLite runs.
func planStatement(text string, pid uint32, user string) (*plan, error) {
	p := &plan{text: text, words: firstWords(text, 3)}
	w := append(p.words, "", "", "")
	switch w[0] {
	case "":
		p.kind = kindEmpty
	case "BEGIN", "START":
		p.kind = kindBegin
	case "COMMIT", "END":
		p.kind = kindCommit
	case "ROLLBACK", "ABORT":
		p.kind = kindRollback
		if w[1] == "TO" {
			p.kind, p.tr = kindSQL, translate(text, pid, user)
		}
	case "SET":
		switch {
		case w[1] == "TRANSACTION" || w[1] == "SESSION" && w[2] == "CHARACTERISTICS" || w[1] == "CONSTRAINTS":
			p.kind = kindNoop
		case timeZoneRe.MatchString(text):
			p.kind, p.name, p.value = kindSet, "timezone", unquote(timeZoneRe.FindStringSubmatch(text)[1])
		default:
			m := setRe.FindStringSubmatch(text)
			if m == nil {
				return nil, &pgError{code: "42601", msg: "syntax error in SET: write SET name = value"}
			}
			p.kind, p.name, p.value = kindSet, lower(strings.Trim(m[1], `"`)), unquote(m[2])
		}
	case "RESET":
		p.kind, p.name = kindReset, lower(strings.Trim(strings.Fields(text)[min(1, len(strings.Fields(text))-1)], `";`))
	case "SHOW":
		f := strings.Fields(strings.TrimRight(stripComments(text), "; \n\t"))
		if len(f) < 2 {
			return nil, &pgError{code: "42601", msg: "syntax error: SHOW needs a parameter's name"}
		}
		p.kind, p.name = kindShow, lower(strings.Trim(strings.Join(f[1:], " "), `"`))
		if p.name == "time zone" {
			p.name = "timezone"
		}
	case "DEALLOCATE":
		f := strings.Fields(strings.TrimRight(text, "; \n\t"))
		p.kind, p.name = kindDeallocate, f[len(f)-1]
		if len(f) == 1 {
			return nil, &pgError{code: "42601", msg: "syntax error: DEALLOCATE needs a name or ALL"}
		}
	case "DISCARD", "CHECKPOINT":
		p.kind = kindNoop
	case "LISTEN", "UNLISTEN", "NOTIFY", "LOCK", "GRANT", "REVOKE", "PREPARE", "EXECUTE", "FETCH", "DECLARE", "CLOSE", "MOVE":
		p.kind = kindUnsupported
	case "COPY":
		c, err := parseCopy(text)
		if err != nil {
			return nil, err
		}
		p.kind, p.copy = kindCopy, c
	default:
		if catalogWords.MatchString(stripLiterals(text)) {
			p.kind = kindCatalog
			return p, nil
		}
		p.kind, p.tr = kindSQL, translate(text, pid, user)
		if w[0] == "TABLE" {
			p.tr = translate("SELECT * FROM "+strings.TrimSpace(text[strings.Index(strings.ToUpper(text), "TABLE")+5:]), pid, user)
			p.words[0] = "SELECT"
		}
		switch w[0] {
		case "SELECT", "WITH", "VALUES", "PRAGMA", "EXPLAIN", "TABLE":
			p.rows = true
		default:
			p.rows = returningRe.MatchString(stripLiterals(text))
		}
	}
	return p, nil
}

var returningRe = regexp.MustCompile(`(?i)\bRETURNING\b`)

// stripLiterals is sql with its string literals and comments blanked, for
// looking for keywords.
func stripLiterals(sql string) string {
	var b strings.Builder
	for i := 0; i < len(sql); {
		j := skipQuoted(sql, i)
		if j == i+1 && sql[i] != '\'' && sql[i] != '$' {
			b.WriteByte(sql[i])
		} else {
			b.WriteByte(' ')
		}
		i = j
	}
	return b.String()
}

// unquote removes a SET value's quotes.
func unquote(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		return strings.ReplaceAll(v[1:len(v)-1], "''", "'")
	}
	return v
}

// tag is the command tag of a statement SQLite ran: its words and, for the
// commands that count, the rows.
func (p *plan) tag(n int64) string {
	w := append(p.words, "", "")
	switch w[0] {
	case "SELECT", "WITH", "VALUES", "PRAGMA", "EXPLAIN", "TABLE":
		return "SELECT " + itoa(n)
	case "INSERT", "REPLACE":
		return "INSERT 0 " + itoa(n)
	case "UPDATE", "DELETE", "MERGE":
		return w[0] + " " + itoa(n)
	case "CREATE", "DROP", "ALTER":
		obj := w[1]
		if obj == "UNIQUE" || obj == "TEMP" || obj == "TEMPORARY" || obj == "OR" {
			obj = w[2]
		}
		return w[0] + " " + obj
	case "ROLLBACK":
		return "ROLLBACK"
	}
	return w[0]
}

package pgserver

import (
	"fmt"
	"regexp"
	"strings"
)

// copySpec is a COPY statement the lab runs: FROM STDIN or TO STDOUT, in
// the text or CSV format.
type copySpec struct {
	table  string   // the table, "" for a query
	cols   []string // the columns named, none for all
	query  string   // COPY (query) TO STDOUT
	in     bool     // FROM STDIN
	csv    bool
	header bool
	delim  string
	null   string
}

var copyRe = regexp.MustCompile(`(?is)^COPY\s+(?:\((.*)\)|("(?:[^"]|"")+"|[\w.]+)\s*(?:\(([^)]*)\))?)\s*(FROM|TO)\s+(\S+)\s*(.*?)[\s;]*$`)

// parseCopy reads a COPY statement.
func parseCopy(text string) (*copySpec, error) {
	m := copyRe.FindStringSubmatch(stripComments(text))
	if m == nil {
		return nil, &pgError{code: "42601", msg: "syntax error in COPY: write COPY table [(columns)] FROM STDIN, or COPY table|(query) TO STDOUT"}
	}
	c := &copySpec{query: m[1], table: strings.Trim(m[2], `"`), in: strings.EqualFold(m[4], "FROM"), delim: "\t", null: `\N`}
	if c.table != "" {
		c.table = strings.TrimPrefix(c.table, "public.")
	}
	if m[3] != "" {
		for _, col := range strings.Split(m[3], ",") {
			c.cols = append(c.cols, strings.Trim(strings.TrimSpace(col), `"`))
		}
	}
	if c.query != "" && c.in {
		return nil, &pgError{code: "42601", msg: "COPY FROM takes a table, not a query"}
	}
	where := strings.ToUpper(m[5])
	if want := map[bool]string{true: "STDIN", false: "STDOUT"}[c.in]; where != want {
		return nil, &pgError{code: "42501", msg: fmt.Sprintf("COPY %s a file or program is not allowed in the lab: use COPY ... %s %s (psql's \\copy does)",
			strings.ToLower(m[4]), m[4], want)}
	}
	if err := c.options(m[6]); err != nil {
		return nil, err
	}
	return c, nil
}

var copyOptRe = regexp.MustCompile(`'(?:[^']|'')*'|[^\s(),]+`)

// options reads COPY's options, in either syntax: WITH (FORMAT csv, HEADER)
// or WITH CSV HEADER.
func (c *copySpec) options(s string) error {
	toks := copyOptRe.FindAllString(s, -1)
	nullSet, delimSet := false, false
	for i := 0; i < len(toks); i++ {
		arg := func() string {
			if i+1 < len(toks) && strings.EqualFold(toks[i+1], "AS") {
				i++
			}
			if i+1 < len(toks) {
				i++
				return unquote(toks[i])
			}
			return ""
		}
		switch strings.ToUpper(toks[i]) {
		case "WITH":
		case "CSV":
			c.csv = true
		case "FORMAT":
			switch f := strings.ToLower(arg()); f {
			case "csv":
				c.csv = true
			case "text":
			default:
				return &pgError{code: "0A000", msg: fmt.Sprintf("COPY format %q is not supported by the lab's server: use text or csv", f)}
			}
		case "BINARY":
			return &pgError{code: "0A000", msg: "COPY's binary format is not supported by the lab's server: use text or csv"}
		case "HEADER":
			c.header = true
			if i+1 < len(toks) {
				if b, ok := parseBool(strings.ToLower(toks[i+1])); ok {
					c.header = b
					i++
				}
			}
		case "DELIMITER":
			c.delim, delimSet = arg(), true
			if len(c.delim) != 1 {
				return &pgError{code: "22023", msg: "COPY delimiter must be a single one-byte character"}
			}
		case "NULL":
			c.null, nullSet = arg(), true
		case "ENCODING":
			if e := strings.ToUpper(strings.ReplaceAll(arg(), "-", "")); e != "UTF8" {
				return &pgError{code: "0A000", msg: "the lab's server speaks UTF8 only"}
			}
		default:
			return &pgError{code: "0A000", msg: fmt.Sprintf("COPY option %s is not supported by the lab's server", toks[i])}
		}
	}
	if c.csv {
		if !delimSet {
			c.delim = ","
		}
		if !nullSet {
			c.null = ""
		}
	}
	return nil
}

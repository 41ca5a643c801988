package pgserver

import (
	"regexp"
	"strconv"
	"strings"
)

// Where a parameter's type can be read off the statement: compared with or
// assigned to a column, inserted into one, or a LIMIT.
var (
	paramAfterCol  = regexp.MustCompile(`(?i)([\w"]+)\s*(?:=|<>|!=|<=|>=|<|>|\bLIKE\b|\bIN\s*\()\s*\?(\d+)`)
	paramBeforeCol = regexp.MustCompile(`(?i)\?(\d+)\s*(?:=|<>|!=|<=|>=|<|>)\s*(?:[\w"]+\.)?([\w"]+)`)
	paramLimit     = regexp.MustCompile(`(?i)\b(?:LIMIT|OFFSET)\s+\?(\d+)`)
	paramSleep     = regexp.MustCompile(`pg_sleep\(\d+, \?(\d+)\s*\)`)
	insertRe       = regexp.MustCompile(`(?is)INSERT\s+(?:OR\s+\w+\s+)?INTO\s+([\w."]+)\s*\(([^)]*)\)\s*VALUES\s*\(([^)]*)\)`)
)

// inferParams guesses the types of a statement's n parameters, for a
// ParameterDescription, when neither the client nor a cast said: the type
// of the column each one meets (good enough for pgx, which encodes each
// argument by the type the server describes). The rest are text, which
// SQLite's type affinity turns into what the column holds.
func (s *session) inferParams(sql string, n int) []uint32 {
	out := make([]uint32, n)
	var cols map[string]uint32
	colType := func(name string) uint32 {
		if cols == nil {
			cols = s.columnTypes()
		}
		return cols[lower(strings.Trim(name, `"`))]
	}
	set := func(idx string, oid uint32) {
		i, err := strconv.Atoi(idx)
		if err == nil && i >= 1 && i <= n && out[i-1] == 0 && oid != 0 {
			out[i-1] = oid
		}
	}
	if m := insertRe.FindStringSubmatch(sql); m != nil {
		names := strings.Split(m[2], ",")
		for i, v := range strings.Split(m[3], ",") {
			if v = strings.TrimSpace(v); strings.HasPrefix(v, "?") && i < len(names) {
				set(v[1:], colType(strings.TrimSpace(names[i])))
			}
		}
	}
	for _, m := range paramAfterCol.FindAllStringSubmatch(sql, -1) {
		set(m[2], colType(m[1]))
	}
	for _, m := range paramBeforeCol.FindAllStringSubmatch(sql, -1) {
		set(m[1], colType(m[2]))
	}
	for _, m := range paramSleep.FindAllStringSubmatch(sql, -1) {
		set(m[1], oidFloat8)
	}
	for _, m := range paramLimit.FindAllStringSubmatch(sql, -1) {
		set(m[1], oidInt8)
	}
	for i := range out {
		if out[i] == 0 {
			out[i] = oidText
		}
	}
	return out
}

// columnTypes maps the database's column names to their types: a name in
// two tables takes the first table's.
func (s *session) columnTypes() map[string]uint32 {
	cols := map[string]uint32{}
	s.each(s.ctx, `SELECT p.name, p.type FROM sqlite_schema AS t, pragma_table_info(t.name) AS p WHERE t.type = 'table' ORDER BY t.name, p.cid`, func(v []any) {
		name := lower(str(v[0]))
		if _, ok := cols[name]; !ok {
			oid := declOID(strings.ToUpper(str(v[1])))
			if oid == 0 {
				oid = oidText
			}
			cols[name] = oid
		}
	})
	return cols
}

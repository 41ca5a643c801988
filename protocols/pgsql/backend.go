package pgsql

import (
	"fmt"
	"strings"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/framing"
)

// backend decodes one typed message from the server, raw.
func (a *Analyzer) backend(m *lab.Message, raw []byte) {
	switch raw[0] {
	case 'D':
		if a.briefRow(m, raw) {
			return
		}
	case 'T':
		if a.briefDescription(m, raw) {
			return
		}
	}
	a.decodeBackend(m, raw, false)
	a.deferred(m)
}

// decodeBackend decodes a backend message, with its fields when whole.
func (a *Analyzer) decodeBackend(m *lab.Message, raw []byte, whole bool) {
	k, r := begin(m, lab.ServerToClient, raw, whole)
	r.m = m
	t := raw[0]
	if k.name == "" {
		unknown(m, lab.ServerToClient)
		return
	}
	a.rq.answer(m)
	switch t {
	case 'R':
		a.authentication(m, &r)
	case 'K':
		pid, _ := r.i32("process id")
		if b, off, ok := r.take("secret key", max(r.left(), 4)); ok {
			r.add("secret key", fmt.Sprintf("%x", b), off, len(b))
		}
		m.Summary = fmt.Sprintf("BackendKeyData process %d", pid)
		m.Handshake = true
	case 'S':
		name, _ := r.cstr("name")
		val, _ := r.cstr("value")
		m.Summary = "ParameterStatus " + name + " = " + quote(val)
		m.Handshake = a.rq.login != ""
	case 'Z':
		a.ready(m, &r)
	case 'T':
		a.rowDescription(m, &r)
	case 'D':
		m.Summary = "DataRow " + rowFields(&r, a.rq.rowColumns())
	case 'C':
		tag, _ := r.cstr("tag")
		m.Summary = a.text(appendQuote(append(a.scratch[:0], "CommandComplete "...), tag))
		a.rq.completes('E')
		a.rq.copyF = 0
	case 'I', 's':
		a.rq.completes('E')
	case 'E', 'N':
		a.errorResponse(m, &r)
	case '1':
		a.rq.completes('P')
	case '2':
		a.rq.completes('B')
	case '3':
		a.rq.completes('C')
	case 'n':
		a.rq.described(nil)
	case 't':
		n, _ := r.i16("parameters")
		var names []string
		var oids []uint32
		for i := 0; i < int(n) && r.short == ""; i++ {
			if v, off, ok := r.int32("parameter type"); ok {
				oids = append(oids, uint32(v))
				names = append(names, typeName(uint32(v)))
				r.add(fmt.Sprintf("$%d type", i+1), typeName(uint32(v)), off, 4)
			}
		}
		m.Summary = "ParameterDescription " + strings.Join(names, ", ")
		if n == 0 {
			m.Summary = "ParameterDescription (no parameters)"
		}
		if o := a.rq.front(); o != nil && o.typ == 'D' && o.target == 'S' && r.short == "" {
			a.rq.keep(len(oids))
			remember(&a.rq.params, o.name, oids) // the types the server chose, for the Bind's values
		}
	case 'G', 'H', 'W':
		f, off, ok := r.take("format", 1)
		if ok {
			a.rq.copyF = int16(f[0])
			r.add("format", formatName(int16(f[0])), off, 1)
			m.Summary += " " + formatName(int16(f[0]))
		}
		n, _ := r.i16("columns")
		for i := 0; i < int(n) && r.short == ""; i++ {
			if v, off, ok := r.int16("column format"); ok {
				r.add(fmt.Sprintf("column %d format", i+1), formatName(v), off, 2)
			}
		}
		if n >= 0 {
			m.Summary += ", " + count(int(n), "column")
		}
	case 'd':
		a.copyData(m, &r)
	case 'c':
	case 'A':
		pid, _ := r.i32("process id")
		ch, _ := r.cstr("channel")
		payload, _ := r.cstr("payload")
		m.Summary = fmt.Sprintf("NotificationResponse %s %s from process %d", quote(ch), quote(payload), pid)
	case 'V':
		n, _ := r.i32("result length")
		if n >= 0 {
			if b, off, ok := r.take("result", int(n)); ok {
				r.add("result", lab.HexPreview(b, 32), off, len(b))
			}
		}
	case 'v':
		minor, _ := r.i32("newest minor version")
		n, _ := r.i32("options not recognised")
		for i := 0; i < int(n) && r.short == ""; i++ {
			r.cstr(fmt.Sprintf("option %d", i+1))
		}
		m.Summary = fmt.Sprintf("NegotiateProtocolVersion 3.%d", minor)
	}
	finish(m, k, &r)
}

// readyStatus is what a ReadyForQuery's transaction status says: the state
// it puts the session in, in words, and the message's summary and meaning.
type readyStatus struct{ next, what, summary, meaning string }

// readyStatuses are the three statuses, by their byte.
var readyStatuses = func() map[byte]readyStatus {
	out := make(map[byte]readyStatus)
	for _, s := range []struct {
		b          byte
		next, what string
	}{
		{'I', StateIdle, "idle: not in a transaction block"},
		{'T', StateTransaction, "in a transaction block (after BEGIN): changes are seen by others only at COMMIT"},
		{'E', StateFailed, "in a failed transaction block: every command is refused (25P02) until ROLLBACK"},
	} {
		out[s.b] = readyStatus{next: s.next, what: s.what,
			summary: fmt.Sprintf("ReadyForQuery %c (%s)", s.b, s.next),
			meaning: "The server is ready for the next query. Its transaction status is " + s.what + "."}
	}
	return out
}()

// ready decodes ReadyForQuery and moves the session to the state its
// transaction status says.
func (a *Analyzer) ready(m *lab.Message, r *reader) {
	b, off, ok := r.take("transaction status", 1)
	a.rq.done()
	a.rq.copyF = 0
	if !ok {
		return
	}
	st, known := readyStatuses[b[0]]
	if !known {
		r.add("transaction status", typeChar(b[0])+" (not I, T or E)", off, 1)
		m.Summary = "malformed ReadyForQuery: transaction status " + typeChar(b[0])
		return
	}
	if !r.brief {
		r.add("transaction status", typeChar(b[0])+" "+st.what, off, 1)
	}
	m.Summary, m.Meaning = st.summary, st.meaning
	a.state.Move(m, st.next)
}

// rowDescription decodes a RowDescription: the columns of the rows to come.
func (a *Analyzer) rowDescription(m *lab.Message, r *reader) {
	n, _ := r.i16("columns")
	cols, names := columnFields(m, r, n)
	m.Summary = describedSummary(n, names)
	a.rq.described(cols)
}

// describedSummary is a RowDescription's summary: its n columns, the first
// ones named with their types.
func describedSummary(n int16, names []string) string {
	s := fmt.Sprintf("RowDescription %s: %s", count(int(n), "column"), strings.Join(names, ", "))
	if int(n) > len(names) {
		s += ", …"
	}
	return s
}

// columnFields reads a RowDescription's n columns from r, each as fields of
// m, and returns them and the first ones shown with their types.
func columnFields(m *lab.Message, r *reader, n int16) (cols []column, names []string) {
	cols = make([]column, 0, max(min(int(n), 64), 0))
	for i := 0; i < int(n) && r.short == ""; i++ {
		start := r.off
		at := len(m.Fields)
		m.Fields = append(m.Fields, lab.Field{})
		name, _ := r.cstr("name")
		tab, toff, _ := r.int32("table OID")
		attr, _, _ := r.int16("column number")
		oid, ooff, _ := r.int32("type OID")
		size, soff, _ := r.int16("type size")
		mod, _, _ := r.int32("type modifier")
		f, foff, _ := r.int16("format")
		if r.short != "" {
			m.Fields = m.Fields[:at]
			break
		}
		c := column{name: clip(name, 64), oid: uint32(oid), format: f}
		cols = append(cols, c)
		typ := typeName(c.oid)
		from := "computed, not from a table"
		if tab != 0 {
			from = fmt.Sprintf("table OID %d, column %d", uint32(tab), attr)
		}
		r.add("from", from, toff, 6)
		r.add("data type", fmt.Sprintf("%s (OID %d)", typ, uint32(oid)), ooff, 4)
		r.add("size, modifier", fmt.Sprintf("%d, %d", size, mod), soff, 6)
		r.add("format", formatName(f), foff, 2)
		m.Fields[at] = lab.Field{Name: fmt.Sprintf("column %d", i+1), Value: fmt.Sprintf("%s %s", quote(name), typ), Off: start, Len: r.off - start}
		if len(names) < 8 {
			names = append(names, name+" "+typ)
		}
	}
	return cols, names
}

// errorResponse decodes an ErrorResponse or NoticeResponse: its fields, each
// a type letter and a string.
func (a *Analyzer) errorResponse(m *lab.Message, r *reader) {
	var sev, code, text, detail, hint string
	for r.left() > 1 && r.short == "" {
		t, toff, _ := r.take("field type", 1)
		v, voff, ok := r.cstring("field value")
		if !ok {
			break
		}
		name := errorFields[t[0]]
		if name == "" {
			name = "field " + typeChar(t[0])
		}
		shown := quote(v)
		switch t[0] {
		case 'V':
			sev = v
		case 'S':
			if sev == "" {
				sev = v
			}
		case 'C':
			code = v
			shown = v + " " + explainState(v)
		case 'M':
			text = v
		case 'D':
			detail = v
		case 'H':
			hint = v
		}
		r.add(name, shown, toff, voff+len(v)-toff)
	}
	if r.left() == 1 && m.Raw[r.off] == 0 {
		r.off++
	}
	k := &backend[m.Raw[0]]
	m.Summary = strings.TrimSpace(fmt.Sprintf("%s %s %s %s", k.name, sev, code, short(text)))
	if m.Raw[0] == 'E' {
		m.Meaning = "The statement failed"
		if a.rq.login != "" {
			m.Meaning = "The start-up failed"
		}
		a.rq.failed()
		a.rq.copyF = 0
	} else {
		m.Meaning = "A notice: the query goes on"
	}
	if code != "" {
		m.Meaning += fmt.Sprintf(" with SQLSTATE %s, %s.", code, explainState(code))
	} else {
		m.Meaning += "."
	}
	if detail != "" {
		m.Meaning += " Detail: " + detail
	}
	if hint != "" {
		m.Meaning += " Hint: " + hint
	}
	switch {
	case sev == "FATAL" || sev == "PANIC":
		m.Meaning += " A FATAL error ends the session: the server closes the connection."
		m.Teardown = true
		a.terminal = true
		a.state.Move(m, StateTerminated)
	case m.Raw[0] == 'E' && a.state.State() == StateTransaction:
		m.Meaning += " Inside a transaction block the error fails the whole transaction: the next ReadyForQuery says E, and only ROLLBACK is accepted."
	}
}

// errorFields name the fields of ErrorResponse and NoticeResponse
// (PostgreSQL protocol, "Error and Notice Message Fields").
var errorFields = [256]string{
	'S': "severity", 'V': "severity (not localized)", 'C': "SQLSTATE", 'M': "message", 'D': "detail", 'H': "hint",
	'P': "position", 'p': "internal position", 'q': "internal query", 'W': "where", 's': "schema", 't': "table",
	'c': "column", 'd': "data type", 'n': "constraint", 'F': "file", 'L': "line", 'R': "routine",
}

// count says how many of what there are: "1 column", "3 columns".
func count(n int, what string) string { return string(framing.AppendCount(nil, n, what)) }

// clip is s cut to at most n bytes (a column's name, as PostgreSQL's
// NAMEDATALEN keeps names under 64 bytes).
func clip(s string, n int) string {
	if len(s) > n {
		return strings.Clone(s[:n]) // not a slice of s, which it would keep
	}
	return s
}

package pgsql

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/framing"
)

// typed begins the message of typed message raw (at least 5 bytes) sent in
// direction dir: its type and length fields, the kind's meaning and where it
// is specified, and a reader of its body.
func typed(m *lab.Message, dir lab.Dir, raw []byte) *kind {
	k := bare(m, dir, raw)
	m.Fields = make([]lab.Field, 0, 8)
	typeFields(m, k, raw[0])
	return k
}

// bare begins the message of typed message raw without its fields, in m,
// which is zero (a message appended to the analyzer's block, or a fresh
// one): its fields are set one by one rather than a whole struct copied in,
// which the collector, while it marks, makes cost a barrier over every
// pointer of it.
func bare(m *lab.Message, dir lab.Dir, raw []byte) *kind {
	k := kindOf(dir, raw[0])
	m.Dir, m.Raw, m.Observed = dir, raw, true
	m.Summary, m.Meaning, m.Ref = k.name, k.meaning, k.ref()
	return k
}

// briefly reports whether a message of type t sent in direction dir is framed
// briefly: its summary, meaning, state and pairing at once, its fields only
// when someone looks (fields). These are the messages of every query's round
// trip, whose fields depend on their own bytes alone.
func briefly(dir lab.Dir, t byte) bool {
	if dir == lab.ClientToServer {
		return t == 'Q' || t == 'S' || t == 'H' || t == 'E' || t == 'B'
	}
	return t == 'C' || t == 'Z' || t == '1' || t == '2' || t == '3' || t == 'I' || t == 'n' || t == 's'
}

// begin starts decoding typed message raw: the message, its kind and a reader
// of its body, brief when the type is framed briefly.
func begin(m *lab.Message, dir lab.Dir, raw []byte, whole bool) (*kind, reader) {
	if !whole && briefly(dir, raw[0]) {
		return bare(m, dir, raw), reader{off: 5, brief: true}
	}
	return typed(m, dir, raw), reader{off: 5}
}

// deferred is m, decoded briefly when its type is framed briefly: its fields
// are built when someone looks. A Bind's are built with the parameter types
// its statement had (bindFill).
func (a *Analyzer) deferred(m *lab.Message) {
	switch {
	case !briefly(m.Dir, m.Raw[0]):
	case m.Dir == lab.ClientToServer && m.Raw[0] == 'B' && a.bound != nil:
		m.DeferTo(a.binds.Put(bindFill{types: a.bound}))
	default:
		m.Defer(fields)
	}
}

// bindFill builds the fields of a Bind framed briefly, decoding its values by
// the parameter types its statement had then.
type bindFill struct{ types []uint32 }

func (f *bindFill) Fill(m *lab.Message) ([]lab.Field, string) {
	a := NewAnalyzer()
	a.types = f.types
	var d lab.Message
	a.decodeFrontend(&d, m.Raw, true)
	return d.Fields, ""
}

// fields builds the fields of a message framed briefly, decoding it again on
// its own.
func fields(m *lab.Message) ([]lab.Field, string) {
	a := NewAnalyzer()
	var d lab.Message
	if m.Dir == lab.ClientToServer {
		a.decodeFrontend(&d, m.Raw, true)
	} else {
		a.decodeBackend(&d, m.Raw, true)
	}
	return d.Fields, ""
}

// finish ends a message read by r: one cut short or with bytes after its last
// field is malformed, and says so.
func finish(m *lab.Message, k *kind, r *reader) {
	switch {
	case r.short != "":
		m.Summary = "malformed " + k.name + ": the length ends before its " + r.short
		m.Meaning += " The message's length leaves no room for its " + r.short + ": the server answers 08P01 (protocol violation)."
	case r.left() > 0:
		m.Summary = fmt.Sprintf("malformed %s: %d bytes after its last field", k.name, r.left())
		m.Meaning += " The message is longer than its fields: the server answers 08P01 (protocol violation)."
		r.add("extra bytes", lab.HexPreview(m.Raw[r.off:], 16), r.off, r.left())
	}
}

// unknown is a message of a type the protocol does not have: framed by its
// length, its body shown as it is.
func unknown(m *lab.Message, dir lab.Dir) {
	m.Summary = "malformed: unknown message type " + typeChar(m.Raw[0])
	m.Ref = refFormats
	if dir == lab.ClientToServer {
		m.Meaning = "No frontend message has this type byte. The server answers with ErrorResponse 08P01 " +
			"(protocol_violation, \"invalid frontend message type\") and closes the connection."
	} else {
		m.Meaning = "No backend message has this type byte: the client cannot go on and closes the connection."
	}
	if len(m.Raw) > 5 {
		m.Fields = append(m.Fields, lab.Field{Name: "body", Value: lab.HexPreview(m.Raw[5:], 32), Off: 5, Len: len(m.Raw) - 5})
	}
}

// frontend decodes one typed message from the client, raw.
func (a *Analyzer) frontend(m *lab.Message, raw []byte) {
	a.decodeFrontend(m, raw, false)
	a.deferred(m)
}

// decodeFrontend decodes a frontend message, with its fields when whole.
func (a *Analyzer) decodeFrontend(m *lab.Message, raw []byte, whole bool) {
	k, r := begin(m, lab.ClientToServer, raw, whole)
	r.m = m
	t := raw[0]
	switch t {
	case 'Q':
		q, _ := r.cstr("query")
		m.Summary = a.text(appendShort(append(a.scratch[:0], "Query "...), q))
		a.rq.mark(m, op{typ: 'Q'})
	case 'P':
		a.parse(m, &r)
	case 'B':
		a.bind(m, &r)
	case 'D', 'C':
		what, _, _ := r.take("target", 1)
		target := byte(0)
		if len(what) == 1 {
			target = what[0]
			r.add("target", targetName(target), 5, 1)
		}
		name, _ := r.cstr("name")
		m.Summary = k.name + " " + targetName(target) + " " + quote(name)
		a.rq.mark(m, op{typ: t, target: target, name: name})
		if t == 'C' && r.short == "" {
			if target == 'S' {
				delete(a.rq.stmts, name)
				delete(a.rq.params, name)
			} else {
				delete(a.rq.ports, name)
			}
		}
		if r.short == "" && target != 'S' && target != 'P' {
			m.Summary = fmt.Sprintf("malformed %s: target %s, not 'S' or 'P'", k.name, typeChar(target))
			return
		}
	case 'E':
		name, _ := r.cstr("portal")
		n, _ := r.i32("maximum rows")
		sum := appendQuote(append(a.scratch[:0], "Execute portal "...), name)
		if n > 0 {
			sum = append(append(append(sum, " (at most "...), count(int(n), "row")...), ')')
		}
		m.Summary = a.text(sum)
		a.rq.mark(m, op{typ: 'E', name: name})
	case 'S', 'H':
		a.rq.mark(m, op{typ: t})
	case 'X':
		m.Teardown = true
		a.terminal = true
		a.state.Move(m, StateTerminated)
	case 'd':
		a.copyData(m, &r)
	case 'c':
	case 'f':
		reason, _ := r.cstr("reason")
		m.Summary = "CopyFail " + short(reason)
	case 'F':
		oid, _ := r.i32("function OID")
		m.Summary = fmt.Sprintf("FunctionCall of function %d", oid)
		if r.left() > 0 {
			r.add("arguments", lab.HexPreview(raw[r.off:], 32), r.off, r.left())
			r.off = len(raw)
		}
		a.rq.mark(m, op{typ: 'F'})
	case 'p':
		a.password(m, &r)
	default:
		unknown(m, lab.ClientToServer)
		return
	}
	finish(m, k, &r)
}

// targetName names what a Describe or Close is about.
func targetName(t byte) string {
	switch t {
	case 'S':
		return "statement"
	case 'P':
		return "portal"
	}
	return typeChar(t)
}

// short shows SQL or a reason in a summary: on one line, quoted, cut after
// 80 characters.
func short(s string) string {
	if len(s) > 80 {
		s = s[:80]
		return strings.TrimSuffix(quote(strings.Join(strings.Fields(s), " ")), `"`) + `…"`
	}
	return quote(strings.Join(strings.Fields(s), " "))
}

// appendShort appends short(s) to dst: at once for a statement already on
// one line with single spaces, as most are.
func appendShort(dst []byte, s string) []byte {
	if len(s) > 80 || !collapsed(s) {
		return append(dst, short(s)...)
	}
	return appendQuote(dst, s)
}

// collapsed reports whether s, in ASCII, has its words apart by single
// spaces and no space at either end: what strings.Fields and Join leave
// unchanged.
func collapsed(s string) bool {
	space := true // no space may come first
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0x80:
			return false
		case c == ' ', c == '\t', c == '\n', c == '\v', c == '\f', c == '\r':
			if c != ' ' || space {
				return false
			}
			space = true
		default:
			space = false
		}
	}
	return !space || s == ""
}

// parse decodes a Parse: statement name, query, parameter types.
func (a *Analyzer) parse(m *lab.Message, r *reader) {
	name, _ := r.cstr("statement")
	q, _ := r.cstr("query")
	n, _ := r.i16("parameter types")
	var oids []uint32
	for i := 0; i < int(n) && r.short == ""; i++ {
		v, off, ok := r.int32(fmt.Sprintf("parameter %d type", i+1))
		if ok {
			oids = append(oids, uint32(v))
			r.add(fmt.Sprintf("parameter $%d type", i+1), typeName(uint32(v)), off, 4)
		}
	}
	m.Summary = "Parse " + short(q)
	if name != "" {
		m.Summary = "Parse statement " + quote(name) + " " + short(q)
	}
	if r.short == "" {
		a.rq.keep(len(oids))
		remember(&a.rq.params, name, oids)
	}
	a.rq.mark(m, op{typ: 'P', name: name})
}

// bind decodes a Bind: portal, statement, parameter formats and values,
// result formats.
func (a *Analyzer) bind(m *lab.Message, r *reader) {
	portalName, _ := r.cstr("portal")
	// The statement's name, as the portal this Bind replaces has it when it
	// is the same (a driver binds one statement query after query): no copy.
	sb, soff, sok := r.cbytes("statement")
	prev := a.rq.ports[portalName]
	var stmt string
	if prev != nil && string(sb) == prev.stmt {
		stmt = prev.stmt
	} else {
		stmt = string(sb)
	}
	if sok && !r.brief {
		r.add("statement", quote(stmt), soff, len(sb))
	}
	a.pf = appendFormats(a.pf[:0], r, "parameter format", "parameter format codes") // read here, not kept
	pf := a.pf
	n, _ := r.i16("parameter values")
	types := a.rq.params[stmt]
	if a.types != nil {
		types = a.types // the Bind's fields, built when asked (bindFill)
	}
	a.bound = types
	for i := 0; i < int(n) && r.short == ""; i++ {
		// A value's name is made only to show it, or to say it did not fit.
		ln, loff, ok := r.int32("a parameter's length")
		if !ok {
			r.short = paramName(i) + " length"
			break
		}
		if ln < 0 {
			r.add(paramName(i), "NULL", loff, 4)
			continue
		}
		b, off, ok := r.take("a parameter", int(ln))
		if !ok {
			r.short = paramName(i)
			break
		}
		if r.brief {
			continue
		}
		name := paramName(i)
		var oid uint32
		if i < len(types) {
			oid = types[i]
		}
		f := int16(0)
		switch {
		case len(pf) == 1:
			f = pf[0]
		case i < len(pf):
			f = pf[i]
		}
		r.add(name, value(oid, f, b), off, len(b))
	}
	// The result formats are kept with the portal: those of the Bind before
	// when they are the same, as a driver's are, query after query.
	a.rf = appendFormats(a.rf[:0], r, "result format", "result format codes")
	if !slices.Equal(a.rf, a.lastRF) {
		a.lastRF = slices.Clone(a.rf)
	}
	rf := a.lastRF
	sum := appendQuote(append(a.scratch[:0], "Bind portal "...), portalName)
	sum = appendQuote(append(sum, " to statement "...), stmt)
	if n > 0 {
		sum = framing.AppendCount(append(sum, ", "...), int(n), "parameter")
	}
	m.Summary = a.text(sum)
	if r.short == "" {
		p := prev
		if p == nil || p.stmt != stmt || p.cols != nil || !sameSlice(p.formats, rf) {
			p = &portal{stmt: stmt, formats: rf}
		} // else the portal it replaces is the same: it stays
		a.rq.bound(portalName, p)
	}
	a.rq.mark(m, op{typ: 'B', name: portalName})
}

// sameSlice reports whether a and b are one slice: the same array and length.
func sameSlice[T any](a, b []T) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// paramName names Bind's parameter i (from 0): "$1".
func paramName(i int) string { return "$" + strconv.Itoa(i+1) }

// appendFormats reads a count, named codes, and that many format codes
// (Bind's parameter and result formats), named name 1, name 2 …, and appends
// them to out.
func appendFormats(out []int16, r *reader, name, codes string) []int16 {
	n, _ := r.i16(codes)
	for i := 0; i < int(n) && r.short == ""; i++ {
		f, off, ok := r.int16(name)
		if ok {
			out = append(out, f)
			if !r.brief {
				r.add(name+" "+strconv.Itoa(i+1), formatName(f), off, 2)
			}
		}
	}
	return out
}

// copyData decodes a CopyData, either way: its rows shown as text in a text
// COPY.
func (a *Analyzer) copyData(m *lab.Message, r *reader) {
	b, off := r.rest()
	if a.rq.copyF == 1 || !printable(b) {
		r.add("data", lab.HexPreview(b, 32), off, len(b))
		m.Summary = fmt.Sprintf("CopyData %d bytes", len(b))
		return
	}
	r.add("data", lab.Preview(b, maxShown), off, len(b))
	m.Summary = "CopyData " + lab.Preview(b, 60)
	// A text COPY's rows end with a newline, its columns are separated by
	// tabs, \N is NULL: each row is shown as a field of its own.
	rows := 0
	for start := 0; start < len(b) && rows < maxRows; rows++ {
		end := bytes.IndexByte(b[start:], '\n')
		if end < 0 {
			end = len(b) - start
		}
		row := b[start : start+end]
		r.add(fmt.Sprintf("row %d", rows+1), copyRow(row), off+start, len(row))
		start += end + 1
	}
	if rows > 1 {
		m.Summary = fmt.Sprintf("CopyData %d rows: %s", rows, lab.Preview(b, 50))
	}
}

// maxRows bounds the rows of a CopyData shown as fields of their own.
const maxRows = 100

// copyRow shows a text COPY row: its columns quoted, NULL for \N, separated by " | ".
func copyRow(row []byte) string {
	var s strings.Builder
	for i, col := range bytes.Split(row, []byte{'\t'}) {
		if i > 0 {
			s.WriteString(" | ")
		}
		if string(col) == `\N` {
			s.WriteString("NULL")
		} else {
			s.WriteString(lab.Preview(col, 40))
		}
	}
	return s.String()
}

package pgsql

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/protocollab/protolab/lab"
)

// maxSummary bounds the values a DataRow's summary shows, in bytes.
const maxSummary = 100

// briefRow frames a well-formed DataRow, raw, by the columns in force: its
// summary now, its fields when someone looks (lab.Message.Defer), as most of
// a result's rows are never opened. ok is false for a malformed one, which
// the caller decodes at once to say what is wrong.
func (a *Analyzer) briefRow(m *lab.Message, raw []byte) bool {
	if len(raw) < 7 {
		return false
	}
	cols := a.rq.rowColumns()
	n := int(int16(binary.BigEndian.Uint16(raw[5:])))
	const head = len("DataRow ")
	s := append(a.scratch[:0], "DataRow "...)
	off := 7
	for i := 0; i < n; i++ {
		if len(raw)-off < 4 {
			return false
		}
		ln := int(int32(binary.BigEndian.Uint32(raw[off:])))
		off += 4
		if ln > len(raw)-off {
			return false
		}
		if len(s)-head < maxSummary {
			if i > 0 {
				s = append(s, ", "...)
			}
			if ln < 0 {
				s = append(s, "NULL"...)
			} else {
				c := column{}
				if i < len(cols) {
					c = cols[i]
				}
				s = appendValue(s, c.oid, c.format, raw[off:off+ln])
			}
		}
		off += max(ln, 0)
	}
	if n < 0 || off != len(raw) {
		a.scratch = s[:0]
		return false
	}
	s = appendCut(s, head)
	k := &backend['D']
	*m = lab.Message{Dir: lab.ServerToClient, Raw: raw, Observed: true, Summary: a.text(s), Meaning: k.meaning, Ref: k.ref()}
	a.rq.answer(m)
	m.Defer(a.rowFill(cols))
	return true
}

// rowFill returns what builds the fields of a DataRow of columns cols: made
// once for the columns of a RowDescription (never changed once made), and
// shared by its rows rather than made for each.
func (a *Analyzer) rowFill(cols []column) func(*lab.Message) ([]lab.Field, string) {
	if f := a.fill; f.fn != nil && sameSlice(f.cols, cols) {
		return f.fn
	}
	fn := func(m *lab.Message) ([]lab.Field, string) {
		d := lab.Message{Dir: m.Dir, Raw: m.Raw}
		typeFields(&d, &backend['D'], 'D')
		rowFields(&reader{m: &d, off: 5}, cols)
		return d.Fields, ""
	}
	a.fill = rowFiller{cols: cols, fn: fn}
	return fn
}

// rowFiller is the last rowFill made, and the columns it is for.
type rowFiller struct {
	cols []column
	fn   func(*lab.Message) ([]lab.Field, string)
}

// appendCut ends the values in s[from:] past maxSummary bytes with an
// ellipsis, as cut does.
func appendCut(s []byte, from int) []byte {
	if len(s)-from <= maxSummary {
		return s
	}
	n := maxSummary
	for n > 0 && !utf8.RuneStart(s[from+n]) {
		n--
	}
	return append(s[:from+n], " …"...)
}

// rowFields reads a DataRow's values from r, each as a field named by its
// column in cols, and returns them shown for a summary.
func rowFields(r *reader, cols []column) string {
	n, _ := r.i16("values")
	var s strings.Builder
	for i := 0; i < int(n) && r.short == ""; i++ {
		c := column{name: fmt.Sprintf("column %d", i+1)}
		if i < len(cols) {
			c = cols[i]
		}
		ln, loff, ok := r.int32("value length")
		if !ok {
			break
		}
		v := "NULL"
		if ln < 0 {
			r.add(c.name, v, loff, 4)
		} else {
			b, off, ok := r.take("value", int(ln))
			if !ok {
				break
			}
			v = value(c.oid, c.format, b)
			r.add(c.name, v, off, len(b))
		}
		if s.Len() < maxSummary {
			if i > 0 {
				s.WriteString(", ")
			}
			s.WriteString(v)
		}
	}
	return cut(s.String())
}

// cut ends a summary's values past maxSummary bytes with an ellipsis.
func cut(s string) string {
	if len(s) > maxSummary {
		n := maxSummary
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		return s[:n] + " …"
	}
	return s
}

// briefDescription frames a well-formed RowDescription, raw: its columns
// remembered and its summary now, its fields when someone looks, as for a
// DataRow (a query's answer starts with one). ok is false for a malformed
// one, which the caller decodes at once.
func (a *Analyzer) briefDescription(m *lab.Message, raw []byte) bool {
	if len(raw) < 7 {
		return false
	}
	n := int16(binary.BigEndian.Uint16(raw[5:]))
	if n < 0 {
		return false
	}
	if d := &a.desc; d.raw != nil && bytes.Equal(raw, d.raw) {
		// The same columns as the last: a statement run again.
		a.described(m, raw, n, d.summary, d.cols)
		return true
	}
	cols := make([]column, 0, min(int(n), 64))
	var names []string
	off := 7
	for i := 0; i < int(n); i++ {
		end := off
		for end < len(raw) && raw[end] != 0 {
			end++
		}
		if len(raw)-end < 19 { // the zero byte and 18 bytes of table, column, type, size, modifier, format
			return false
		}
		name := string(raw[off:end])
		if !utf8.ValidString(name) {
			return false
		}
		p := end + 1
		c := column{name: clip(name, 64), oid: binary.BigEndian.Uint32(raw[p+6:]), format: int16(binary.BigEndian.Uint16(raw[p+16:]))}
		cols = append(cols, c)
		if len(names) < 8 {
			names = append(names, name+" "+typeName(c.oid))
		}
		off = p + 18
	}
	if off != len(raw) {
		return false
	}
	summary := describedSummary(n, names)
	a.desc = lastDesc{raw: raw, summary: summary, cols: cols}
	a.described(m, raw, n, summary, cols)
	return true
}

// lastDesc is a RowDescription framed briefly: its bytes (held by its
// message, never changed), its summary and its columns (never changed once
// made), for a statement that runs again to reuse.
type lastDesc struct {
	raw     []byte
	summary string
	cols    []column
}

// described is the message of a well-formed RowDescription, raw, of n
// columns cols: its columns now in force, its fields made when someone looks.
func (a *Analyzer) described(m *lab.Message, raw []byte, n int16, summary string, cols []column) {
	k := &backend['T']
	*m = lab.Message{Dir: lab.ServerToClient, Raw: raw, Observed: true, Summary: summary, Meaning: k.meaning, Ref: k.ref()}
	a.rq.answer(m)
	a.rq.described(cols)
	m.Defer(func(m *lab.Message) ([]lab.Field, string) { // nothing captured: no allocation
		d := lab.Message{Dir: m.Dir, Raw: m.Raw}
		typeFields(&d, &backend['T'], 'T')
		r := reader{m: &d, off: 5}
		n, _ := r.i16("columns")
		columnFields(&d, &r, n)
		return d.Fields, ""
	})
}

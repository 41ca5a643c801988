package labfile

import "github.com/protocollab/protolab/lab"

// Format 3 saves where each field lies in its message (lab.Field.Off, Len):
// after a message's Raw, when its flag msgSpans is set (docs/labfile.md).

// spanned reports whether any of m's fields has a span within its Raw.
func spanned(m *lab.Message) bool {
	for _, f := range m.Fields {
		if f.Spanned(m.Raw) {
			return true
		}
	}
	return false
}

// spans writes each field's span within m.Raw: its length, then (when not 0) its
// offset. A span outside Raw is written as none.
func (e *encoder) spans(m *lab.Message) {
	for _, f := range m.Fields {
		if !f.Spanned(m.Raw) {
			e.uvar(0)
			continue
		}
		e.uvar(uint64(f.Len))
		e.uvar(uint64(f.Off))
	}
}

// spans reads the spans of m's fields, each within m.Raw.
func (d *decoder) spans(m *lab.Message) {
	for j := range m.Fields {
		n := d.uvar()
		if n == 0 || d.err != nil {
			continue
		}
		off := d.uvar()
		if n > uint64(len(m.Raw)) || off > uint64(len(m.Raw))-n {
			d.fail("a field's span outside its message")
			return
		}
		m.Fields[j].Off, m.Fields[j].Len = int(off), int(n)
	}
}

package redis

import (
	"fmt"
	"strconv"

	"github.com/protocollab/protolab/lab"
)

// maxShown bounds the elements of one aggregate given fields of their own.
const maxShown = 32

// fields adds to m the fields of the value nd, named name: the whole first,
// then its parts (a length, the bytes; an aggregate's count and elements).
func fields(m *lab.Message, frame []byte, nd *node, name string) {
	if nd.attr != nil {
		fields(m, frame, nd.attr, name+" attribute")
	}
	k := kinds[nd.typ]
	add := func(name, value string, off, n int) {
		if n == 0 {
			off = 0 // no bytes: no span
		}
		m.Fields = append(m.Fields, lab.Field{Name: name, Value: value, Off: off, Len: n})
	}
	switch {
	case nd.null():
		add(name, "null ("+k.name+")", nd.off, nd.end-nd.off)
	case k.agg:
		add(name, fmt.Sprintf("%s of %d", k.name, nd.n), nd.off, nd.end-nd.off)
		add(name+" count", strconv.Itoa(nd.n), nd.numOff, nd.numLen)
		for i := range nd.kids {
			if i == maxShown {
				add(name+" …", fmt.Sprintf("%d more elements", len(nd.kids)-i), 0, 0)
				break
			}
			fields(m, frame, &nd.kids[i], elementName(name, nd.typ, i))
		}
	case k.blob:
		add(name+" length", strconv.Itoa(nd.n), nd.numOff, nd.numLen)
		add(name, show(nd, frame), nd.valOff, nd.valLen)
	default:
		add(name, show(nd, frame), nd.valOff, nd.valLen)
	}
}

// elementName names the i-th element of an aggregate of type t named name.
func elementName(name string, t byte, i int) string {
	if t == '%' || t == '|' {
		if i%2 == 0 {
			return fmt.Sprintf("%s key %d", name, i/2+1)
		}
		return fmt.Sprintf("%s value %d", name, i/2+1)
	}
	return fmt.Sprintf("%s[%d]", name, i)
}

// show renders a value the way redis-cli prints it, on one line: "hello"
// quoted, (integer) 1, (nil), (error) ERR ..., an aggregate by its size.
func show(nd *node, frame []byte) string {
	v := nd.val(frame)
	switch k := kinds[nd.typ]; {
	case nd.null():
		return "(nil)"
	case nd.typ == '+' && len(v) > 0:
		return string(v)
	case nd.typ == '+':
		return `""`
	case nd.typ == '-' || nd.typ == '!':
		return "(error) " + clip(string(v), 200)
	case nd.typ == ':':
		return "(integer) " + string(v)
	case nd.typ == ',':
		return "(double) " + string(v)
	case nd.typ == '#':
		return map[string]string{"t": "(true)", "f": "(false)"}[string(v)]
	case nd.typ == '(':
		return "(big number) " + string(v)
	case nd.typ == '=':
		return fmt.Sprintf("(verbatim %s) %s", v[:3], quote(v[4:]))
	case k.blob:
		return quote(v)
	case nd.n == 0:
		return "(empty " + k.name + ")"
	default:
		return fmt.Sprintf("(%s of %d)", k.name, nd.n)
	}
}

// brief is show cut to a summary's length.
func brief(nd *node, frame []byte) string { return clip(show(nd, frame), 80) }

// quote shows the bytes of a string as redis-cli does, in double quotes with
// escapes, cut after 200 bytes.
func quote(v []byte) string {
	if len(v) > 200 {
		return strconv.Quote(string(v[:200])) + "…"
	}
	return strconv.Quote(string(v))
}

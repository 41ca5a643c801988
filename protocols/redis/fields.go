package redis

import (
	"fmt"
	"strconv"
	"unsafe"

	"github.com/protocollab/protolab/lab"
)

// maxShown bounds the elements of one aggregate given fields of their own.
const maxShown = 32

// fields adds to fs the fields of the value nd, named name: the whole first,
// then its parts (a length, the bytes; an aggregate's count and elements).
func fields(fs *[]lab.Field, frame []byte, nd *node, name string) {
	if nd.attr != nil {
		fields(fs, frame, nd.attr, name+" attribute")
	}
	k := kinds[nd.typ]
	add := func(name, value string, off, n int) {
		if n == 0 {
			off = 0 // no bytes: no span
		}
		*fs = append(*fs, lab.Field{Name: name, Value: value, Off: off, Len: n})
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
			fields(fs, frame, &nd.kids[i], elementName(name, nd.typ, i))
		}
	case k.blob:
		add(name+" length", strconv.Itoa(nd.n), nd.numOff, nd.numLen)
		add(name, show(nd, frame), nd.valOff, nd.valLen)
	default:
		add(name, show(nd, frame), nd.valOff, nd.valLen)
	}
}

// fillValue builds the fields of a value framed whole (Analyzer.value) from
// its bytes, when they are asked for (lab.Message.Defer): its type, then a
// command's count and arguments, named, or a reply's parts.
func fillValue(m *lab.Message) ([]lab.Field, string) {
	frame := m.Raw
	nd, _, err := parseValue(frame, 0, 0)
	if err != nil {
		return nil, "" // not so: the value was framed whole from these bytes
	}
	k := kinds[nd.typ]
	fs := []lab.Field{{Name: "type", Value: fmt.Sprintf("%c %s (%s)", nd.typ, k.name, k.resp), Off: 0, Len: 1}}
	if m.Dir == lab.ClientToServer {
		commandFields(&fs, frame, &nd)
	} else {
		fields(&fs, frame, &nd, "reply")
	}
	return fs, ""
}

// fillInline builds the fields of an inline command from its line.
func fillInline(m *lab.Message) ([]lab.Field, string) {
	args, err := splitInline(m.Raw)
	if err != "" || len(args) == 0 {
		return nil, ""
	}
	var fs []lab.Field
	argFields(&fs, args)
	return fs, ""
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
func show(nd *node, frame []byte) string { return string(appendShow(nil, nd, frame)) }

// appendShow appends show(nd, frame): a reply's summary is built in the
// analyzer's scratch, without a string of its own first.
func appendShow(b []byte, nd *node, frame []byte) []byte {
	v := nd.val(frame)
	switch k := kinds[nd.typ]; {
	case nd.null():
		return append(b, "(nil)"...)
	case nd.typ == '+' && len(v) > 0:
		return append(b, v...)
	case nd.typ == '+':
		return append(b, `""`...)
	case nd.typ == '-' || nd.typ == '!':
		b = append(b, "(error) "...)
		if len(v) > 200 {
			return append(append(b, v[:200]...), "…"...)
		}
		return append(b, v...)
	case nd.typ == ':':
		return append(append(b, "(integer) "...), v...)
	case nd.typ == ',':
		return append(append(b, "(double) "...), v...)
	case nd.typ == '#' && string(v) == "t":
		return append(b, "(true)"...)
	case nd.typ == '#' && string(v) == "f":
		return append(b, "(false)"...)
	case nd.typ == '#':
		return b
	case nd.typ == '(':
		return append(append(b, "(big number) "...), v...)
	case nd.typ == '=':
		return appendQuote(append(append(append(b, "(verbatim "...), v[:3]...), ") "...), v[4:])
	case k.blob:
		return appendQuote(b, v)
	case nd.n == 0:
		return append(append(append(b, "(empty "...), k.name...), ')')
	default:
		return append(strconv.AppendInt(append(append(append(b, '('), k.name...), " of "...), int64(nd.n), 10), ')')
	}
}

// brief is show cut to a summary's length.
func brief(nd *node, frame []byte) string { return string(appendBrief(nil, nd, frame)) }

// maxBrief is the longest brief gets, in bytes, before "…".
const maxBrief = 80

// appendBrief appends brief(nd, frame).
func appendBrief(b []byte, nd *node, frame []byte) []byte {
	start := len(b)
	b = appendShow(b, nd, frame)
	if len(b)-start > maxBrief {
		b = append(b[:start+maxBrief], "…"...)
	}
	return b
}

// quote shows the bytes of a string as redis-cli does, in double quotes with
// escapes, cut after 200 bytes.
func quote(v []byte) string { return string(appendQuote(nil, v)) }

// appendQuote appends quote(v).
func appendQuote(b, v []byte) []byte {
	if len(v) > 200 {
		return append(strconv.AppendQuote(b, unsafe.String(unsafe.SliceData(v), 200)), "…"...)
	}
	return strconv.AppendQuote(b, unsafe.String(unsafe.SliceData(v), len(v)))
}

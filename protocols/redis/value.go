package redis

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrIncomplete is ReadValue's error when the bytes end before the value does.
var ErrIncomplete = errors.New("redis: the value goes on past the bytes given")

// Value is one RESP value as a client reads it: its type and contents, for
// showing a reply the way redis-cli does.
type Value struct {
	Type   byte    // the type byte: '+' simple string, '$' bulk string, '*' array, '%' map, ...
	Null   bool    // a null: RESP3's _, RESP2's $-1 or *-1
	Text   string  // a string's, error's or number's text; a verbatim string's without its format
	Format string  // a verbatim string's format: "txt", "mkd"
	Elems  []Value // an aggregate's elements; a map's keys and values in turn
	Attr   *Value  // an attribute sent before the value, if any
}

// ReadValue reads the RESP value at the start of b and returns it with the
// bytes it took; ErrIncomplete when b ends first, another error when b breaks
// RESP or holds a bulk string over MaxBulk.
func ReadValue(b []byte) (Value, int, error) {
	nd, n, err := parseValue(b, 0, 0)
	switch {
	case errors.Is(err, errIncomplete):
		return Value{}, 0, ErrIncomplete
	case err != nil:
		return Value{}, 0, fmt.Errorf("redis: %w", err)
	}
	return valueOf(&nd, b), n, nil
}

func valueOf(nd *node, b []byte) Value {
	v := Value{Type: nd.typ, Null: nd.null()}
	if nd.attr != nil {
		a := valueOf(nd.attr, b)
		v.Attr = &a
	}
	if !v.Null && !kinds[nd.typ].agg {
		v.Text = string(nd.val(b))
		if nd.typ == '=' {
			v.Format, v.Text = v.Text[:3], v.Text[4:]
		}
	}
	for i := range nd.kids {
		v.Elems = append(v.Elems, valueOf(&nd.kids[i], b))
	}
	return v
}

// TypeName names the value's type and the RESP version that has it:
// "bulk string (RESP2)", "map (RESP3)".
func (v Value) TypeName() string {
	k, ok := known(v.Type)
	if !ok {
		return "unknown"
	}
	return k.name + " (" + k.resp + ")"
}

// String renders the value as redis-cli does: "hello" quoted, (integer) 1,
// (nil), (error) ERR ..., an array's elements numbered 1) 2) on their lines,
// a map's as 1# key => value, a set's as 1~.
func (v Value) String() string {
	var b strings.Builder
	v.write(&b, "")
	return strings.TrimSuffix(b.String(), "\n")
}

// write writes v's lines to b, each after the first indented by indent.
func (v Value) write(b *strings.Builder, indent string) {
	switch {
	case v.Null:
		b.WriteString("(nil)\n")
	case v.Type == '+':
		b.WriteString(v.Text + "\n")
	case v.Type == '-' || v.Type == '!':
		b.WriteString("(error) " + v.Text + "\n")
	case v.Type == ':':
		b.WriteString("(integer) " + v.Text + "\n")
	case v.Type == ',':
		b.WriteString("(double) " + v.Text + "\n")
	case v.Type == '#':
		b.WriteString(map[string]string{"t": "(true)", "f": "(false)"}[v.Text] + "\n")
	case v.Type == '(':
		b.WriteString("(big number) " + v.Text + "\n")
	case v.Type == '=':
		b.WriteString(v.Text + "\n")
	case v.Type == '$':
		b.WriteString(cliQuote(v.Text) + "\n")
	case len(v.Elems) == 0:
		b.WriteString("(empty " + kinds[v.Type].name + ")\n")
	case v.Type == '%' || v.Type == '|':
		n := len(v.Elems) / 2
		w := len(strconv.Itoa(n))
		for i := range n {
			prefix := fmt.Sprintf("%*d# ", w, i+1)
			if i > 0 {
				b.WriteString(indent)
			}
			key := v.Elems[2*i].String()
			b.WriteString(prefix + key + " => ")
			v.Elems[2*i+1].write(b, indent+strings.Repeat(" ", len(prefix)+len(key)+4))
		}
	default:
		mark := ") "
		if v.Type == '~' {
			mark = "~ "
		}
		w := len(strconv.Itoa(len(v.Elems)))
		for i, e := range v.Elems {
			prefix := fmt.Sprintf("%*d%s", w, i+1, mark)
			if i > 0 {
				b.WriteString(indent)
			}
			b.WriteString(prefix)
			e.write(b, indent+strings.Repeat(" ", len(prefix)))
		}
	}
}

// cliQuote quotes s as redis-cli does: in double quotes, with \n, \r, \t,
// \a, \b, \" and \\ escaped and other bytes outside printable ASCII as \xhh.
func cliQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		default:
			if c < 0x20 || c >= 0x7f {
				fmt.Fprintf(&b, `\x%02x`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

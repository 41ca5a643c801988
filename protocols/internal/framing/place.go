package framing

import (
	"slices"

	"github.com/protocollab/protolab/lab"
)

// Place gives the fields of m named in names the span where their values are
// written in m.Raw: each value is looked for, ASCII case ignored, after the start
// of the last one found, so an argument and the parts within it ("FROM:<a@b>",
// then "a@b") are placed in the order the line writes them. A value not written
// as it is (a decoded or masked one, a reply's lines joined) keeps no span.
func Place(m *lab.Message, names ...string) {
	from := 0
	for i := range m.Fields {
		f := &m.Fields[i]
		if f.Value == "" || f.Len > 0 || !slices.Contains(names, f.Name) {
			continue
		}
		if at := indexFold(m.Raw, f.Value, from); at >= 0 {
			f.Off, f.Len = at, len(f.Value)
			from = at + 1
		}
	}
}

// indexFold is the first index at or after from where s is written in b, ASCII
// case ignored, or -1.
func indexFold(b []byte, s string, from int) int {
	for i := from; i+len(s) <= len(b); i++ {
		j := 0
		for j < len(s) && lower(b[i+j]) == lower(s[j]) {
			j++
		}
		if j == len(s) {
			return i
		}
	}
	return -1
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

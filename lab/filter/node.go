package filter

import (
	"regexp"
	"strconv"
	"strings"
)

// nodeKind says what a node of a parsed filter is.
type nodeKind uint8

const (
	nOr nodeKind = iota + 1
	nAnd
	nNot
	nName // a bare protocol or layer name
	nFlag // rst, fin, idle, live
	nHas  // a bare layer.field: the message carries it
	nCmp  // field op value
)

// Precedences, loosest first: a node is written in parentheses where its
// context binds tighter than it.
const (
	precOr = iota + 1
	precAnd
	precNot
)

// node is one node of a parsed filter: a struct, not an interface, so that
// evaluating one allocates nothing.
type node struct {
	kind nodeKind
	l, r *node // nOr, nAnd; nNot's operand is l

	name   string   // nName, nFlag: lower case; nCmp: the field's canonical name
	protos []string // nName: name and the protocols whose layer it is

	// nHas, and nCmp of fPath: the layer and field as written (lower case), the
	// layer names that stand for the layer, and the field normalized (norm).
	layer, field string
	layers       []string
	norm         string

	fid    fieldID // nCmp
	op     op
	val    string // as written (unquoted)
	quoted bool
	num    int64          // ordering ops and number fields: val as a number
	lower  string         // contains: val in lower case
	re     *regexp.Regexp // matches
}

func (n *node) prec() int {
	switch n.kind {
	case nOr:
		return precOr
	case nAnd:
		return precAnd
	}
	return precNot
}

// message reports whether n reads a message's properties.
func (n *node) message() bool {
	switch n.kind {
	case nOr, nAnd:
		return n.l.message() || n.r.message()
	case nNot:
		return n.l.message()
	case nHas:
		return true
	case nCmp:
		return n.fid == fPath || messageField[n.fid]
	}
	return false
}

// messageField says which fields read the message.
var messageField = func() map[fieldID]bool {
	m := make(map[fieldID]bool)
	for _, fi := range fieldNames {
		m[fi.id] = fi.message
	}
	return m
}()

// write writes n in canonical form within a context of precedence ctx.
func (n *node) write(b *strings.Builder, ctx int) {
	paren := n.prec() < ctx
	if paren {
		b.WriteByte('(')
	}
	switch n.kind {
	case nOr:
		n.l.write(b, precOr)
		b.WriteString(" or ")
		n.r.write(b, precAnd)
	case nAnd:
		n.l.write(b, precAnd)
		b.WriteString(" and ")
		n.r.write(b, precNot)
	case nNot:
		b.WriteString("not ")
		n.l.write(b, precNot)
	case nName, nFlag:
		b.WriteString(n.name)
	case nHas:
		b.WriteString(n.layer + "." + n.field)
	case nCmp:
		if n.fid == fPath {
			b.WriteString(n.layer + "." + n.field)
		} else {
			b.WriteString(n.name)
		}
		b.WriteString(" " + n.op.String() + " ")
		if n.quoted {
			b.WriteString(strconv.Quote(n.val))
		} else {
			b.WriteString(n.val)
		}
	}
	if paren {
		b.WriteByte(')')
	}
}

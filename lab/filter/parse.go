package filter

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/protocollab/protolab/lab"
)

// Filter is a parsed display filter. It is immutable and safe for concurrent use.
type Filter struct {
	root *node
	msg  bool
}

// Parse parses a display filter (see the package's doc). An empty or blank line
// is no filter: nil and no error. With reg, a bare name must be a registered
// protocol's or a layer's; without, any name is taken for one. Errors are *Error.
func Parse(s string, reg *lab.Registry) (*Filter, error) {
	if len(s) > MaxLen {
		return nil, errAt(s, MaxLen, "a filter is at most %d characters long", MaxLen)
	}
	p := &parser{lex: lexer{src: s}, reg: reg}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tEOF {
		return nil, nil
	}
	root, err := p.or(0)
	if err != nil {
		return nil, err
	}
	switch p.tok.kind {
	case tEOF:
	case tRParen:
		return nil, p.errHere("this ) closes no (")
	default:
		return nil, p.errHere("and, or or the end is expected, not %s", p.describe())
	}
	f := &Filter{root: root, msg: root.message()}
	if len(f.String()) > MaxLen { // escapes written out make it longer than typed
		return nil, errAt(s, len(s), "a filter is at most %d characters long, written out as String writes it", MaxLen)
	}
	return f, nil
}

// String is the filter in canonical form: keywords spelled out (and, or, not),
// parentheses only where needed, strings in Go's double quotes. It parses to a
// filter whose String is the same.
func (f *Filter) String() string {
	if f == nil {
		return ""
	}
	var b strings.Builder
	f.root.write(&b, precOr)
	return b.String()
}

// Messages reports whether f tests a message's properties (dir, text, code,
// layer, kind, state or a layer.field): then only the messages that pass are
// listed within a conversation.
func (f *Filter) Messages() bool { return f != nil && f.msg }

type parser struct {
	lex   lexer
	tok   token
	reg   *lab.Registry
	depth int
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) errHere(format string, args ...any) *Error {
	return errAt(p.lex.src, p.tok.pos, format, args...)
}

// describe names the current token for an error.
func (p *parser) describe() string {
	switch p.tok.kind {
	case tEOF:
		return "the end"
	case tString:
		return strconv.Quote(p.tok.text)
	}
	return "“" + p.tok.text + "”"
}

func (p *parser) or(depth int) (*node, error) { return p.binary(depth, tOr, nOr, p.and) }

func (p *parser) and(depth int) (*node, error) { return p.binary(depth, tAnd, nAnd, p.unary) }

// binary parses operands (next) joined by the operator tok, left to right,
// into nodes of kind k.
func (p *parser) binary(depth int, tok tokKind, k nodeKind, next func(int) (*node, error)) (*node, error) {
	l, err := next(depth)
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tok {
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := next(depth)
		if err != nil {
			return nil, err
		}
		l = &node{kind: k, l: l, r: r}
	}
	return l, nil
}

func (p *parser) unary(depth int) (*node, error) {
	if depth > maxDepth {
		return nil, p.errHere("the filter nests deeper than %d", maxDepth)
	}
	switch p.tok.kind {
	case tNot:
		if err := p.advance(); err != nil {
			return nil, err
		}
		x, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &node{kind: nNot, l: x}, nil
	case tLParen:
		open := p.tok.pos
		if err := p.advance(); err != nil {
			return nil, err
		}
		x, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRParen {
			if p.tok.kind == tEOF {
				return nil, p.errHere("a ) is expected to close the ( at %d", errAt(p.lex.src, open, "").Pos)
			}
			return nil, p.errHere("a ) is expected, not %s", p.describe())
		}
		return x, p.advance()
	case tWord:
		return p.test()
	case tEOF:
		return nil, p.errHere("a test is expected: a protocol (smtp), a flag (rst) or a comparison (code >= 400)")
	}
	return nil, p.errHere("a test is expected, not %s", p.describe())
}

// test parses a bare name or a comparison; the current token is a word.
func (p *parser) test() (*node, error) {
	name := p.tok
	if err := p.advance(); err != nil {
		return nil, err
	}
	lower := strings.ToLower(name.text)
	fi, isField := fieldNames[lower]
	var path *node
	if !isField {
		if layer, field, ok := strings.Cut(lower, "."); ok {
			if layer == "" || field == "" || strings.Contains(field, ".") {
				return nil, errAt(p.lex.src, name.pos, "%q is not a layer.field such as tls.sni", name.text)
			}
			_, layers, ok := p.known(layer)
			if !ok {
				return nil, p.unknown(name.pos, layer)
			}
			path = &node{kind: nHas, layer: layer, field: field, layers: layers, norm: norm(field)}
			fi = fieldInfo{id: fPath, message: true}
			isField = true
		}
	}
	if p.tok.kind != tOp {
		switch {
		case path != nil:
			return path, nil
		case isField:
			return nil, p.errHere("an operator (== != < <= > >= contains matches) is expected after %s", name.text)
		case flags[lower]:
			return &node{kind: nFlag, name: lower}, nil
		}
		return p.protocol(name, lower)
	}
	if !isField {
		what := "a protocol"
		if flags[lower] {
			what = "a flag"
		}
		return nil, errAt(p.lex.src, name.pos, "%s is %s, not a field: compare a field such as proto == %q", name.text, what, lower)
	}
	o, opTok := p.tok.op, p.tok
	if err := p.advance(); err != nil {
		return nil, err
	}
	switch {
	case fi.number && (o == opContains || o == opMatches):
		return nil, errAt(p.lex.src, opTok.pos, "%s is a number: compare it with == != < <= > or >=", name.text)
	case !fi.number && fi.id != fPath && o.ordering():
		return nil, errAt(p.lex.src, opTok.pos, "%s is text: compare it with == != contains or matches", name.text)
	}
	if p.tok.kind != tWord && p.tok.kind != tString {
		return nil, p.errHere("a value is expected after %s", opTok.text)
	}
	n := &node{kind: nCmp, fid: fi.id, op: o, val: p.tok.text, quoted: p.tok.kind == tString}
	if path != nil {
		n.layer, n.field, n.layers, n.norm = path.layer, path.field, path.layers, path.norm
	} else {
		n.name = canonical[fi.id]
	}
	if fi.number || o.ordering() {
		v, err := strconv.ParseInt(n.val, 10, 64)
		if err != nil {
			return nil, p.errHere("a whole number is expected after %s, not %s", opTok.text, p.describe())
		}
		n.num = v
	}
	switch o {
	case opMatches:
		if len(n.val) > MaxRegexp {
			return nil, p.errHere("a pattern is at most %d characters long", MaxRegexp)
		}
		_, err := regexp.Compile(n.val)
		if err == nil {
			n.re, err = regexp.Compile("(?i)" + n.val)
		}
		if err != nil {
			return nil, p.errHere("the pattern does not parse: %v", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
	case opContains:
		n.lower = strings.ToLower(n.val)
	}
	return n, p.advance()
}

// protocol makes the test of a bare protocol or layer name.
func (p *parser) protocol(name token, lower string) (*node, error) {
	protos, _, ok := p.known(lower)
	if !ok {
		return nil, p.unknown(name.pos, lower)
	}
	return &node{kind: nName, name: lower, protos: protos}, nil
}

// known returns name with the protocols whose layer it is (tls: https), name
// with the layer of the protocol it names (https: tls), and whether the
// registry knows name as a protocol or a layer (always, without one).
func (p *parser) known(name string) (protos, layers []string, ok bool) {
	protos, layers = []string{name}, []string{name}
	if p.reg == nil {
		return protos, layers, true
	}
	for _, pr := range p.reg.All() {
		if pr.Name == name {
			ok = true
			if pr.LayerName() != name {
				layers = append(layers, pr.LayerName())
			}
		} else if pr.LayerName() == name {
			ok = true
			protos = append(protos, pr.Name)
		}
		for _, l := range pr.Layers {
			ok = ok || l.Name == name
		}
	}
	return protos, layers, ok
}

// unknown is the error for a name the registry does not know, with the names
// it does that begin alike (or all the protocols', when none do).
func (p *parser) unknown(pos int, name string) *Error {
	var alike []string
	for _, n := range names(p.reg) {
		if n[0] == name[0] {
			alike = append(alike, n)
		}
	}
	if len(alike) == 0 {
		alike = p.reg.Names()
	}
	return errAt(p.lex.src, pos, "no protocol or layer is called %q (try %s)", name, strings.Join(alike, ", "))
}

// names are the protocols' and layers' names reg knows, sorted, each once.
func names(reg *lab.Registry) []string {
	var out []string
	for _, p := range reg.All() {
		out = append(out, p.Name, p.LayerName())
		for _, l := range p.Layers {
			out = append(out, l.Name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

package filter

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/protocollab/protolab/lab"
)

// Complete returns the words that may replace the word being typed at byte
// offset pos of line (the word that ends there), and where that word starts.
// What fits depends on what comes before: at the start of a test the protocol
// and layer names of reg, the flags, the fields, not, and the layer.field names
// given in paths (FieldPath spells them) once a layer's name and its dot are
// typed; after a field the operators; after an
// operator the values the field knows (c2s and s2c after dir ==, the protocols
// after proto ==); after a whole test and and or. Candidates are sorted and
// begin with the word typed, ignoring case.
func Complete(line string, pos int, reg *lab.Registry, paths []string) (start int, words []string) {
	pos = min(max(pos, 0), len(line))
	start = pos
	for start > 0 && isWordByte(line[start-1]) {
		start--
	}
	prefix := strings.ToLower(line[start:pos])

	// The tokens before the word, as far as they lex.
	l := lexer{src: line[:start]}
	var prev []token
	for {
		t, err := l.next()
		if err != nil || t.kind == tEOF {
			break
		}
		prev = append(prev, t)
	}
	var cands []string
	last := func(i int) token {
		if i < len(prev) {
			return prev[len(prev)-1-i]
		}
		return token{kind: tEOF}
	}
	isField := func(t token) bool {
		if t.kind != tWord {
			return false
		}
		w := strings.ToLower(t.text)
		_, ok := fieldNames[w]
		return ok || strings.Contains(w, ".")
	}
	switch t := last(0); {
	case t.kind == tEOF || t.kind == tAnd || t.kind == tOr || t.kind == tNot || t.kind == tLParen:
		if strings.Contains(prefix, ".") { // a layer's fields once its name is typed
			cands = append(cands, paths...)
			break
		}
		cands = append(cands, "not")
		if reg != nil {
			cands = append(cands, names(reg)...)
		}
		for f := range flags {
			cands = append(cands, f)
		}
		cands = append(cands, FieldNames()...)
	case t.kind == tWord && last(1).kind == tOp:
		cands = append(cands, "and", "or")
	case isField(t):
		fi, named := fieldNames[strings.ToLower(t.text)]
		for o := opEq; o <= opMatches; o++ {
			if !named || fi.number != (o == opContains || o == opMatches) || o == opEq || o == opNe {
				cands = append(cands, o.String())
			}
		}
	case t.kind == tOp && isField(last(1)):
		fi := fieldNames[strings.ToLower(last(1).text)]
		cands = append(cands, fi.values...)
		if fi.id == fProto && reg != nil {
			cands = append(cands, reg.Names()...)
		}
	case t.kind == tWord || t.kind == tString || t.kind == tRParen:
		cands = append(cands, "and", "or")
	}
	slices.Sort(cands)
	cands = slices.Compact(cands)
	for _, c := range cands {
		if c != "" && strings.HasPrefix(strings.ToLower(c), prefix) {
			words = append(words, c)
		}
	}
	return start, words
}

// FieldPath is how a filter names the field called name of layer's messages:
// "tls.sni" for "SNI (server name)", "smtp.enhanced_code" for "enhanced code",
// "tcp.clients_state" for "client's state"; "" when name makes no word of a filter.
func FieldPath(layer, name string) string {
	if i := strings.IndexByte(name, '('); i > 0 {
		name = name[:i]
	}
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		switch {
		case r == ' ':
			b.WriteByte('_')
		case r != '.' && r < utf8.RuneSelf && isWordByte(byte(r)), r >= utf8.RuneSelf:
			b.WriteRune(r)
		} // other punctuation is not part of a name (norm)
	}
	name = b.String()
	layer = strings.ToLower(layer)
	if strings.Trim(name, "_-") == "" || layer == "" || strings.Contains(layer, ".") {
		return ""
	}
	for i := 0; i < len(layer); i++ {
		if !isWordByte(layer[i]) {
			return ""
		}
	}
	return layer + "." + name
}

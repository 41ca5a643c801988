package pgsql

import (
	"slices"
	"strconv"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/framing"
)

// column is one column of a RowDescription: what its values are read by.
type column struct {
	name   string
	oid    uint32
	format int16
}

// op is a client's message the server has not answered yet.
type op struct {
	typ    byte   // 'Q', 'P', 'B', 'D', 'E', 'C', 'S', 'F'
	target byte   // Describe and Close: 'S' statement, 'P' portal
	name   string // the statement (Parse, Describe, Close) or portal (Bind, Describe, Execute, Close)
	pair   string // the round it belongs to (lab.Message.Pair)
	ready  bool   // Execute: its columns are in force (rounds.cols)
}

// portal is what a Bind made: the statement it runs and the result formats.
type portal struct {
	stmt    string
	formats []int16
	cols    []column // from a Describe of the portal, nil before
}

// rounds follows the requests and their answers: each Query, each batch of
// extended-protocol messages up to its Sync, and the start-up up to the first
// ReadyForQuery is one round, whose messages share a Pair (the timing view's
// request and its answer). It also keeps what the server's rows are read by:
// the columns of the RowDescription in force, prepared statements' columns and
// parameter types, portals' formats.
type rounds struct {
	n      int    // rounds opened
	batch  string // the extended-protocol round not ended by a Sync yet, "" for none
	login  string // the start-up's round until its first ReadyForQuery
	ops    []op   // the client's messages the server has not answered, oldest first
	room   []op   // the start of an array ops may take again when empty (push)
	cols   []column
	stmts  map[string][]column // statement → its result columns (Describe), format codes 0
	params map[string][]uint32 // statement → its parameters' types (Parse)
	ports  map[string]*portal
	formed formedCols    // withFormats' last answer, for the next Execute of the same statement alike
	pairs  framing.Arena // where the rounds' numbers (Pair) are kept
	kept   int           // columns, parameter types and formats the maps hold (bounded by maxKept)
	copyF  int16         // the COPY in progress: its overall format (0 text, 1 binary)
}

// maxKept bounds the columns, parameter types and formats remembered for the
// statements and portals of one connection: past it they are forgotten (the
// rows of a statement forgotten show as text or bytes, not by their types).
const maxKept = 1 << 16

// keep makes room for n more remembered items, forgetting every statement
// and portal when they would pass maxKept.
func (r *rounds) keep(n int) {
	if r.kept+n > maxKept {
		r.stmts, r.params, r.ports, r.kept = nil, nil, nil, 0
	}
	r.kept += n
}

// open begins a round and returns its Pair.
func (r *rounds) open() string {
	r.n++
	var b [20]byte
	return r.pairs.String(strconv.AppendInt(b[:0], int64(r.n), 10))
}

// push notes a client's message that waits for its answer, in round pair.
func (r *rounds) push(o op) {
	if len(r.ops) >= maxOps {
		r.ops = r.ops[1:]
	}
	if len(r.ops) == 0 {
		// Start again at the start of the room, not past the last popped
		// message, where an append soon needs a new array.
		r.ops = r.room[:0]
	}
	r.ops = append(r.ops, o)
	if cap(r.ops) > cap(r.room) {
		r.room = r.ops[:0]
	}
}

// front is the oldest message waiting for its answer, nil when none waits.
func (r *rounds) front() *op {
	if len(r.ops) == 0 {
		return nil
	}
	return &r.ops[0]
}

// pop drops the oldest message waiting.
func (r *rounds) pop() {
	if len(r.ops) > 0 {
		r.ops[0] = op{}
		r.ops = r.ops[1:]
	}
}

// mark marks the client's message m of type t as a request (the first of its
// round) or a part of one, and notes what waits for an answer.
func (r *rounds) mark(m *lab.Message, o op) {
	switch o.typ {
	case 'Q', 'F':
		r.batch = ""
		o.pair = r.open()
		m.Role, m.Pair = lab.RoleRequest, o.pair
		r.push(o)
		return
	}
	if r.batch == "" {
		r.batch = r.open()
		m.Role = lab.RoleRequest
	}
	m.Pair, o.pair = r.batch, r.batch
	if o.typ == 'S' {
		r.batch = ""
	}
	if o.typ != 'H' {
		r.push(o)
	}
}

// answer marks the server's message m as part of the answer to the oldest
// round waiting, if one waits.
func (r *rounds) answer(m *lab.Message) {
	pair := r.login
	if o := r.front(); o != nil && pair == "" {
		pair = o.pair
	}
	if pair != "" {
		m.Role, m.Pair = lab.RoleAnswer, pair
	}
}

// done drops what a ReadyForQuery ends: the start-up, or the messages up to
// the Sync, Query or FunctionCall it answers.
func (r *rounds) done() {
	if r.login != "" {
		r.login = ""
		return
	}
	for o := r.front(); o != nil; o = r.front() {
		t := o.typ
		r.pop()
		if t == 'S' || t == 'Q' || t == 'F' {
			return
		}
	}
}

// failed drops what the server skips after an error in the extended
// protocol: every message up to the Sync.
func (r *rounds) failed() {
	for o := r.front(); o != nil && o.typ != 'S' && o.typ != 'Q' && o.typ != 'F'; o = r.front() {
		r.pop()
	}
}

// completes drops the oldest message waiting if it is of type t, and
// reports whether it was.
func (r *rounds) completes(t byte) (op, bool) {
	if o := r.front(); o != nil && o.typ == t {
		v := *o
		r.pop()
		return v, true
	}
	return op{}, false
}

// described keeps cols, the columns a RowDescription gives, for the
// statement or portal a Describe waiting asked about, and as the columns in
// force.
func (r *rounds) described(cols []column) {
	r.cols = cols
	o, ok := r.completes('D')
	if !ok {
		return
	}
	if o.target == 'S' {
		r.keep(len(cols))
		remember(&r.stmts, o.name, cols)
	} else if p := r.ports[o.name]; p != nil {
		r.keep(len(cols))
		p.cols = cols
	}
}

// rowColumns is the columns the next DataRow is read by: those of the
// portal an Execute waiting runs, found once, or of the last RowDescription.
func (r *rounds) rowColumns() []column {
	o := r.front()
	if o == nil || o.typ != 'E' || o.ready {
		return r.cols
	}
	o.ready = true
	p := r.ports[o.name]
	switch {
	case p == nil:
	case p.cols != nil:
		r.cols = p.cols
	default:
		r.cols = r.formed.of(r.stmts[p.stmt], p.formats)
	}
	return r.cols
}

// formedCols is withFormats' last answer: the columns it was given, the
// formats, and the columns it made of them (none of them ever changed once
// made), so that a statement run again, with the same formats, reuses its
// columns, and the fields of its rows their maker (rowFill).
type formedCols struct {
	cols, out []column
	formats   []int16
}

// of is withFormats(cols, formats), the last answer again when it is the same.
func (f *formedCols) of(cols []column, formats []int16) []column {
	if f.out == nil || !sameSlice(cols, f.cols) || !slices.Equal(formats, f.formats) {
		*f = formedCols{cols: cols, formats: formats, out: withFormats(cols, formats)}
	}
	return f.out
}

// withFormats returns cols with the result formats of a Bind: none (all
// text), one for all, or one each.
func withFormats(cols []column, formats []int16) []column {
	out := make([]column, len(cols))
	for i, c := range cols {
		switch {
		case len(formats) == 1:
			c.format = formats[0]
		case i < len(formats):
			c.format = formats[i]
		default:
			c.format = 0
		}
		out[i] = c
	}
	return out
}

// bound notes the portal a Bind makes.
func (r *rounds) bound(name string, p *portal) {
	r.keep(len(p.formats))
	if r.ports == nil || len(r.ports) >= maxNames {
		r.ports = make(map[string]*portal)
	}
	r.ports[name] = p
}

// remember keeps v under name in *m, starting afresh past maxNames.
func remember[V any](m *map[string]V, name string, v V) {
	if *m == nil || len(*m) >= maxNames {
		*m = make(map[string]V)
	}
	(*m)[name] = v
}

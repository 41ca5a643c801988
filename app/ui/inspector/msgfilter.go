package inspector

import (
	"slices"

	"github.com/protocollab/protolab/app/ui/widgets"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/filter"
)

// The display filter (lab/filter) narrows the conversation list to the
// conversations that pass it on their own or through one of their messages, and,
// when it tests messages, the shown conversation's rows to those that pass: the
// message list, the sequence diagram, the replay and the state diagram's notes
// all count only those rows (rows, row), so their indexes agree.

// maxPathRows bounds the rows looked at for the layer.field names completion
// offers; pathRowsPerConv the rows of each conversation beyond the shown one.
const (
	maxPathRows     = 20_000
	pathRowsPerConv = 64
)

// msgFilter is the inspector's state of the display filter.
type msgFilter struct {
	f      *filter.Filter
	narrow bool  // f tests messages: only the rows that pass are listed
	vis    []int // with narrow: the rows listed, as indexes of all the rows (allRows)
	seen   int   // of all the rows, how many were looked at for vis
	// scans remembers, for the conversation list, how far each conversation's
	// messages were looked at and whether one passed, while its snapshot's
	// fields stay the same.
	scans map[lab.ConvID]*scan
}

type scan struct {
	next int  // the next row to look at, counted from the conversation's first ever (lost included)
	hit  bool // a message passed
	mark convMark
}

// convMark is what of a conversation's snapshot may change while it is listed
// and that a filter may test beside its messages: a change looks at them again.
type convMark struct {
	live         bool
	how, state   string
	by           lab.Side
	link         lab.Link
	bytes, count int64
}

func markOf(c *lab.ConvInfo) convMark {
	return convMark{c.Live, c.CloseHow, c.State, c.ClosedBy, c.Link, c.BytesC2S + c.BytesS2C, int64(c.Messages)}
}

// reset forgets which rows are listed, for a conversation shown anew.
func (m *msgFilter) reset() {
	m.vis, m.seen = m.vis[:0], 0
}

// Filter returns the display filter's text as typed.
func (in *Inspector) Filter() string { return in.convs.bar.entry.Text }

// SetFilter puts s in the display filter's entry, as if typed: it applies when
// it parses; when it does not, the error is shown and returned.
func (in *Inspector) SetFilter(s string) error {
	in.convs.bar.entry.SetText(s) // calls changed when s is new
	_, err := filter.Parse(s, in.reg)
	return err
}

// applyFilter narrows the views to f (nil: shows everything).
func (in *Inspector) applyFilter(f *filter.Filter) {
	in.mf.f, in.mf.narrow = f, f.Messages()
	clear(in.mf.scans)
	in.convs.flt = f
	in.convs.rebuild()
	in.convs.setStatus(in.model.Dropped())
	pinned := in.pinned
	id := in.shown
	if !pinned {
		id = in.convs.newest
	}
	in.show(id)
	in.pinned = pinned
	in.replay.refresh()
}

// convPasses reports whether one of c's messages held passes the filter; parent
// is the conversation c is linked under, if known.
func (in *Inspector) convPasses(c, parent *lab.ConvInfo) bool {
	d := in.model.Conv(c.ID)
	if d == nil || in.mf.f == nil {
		return false
	}
	sc := in.mf.scans[c.ID]
	if mark := markOf(c); sc == nil || sc.mark != mark {
		sc = &scan{mark: mark}
		in.mf.scans[c.ID] = sc
	}
	if sc.hit {
		return true
	}
	i := max(sc.next-d.Lost(), 0)
	s := filter.Subject{Conv: c, Parent: parent}
	for ; i < d.Len(); i++ {
		s.Event = in.model.event(d.rows.at(i))
		if in.mf.f.Match(&s) {
			sc.hit = true
			break
		}
	}
	sc.next = d.Lost() + i
	return sc.hit
}

// rowPasses reports whether row u of all the rows passes the filter.
func (in *Inspector) rowPasses(u int, e *lab.Event) bool {
	s := filter.Subject{Conv: &in.info, Event: e}
	if u >= len(in.pre) && e.Conv != in.shown {
		if i, ok := in.convs.byID[e.Conv]; ok { // a kid's row: its own conversation
			s.Conv = &in.convs.all[i]
		}
	}
	s.Parent = in.convs.parent(s.Conv)
	return in.mf.f.Match(&s)
}

// setRowArrows draws the shown conversation's rows anew, the listed ones only.
func (in *Inspector) setRowArrows(c *ConvData) {
	if !in.mf.narrow {
		in.seq.SetArrows(in.allArrows(c, in.nShown))
		return
	}
	in.mf.reset()
	in.seq.SetArrows(in.narrowArrows())
}

// appendRowArrows draws the rows from..to of the shown conversation after
// those drawn, the listed ones only.
func (in *Inspector) appendRowArrows(c *ConvData, from, to int) {
	if !in.mf.narrow {
		in.seq.Append(in.mainArrows(c, from, to)...)
		return
	}
	if a := in.narrowArrows(); len(a) > 0 {
		in.seq.Append(a...)
	}
}

// narrowArrows looks at the rows not yet looked at, lists those that pass and
// returns their arrows.
func (in *Inspector) narrowArrows() []widgets.Arrow {
	var out []widgets.Arrow
	for n := in.allRows(); in.mf.seen < n; in.mf.seen++ {
		u := in.mf.seen
		e := in.fullRow(u)
		if in.rowPasses(u, e) {
			in.mf.vis = append(in.mf.vis, u)
			out = append(out, in.arrow(e, u < len(in.pre)))
		}
	}
	return out
}

// fieldPaths are the layer.field names of the messages held, for completion:
// of the shown conversation's rows, then of the first few of every
// conversation's, newest first, at most maxPathRows in all.
func (in *Inspector) fieldPaths() []string {
	seen := map[string]bool{}
	budget := maxPathRows
	look := func(e *lab.Event) {
		budget--
		if e.Msg == nil {
			return
		}
		layer := e.Layer
		if e.Msg.Layer != "" {
			layer = e.Msg.Layer
		}
		fields, _ := e.Msg.Detail()
		for _, f := range fields {
			if p := filter.FieldPath(layer, f.Name); p != "" {
				seen[p] = true
			}
		}
	}
	for u := 0; u < in.allRows() && budget > 0; u++ {
		look(in.fullRow(u))
	}
	for k := len(in.convs.all) - 1; k >= 0 && budget > 0; k-- {
		if d := in.model.Conv(in.convs.all[k].ID); d != nil {
			for i := 0; i < min(d.Len(), pathRowsPerConv) && budget > 0; i++ {
				look(in.model.event(d.rows.at(i)))
			}
		}
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// filterTouched marks the conversation list for a new snapshot when a filter
// is applied and a conversation not listed gained messages: one of them may pass.
func (in *Inspector) filterTouched(touched map[lab.ConvID]struct{}) {
	if in.mf.f == nil {
		return
	}
	for id := range touched {
		if _, ok := in.convs.index[id]; !ok {
			in.dirty.Store(true)
			return
		}
	}
}

// pruneScans forgets the scans of conversations the hub no longer holds, once
// they are as many as those it does.
func (in *Inspector) pruneScans() {
	if len(in.mf.scans) <= max(len(in.convs.all), 64) {
		return
	}
	for id := range in.mf.scans {
		if _, ok := in.convs.byID[id]; !ok {
			delete(in.mf.scans, id)
		}
	}
}

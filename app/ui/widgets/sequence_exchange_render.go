package widgets

import "fyne.io/fyne/v2"

// Geometry of the exchanges' brackets, right of the rightmost lane.
const (
	exRoom        = 124 // right of the last lane: the brackets and their words
	exBracketGap  = 14  // from the rightmost lane to the first bracket
	exBracketStep = 9   // between bracket columns
	exTick        = 6   // the tick joining an exchange's arrow to its bracket
	exTitleSize   = 11
	exStateSize   = 10
)

// exBracketX is the x of bracket column col.
func (r *sequenceBodyRenderer) exBracketX(col int) float32 {
	return r.xs[len(r.xs)-1] + exBracketGap + float32(col)*exBracketStep
}

// exchangeBand shades row i, at top, when its arrow is in an exchange: from the
// arrow's leftmost lane to the exchange's bracket, in its kind's colour.
func (r *sequenceBodyRenderer) exchangeBand(i int, top float32) {
	d := r.b.d
	s, ok := d.ex.of[i]
	if !ok || len(r.xs) == 0 {
		return
	}
	sp := &d.ex.spans[s]
	a := d.arrows[i]
	last := len(r.xs) - 1
	left := r.xs[min(max(min(a.From, a.To), 0), last)] - 8
	right := r.exBracketX(sp.col)
	band := r.highlights.take()
	band.FillColor = withAlpha(exAccent(sp.kind).tone(d), 0x30)
	band.Move(fyne.NewPos(left, top+4))
	band.Resize(fyne.NewSize(right-left, seqRowHeight-8))
	band.Refresh()
}

// exchangeBrackets draws the brackets of the exchanges with rows in [first, end):
// a line from the exchange's first arrow to its last, a tick at each of its
// arrows, the state each left it in, and the kind's title at its first.
func (r *sequenceBodyRenderer) exchangeBrackets(first, end int) {
	d := r.b.d
	if len(r.xs) == 0 || len(d.ex.spans) == 0 {
		return
	}
	end = min(end, len(d.arrows))
	cols := 0
	d.ex.inView(first, end, func(s *exSpan) { cols = max(cols, s.col+1) })
	textX := r.exBracketX(cols-1) + exTick
	avail := r.size.Width - textX - 2
	d.ex.inView(first, end, func(s *exSpan) {
		col := exAccent(s.kind).tone(d)
		x := r.exBracketX(s.col)
		y1 := seqRowTop(max(s.first, first)) // the rows above the view are not drawn
		if s.first >= first {
			y1 += seqArrowY
		}
		y2 := seqRowTop(min(s.last, end-1))
		if s.last < end {
			y2 += seqArrowY
		} else {
			y2 += seqRowHeight
		}
		r.line(r.shafts.take(), x, y1, x, y2, col, 2)
		for i := max(s.first, first); i <= min(s.last, end-1); i++ {
			if j, ok := d.ex.of[i]; !ok || &d.ex.spans[j] != s {
				continue
			}
			y := seqRowTop(i) + seqArrowY
			r.line(r.shafts.take(), x-exTick, y, x, y, col, 2)
			ax := d.arrows[i].Exchange
			if avail < 24 {
				continue
			}
			if ax.State != "" {
				state := fitText(ax.State, exStateSize, fyne.TextStyle{}, avail)
				r.text(state, col, exStateSize, fyne.TextStyle{}, textX, y, true)
			}
			if i == s.first && s.title != "" {
				style := fyne.TextStyle{Bold: true}
				title := fitText(s.title, exTitleSize, style, avail)
				r.text(title, col, exTitleSize, style, textX, seqRowTop(i)+11, true)
			}
		}
	})
}

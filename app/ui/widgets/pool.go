package widgets

import "fyne.io/fyne/v2"

// pool hands out reusable canvas objects of one kind for one frame. A renderer calls
// take for every object it needs, then end, which hides the ones left over; the pool
// only grows when a frame needs more objects than any frame before it, so the number
// of objects is bounded by what fits in view.
type pool[T fyne.CanvasObject] struct {
	items []T
	used  int
	make  func() T
	grew  bool // set when items grew; the renderer then rebuilds its object list
}

func (p *pool[T]) take() T {
	if p.used == len(p.items) {
		p.items = append(p.items, p.make())
		p.grew = true
	}
	o := p.items[p.used]
	p.used++
	if !o.Visible() {
		o.Show()
	}
	return o
}

func (p *pool[T]) end() {
	for _, o := range p.items[p.used:] {
		if o.Visible() {
			o.Hide()
		}
	}
	p.used = 0
}

// appendTo adds the pool's objects to list, in order.
func (p *pool[T]) appendTo(list []fyne.CanvasObject) []fyne.CanvasObject {
	for _, o := range p.items {
		list = append(list, o)
	}
	return list
}
